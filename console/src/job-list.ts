/**
 * The Jobs page's list as pages of the node's job index (`GET /v1/jobs`,
 * docs/api.md) plus live updates, without DOM or I/O so it is tested in Node
 * (test/console/job-list.test.ts).
 *
 * The node lists newest first (by `createdAt`, ties by job id ascending),
 * optionally of one status, and pages with `before` = the last job id of the
 * previous page. The page asks for one job more than it shows, so it knows
 * whether another page exists without asking for it. A job the event stream
 * announces is placed where the node's order puts it, unless it belongs to a
 * page not loaded yet (it then comes with that page); a job whose status
 * leaves the chosen one leaves the list. Jobs announced while a page is on
 * its way are put in again after it, so a page read before a job changed
 * does not bring its old state back.
 */

/** What the list needs of a row; `createdAt` is null until the job's view is read (such rows are shown first). */
export interface ListedJob {
  jobId: string
  status: string
  createdAt: number | null
}

/** The loaded rows, newest first, where the node's pages end so far, and the rows announced while a page is on its way. */
export interface JobList<R extends ListedJob> {
  rows: R[]
  /** The last job the node served on a page (the next page's `before`); null before the first. */
  cursor: { jobId: string, createdAt: number } | null
  /** Whether the node may hold more after {@link cursor}. */
  more: boolean
  /** Rows put in since {@link beginPage}, in order; null when no page is on its way. */
  inFlight: R[] | null
}

/** An empty list (nothing loaded yet; the first page is asked for without `before`). */
export function emptyJobList<R extends ListedJob> (): JobList<R> {
  return { rows: [], cursor: null, more: false, inFlight: null }
}

/** The node's list order: newest first, ties by job id ascending; rows whose time is not known yet come first. */
export function compareJobs (a: Pick<ListedJob, 'jobId' | 'createdAt'>, b: Pick<ListedJob, 'jobId' | 'createdAt'>): number {
  if (a.createdAt !== b.createdAt) {
    if (a.createdAt === null) return -1
    if (b.createdAt === null) return 1
    return b.createdAt - a.createdAt
  }
  return a.jobId < b.jobId ? -1 : a.jobId > b.jobId ? 1 : 0
}

/** The query of the next page: `limit` is one more than the page shows; `before` is the last job of the pages so far, if any. */
export function nextPageQuery (list: JobList<ListedJob>, pageSize: number, status: string | null): string {
  const q = new URLSearchParams({ limit: String(pageSize + 1) })
  if (status !== null) q.set('status', status)
  if (list.cursor !== null) q.set('before', list.cursor.jobId)
  return `/v1/jobs?${q.toString()}`
}

/** Marks a page request sent for {@link nextPageQuery}: rows put in from now on are kept aside to put in again after it. */
export function beginPage<R extends ListedJob> (list: JobList<R>): JobList<R> {
  return { ...list, inFlight: [] }
}

/** The page request failed: nothing is added. */
export function pageFailed<R extends ListedJob> (list: JobList<R>): JobList<R> {
  return { ...list, inFlight: null }
}

/**
 * Adds the page the node answered to {@link nextPageQuery}: its first
 * `pageSize` jobs, less those already listed, each in its place (a job put
 * in live may sort after them), then the rows put in while it was on its
 * way, again (they are as new as the page or newer).
 */
export function appendPage<R extends ListedJob> (list: JobList<R>, page: R[], pageSize: number, status: string | null): JobList<R> {
  const have = new Set(list.rows.map((r) => r.jobId))
  const shown = page.slice(0, pageSize)
  const last = shown.at(-1)
  const cursor = last === undefined || last.createdAt === null ? list.cursor : { jobId: last.jobId, createdAt: last.createdAt }
  const added = shown.filter((r) => !have.has(r.jobId))
  let next: JobList<R> = { rows: [...list.rows, ...added].sort(compareJobs), cursor, more: page.length > pageSize, inFlight: null }
  for (const row of list.inFlight ?? []) next = upsertJob(next, row, status)
  return next
}

/**
 * Puts `row` (a job's current state) in the list: replaces its old row
 * (keeping the old row's time when `row` has none), or drops it when
 * `status` is set and the job no longer has it; a new row goes to its place
 * in the order, unless it sorts after the pages loaded so far while more
 * exist (the node will serve it with a later page).
 */
export function upsertJob<R extends ListedJob> (list: JobList<R>, row: R, status: string | null): JobList<R> {
  const inFlight = list.inFlight === null ? null : [...list.inFlight, row]
  const old = list.rows.find((r) => r.jobId === row.jobId)
  if (row.createdAt === null && old !== undefined && old.createdAt !== null) row = { ...row, createdAt: old.createdAt }
  const rows = list.rows.filter((r) => r.jobId !== row.jobId)
  const { cursor, more } = list
  if (status !== null && row.status !== status) return { rows, cursor, more, inFlight }
  if (more && cursor !== null && compareJobs(row, cursor) > 0) return { rows, cursor, more, inFlight }
  let i = 0
  while (i < rows.length && compareJobs(rows[i]!, row) < 0) i++
  rows.splice(i, 0, row)
  return { rows, cursor, more, inFlight }
}

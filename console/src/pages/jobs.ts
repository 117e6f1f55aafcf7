/**
 * Jobs: the node's jobs, newest first, a page at a time from the node's job
 * index (`GET /v1/jobs?limit=&status=&before=`, so no request reads the
 * whole history), filtered by status on the node, and updated live from the
 * event stream (a job event places, replaces or removes its row; a vote bumps
 * its count). The filter and page size are part of the route
 * (`#/jobs?status=validated&size=20`), so a view can be bookmarked.
 */
import { useEffect, useRef, useState } from 'preact/hooks'
import { get } from '../api.ts'
import { age, html, num, short } from '../html.ts'
import { appendPage, beginPage, emptyJobList, type JobList, nextPageQuery, pageFailed, upsertJob } from '../job-list.ts'
import { useEvent } from '../live.ts'
import type { JobEventData, JobView } from '../types.ts'

interface Row { jobId: string, kind: string, status: string, createdAt: number | null, latencyMs: number | null, votes: number, ssim: number | 'Infinity' | null }

const STATUSES = ['all', 'pending', 'validated', 'rejected', 'disputed']
/** Jobs per page unless the route says otherwise (the node's own default page). */
export const DEFAULT_PAGE_SIZE = 50
/** The largest page the route may ask for (one less than the node's default `maxListLimit`). */
const MAX_PAGE_SIZE = 999

function rowOf (v: JobView): Row {
  return { jobId: v.jobId, kind: v.kind, status: v.status, createdAt: v.timings.createdAt, latencyMs: v.timings.latencyMs, votes: v.votes.length, ssim: v.values?.ssim ?? null }
}

/** The page size a route's `size` asks for, within 1..{@link MAX_PAGE_SIZE}. */
function pageSizeOf (size: string | null): number {
  const n = size === null ? NaN : Number(size)
  return Number.isInteger(n) && n >= 1 ? Math.min(n, MAX_PAGE_SIZE) : DEFAULT_PAGE_SIZE
}

export function JobsPage (props: { query: URLSearchParams }) {
  const status = STATUSES.includes(props.query.get('status') ?? '') && props.query.get('status') !== 'all' ? props.query.get('status')! : null
  const size = pageSizeOf(props.query.get('size'))
  const [list, setList] = useState<JobList<Row>>(emptyJobList())
  const [loading, setLoading] = useState(false)
  const [error, setError] = useState<string | null>(null)
  // The list's state for event handlers and page answers: the filter of this render, and a counter that
  // makes the answer of a request made for an older filter (or before a reconnection) count for nothing.
  const generation = useRef(0)
  const upsert = (row: Row): void => { setList((l) => upsertJob(l, row, status)) }
  const readView = (jobId: string): void => {
    const gen = generation.current
    get<JobView>(`/v1/jobs/${jobId}`).then((v) => { if (gen === generation.current) upsert(rowOf(v)) }, () => {})
  }
  /** Asks for the page after `from`; with `replace` the answer replaces the list (a re-read that keeps showing the old rows meanwhile). */
  const loadPage = (from: JobList<Row>, replace = false): void => {
    const gen = generation.current
    setLoading(true)
    setList(beginPage)
    get<{ jobs: JobView[] }>(nextPageQuery(from, size, status)).then((r) => {
      if (gen !== generation.current) return
      setList((l) => appendPage(replace ? { ...emptyJobList<Row>(), inFlight: l.inFlight } : l, r.jobs.map(rowOf), size, status))
      setError(null)
    }, (e: Error) => {
      if (gen !== generation.current) return
      setList(pageFailed)
      setError(e.message)
    }).finally(() => { if (gen === generation.current) setLoading(false) })
  }
  /** Starts the list afresh for another filter (emptied at once) or after a reconnection (the rows stay until the new first page is in). */
  const reload = (keepRows = false): void => {
    generation.current++
    const empty = emptyJobList<Row>()
    if (!keepRows) setList(empty)
    loadPage(empty, keepRows)
  }
  useEffect(() => { reload() }, [status, size])
  useEvent('reconnected', () => { reload(true) }, [status, size])
  useEvent('job', (e: JobEventData) => {
    setList((l) => {
      const prev = l.rows.find((r) => r.jobId === e.jobId)
      const row: Row = { jobId: e.jobId, kind: e.kind, status: e.status, createdAt: prev?.createdAt ?? null, latencyMs: prev?.latencyMs ?? null, votes: e.votes, ssim: e.values?.ssim ?? null }
      return upsertJob(l, row, status)
    })
    // The event has no times: the job's view gives its place in the list (and, once final, its latency).
    readView(e.jobId)
  }, [status, size])
  useEvent('vote', (e: { jobId: string }) => { setList((l) => ({ ...l, rows: l.rows.map((r) => (r.jobId === e.jobId ? { ...r, votes: r.votes + 1 } : r)) })) }, [status, size])
  const route = (s: string): string => {
    const q = new URLSearchParams()
    if (s !== 'all') q.set('status', s)
    if (size !== DEFAULT_PAGE_SIZE) q.set('size', String(size))
    return q.toString() === '' ? '#/jobs' : `#/jobs?${q.toString()}`
  }
  return html`
    <h1>Jobs</h1>
    <p class="controls">
      <label>Status <select value=${status ?? 'all'} onChange=${(e: Event) => { location.hash = route((e.target as HTMLSelectElement).value) }}>
        ${STATUSES.map((s) => html`<option value=${s}>${s}</option>`)}
      </select></label>
      <span data-testid="jobs-count">${[String(list.rows.length), ...(status === null ? [] : [status]), list.rows.length === 1 ? 'job' : 'jobs'].join(' ')}${list.more ? ', more on the node' : ''}</span>
    </p>
    ${error !== null ? html`<p class="error" role="alert">${error}</p>` : null}
    <table class="jobs">
      <thead><tr><th>job</th><th>kind</th><th>status</th><th>age</th><th>latency</th><th>votes</th><th>SSIM</th></tr></thead>
      <tbody>${list.rows.map((r) => html`<tr data-job=${r.jobId}>
        <td><a href="#/job/${r.jobId}"><code>${short(r.jobId)}</code></a></td>
        <td>${r.kind}</td><td><span class="status ${r.status}">${r.status}</span></td>
        <td>${r.createdAt === null ? '—' : age(r.createdAt)}</td>
        <td>${r.latencyMs === null ? '—' : `${(r.latencyMs / 1000).toFixed(1)} s`}</td>
        <td>${r.votes}</td><td>${num(r.ssim)}</td></tr>`)}</tbody>
    </table>
    ${list.more ? html`<button id="more-jobs" disabled=${loading} onClick=${() => { loadPage(list) }}>Show ${size} more</button>` : null}`
}

/**
 * The Jobs page's list (console/src/job-list.ts) against a node that lists
 * as docs/api.md says `GET /v1/jobs` does (newest first, ties by id, one
 * status or all, `before` = a job id): whatever jobs arrive and change status
 * while pages are on their way, once the live events' job views are read and
 * the pages are loaded to the end, the list is exactly the node's list; no
 * job is ever listed twice or out of the node's order, and no request asks
 * for more than one page.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { appendPage, beginPage, compareJobs, emptyJobList, type JobList, type ListedJob, nextPageQuery, upsertJob } from '../../console/src/job-list.ts'

const STATUSES = ['pending', 'validated', 'rejected', 'disputed'] as const

interface Job { jobId: string, status: string, createdAt: number }

/** The node's listing as docs/api.md describes it, over `jobs`. */
function serve (jobs: Job[], path: string): Job[] {
  const q = new URL(path, 'http://node').searchParams
  expect(new URL(path, 'http://node').pathname).toBe('/v1/jobs')
  const all = [...jobs].sort(compareJobs)
  const before = q.get('before')
  const at = before === null ? -1 : all.findIndex((j) => j.jobId === before)
  if (before !== null) expect(at, 'before names a job the node knows').not.toBe(-1)
  const from = at + 1
  const status = q.get('status')
  return all.slice(from).filter((j) => status === null || j.status === status).slice(0, Number(q.get('limit'))).map((j) => ({ ...j }))
}

const op = fc.oneof(
  fc.record({ t: fc.constant('new' as const), createdAt: fc.integer({ min: 0, max: 12 }), status: fc.constantFrom(...STATUSES) }),
  fc.record({ t: fc.constant('change' as const), pick: fc.nat(), status: fc.constantFrom(...STATUSES) }),
  fc.record({ t: fc.constantFrom('read' as const, 'request' as const, 'answer' as const) })
)

describe('the Jobs page list', () => {
  it('equals the node\'s list once live jobs are read and every page is loaded, whatever happens while pages are on their way', () => {
    fc.assert(fc.property(
      fc.array(fc.record({ createdAt: fc.integer({ min: 0, max: 12 }), status: fc.constantFrom(...STATUSES) }), { maxLength: 14 }),
      fc.constantFrom(null, ...STATUSES),
      fc.integer({ min: 1, max: 4 }),
      fc.array(op, { maxLength: 40 }),
      (initial, status, size, ops) => {
        let n = 0
        const jobs: Job[] = initial.map((j) => ({ jobId: (n++).toString(16).padStart(64, '0'), ...j }))
        let list: JobList<ListedJob> = emptyJobList()
        let onTheWay: Job[] | null = null
        const reads: string[] = []
        const requests: string[] = []
        const request = (): void => {
          const path = nextPageQuery(list, size, status)
          requests.push(path)
          onTheWay = serve(jobs, path)
          list = beginPage(list)
        }
        const answer = (): void => { list = appendPage(list, onTheWay!, size, status); onTheWay = null }
        // An event carries a job's status but not its time; the page then reads the job's view.
        const announce = (job: Job): void => { list = upsertJob(list, { jobId: job.jobId, status: job.status, createdAt: null }, status); reads.push(job.jobId) }
        request()
        for (const o of ops) {
          if (o.t === 'new') {
            const job = { jobId: (n++).toString(16).padStart(64, '0'), status: o.status, createdAt: o.createdAt }
            jobs.push(job)
            announce(job)
          } else if (o.t === 'change' && jobs.length > 0) {
            const job = jobs[o.pick % jobs.length]!
            job.status = o.status
            announce(job)
          } else if (o.t === 'read' && reads.length > 0) {
            const id = reads.shift()
            const job = jobs.find((j) => j.jobId === id)!
            list = upsertJob(list, { ...job }, status)
          } else if (o.t === 'request' && onTheWay === null && list.more) request()
          else if (o.t === 'answer' && onTheWay !== null) answer()
          expect(new Set(list.rows.map((r) => r.jobId)).size, 'a job listed twice').toBe(list.rows.length)
          expect(list.rows, 'in the node\'s order').toEqual([...list.rows].sort(compareJobs))
        }
        if (onTheWay !== null) answer()
        for (const id of reads) list = upsertJob(list, { ...jobs.find((j) => j.jobId === id)! }, status)
        for (let i = 0; list.more && i < 100; i++) { request(); answer() }
        expect(list.more).toBe(false)
        expect(list.rows).toEqual([...jobs].filter((j) => status === null || j.status === status).sort(compareJobs))
        for (const path of requests) expect(new URL(path, 'http://node').searchParams.get('limit')).toBe(String(size + 1))
      }
    ), { numRuns: 2000 })
  })

  it('asks for the next page after the last job shown, with the status on the node', () => {
    let list = emptyJobList<ListedJob>()
    expect(nextPageQuery(list, 50, null)).toBe('/v1/jobs?limit=51')
    const page = [3, 2, 1].map((t) => ({ jobId: String(t).repeat(64), status: 'validated', createdAt: t }))
    list = appendPage(beginPage(list), page, 2, 'validated')
    expect(list.rows.map((r) => r.createdAt)).toEqual([3, 2])
    expect(list.more).toBe(true)
    expect(nextPageQuery(list, 2, 'validated')).toBe(`/v1/jobs?limit=3&status=validated&before=${'2'.repeat(64)}`)
  })
})

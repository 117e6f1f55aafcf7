/**
 * Economy offline through the HTTP API of a real in-process node on the
 * economy module's manual clock: `POST /v1/jobs` with profile `economy` and
 * no candidate answers 202 with the schedule and its cost report; moving the
 * clock to the slot makes the job appear in `GET /v1/jobs` and become final
 * on a one-validator network; `GET /v1/schedules[/:id]` show it with its job
 * id. Bad input is refused with its code and stores nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TrustEngineNode } from '../../../node/node.ts'
import type { JobView, ScheduleView } from '../../../node/types.ts'
import { THU_00, WED_10, H, economyTestDir, smallScene, startEconomyNode, type EconomyTestDir } from '../economy/fixtures.ts'
import { json, octets } from './fixtures.ts'

let t: EconomyTestDir
let node: TrustEngineNode
let url: string
let sha: string

beforeAll(async () => {
  t = await economyTestDir()
  node = await startEconomyNode(t, { api: { port: 0 } })
  url = node.info().apiUrl!
  const r = await call('/v1/blobs', octets(await smallScene()))
  expect(r.status).toBe(201)
  sha = r.body.sha256
})
afterAll(async () => {
  await node?.stop()
  await t?.remove()
})

async function call (path: string, init?: RequestInit): Promise<{ status: number, body: any }> {
  const res = await fetch(`${url}${path}`, init)
  return { status: res.status, body: JSON.parse(await res.text()) }
}

const economy = (extra: Record<string, unknown> = {}): Record<string, unknown> =>
  ({ kind: 'scene', reference: [sha], candidate: [], profile: 'economy', ...extra })

/** Polls `path` until `done` holds (bounded: a hang guard, not a timing check). */
async function pollUntil<T> (path: string, done: (body: any) => T | undefined): Promise<T> {
  for (let i = 0; i < 2000; i++) {
    const r = await call(path)
    expect(r.status).toBe(200)
    const out = done(r.body)
    if (out !== undefined) return out
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  throw new Error(`${path} never reached the expected state`)
}

/** What a refused request must leave unchanged. */
async function storedState (): Promise<unknown> {
  return { schedules: (await call('/v1/schedules')).body, jobs: (await call('/v1/jobs')).body, head: (await node.audit(0, 1)).head }
}

describe('economy scene jobs through the API', () => {
  it('answers 202 with the schedule; at the slot the job appears in GET /v1/jobs and becomes final', async () => {
    const r = await call('/v1/jobs', json(economy()))
    expect(r.status).toBe(202)
    const schedule = r.body as ScheduleView
    expect(schedule).toMatchObject({ status: 'scheduled', slotStart: THU_00, optimizeBy: WED_10 + 24 * H, jobId: null })
    expect(schedule.scheduleId).toMatch(/^[0-9a-f]{32}$/)
    expect(Object.keys(schedule.report).sort()).toEqual(['baselineCostUsd', 'carbonKg', 'computeHours', 'hoursShifted', 'resource', 'savingsPercent', 'savingsUsd', 'scheduledCostUsd', 'tiers', 'timeZone'])
    expect(schedule.report.hoursShifted).toBe(14)
    expect(schedule.report.savingsUsd).toBeGreaterThan(0)
    expect(schedule.report.carbonKg).toBeGreaterThan(0)

    expect((await call(`/v1/schedules/${schedule.scheduleId}`)).body).toEqual(schedule)
    expect((await call('/v1/schedules')).body.schedules).toContainEqual(schedule)
    expect((await call('/v1/jobs')).body).toEqual({ jobs: [] })

    t.clock.set(THU_00)
    const jobId = await pollUntil('/v1/jobs', (body: { jobs: JobView[] }) => body.jobs[0]?.jobId)
    const job = await pollUntil(`/v1/jobs/${jobId}`, (view: JobView) => (view.final ? view : undefined))
    expect(job).toMatchObject({ kind: 'scene', final: true, reference: [sha], optimize: { profile: 'economy', ratio: 0.25 } })
    expect(['validated', 'rejected']).toContain(job.status)
    const started = await pollUntil(`/v1/schedules/${schedule.scheduleId}`, (view: ScheduleView) => (view.status === 'started' ? view : undefined))
    expect(started).toMatchObject({ jobId, startedAt: THU_00, error: null })
    expect((await call(`/v1/jobs/${jobId}/certificate`)).status).toBe(200)
  })

  it('takes optimizeBy as ISO 8601 or epoch ms, and passes ratio and the budget', async () => {
    // The clock stands at Thursday 00:00 UTC now: an economy tier, so the slot is now.
    const iso = await call('/v1/jobs', json(economy({ optimizeBy: '2026-01-08T03:00:00+00:00', budgetUsd: 1, ratio: 0.5 })))
    expect(iso.status).toBe(202)
    expect(iso.body).toMatchObject({ slotStart: THU_00, optimizeBy: THU_00 + 3 * H, budgetUsd: 1, request: { ratio: 0.5 } })
    const ms = await call('/v1/jobs', json(economy({ optimizeBy: THU_00 + 3 * H })))
    expect(ms.status).toBe(202)
    expect(ms.body.optimizeBy).toBe(THU_00 + 3 * H)
    const listed = (await call('/v1/schedules?limit=2')).body.schedules as ScheduleView[]
    expect(listed.map((s) => s.scheduleId).sort()).toEqual([iso.body.scheduleId, ms.body.scheduleId].sort())
    // Their slot is now: both run at once, each as its own job.
    const jobIds = new Set<string>()
    for (const id of [iso.body.scheduleId, ms.body.scheduleId]) {
      jobIds.add(await pollUntil(`/v1/schedules/${id}`, (view: ScheduleView) => (view.status === 'started' ? view.jobId! : undefined)))
    }
    expect(jobIds.size).toBe(2)
    for (const jobId of jobIds) await pollUntil(`/v1/jobs/${jobId}`, (view: JobView) => (view.final ? view : undefined))
  })

  it('refuses bad input with 4xx codes, storing nothing', async () => {
    const before = await storedState()
    const cases: Array<[Record<string, unknown>, number, string]> = [
      [economy({ optimizeBy: THU_00 - 1 }), 422, 'ERR_SCHEDULE_DEADLINE_UNREACHABLE'],
      [economy({ optimizeBy: '2026-01-01T00:00:00Z' }), 422, 'ERR_SCHEDULE_DEADLINE_UNREACHABLE'],
      [economy({ budgetUsd: 0.0001 }), 422, 'ERR_SCHEDULE_OVER_BUDGET'],
      [economy({ budgetUsd: -1 }), 400, 'ERR_BAD_REQUEST'],
      [economy({ optimizeBy: '2026-01-08 03:00' }), 400, 'ERR_BAD_REQUEST'],
      [economy({ optimizeBy: 1.5 }), 400, 'ERR_BAD_REQUEST'],
      // Safe integers past the last instant a Date holds (8.64e15 ms).
      [economy({ optimizeBy: 8.64e15 + 1 }), 400, 'ERR_BAD_REQUEST'],
      [economy({ optimizeBy: Number.MAX_SAFE_INTEGER }), 400, 'ERR_BAD_REQUEST'],
      [{ ...economy({ optimizeBy: THU_00 + H }), profile: 'balanced' }, 400, 'ERR_BAD_REQUEST'],
      [{ ...economy({ budgetUsd: 1 }), candidate: [sha] }, 400, 'ERR_BAD_REQUEST'],
      [economy({ reference: ['cd'.repeat(32)] }), 400, 'ERR_BLOB_UNKNOWN']
    ]
    for (const [body, status, code] of cases) {
      const r = await call('/v1/jobs', json(body))
      expect({ body, status: r.status, code: r.body.error?.code }).toEqual({ body, status, code })
    }
    const misplaced = await call('/v1/jobs', json({ ...economy({ optimizeBy: THU_00 + H }), profile: 'balanced' }))
    expect(misplaced.body.error.issues).toEqual([{ path: 'body.optimizeBy', message: expect.any(String) }])
    expect(await storedState()).toEqual(before)
  })

  it('answers 404 for an unknown schedule and 400 for a malformed id or query', async () => {
    expect((await call(`/v1/schedules/${'0'.repeat(32)}`))).toMatchObject({ status: 404, body: { error: { code: 'ERR_SCHEDULE_NOT_FOUND' } } })
    expect((await call(`/v1/schedules/${'a'.repeat(64)}`))).toMatchObject({ status: 400, body: { error: { code: 'ERR_BAD_REQUEST' } } })
    expect((await call('/v1/schedules?limit=-1'))).toMatchObject({ status: 400, body: { error: { code: 'ERR_BAD_REQUEST' } } })
    expect((await call('/v1/schedules?after=1'))).toMatchObject({ status: 400, body: { error: { code: 'ERR_BAD_REQUEST' } } })
  })
})

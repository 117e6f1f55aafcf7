/**
 * Economy offline on a real node (LevelDB, libp2p, optimizer, job engine) on
 * the economy module's manual clock: a deferred economy scene job is stored
 * with its slot and audit entry, runs when the clock reaches the slot (not
 * before) through the node's immediate path, and survives a restart — a
 * waiting schedule is reloaded, and one whose slot passed while the node was
 * down runs at start. Refused requests store nothing.
 */
import { unlink } from 'node:fs/promises'
import { afterEach, describe, expect, it } from 'vitest'
import { ERR_SCHEDULE_NOT_ECONOMY, ERR_SCHEDULE_QUEUE_FULL } from '../../../node/economy/errors.ts'
import { ERR_SCHEDULE_DEADLINE_UNREACHABLE, ERR_SCHEDULE_INVALID, ERR_SCHEDULE_OVER_BUDGET } from '../../../node/optimizer/errors.ts'
import { NODE_METRIC_NAMES } from '../../../node/metrics.ts'
import type { TrustEngineNode } from '../../../node/node.ts'
import { BlobDir } from '../../../node/p2p/blob-dir.ts'
import { verifyAudit } from '../../../node/store/audit-verify.ts'
import { openStore } from '../../../node/store/db.ts'
import { dataDirLayout } from '../../../node/store/data-dir.ts'
import type { EconomyJobRequest } from '../../../node/types.ts'
import { H, THU_00, WED_10, auditKinds, economyTestDir, jobSettled, scheduleFired, smallScene, startEconomyNode, type EconomyTestDir } from './fixtures.ts'
import { codeOfAsync as codeOf } from '../../helpers/codes.ts'

const open: Array<{ node: TrustEngineNode | null, t: EconomyTestDir }> = []
afterEach(async () => {
  for (const o of open.splice(0)) {
    await o.node?.stop()
    await o.t.remove()
  }
})

async function setUp (options: Parameters<typeof startEconomyNode>[1] & { validator?: boolean } = {}): Promise<{ node: TrustEngineNode, t: EconomyTestDir, sha: string }> {
  const t = await economyTestDir({ validator: options.validator })
  const entry: { node: TrustEngineNode | null, t: EconomyTestDir } = { node: null, t }
  open.push(entry)
  const node = await startEconomyNode(t, options)
  entry.node = node
  const sha = await node.putBlob(await smallScene())
  return { node, t, sha }
}

const economyRequest = (sha: string, extra: Partial<EconomyJobRequest> = {}): EconomyJobRequest =>
  ({ kind: 'scene', reference: [sha], candidate: [], profile: 'economy', ...extra })

/** Lets every pending promise continuation and I/O callback of this turn run. */
const settle = async (): Promise<void> => { await new Promise((resolve) => setImmediate(resolve)) }

describe('economy deferral on a node', () => {
  it('stores the schedule with its slot, cost report and audit entry, runs it when the clock reaches the slot, and the job becomes final', async () => {
    const { node, t, sha } = await setUp()
    const view = await node.scheduleEconomyJob(economyRequest(sha))

    // Peak hour on a Wednesday: the cheapest slot within the default 24 h is the night economy tier.
    expect(view).toMatchObject({ status: 'scheduled', createdAt: WED_10, optimizeBy: WED_10 + 24 * H, budgetUsd: null, slotStart: THU_00, jobId: null, startedAt: null, error: null })
    expect(view.scheduleId).toMatch(/^[0-9a-f]{32}$/)
    expect(view.request).toEqual({ kind: 'scene', reference: [sha], candidate: [], profile: 'economy' })
    expect(view.report.hoursShifted).toBe(14)
    expect(view.report.tiers).toEqual([{ tier: 'economy', hours: expect.any(Number) }])
    // Consumer resource: peak x2.0 against economy x0.4 saves 80 % (up to the report's micro-dollar rounding).
    expect(view.report.savingsPercent).toBeCloseTo(80, 1)
    expect(view.report.scheduledCostUsd).toBeLessThan(view.report.baselineCostUsd)
    // The estimate is the analysis' processing time of this scene (about a minute), in hours.
    expect(view.report.computeHours).toBeGreaterThan(60 / 3600)
    expect(view.report.computeHours).toBeLessThan(61 / 3600)
    expect(view.slotEnd - view.slotStart).toBe(Math.round(view.report.computeHours * H))
    expect(view.report.carbonKg).toBeCloseTo(view.report.computeHours * 0.3 * 0.5, 6)

    expect(await node.getSchedule(view.scheduleId)).toEqual(view)
    expect(await node.listSchedules()).toEqual([view])
    expect(await node.listJobs()).toEqual([])
    const scheduled = (await node.audit(0, 100)).entries.filter((e) => e.kind === 'economy.scheduled')
    expect(scheduled).toHaveLength(1)
    expect(scheduled[0]!.data).toMatchObject({ scheduleId: view.scheduleId, reference: sha, slotStart: THU_00 })

    // One millisecond before the slot nothing runs.
    t.clock.set(THU_00 - 1)
    await settle()
    expect(t.clock.waiting).toBe(1)
    expect((await node.getSchedule(view.scheduleId))!.status).toBe('scheduled')
    expect(await node.listJobs()).toEqual([])

    t.clock.set(THU_00)
    const fired = await scheduleFired(node, view.scheduleId)
    expect(fired).toMatchObject({ status: 'started', startedAt: THU_00, error: null })
    expect(fired.jobId).toMatch(/^[0-9a-f]{64}$/)
    expect(await node.getSchedule(view.scheduleId)).toEqual(fired)

    const job = await jobSettled(node, fired.jobId!)
    expect(job.final).toBe(true)
    expect(job.kind).toBe('scene')
    expect(job.reference).toEqual([sha])
    expect(job.optimize).toEqual({ profile: 'economy', ratio: 0.25 })
    expect(job.timings.createdAt).toBe(THU_00)
    expect((await node.listJobs()).map((j) => j.jobId)).toEqual([fired.jobId])
    const kinds = await auditKinds(node)
    expect(kinds.indexOf('economy.scheduled')).toBeLessThan(kinds.indexOf('job.accepted'))
    expect(kinds.indexOf('job.accepted')).toBeLessThan(kinds.indexOf('economy.started'))
    const started = (await node.audit(0, 100)).entries.find((e) => e.kind === 'economy.started')!
    expect(started.data).toEqual({ scheduleId: view.scheduleId, jobId: fired.jobId, slotStart: THU_00 })
  })

  it('takes optimizeBy, the budget and the node\'s pricing calendar and resource into account', async () => {
    // Tokyo: 10:00 UTC on Wednesday is 19:00 local (standard); local midnight is 15:00 UTC.
    const { node, sha } = await setUp({ economy: { calendar: { timeZone: 'Asia/Tokyo' }, resource: { kind: 'datacenter' } } })
    const view = await node.scheduleEconomyJob(economyRequest(sha, { budgetUsd: 1 }))
    expect(view.slotStart).toBe(WED_10 + 5 * H)
    expect(view.budgetUsd).toBe(1)
    expect(view.report.timeZone).toBe('Asia/Tokyo')
    expect(view.report.resource).toEqual({ kind: 'datacenter', costPerHour: 2.5, powerKw: 0.5, gridKgPerKwh: 0.5 })
    // A deadline before local midnight: the cheapest slot left is off-peak at 20:00 local (11:00 UTC).
    const early = await node.scheduleEconomyJob(economyRequest(sha, { optimizeBy: WED_10 + 3 * H }))
    expect(early.slotStart).toBe(WED_10 + 1 * H)
    expect(early.optimizeBy).toBe(WED_10 + 3 * H)
    expect((await node.listSchedules()).map((s) => s.scheduleId)).toEqual([early.scheduleId, view.scheduleId].sort().reverse())
  })

  it('reloads a waiting schedule after a restart and runs, at start, a schedule whose slot passed while the node was down', async () => {
    const { node, t, sha } = await setUp()
    const first = await node.scheduleEconomyJob(economyRequest(sha))
    // A second one with a later deadline and a cheaper window: the weekend (Saturday 00:00 UTC).
    const second = await node.scheduleEconomyJob(economyRequest(sha, { optimizeBy: Date.parse('2026-01-10T12:00:00Z') }))
    expect(second.slotStart).toBe(THU_00) // night economy (0.4) is as cheap as the weekend, and earlier
    const third = await node.scheduleEconomyJob(economyRequest(sha, { optimizeBy: Date.parse('2026-01-07T23:00:00Z') }))
    expect(third.slotStart).toBe(Date.parse('2026-01-07T20:00:00Z'))
    await node.stop()
    open[0]!.node = null

    // Restart before any slot: everything still waits.
    const again = await startEconomyNode(t)
    open[0]!.node = again
    expect((await again.listSchedules()).map((s) => s.status)).toEqual(['scheduled', 'scheduled', 'scheduled'])
    await again.stop()
    open[0]!.node = null

    // Down while the 20:00 slot passes; the Thursday ones pass too.
    t.clock.set(THU_00 + 2 * H)
    const late = await startEconomyNode(t)
    open[0]!.node = late
    const views = await Promise.all([third, first, second].map(async (s) => await scheduleFired(late, s.scheduleId)))
    for (const v of views) {
      expect(v.status).toBe('started')
      expect(v.startedAt).toBe(THU_00 + 2 * H)
    }
    expect(new Set(views.map((v) => v.jobId)).size).toBe(3)
    const jobs = await Promise.all(views.map(async (v) => await jobSettled(late, v.jobId!)))
    expect(jobs.every((j) => j.final)).toBe(true)
    // Overdue slots run in slot order, then id order.
    const started = (await late.audit(0, 1000)).entries.filter((e) => e.kind === 'economy.started').map((e) => (e.data as { scheduleId: string }).scheduleId)
    expect(started).toEqual([third.scheduleId, ...[first.scheduleId, second.scheduleId].sort()])
    await late.stop()
    open[0]!.node = null

    // The trail with the economy entries verifies offline.
    const store = await openStore(dataDirLayout(t.dir).db, { createIfMissing: false })
    try {
      expect(await verifyAudit(store)).toMatchObject({ ok: true })
    } finally {
      await store.close()
    }
  })

  it('marks a schedule failed, with the code, when its run is refused at the slot (the scene left the blob store)', async () => {
    const { node, t, sha } = await setUp()
    const view = await node.scheduleEconomyJob(economyRequest(sha))
    await unlink(new BlobDir(t.dir).pathOf(sha))
    t.clock.set(view.slotStart)
    const fired = await scheduleFired(node, view.scheduleId)
    expect(fired).toMatchObject({ status: 'failed', jobId: null, error: { code: 'ERR_BLOB_UNKNOWN' } })
    expect(await node.listJobs()).toEqual([])
    expect(await auditKinds(node)).toContain('economy.failed')
  })

  it('refuses what cannot be scheduled with the scheduler\'s codes, storing nothing', async () => {
    const { node, sha } = await setUp()
    const before = { schedules: await node.listSchedules(), head: (await node.audit(0, 1)).head }
    const cases: Array<[EconomyJobRequest, string]> = [
      [economyRequest(sha, { optimizeBy: WED_10 - 1 }), ERR_SCHEDULE_DEADLINE_UNREACHABLE],
      // Ends one second after the deadline: about a minute of compute does not fit into 30 s.
      [economyRequest(sha, { optimizeBy: WED_10 + 30_000 }), ERR_SCHEDULE_DEADLINE_UNREACHABLE],
      [economyRequest(sha, { budgetUsd: 0.001 }), ERR_SCHEDULE_OVER_BUDGET],
      [economyRequest(sha, { optimizeBy: WED_10 + 0.5 }), ERR_SCHEDULE_INVALID],
      [{ ...economyRequest(sha), profile: 'balanced' }, ERR_SCHEDULE_NOT_ECONOMY],
      [economyRequest('ab'.repeat(32)), 'ERR_BLOB_UNKNOWN'],
      [economyRequest(sha, { deadlineMs: 1 }), 'ERR_JOB_DEADLINE'],
      [economyRequest(sha, { ratio: 2 }), 'ERR_OPTIMIZER_OPTIONS_INVALID']
    ]
    for (const [request, code] of cases) expect(await codeOf(node.scheduleEconomyJob(request))).toBe(code)
    expect({ schedules: await node.listSchedules(), head: (await node.audit(0, 1)).head }).toEqual(before)
  })

  it('refuses a scene that does not load, and refuses more waiting schedules than maxPending, whose gauge counts them', async () => {
    const { node, sha } = await setUp({ economy: { maxPending: 1 } })
    const garbage = await node.putBlob(new TextEncoder().encode('not a scene'))
    expect(await codeOf(node.scheduleEconomyJob(economyRequest(garbage)))).toBe('ERR_SCENE_NOT_GLTF')
    const waiting = async (): Promise<string> => (await node.metricsRegistry.getSingleMetricAsString(NODE_METRIC_NAMES.schedulesWaiting)).split('\n').at(-1)!
    expect(await waiting()).toBe(`${NODE_METRIC_NAMES.schedulesWaiting} 0`)
    await node.scheduleEconomyJob(economyRequest(sha))
    expect(await codeOf(node.scheduleEconomyJob(economyRequest(sha)))).toBe(ERR_SCHEDULE_QUEUE_FULL)
    expect(await node.listSchedules()).toHaveLength(1)
    expect(await waiting()).toBe(`${NODE_METRIC_NAMES.schedulesWaiting} 1`)
  })

  it('refuses on a node that is not a validator (it could not announce the job at the slot)', async () => {
    const { node, sha } = await setUp({ validator: false })
    expect(await codeOf(node.scheduleEconomyJob(economyRequest(sha)))).toBe('ERR_NOT_VALIDATOR')
    expect(await node.listSchedules()).toEqual([])
  })

  it('does not start with invalid economy options', async () => {
    const t = await economyTestDir()
    open.push({ node: null, t })
    expect(await codeOf(startEconomyNode(t, { economy: { calendar: { timeZone: 'Mars/Olympus' } } }))).toBe(ERR_SCHEDULE_INVALID)
    expect(await codeOf(startEconomyNode(t, { economy: { resource: { costPerHour: -1 } } }))).toBe(ERR_SCHEDULE_INVALID)
    expect(await codeOf(startEconomyNode(t, { economy: { maxPending: 0 } }))).toBe(ERR_SCHEDULE_INVALID)
  })
})

/**
 * An economy slot makes at most one job, across crashes, on a real node
 * (LevelDB, libp2p, optimizer, job engine) on the economy module's manual
 * clock. A crash after the slot's job was stored (and gossiped) but before
 * the schedule's outcome was stored leaves the schedule waiting on disk with
 * its attempt (the job's creation time and nonce); the tests put exactly
 * that state on disk, restart the node, and check that the run again finds
 * the first job instead of announcing a second one. A crash before any job
 * was stored (the attempt names no job) gets one job.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { scheduleRecordSchema } from '../../../node/economy/schedule-record.ts'
import type { TrustEngineNode } from '../../../node/node.ts'
import { openStore } from '../../../node/store/db.ts'
import { dataDirLayout } from '../../../node/store/data-dir.ts'
import { schedulesRepository } from '../../../node/store/repositories/schedules.ts'
import type { ScheduleView } from '../../../node/types.ts'
import { H, economyTestDir, jobSettled, scheduleFired, smallScene, startEconomyNode, type EconomyTestDir } from './fixtures.ts'

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn()
})

/** A node on a fresh folder with one economy schedule of the small scene. */
async function scheduled (): Promise<{ t: EconomyTestDir, node: TrustEngineNode, view: ScheduleView, stop: () => Promise<void> }> {
  const t = await economyTestDir()
  cleanups.push(async () => { await t.remove() })
  let node: TrustEngineNode | null = await startEconomyNode(t)
  const stop = async (): Promise<void> => { await node?.stop(); node = null }
  cleanups.push(stop)
  const sha = await node.putBlob(await smallScene())
  const view = await node.scheduleEconomyJob({ kind: 'scene', reference: [sha], candidate: [], profile: 'economy' })
  return { t, node, view, stop }
}

/** Writes `record` over the stored schedule, as a crash would have left it (the node is stopped). */
async function leaveOnDisk (t: EconomyTestDir, record: ScheduleView): Promise<void> {
  const store = await openStore(dataDirLayout(t.dir).db, { createIfMissing: false })
  try {
    const repo = schedulesRepository(store, scheduleRecordSchema)
    await store.write((batch) => { repo.put(batch, record.scheduleId, scheduleRecordSchema.parse(record)) })
  } finally {
    await store.close()
  }
}

describe('an economy slot across crashes', () => {
  it('stores the attempt before the job is signed, and a run again after a crash finds the job the first run announced', async () => {
    const { t, node, view, stop } = await scheduled()
    t.clock.set(view.slotStart)
    const fired = await scheduleFired(node, view.scheduleId)
    expect(fired.status).toBe('started')
    expect(fired.attempt).toMatchObject({ createdAt: view.slotStart, nonce: expect.stringMatching(/^[0-9a-f]{32}$/) })
    const first = await jobSettled(node, fired.jobId!)
    expect(first.final).toBe(true)
    await stop()

    // The crash came after the job was stored, before the outcome: the schedule still waits, with its attempt.
    await leaveOnDisk(t, { ...fired, status: 'scheduled', jobId: null, startedAt: null })
    t.clock.set(view.slotStart + H)
    const again = await startEconomyNode(t)
    cleanups.push(async () => { await again.stop() })
    const rerun = await scheduleFired(again, view.scheduleId)
    expect([rerun.status, rerun.jobId, rerun.attempt]).toEqual(['started', fired.jobId, fired.attempt])
    expect((await again.listJobs()).map((j) => j.jobId)).toEqual([fired.jobId])
  })

  it('a run again after a crash that came before any job was stored announces one job', async () => {
    const { t, view, stop } = await scheduled()
    await stop()
    // The attempt was stored, then the node died during the optimization: no job names it.
    const attempt = { createdAt: view.slotStart, nonce: 'f0'.repeat(16) }
    await leaveOnDisk(t, { ...view, attempt })
    t.clock.set(view.slotStart + H)
    const node = await startEconomyNode(t)
    cleanups.push(async () => { await node.stop() })
    const fired = await scheduleFired(node, view.scheduleId)
    expect(fired.status).toBe('started')
    const jobs = await node.listJobs()
    expect(jobs.map((j) => j.jobId)).toEqual([fired.jobId])
    // Signed afresh: the pinned time is an hour old and no job carried it.
    expect(jobs[0]!.timings.createdAt).toBe(view.slotStart + H)
    expect(fired.attempt).toMatchObject({ createdAt: view.slotStart + H })
  })
})

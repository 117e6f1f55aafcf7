/**
 * Cancelling an economy schedule through the HTTP API of a real node on the
 * economy module's manual clock: a schedule still waiting is stored
 * `cancelled` with an audit entry and never runs at its slot; one that
 * already ran, or was cancelled, answers 409; unknown and malformed ids
 * answer 404 and 400.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { startApi } from '../../../node/api/server.ts'
import { auditKinds, economyTestDir, scheduleFired, smallScene, startEconomyNode } from './fixtures.ts'

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn()
})

describe('cancelling an economy schedule', () => {
  it('cancels a waiting schedule, which then never runs, and refuses what is not waiting', async () => {
    const t = await economyTestDir()
    cleanups.push(async () => { await t.remove() })
    const node = await startEconomyNode(t)
    cleanups.push(async () => { await node.stop() })
    const api = await startApi(node, { port: 0 })
    cleanups.push(async () => { await api.close() })
    const call = async (method: string, path: string): Promise<{ status: number, body: any }> => {
      const res = await fetch(`${api.url}${path}`, { method })
      return { status: res.status, body: await res.json() }
    }
    const sha = await node.putBlob(await smallScene())
    const request = { kind: 'scene' as const, reference: [sha], candidate: [], profile: 'economy' }
    const kept = await node.scheduleEconomyJob(request)
    const dropped = await node.scheduleEconomyJob(request)
    expect(dropped.slotStart).toBe(kept.slotStart)

    const cancelled = await call('DELETE', `/v1/schedules/${dropped.scheduleId}`)
    expect([cancelled.status, cancelled.body.status, cancelled.body.scheduleId]).toEqual([200, 'cancelled', dropped.scheduleId])
    expect((await call('GET', `/v1/schedules/${dropped.scheduleId}`)).body.status).toBe('cancelled')
    const again = await call('DELETE', `/v1/schedules/${dropped.scheduleId}`)
    expect([again.status, again.body.error.code]).toEqual([409, 'ERR_SCHEDULE_NOT_CANCELLABLE'])
    expect((await call('DELETE', `/v1/schedules/${'0'.repeat(32)}`)).body.error.code).toBe('ERR_SCHEDULE_NOT_FOUND')
    expect((await call('DELETE', '/v1/schedules/nope')).status).toBe(400)

    // At the slot only the kept one runs; the cancelled one stays cancelled, with no job.
    t.clock.set(kept.slotStart)
    expect((await scheduleFired(node, kept.scheduleId)).status).toBe('started')
    const after = (await node.getSchedule(dropped.scheduleId))!
    expect([after.status, after.jobId, after.attempt ?? null]).toEqual(['cancelled', null, null])
    expect((await node.listJobs()).length).toBe(1)
    const late = await call('DELETE', `/v1/schedules/${kept.scheduleId}`)
    expect([late.status, late.body.error.code]).toEqual([409, 'ERR_SCHEDULE_NOT_CANCELLABLE'])

    const kinds = await auditKinds(node)
    expect(kinds.filter((k) => k === 'economy.cancelled')).toHaveLength(1)
    expect(kinds.filter((k) => k === 'economy.started')).toHaveLength(1)
  })
})

/**
 * The schedules repository on a real LevelDB: ids in creation order, newest
 * first listings, key checks, and stored records checked by the schedule
 * schema on the way in and out.
 */
import { afterAll, describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { scheduleRecordSchema, type ScheduleRecord } from '../../../node/economy/schedule-record.ts'
import { BUCKETS } from '../../../node/store/buckets.ts'
import { openStore } from '../../../node/store/db.ts'
import { ERR_STORE_BAD_KEY, ERR_STORE_BAD_VALUE, ERR_STORE_CORRUPT } from '../../../node/store/errors.ts'
import { SCHEDULE_ID_PATTERN, scheduleIdOf, scheduleKey, schedulesRepository } from '../../../node/store/repositories/schedules.ts'
import { removeTempDirs, tempDir } from './helpers.ts'
import { codeOfAsync as codeOf } from '../../helpers/codes.ts'

afterAll(removeTempDirs)

const nonce = (n: number): Uint8Array => Uint8Array.of(0, 0, 0, 0, 0, 0, 0, n)

function record (scheduleId: string, createdAt: number): ScheduleRecord {
  return {
    scheduleId,
    status: 'scheduled',
    request: { kind: 'scene', reference: ['ab'.repeat(32)], candidate: [], profile: 'economy' },
    createdAt,
    optimizeBy: createdAt + 86_400_000,
    budgetUsd: null,
    slotStart: createdAt + 3_600_000,
    slotEnd: createdAt + 3_660_000,
    report: {
      computeHours: 1 / 60,
      baselineCostUsd: 0.016667,
      scheduledCostUsd: 0.003333,
      savingsUsd: 0.013334,
      savingsPercent: 80.0024,
      hoursShifted: 1,
      carbonKg: 0.0025,
      tiers: [{ tier: 'economy', hours: 0.016667 }],
      resource: { kind: 'consumer', costPerHour: 0.5, powerKw: 0.3, gridKgPerKwh: 0.5 },
      timeZone: 'UTC'
    },
    jobId: null,
    startedAt: null,
    error: null
  }
}

describe('schedule ids', () => {
  it('are 32 hex characters whose byte order is creation order', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), fc.uint8Array({ minLength: 8, maxLength: 8 }), fc.uint8Array({ minLength: 8, maxLength: 8 }), (a, b, na, nb) => {
      const ia = scheduleIdOf(a, na)
      const ib = scheduleIdOf(b, nb)
      expect(ia).toMatch(SCHEDULE_ID_PATTERN)
      expect(scheduleKey.decode(scheduleKey.encode(ia))).toBe(ia)
      if (a < b) expect(ia < ib).toBe(true)
    }))
  })

  it('refuse malformed ids and nonces', async () => {
    expect(await codeOf(() => scheduleKey.encode('AB'.repeat(16)))).toBe(ERR_STORE_BAD_KEY)
    expect(await codeOf(() => scheduleKey.encode('ab'.repeat(32)))).toBe(ERR_STORE_BAD_KEY)
    expect(await codeOf(() => scheduleIdOf(1, new Uint8Array(7)))).toBe(ERR_STORE_BAD_KEY)
    expect(await codeOf(() => scheduleIdOf(-1, new Uint8Array(8)))).toBe(ERR_STORE_BAD_KEY)
    expect(await codeOf(() => scheduleKey.decode(new Uint8Array(15)))).toBe(ERR_STORE_CORRUPT)
  })
})

describe('schedules repository', () => {
  it('stores checked records and lists them newest first; refuses a record that fails the schema and reads a corrupt one as ERR_STORE_CORRUPT', async () => {
    const store = await openStore(tempDir())
    try {
      const repo = schedulesRepository(store, scheduleRecordSchema)
      const ids = [scheduleIdOf(1000, nonce(2)), scheduleIdOf(2000, nonce(1)), scheduleIdOf(1000, nonce(1))]
      await store.write((batch) => { for (const [i, id] of ids.entries()) repo.put(batch, id, record(id, i === 1 ? 2000 : 1000)) })
      expect(await repo.get(ids[0]!)).toEqual(record(ids[0]!, 1000))
      expect((await repo.list({ reverse: true })).map((e) => e.key)).toEqual([ids[1], ids[0], ids[2]])
      expect((await repo.list({ reverse: true, limit: 1 })).map((e) => e.key)).toEqual([ids[1]])

      const bad = { ...record(ids[0]!, 1000), status: 'lost' } as unknown as ScheduleRecord
      expect(await codeOf(() => store.write((batch) => { repo.put(batch, ids[0]!, bad) }))).toBe(ERR_STORE_BAD_VALUE)
      expect(await repo.get(ids[0]!)).toEqual(record(ids[0]!, 1000))

      // Bytes on disk under the bucket that are not a schedule.
      await store.write((batch) => { batch.put(Uint8Array.from([BUCKETS.schedules, ...Buffer.from(ids[0]!, 'hex')]), { scheduleId: ids[0] }) })
      expect(await codeOf(() => repo.get(ids[0]!))).toBe(ERR_STORE_CORRUPT)
    } finally {
      await store.close()
    }
  })
})

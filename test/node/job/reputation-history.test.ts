/**
 * The reputation history on a real LevelDB store: points newest first with
 * the trust the protocol derives, paged by seq; at most
 * `maxPointsPerValidator` per validator (the oldest deleted, also when the
 * bound is lowered between runs, and counting on after a restart); a batch
 * that fails adds nothing and uses no number; a stored point that is not one
 * gives ERR_STORE_CORRUPT. (The points a node writes with its decided jobs
 * are checked on a real node in test/node/api/reputation-history.test.ts.)
 */
import { afterAll, describe, expect, it } from 'vitest'
import { initialReputation, type ReputationRecord } from '../../../protocol/consensus/reputation.ts'
import { sha256Hex } from '../../../protocol/hash.ts'
import { parseNetwork } from '../../../protocol/network.ts'
import { generateKeyPair } from '../../../protocol/signing.ts'
import { ReputationHistory } from '../../../node/job/reputation-history.ts'
import { BUCKETS } from '../../../node/store/buckets.ts'
import { openStore, type Store } from '../../../node/store/db.ts'
import { ERR_STORE_CORRUPT } from '../../../node/store/errors.ts'
import { concatBytes } from '../../../node/store/key-codec.ts'
import { reputationHistoryKey } from '../../../node/store/repositories/reputation-history.ts'
import { removeTempDirs, tempDir } from '../store/helpers.ts'

afterAll(removeTempDirs)

const keys = [generateKeyPair().publicKey, generateKeyPair().publicKey]
const network = parseNetwork({ networkId: 'historynet', protocolVersion: 1, validators: keys.map((publicKey, i) => ({ name: `v${i}`, publicKey, weight: 1 })) })
const [a, b] = keys as [string, string]
const job = (i: number): string => sha256Hex(`job-${i}`)
const rep = (reputation: number, extra: Partial<ReputationRecord> = {}): ReputationRecord => ({ ...initialReputation(network), reputation, ...extra })

async function withHistory<T> (dir: string, max: number | undefined, fn: (h: ReputationHistory, store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(dir)
  try {
    return await fn(await ReputationHistory.open(store, network, max === undefined ? {} : { maxPointsPerValidator: max }), store)
  } finally {
    await store.close()
  }
}

async function storedKeys (store: Store, validator: string): Promise<number[]> {
  const seqs: number[] = []
  for await (const [key] of store.iterate({ gte: Uint8Array.of(BUCKETS.reputationHistory), lt: Uint8Array.of(BUCKETS.reputationHistory + 1) })) {
    const k = reputationHistoryKey.decode(key.subarray(1))
    if (k.validator === validator) seqs.push(k.seq)
  }
  return seqs
}

describe('ReputationHistory on LevelDB', () => {
  it('keeps one point per change with the derived trust, newest first, paged by seq', async () => {
    await withHistory(tempDir(), undefined, async (h, store) => {
      for (const [i, r] of [0.9, 0.8, 0.7, 0.6, 0.4].entries()) {
        await store.write((batch) => { h.record(batch, new Map([[a, rep(r)], [b, rep(1)]]), 1000 + i, job(i), 'decided') })
      }
      // Equivocation: the reputation stays, trust drops to 0.
      await store.write((batch) => { h.record(batch, new Map([[b, rep(1, { equivocated: true })]]), 2000, job(9), 'equivocation') })
      const first = await h.page(a, { limit: 2 })
      expect(first.map((p) => [p.seq, p.at, p.jobId, p.reputation])).toEqual([[4, 1004, job(4), 0.4], [3, 1003, job(3), 0.6]])
      // Below the network's untrustedBelow (0.5 by default) trust is 0; above it, the reputation.
      expect(network.reputation.untrustedBelow).toBe(0.5)
      expect(first.map((p) => p.trust)).toEqual([0, 0.6])
      const next = await h.page(a, { limit: 10, before: 3 })
      expect(next.map((p) => p.seq)).toEqual([2, 1, 0])
      expect(await h.page(a, { limit: 10, before: 0 })).toEqual([])
      const bs = await h.page(b, { limit: 10 })
      expect(bs.map((p) => [p.cause, p.trust, p.equivocated])[0]).toEqual(['equivocation', 0, true])
      expect(bs).toHaveLength(6)
      // The points the metric shows: every stored point of both validators.
      expect(h.points).toBe(11)
    })
  })

  it('keeps at most maxPointsPerValidator, counts on after a restart and prunes to a lowered bound at open', async () => {
    const dir = tempDir()
    await withHistory(dir, 3, async (h, store) => {
      for (let i = 0; i < 5; i++) await store.write((batch) => { h.record(batch, new Map([[a, rep(0.9)]]), i, job(i), 'decided') })
      expect(await storedKeys(store, a)).toEqual([2, 3, 4])
      expect(h.points).toBe(3)
    })
    await withHistory(dir, 3, async (h, store) => {
      await store.write((batch) => { h.record(batch, new Map([[a, rep(0.8)]]), 5, job(5), 'late-vote') })
      expect(await storedKeys(store, a)).toEqual([3, 4, 5])
      expect((await h.page(a, { limit: 1 }))[0]).toMatchObject({ seq: 5, cause: 'late-vote', at: 5 })
    })
    await withHistory(dir, 2, async (h, store) => {
      expect(await storedKeys(store, a)).toEqual([4, 5])
      expect(h.points).toBe(2)
      expect((await h.page(a, { limit: 10 })).map((p) => p.seq)).toEqual([5, 4])
    })
  })

  it('adds nothing and uses no number when the batch fails', async () => {
    await withHistory(tempDir(), undefined, async (h, store) => {
      const failed = await store.write((batch) => {
        h.record(batch, new Map([[a, rep(0.9)]]), 1, job(1), 'decided')
        throw new Error('a later step of the same batch failed')
      }).then(() => null, (e: unknown) => e)
      expect(failed).toBeInstanceOf(Error)
      await store.write((batch) => { h.record(batch, new Map([[a, rep(0.8)]]), 2, job(2), 'decided') })
      expect((await h.page(a, { limit: 10 })).map((p) => [p.seq, p.at])).toEqual([[0, 2]])
    })
  })

  it('refuses a stored point that fails its schema with ERR_STORE_CORRUPT, and still opens and counts on past it', async () => {
    const dir = tempDir()
    await withHistory(dir, undefined, async (h, store) => {
      await store.write((batch) => { h.record(batch, new Map([[a, rep(0.9)]]), 1, job(1), 'decided') })
      const key = concatBytes(Uint8Array.of(BUCKETS.reputationHistory), reputationHistoryKey.encode({ validator: a, seq: 0 }))
      await store.write((batch) => { batch.put(key, { at: 1, jobId: job(1), cause: 'decided', reputation: 7, trust: 0.9, verifications: 0, successes: 0, equivocated: false }) })
      expect(await h.page(a, { limit: 1 }).then(() => null, (e: { code?: string }) => e.code)).toBe(ERR_STORE_CORRUPT)
    })
    await withHistory(dir, undefined, async (h, store) => {
      await store.write((batch) => { h.record(batch, new Map([[a, rep(0.8)]]), 2, job(2), 'decided') })
      expect((await h.page(a, { limit: 1 }))[0]).toMatchObject({ seq: 1, at: 2 })
    })
  })
})

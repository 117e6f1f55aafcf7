/**
 * Reputation without work: no sequence of messages from a validator raises
 * its reputation without a timely agreeing vote. A validator deviates on a
 * job; once the job is decided it sends late votes of every kind (copies of
 * the certified values, other values, the other round, duplicates and
 * conflicting votes); its reputation never rises. Before late votes stopped
 * being credited, one late copy of the certified values raised it.
 * Real parts (decided-job.ts): LevelDB store and audit trail, the blob
 * folder, measurement in this thread; the network is this node alone, the
 * other validators' shares and votes are fed in as gossip would bring them.
 */
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { canonicalEncode } from '../../../protocol/canonical.ts'
import { type DecidedJob, decidedJob } from './decided-job.ts'

describe('late votes never raise reputation', () => {
  let d: DecidedJob

  beforeAll(async () => { d = await decidedJob({ name: 'late-test', deviatingFirst: true }) })
  afterAll(async () => { await d?.close() })

  it('the deviating validator lost reputation in the decided job', () => {
    const { decided, engine, keys: { x } } = d
    expect(decided.final).toBe(true)
    expect(decided.byzantine).toEqual([x.publicKey])
    expect(engine.reputationOf(x.publicKey).reputation).toBeLessThan(1)
  })

  it('property: no sequence of late messages from it raises its reputation', async () => {
    const { engine, vote, honest, keys: { x } } = d
    const before = engine.reputationOf(x.publicKey)
    const message = fc.oneof(
      fc.constant('copy' as const),
      fc.record({ ssim: fc.double({ min: -1, max: 1, noNaN: true }), psnr: fc.double({ min: 0, max: 80, noNaN: true }), ssimLocal: fc.double({ min: -1, max: 1, noNaN: true }) }),
      fc.constant('round1' as const),
      fc.constant('other-seed' as const)
    )
    await fc.assert(fc.asyncProperty(fc.array(message, { minLength: 1, maxLength: 6 }), async (messages) => {
      for (const m of messages) {
        const v = m === 'copy'
          ? vote(x, honest)
          : m === 'round1' ? vote(x, honest, 1) : m === 'other-seed' ? vote(x, honest, 0, 'ee'.repeat(32)) : vote(x, m)
        await engine.onVoteMessage(canonicalEncode(v)).catch(() => {})
        const now = engine.reputationOf(x.publicKey)
        expect(now.reputation).toBeLessThanOrEqual(before.reputation)
        expect(now.successes).toBeLessThanOrEqual(before.successes)
      }
    }), { numRuns: 20, seed: 8 })
  })
})

/**
 * Liveness of the consensus rule against early disputes: while Byzantine
 * validators hold less than 1/3 of the weight, no arrival order of votes and
 * no choice of Byzantine values makes a node dispute a job before its
 * deadline, and once every honest vote is in, the job is final. A dispute by
 * deviation is declared only when no result can reach a quorum any more.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { tally } from '../../../protocol/consensus/tally.ts'
import type { MetricNumbers } from '../../../protocol/metrics.ts'
import { BAD, GOOD, T0, makeJob, makeNetwork, makeVote } from '../fixtures.ts'

describe('no early dispute while Byzantine weight is below 1/3', () => {
  it('two Byzantine voters with different values cannot force a dispute among 7 validators', () => {
    const { network, keys } = makeNetwork([1, 1, 1, 1, 1, 1, 1])
    const job = makeJob(network, keys[0]!)
    const low = makeVote(network, job, keys[5]!, { ssim: 0.5, psnr: 10 })
    const mid = makeVote(network, job, keys[6]!, { ssim: 0.7, psnr: 20 })
    const honest = keys.slice(0, 5).map((k) => makeVote(network, job, k, GOOD))
    const reputations = new Map()
    // Arrival: both Byzantine votes, then two honest ones. The weighted median
    // sits on a Byzantine value and 3 of 7 deviate from it, yet a quorum is
    // still possible, so the job stays pending.
    const early = tally({ network, job, votes: [low, mid, honest[0]!, honest[1]!], reputations, now: T0 })
    expect(early.status).toBe('pending')
    expect(3 * early.deviateWeight).toBeGreaterThanOrEqual(early.totalWeight)
    const all = tally({ network, job, votes: [low, mid, ...honest], reputations, now: T0 })
    expect(all.final).toBe(true)
    expect(all.deviating.sort()).toEqual([keys[5]!.publicKey, keys[6]!.publicKey].sort())
  })

  it('a real split (2 of 4 each way) is disputed before the deadline', () => {
    const { network, keys } = makeNetwork([1, 1, 1, 1])
    const job = makeJob(network, keys[0]!)
    const votes = [makeVote(network, job, keys[0]!, GOOD), makeVote(network, job, keys[1]!, GOOD), makeVote(network, job, keys[2]!, BAD), makeVote(network, job, keys[3]!, BAD)]
    const t = tally({ network, job, votes, reputations: new Map(), now: T0 })
    expect(t.status).toBe('disputed')
    expect(t.reason).toBe('deviation')
  })

  it('property: any order, any Byzantine values, f < n/3: pending until all honest votes are in, then final', () => {
    const metric: fc.Arbitrary<MetricNumbers> = fc.record({
      ssim: fc.double({ min: -1, max: 1, noNaN: true }),
      psnr: fc.oneof(fc.double({ min: 0, max: 100, noNaN: true }), fc.constant(Infinity)),
      ssimLocal: fc.double({ min: -1, max: 1, noNaN: true })
    })
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 10 }).chain((n) => fc.record({
        n: fc.constant(n),
        byzantine: fc.array(metric, { minLength: 0, maxLength: Math.max(0, Math.ceil(n / 3) - 1) }),
        seed: fc.integer()
      })),
      ({ n, byzantine, seed }) => {
        const total = n + byzantine.length
        const { network, keys } = makeNetwork(Array.from({ length: total }, () => 1))
        const job = makeJob(network, keys[0]!)
        const votes = [
          ...keys.slice(0, n).map((k) => makeVote(network, job, k, GOOD)),
          ...byzantine.map((m, i) => makeVote(network, job, keys[n + i]!, m))
        ]
        // A deterministic shuffle from the seed.
        let s = seed >>> 0
        for (let i = votes.length - 1; i > 0; i--) {
          s = (Math.imul(s, 1664525) + 1013904223) >>> 0
          const j = s % (i + 1);
          [votes[i], votes[j]] = [votes[j]!, votes[i]!]
        }
        const honestSeen = (k: number): number => votes.slice(0, k).filter((v) => keys.slice(0, n).some((x) => x.publicKey === v.voter)).length
        for (let k = 1; k <= votes.length; k++) {
          const t = tally({ network, job, votes: votes.slice(0, k), reputations: new Map(), now: T0 })
          expect(t.status).not.toBe('disputed')
          if (honestSeen(k) === n) expect(t.final).toBe(true)
        }
      }
    ), { numRuns: 150, seed: 20261127 })
  })
})

/**
 * Property tests of the consensus rule's safety: while Byzantine validators
 * hold less than 1/3 of the base weight, no node finalizes values that
 * disagree with the honest measurement, so no two nodes finalize different
 * outcomes — whatever votes each node received and whatever reputation view
 * each node holds. Byzantine voters may send arbitrary, different votes to
 * different nodes; honest votes are identical (honest nodes measure
 * bit-identical numbers).
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { metricAgrees, verdictOf } from '../../../protocol/consensus/agreement.ts'
import type { ReputationRecord } from '../../../protocol/consensus/reputation.ts'
import { type Tally, tally } from '../../../protocol/consensus/tally.ts'
import { jobIdOf } from '../../../protocol/job.ts'
import { METRIC_NAMES, type MetricNumbers, metricsFromWire } from '../../../protocol/metrics.ts'
import type { Vote } from '../../../protocol/vote.ts'
import { GOOD, T0, makeJob, makeNetwork, makeVote } from '../fixtures.ts'

const MAX_N = 9
const TOL = 1e-9 // the default tolerance of both metrics

/** A Byzantine vote sent to one node: an offset from the honest value in half-tolerances, or a far value. */
const byzantineVote = fc.option(fc.record({
  ssim: fc.oneof({ arbitrary: fc.integer({ min: -4, max: 4 }).map((k) => ({ k })), weight: 4 }, fc.constantFrom(-1, 0.5, 1).map((abs) => ({ abs }))),
  psnr: fc.oneof({ arbitrary: fc.integer({ min: -4, max: 4 }).map((k) => ({ k })), weight: 4 }, fc.constantFrom(0, 20, Infinity).map((abs) => ({ abs }))),
  check: fc.option(fc.boolean(), { freq: 4 })
}), { freq: 6 })

const record: fc.Arbitrary<ReputationRecord> = fc.record({
  reputation: fc.constantFrom(1, 1, 1, 0.9, 0.6, 0.3, 0),
  verifications: fc.constant(0),
  successes: fc.constant(0),
  equivocated: fc.constant(false)
})

/**
 * One node's view: which honest votes it received, its reputation records, and
 * what each Byzantine voter sent it. A skewed view distrusts most honest
 * validators and fully trusts the Byzantine ones (as after a partition in
 * which it saw only Byzantine agreement), which lets Byzantine votes set the
 * weighted median on that node.
 */
const view = fc.record({
  sees: fc.array(fc.integer({ min: 0, max: 9 }).map((x) => x < 9), { minLength: MAX_N, maxLength: MAX_N }),
  reps: fc.array(record, { minLength: MAX_N, maxLength: MAX_N }),
  skewed: fc.boolean(),
  skewedHonestTrusted: fc.array(fc.integer({ min: 0, max: 3 }).map((x) => x === 0), { minLength: MAX_N, maxLength: MAX_N }),
  byz: fc.array(byzantineVote, { minLength: MAX_N, maxLength: MAX_N })
})

const scenario = fc.record({
  weights: fc.array(fc.integer({ min: 1, max: 20 }), { minLength: 4, maxLength: MAX_N }),
  byzantine: fc.array(fc.boolean(), { minLength: MAX_N, maxLength: MAX_N }),
  // Honest values include the thresholds themselves, so Byzantine votes can straddle them.
  honest: fc.record({ ssim: fc.constantFrom(0.98, 0.99, 0.5, 1), psnr: fc.constantFrom(35, 41.5, 20, Infinity), ssimLocal: fc.constantFrom(0.9, 0.95, 0.4, 1) }),
  views: fc.tuple(view, view)
})

function shifted (honest: number, choice: { k: number } | { abs: number }): number {
  if ('abs' in choice) return choice.abs
  return Number.isFinite(honest) ? honest + choice.k * TOL / 2 : honest
}

describe('safety with Byzantine base weight below 1/3 (property)', () => {
  it('every final tally agrees with the honest measurement, so two nodes never finalize different outcomes', () => {
    let bothFinal = 0
    let valuesDiffered = 0
    let byzantineValueFinal = 0
    let runs = 0
    fc.assert(fc.property(scenario, ({ weights, byzantine, honest, views }) => {
      runs++
      const { network, keys } = makeNetwork(weights, {}, 'safety')
      const total = weights.reduce((s, w) => s + w, 0)
      // Byzantine set: the flagged validators, greedily, while their weight stays below 1/3.
      const isByz: boolean[] = []
      let byzWeight = 0
      weights.forEach((w, i) => {
        const take = byzantine[i]! && 3 * (byzWeight + w) < total
        isByz.push(take)
        if (take) byzWeight += w
      })
      const job = makeJob(network, keys[0]!)
      const jobId = jobIdOf(job)
      const honestVote = (i: number): Vote => makeVote(network, jobId, keys[i]!, honest)

      const tallies: Tally[] = views.map((v) => {
        const votes: Vote[] = []
        const reputations = new Map<string, ReputationRecord>()
        weights.forEach((_, i) => {
          const skewedRep = isByz[i]! || v.skewedHonestTrusted[i]! ? 1 : 0
          reputations.set(keys[i]!.publicKey, v.skewed ? { ...v.reps[i]!, reputation: skewedRep } : v.reps[i]!)
          if (!isByz[i]) {
            if (v.sees[i]) votes.push(honestVote(i))
            return
          }
          const b = v.byz[i]
          if (b === null || b === undefined) return
          const metrics: MetricNumbers = { ssim: Math.max(-1, Math.min(1, shifted(honest.ssim, b.ssim))), psnr: Math.max(0, shifted(honest.psnr, b.psnr)), ssimLocal: Math.max(-1, Math.min(1, shifted(honest.ssimLocal, b.ssim))) }
          votes.push(makeVote(network, jobId, keys[i]!, metrics, b.check === null ? {} : { checks: { candidateHashMatches: b.check } }))
        })
        return tally({ network, job, votes, reputations, now: T0 + 1, jobId })
      })

      const honestVerdict = verdictOf(honest, undefined, job.thresholds) ? 'validated' : 'rejected'
      for (const t of tallies) {
        if (!t.final) continue
        const values = metricsFromWire(t.values!)
        for (const name of METRIC_NAMES) expect(metricAgrees(honest[name], values[name], TOL)).toBe(true)
        if (values.ssim !== honest.ssim || values.psnr !== honest.psnr || values.ssimLocal !== honest.ssimLocal) byzantineValueFinal++
        expect(t.status).toBe(honestVerdict)
      }
      const [a, b] = tallies as [Tally, Tally]
      if (a.final && b.final) {
        bothFinal++
        expect(a.status).toBe(b.status)
        if (a.values!.ssim !== b.values!.ssim || a.values!.psnr !== b.values!.psnr) valuesDiffered++
      }
    }), { numRuns: 400, seed: 20261127 })
    // A fixed seed keeps the counts below reproducible (no flaky test); a failing case
    // found with another seed would be added here as an example.
    // The property is not vacuous: many runs finalize on both nodes, in some the Byzantine
    // votes set a node's consensus values (within tolerance of the honest value), and in
    // some the two nodes finalized different values (within tolerance).
    expect(bothFinal).toBeGreaterThan(runs / 20)
    expect(valuesDiffered).toBeGreaterThan(0)
    expect(byzantineValueFinal).toBeGreaterThan(0)
  })
})

describe('quorum boundary', () => {
  it('exactly 2/3 of the weight agreeing is not final; one more unit is (property)', () => {
    const weightList = fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 5 })
    fc.assert(fc.property(weightList, weightList, (agreeing, others) => {
      const a = [...agreeing]
      const o = [...others]
      // Adjust so that sum(a) = 2·sum(o) exactly.
      let sa = a.reduce((s, w) => s + w, 0)
      const so = o.reduce((s, w) => s + w, 0)
      if (sa < 2 * so) { a.push(2 * so - sa); sa = 2 * so }
      if (sa % 2 === 1) { a[0]!++; sa++ }
      if (sa > 2 * so) o.push(sa / 2 - so)

      const check = (agreeWeights: number[]): Tally => {
        const { network, keys } = makeNetwork([...agreeWeights, ...o], {}, 'boundary')
        const job = makeJob(network, keys[0]!)
        const votes = agreeWeights.map((_, i) => makeVote(network, job, keys[i]!, GOOD))
        return tally({ network, job, votes, reputations: new Map(), now: T0 + 1 })
      }
      const exact = check(a)
      expect(3 * exact.agreeBaseWeight).toBe(2 * exact.totalBaseWeight)
      expect(exact.final).toBe(false)
      expect(exact.status).toBe('pending')
      const plusOne = check([a[0]! + 1, ...a.slice(1)])
      expect(plusOne.final).toBe(true)
      expect(plusOne.status).toBe('validated')
    }), { numRuns: 60 })
  })

  it('with reputation, exactly 2/3 of the effective weight is not final either', () => {
    // Base: 3 validators of weight 1, all agree (base quorum holds). Effective: trust 1, 1, and
    // validator 2 a non-voter... here instead the third validator is silent with double trust-adjusted weight.
    const { network, keys } = makeNetwork([1, 1, 1, 1], {}, 'eff')
    const job = makeJob(network, keys[0]!)
    const votes = keys.slice(0, 3).map((k) => makeVote(network, job, k, GOOD))
    // Voters 1 and 2 at reputation 0.5, voter 0 at 1, silent validator 3 at 1: agree 2.0 of 3.0 → exactly 2/3.
    const half = { reputation: 0.5, verifications: 0, successes: 0, equivocated: false }
    const reps = new Map([[keys[1]!.publicKey, half], [keys[2]!.publicKey, half]])
    const t = tally({ network, job, votes, reputations: reps, now: T0 + 1 })
    expect(t).toMatchObject({ agreeWeight: 2_000_000, totalWeight: 3_000_000, agreeBaseWeight: 3, final: false })
    const slightly = { ...half, reputation: 0.500001 }
    const t2 = tally({ network, job, votes, reputations: new Map([[keys[1]!.publicKey, half], [keys[2]!.publicKey, slightly]]), now: T0 + 1 })
    expect(t2).toMatchObject({ agreeWeight: 2_000_001, totalWeight: 3_000_001, final: true })
  })
})

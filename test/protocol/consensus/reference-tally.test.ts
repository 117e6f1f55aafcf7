import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { JobTally } from '../../../protocol/consensus/job-tally.ts'
import type { ReputationRecord } from '../../../protocol/consensus/reputation.ts'
import { effectiveWeights } from '../../../protocol/consensus/weights.ts'
import { jobIdOf } from '../../../protocol/job.ts'
import type { Vote } from '../../../protocol/vote.ts'
import { T0, makeJob, makeNetwork, makeVote } from '../fixtures.ts'
import { DOCUMENTED_RULE, type RefRule, type RefTally, type RefVote, referenceTally } from './reference-tally.ts'

// Networks whose weights make exact thirds and halves reachable, and one uneven one.
const NETWORKS = [[1, 1, 1], [1, 1, 1, 1], [2, 2, 1, 1], [3, 1, 4, 1, 5, 9, 2]].map((weights, i) => {
  const { network, keys } = makeNetwork(weights, {}, `ref${i}`)
  const job = makeJob(network, keys[0]!)
  return { network, keys, job, jobId: jobIdOf(job) }
})
type Net = typeof NETWORKS[number]

// Values on, just above and just below the thresholds (SSIM 0.98, PSNR 35, local SSIM 0.9) and the tolerances (1e-9), failing values, infinity.
const spec = fc.record({
  ssim: fc.constantFrom(0.98, 0.98 + 5e-10, 0.98 - 5e-10, 0.99, 0.5, 1),
  psnr: fc.constantFrom(35, 35 - 1e-9, 40, 20, Infinity),
  ssimLocal: fc.constantFrom(0.9, 0.95, 0.5),
  check: fc.constantFrom(undefined, undefined, true, false),
  // None (the common case), one, two, or a list a Byzantine voter might send instead of the honest one.
  caveats: fc.constantFrom(undefined, undefined, undefined, ['sheen'] as const, ['sheen', 'volume'] as const, ['volume'] as const)
})
type Spec = typeof spec extends fc.Arbitrary<infer T> ? T : never
const record: fc.Arbitrary<ReputationRecord> = fc.record({
  reputation: fc.constantFrom(1, 0.8, 0.5, 0.4999, 0),
  verifications: fc.constantFrom(0, 20),
  successes: fc.constantFrom(0, 9, 10, 20),
  equivocated: fc.boolean()
})
const scenario = fc.record({
  net: fc.constantFrom(...NETWORKS),
  specs: fc.array(fc.option(spec, { freq: 3 }), { minLength: 7, maxLength: 7 }),
  records: fc.array(fc.option(record, { freq: 2 }), { minLength: 7, maxLength: 7 }),
  round: fc.constantFrom(0, 1),
  now: fc.constantFrom(T0 + 1, Number.MAX_SAFE_INTEGER)
})
type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never

// Signing costs milliseconds: each distinct vote is signed once.
const signed = new Map<string, Vote>()
function voteOf (net: Net, i: number, s: Spec, round: number): Vote {
  const id = `${net.network.networkId}/${i}/${round}/${s.ssim}/${s.psnr}/${s.ssimLocal}/${String(s.check)}/${String(s.caveats)}`
  let v = signed.get(id)
  if (v === undefined) {
    v = makeVote(net.network, net.jobId, net.keys[i]!, { ssim: s.ssim, psnr: s.psnr, ssimLocal: s.ssimLocal }, { round, ...(s.check === undefined ? {} : { checks: { candidateHashMatches: s.check } }), ...(s.caveats === undefined ? {} : { caveats: [...s.caveats] }) })
    signed.set(id, v)
  }
  return v
}

/** JobTally's result and the reference's for one scenario, in the reference's shape. */
function both (sc: Scenario, rule: RefRule = DOCUMENTED_RULE): { ours: RefTally, reference: RefTally } {
  const { net } = sc
  const n = net.keys.length
  const reputations = new Map<string, ReputationRecord>()
  for (let i = 0; i < n; i++) if (sc.records[i] != null) reputations.set(net.keys[i]!.publicKey, sc.records[i]!)
  const present = sc.specs.slice(0, n).map((s, i) => (s === null ? null : { i, s })).filter((x) => x !== null)
  const votes = present.map(({ i, s }) => voteOf(net, i, s, sc.round))
  const jt = new JobTally({ network: net.network, job: net.job, jobId: net.jobId, weights: effectiveWeights(net.network, reputations) })
  for (const v of votes) jt.add(v)
  const { jobId: _, ...ours } = jt.result(sc.now)
  const refVotes: RefVote[] = present.map(({ i, s }) => ({ voter: net.keys[i]!.publicKey, round: sc.round, ssim: s.ssim, psnr: s.psnr, ssimLocal: s.ssimLocal, ...(s.check === undefined ? {} : { check: s.check }), ...(s.caveats === undefined ? {} : { caveats: [...s.caveats] }) }))
  const refNet = {
    validators: net.network.validators.map((v) => ({ key: v.publicKey, base: v.weight, ...(reputations.has(v.publicKey) ? { record: reputations.get(v.publicKey)! } : {}) })),
    thresholds: net.job.thresholds,
    tolerances: net.network.tolerances,
    reputation: net.network.reputation
  }
  return { ours, reference: referenceTally(refNet, refVotes, net.job.deadline, sc.now, rule) }
}

describe('JobTally against an independent reference of docs/protocol.md', () => {
  it('gives the reference\'s status, reason, values, checks, caveats, agreeing and deviating sets and weights (property)', () => {
    fc.assert(fc.property(scenario, (sc) => {
      const { ours, reference } = both(sc)
      expect(ours).toEqual(reference)
    }), { numRuns: 400 })
  })

  it('the comparison catches a deliberately wrong rule: a quorum at exactly two thirds', () => {
    const wrong: RefRule = { ...DOCUMENTED_RULE, quorum: (part, whole) => 3 * part >= 2 * whole }
    const out = fc.check(fc.property(scenario, (sc) => {
      const { ours, reference } = both(sc, wrong)
      expect(ours).toEqual(reference)
    }), { numRuns: 400 })
    expect(out.failed).toBe(true)
  })

  it('the comparison catches a deliberately wrong rule: a median that needs more than half', () => {
    const wrong: RefRule = { ...DOCUMENTED_RULE, reachesHalf: (cumulative, total) => 2 * cumulative > total }
    const out = fc.check(fc.property(scenario, (sc) => {
      const { ours, reference } = both(sc, wrong)
      expect(ours).toEqual(reference)
    }), { numRuns: 400 })
    expect(out.failed).toBe(true)
  })
})

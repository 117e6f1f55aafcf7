import { metricsToWire } from '../../../protocol/metrics.ts'
import { describe, expect, it } from 'vitest'
import { type ReputationRecord, initialReputation, markEquivocated } from '../../../protocol/consensus/reputation.ts'
import {
  ERR_TALLY_INPUT, REASON_AWAITING_VOTES, REASON_DEADLINE, REASON_DEVIATION, REASON_NO_TRUSTED_WEIGHT, REASON_QUORUM,
  relativeDeviation, tally, updateReputations
} from '../../../protocol/consensus/tally.ts'
import { effectiveWeights } from '../../../protocol/consensus/weights.ts'
import { jobIdOf } from '../../../protocol/job.ts'
import type { Vote } from '../../../protocol/vote.ts'
import { codeOf } from '../codes.ts'
import { BAD, GOOD, T0, keyPair, makeJob, makeNetwork, makeVote } from '../fixtures.ts'

const { network, keys } = makeNetwork([1, 1, 1, 1])
const job = makeJob(network, keys[0]!)
const before = T0 + 1000
const noViews = new Map<string, ReputationRecord>()
const run = (votes: Vote[], reputations = noViews, now = before) => tally({ network, job, votes, reputations, now })
const pub = (i: number) => keys[i]!.publicKey
const sorted = (xs: string[]) => [...xs].sort()

describe('tally', () => {
  it('validates when more than 2/3 of the weight agrees and the values pass the thresholds', () => {
    const t = run(keys.slice(0, 3).map((k) => makeVote(network, job, k, GOOD)))
    expect(t).toMatchObject({ status: 'validated', final: true, reason: REASON_QUORUM, round: 0, jobId: jobIdOf(job) })
    expect(t.values).toEqual(metricsToWire(GOOD))
    expect(t.agreeing).toEqual(sorted([pub(0), pub(1), pub(2)]))
    expect(t.deviating).toEqual([])
    expect(t).toMatchObject({ agreeWeight: 3_000_000, totalWeight: 4_000_000, agreeBaseWeight: 3, totalBaseWeight: 4, deviateWeight: 0 })
  })

  it('rejects when a quorum agrees on values below the thresholds', () => {
    const t = run(keys.map((k) => makeVote(network, job, k, BAD)))
    expect(t).toMatchObject({ status: 'rejected', final: true, reason: REASON_QUORUM })
  })

  it('handles an infinite PSNR (identical images) as a value', () => {
    const t = run(keys.map((k) => makeVote(network, job, k, { ssim: 1, psnr: Infinity })))
    expect(t.values).toEqual({ ssim: 1, psnr: 'Infinity', ssimLocal: 1 })
    expect(t.status).toBe('validated')
    // A finite PSNR never agrees with an infinite consensus, however large.
    const mixed = run([...keys.slice(0, 3).map((k) => makeVote(network, job, k, { ssim: 1, psnr: Infinity })), makeVote(network, job, keys[3]!, { ssim: 1, psnr: 1e300 })])
    expect(mixed.deviating).toEqual([pub(3)])
  })

  it('is pending with too few votes, and disputed once the deadline passes', () => {
    const votes = keys.slice(0, 2).map((k) => makeVote(network, job, k, GOOD))
    expect(run(votes)).toMatchObject({ status: 'pending', final: false, reason: REASON_AWAITING_VOTES })
    expect(run(votes, noViews, job.deadline - 1).status).toBe('pending')
    expect(run(votes, noViews, job.deadline)).toMatchObject({ status: 'disputed', final: false, reason: REASON_DEADLINE })
    expect(run([]).status).toBe('pending')
    expect(run([]).values).toBeNull()
  })

  it('a final tally stays final after the deadline', () => {
    expect(run(keys.map((k) => makeVote(network, job, k, GOOD)), noViews, job.deadline + 1).status).toBe('validated')
  })

  it('is disputed when deviating weight reaches a third', () => {
    const { network: n6, keys: k6 } = makeNetwork([1, 1, 1, 1, 1, 1], {}, 'six')
    const j6 = makeJob(n6, k6[0]!)
    const honest = k6.slice(0, 3).map((k) => makeVote(n6, j6, k, GOOD))
    const liars = k6.slice(3, 5).map((k) => makeVote(n6, j6, k, BAD))
    const t = tally({ network: n6, job: j6, votes: [...honest, ...liars], reputations: noViews, now: before })
    expect(t.values).toEqual(metricsToWire(GOOD))
    expect(t).toMatchObject({ status: 'disputed', final: false, reason: REASON_DEVIATION, deviateWeight: 2_000_000, totalWeight: 6_000_000 })
    expect(t.deviating).toEqual(sorted([k6[3]!.publicKey, k6[4]!.publicKey]))
    // One liar (1/6) is not enough to dispute.
    expect(tally({ network: n6, job: j6, votes: [...honest, liars[0]!], reputations: noViews, now: before }).status).toBe('pending')
  })

  it('counts the whole validator set, not only the votes received', () => {
    const { network: n9, keys: k9 } = makeNetwork([1, 1, 1, 1, 1, 1, 1, 1, 1], {}, 'nine')
    const j9 = makeJob(n9, k9[0]!)
    // 4 unanimous votes out of 9 validators: unanimous among voters, but not final.
    const t = tally({ network: n9, job: j9, votes: k9.slice(0, 4).map((k) => makeVote(n9, j9, k, GOOD)), reputations: noViews, now: before })
    expect(t).toMatchObject({ final: false, status: 'pending', agreeWeight: 4_000_000, totalWeight: 9_000_000 })
  })

  it('agrees within the tolerance, deviates beyond it', () => {
    const tol = network.tolerances.ssim
    const votes = [
      ...keys.slice(0, 3).map((k) => makeVote(network, job, k, GOOD)),
      makeVote(network, job, keys[3]!, { ssim: GOOD.ssim + 2 * tol, psnr: GOOD.psnr, ssimLocal: GOOD.ssimLocal })
    ]
    expect(run(votes).deviating).toEqual([pub(3)])
    votes[3] = makeVote(network, job, keys[3]!, { ssim: GOOD.ssim + tol / 2, psnr: GOOD.psnr - tol / 2, ssimLocal: GOOD.ssimLocal + tol / 2 })
    expect(run(votes).agreeing).toHaveLength(4)
    // local SSIM has its own tolerance: beyond it the vote deviates even when SSIM and PSNR agree
    votes[3] = makeVote(network, job, keys[3]!, { ssim: GOOD.ssim, psnr: GOOD.psnr, ssimLocal: GOOD.ssimLocal + 2 * network.tolerances.ssimLocal })
    expect(run(votes).deviating).toEqual([pub(3)])
  })

  it('judges untrusted voters (weight 0) so their reputation can recover', () => {
    const reps = new Map([[pub(3), { reputation: 0.2, verifications: 20, successes: 5, equivocated: false }]])
    const t = run(keys.map((k) => makeVote(network, job, k, GOOD)), reps)
    expect(t.agreeing).toContain(pub(3))
    expect(t).toMatchObject({ agreeWeight: 3_000_000, totalWeight: 3_000_000, agreeBaseWeight: 4, final: true })
    const updated = updateReputations(t, reps, network)
    expect(updated.get(pub(3))).toEqual({ reputation: 0.21, verifications: 21, successes: 6, equivocated: false })
  })

  it('weighs votes by reputation, so an untrusted majority does not set the values', () => {
    const { network: n5, keys: k5 } = makeNetwork([1, 1, 1, 1, 1], {}, 'five')
    const j5 = makeJob(n5, k5[0]!)
    const low = { reputation: 0.1, verifications: 0, successes: 0, equivocated: false }
    const reps = new Map([[k5[2]!.publicKey, low], [k5[3]!.publicKey, low], [k5[4]!.publicKey, markEquivocated(initialReputation(n5))]])
    const votes = [...k5.slice(0, 2).map((k) => makeVote(n5, j5, k, GOOD)), ...k5.slice(2).map((k) => makeVote(n5, j5, k, BAD))]
    const t = tally({ network: n5, job: j5, votes, reputations: reps, now: before })
    expect(t.values).toEqual(metricsToWire(GOOD))
    // Effectively unanimous, but only 2 of 5 base weight agrees: not final (base-weight quorum).
    expect(t).toMatchObject({ agreeWeight: 2_000_000, totalWeight: 2_000_000, agreeBaseWeight: 2, final: false, status: 'pending' })
  })

  it('a view trusting only a Byzantine validator cannot finalize its value (base-weight quorum)', () => {
    const untrusted = { reputation: 0, verifications: 0, successes: 0, equivocated: false }
    const reps = new Map([[pub(0), untrusted], [pub(1), untrusted], [pub(2), untrusted]])
    const votes = [...keys.slice(0, 3).map((k) => makeVote(network, job, k, GOOD)), makeVote(network, job, keys[3]!, BAD)]
    const t = run(votes, reps)
    expect(t.values).toEqual(metricsToWire(BAD))
    expect(3 * t.agreeWeight > 2 * t.totalWeight).toBe(true) // the effective condition alone would finalize
    expect(t.final).toBe(false)
  })

  it('is disputed when every validator is untrusted in this view', () => {
    const reps = new Map(keys.map((k) => [k.publicKey, markEquivocated(initialReputation(network))]))
    expect(run(keys.map((k) => makeVote(network, job, k, GOOD)), reps)).toMatchObject({ status: 'disputed', reason: REASON_NO_TRUSTED_WEIGHT, values: null })
  })

  it('treats a failed check as a vote for failure', () => {
    const failed = keys.map((k) => makeVote(network, job, k, GOOD, { checks: { candidateHashMatches: false } }))
    const t = run(failed)
    expect(t).toMatchObject({ status: 'rejected', final: true, checks: { candidateHashMatches: false } })
    expect(t.agreeing).toHaveLength(4)
    // One failed check among matching votes deviates from the validating consensus.
    const one = [...keys.slice(0, 3).map((k) => makeVote(network, job, k, GOOD, { checks: { candidateHashMatches: true } })), failed[3]!]
    const t2 = run(one)
    expect(t2).toMatchObject({ status: 'validated', checks: { candidateHashMatches: true } })
    expect(t2.deviating).toEqual([pub(3)])
  })

  it('one failed check on a job nobody else checks does not turn the consensus into a failure', () => {
    const votes = [...keys.slice(0, 3).map((k) => makeVote(network, job, k, GOOD)), makeVote(network, job, keys[3]!, GOOD, { checks: { candidateHashMatches: false } })]
    const t = run(votes)
    expect(t).toMatchObject({ status: 'validated', checks: { candidateHashMatches: true } })
    expect(t.deviating).toEqual([pub(3)])
    expect(run(keys.slice(0, 3).map((k) => makeVote(network, job, k, GOOD))).checks).toEqual({})
  })

  it('a vote on the other side of a threshold deviates even within tolerance', () => {
    const atMin = { ssim: network.thresholds.ssimMin, psnr: 40 }
    const justBelow = { ssim: network.thresholds.ssimMin - network.tolerances.ssim / 2, psnr: 40 }
    const t = run([...keys.slice(0, 3).map((k) => makeVote(network, job, k, atMin)), makeVote(network, job, keys[3]!, justBelow)])
    expect(t.status).toBe('validated')
    expect(t.deviating).toEqual([pub(3)])
  })

  it('does not depend on the order of the votes', () => {
    const votes = [
      makeVote(network, job, keys[0]!, GOOD), makeVote(network, job, keys[1]!, { ssim: 0.995, psnr: 44 }),
      makeVote(network, job, keys[2]!, GOOD), makeVote(network, job, keys[3]!, BAD)
    ]
    const a = run(votes)
    expect(run([...votes].reverse())).toEqual(a)
    expect(run([votes[2]!, votes[0]!, votes[3]!, votes[1]!])).toEqual(a)
  })

  it('gives the same result with precomputed weights and job id', () => {
    const votes = keys.map((k) => makeVote(network, job, k, GOOD))
    expect(tally({ network, job, votes, reputations: new Map(), now: before, jobId: jobIdOf(job), weights: effectiveWeights(network, noViews) })).toEqual(run(votes))
  })

  it('refuses input that breaks its contract with ERR_TALLY_INPUT', () => {
    const v = makeVote(network, job, keys[1]!, GOOD)
    const other = makeNetwork([1], {}, 'othernet')
    const cases: Vote[][] = [
      [v, v],
      [v, makeVote(network, job, keys[2]!, GOOD, { round: 1 })],
      [makeVote(network, 'ab'.repeat(32), keys[1]!, GOOD)],
      [makeVote(network, job, keyPair('stranger'), GOOD)],
      [makeVote(other.network, job, other.keys[0]!, GOOD)]
    ]
    for (const votes of cases) expect(codeOf(() => run(votes))).toBe(ERR_TALLY_INPUT)
  })

  it('updateReputations raises agreeing and lowers deviating voters only', () => {
    const { network: n6, keys: k6 } = makeNetwork([1, 1, 1, 1, 1, 1], {}, 'six')
    const j6 = makeJob(n6, k6[0]!)
    const votes = [...k6.slice(0, 4).map((k) => makeVote(n6, j6, k, GOOD)), makeVote(n6, j6, k6[4]!, BAD)]
    const t = tally({ network: n6, job: j6, votes, reputations: noViews, now: before })
    const updated = updateReputations(t, noViews, n6)
    expect([...updated.keys()].sort()).toEqual(sorted(k6.slice(0, 5).map((k) => k.publicKey)))
    expect(updated.get(k6[0]!.publicKey)).toEqual({ reputation: 1, verifications: 1, successes: 1, equivocated: false })
    expect(updated.get(k6[4]!.publicKey)).toEqual({ reputation: 0.95, verifications: 1, successes: 0, equivocated: false })
  })

  it('relativeDeviation is the mean relative difference over the metrics', () => {
    expect(relativeDeviation({ metrics: { ssim: 0.9, psnr: 44, ssimLocal: 0.8 } }, { ssim: 1, psnr: 40, ssimLocal: 0.8 })).toBeCloseTo((0.1 + 0.1 + 0) / 3, 12)
    expect(relativeDeviation({ metrics: { ssim: 1, psnr: 'Infinity', ssimLocal: 1 } }, { ssim: 1, psnr: 'Infinity', ssimLocal: 1 })).toBe(0)
    expect(relativeDeviation({ metrics: { ssim: 1, psnr: 50, ssimLocal: 1 } }, { ssim: 1, psnr: 'Infinity', ssimLocal: 1 })).toBe(Infinity)
    expect(relativeDeviation({ metrics: { ssim: 0.1, psnr: 0, ssimLocal: 0.1 } }, { ssim: 0, psnr: 0, ssimLocal: 0 })).toBeCloseTo(0.2 / 3, 12)
  })
})

import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { Caveat } from '../../../protocol/caveats.ts'
import { JobTally } from '../../../protocol/consensus/job-tally.ts'
import type { ReputationRecord } from '../../../protocol/consensus/reputation.ts'
import { ERR_TALLY_INPUT, type Tally, tally } from '../../../protocol/consensus/tally.ts'
import { weightedMedian } from '../../../protocol/consensus/weighted-median.ts'
import { effectiveWeights } from '../../../protocol/consensus/weights.ts'
import { jobIdOf } from '../../../protocol/job.ts'
import { metricsFromWire } from '../../../protocol/metrics.ts'
import type { Vote } from '../../../protocol/vote.ts'
import { codeOf } from '../codes.ts'
import { GOOD, T0, makeJob, makeNetwork, makeVote } from '../fixtures.ts'

const N = 7
const { network, keys } = makeNetwork([3, 1, 4, 1, 5, 9, 2], {}, 'incr')
const job = makeJob(network, keys[0]!)
const jobId = jobIdOf(job)

// Votes from small value sets, so that ties, agreement within tolerance and deviation all occur.
const voteSpec = fc.record({
  ssim: fc.constantFrom(0.99, 0.99 + 5e-10, 0.99 - 3e-9, 0.5, 1),
  psnr: fc.constantFrom(40, 40 + 1e-9, 20, Infinity),
  check: fc.constantFrom(undefined, undefined, true, false),
  caveats: fc.constantFrom<Caveat[]>([], [], ['sheen'], ['sheen', 'volume'])
})
const rep: fc.Arbitrary<ReputationRecord> = fc.record({
  reputation: fc.constantFrom(1, 0.8, 0.4, 0),
  verifications: fc.constant(0),
  successes: fc.constant(0),
  equivocated: fc.boolean()
})
const scenario = fc.record({
  specs: fc.array(fc.option(voteSpec, { freq: 4 }), { minLength: N, maxLength: N }),
  reps: fc.array(rep, { minLength: N, maxLength: N }),
  order: fc.shuffledSubarray([0, 1, 2, 3, 4, 5, 6], { minLength: N, maxLength: N }),
  now: fc.constantFrom(T0 + 1, job.deadline)
})

function build (specs: Array<{ ssim: number, psnr: number, check: boolean | undefined, caveats: Caveat[] } | null>): Vote[] {
  const votes: Vote[] = []
  specs.forEach((s, i) => {
    if (s === null) return
    votes.push(makeVote(network, jobId, keys[i]!, { ssim: s.ssim, psnr: s.psnr }, { ...(s.check === undefined ? {} : { checks: { candidateHashMatches: s.check } }), caveats: s.caveats }))
  })
  return votes
}

describe('JobTally', () => {
  it('after every vote equals the batch tally of the votes so far, in any arrival order (property)', () => {
    fc.assert(fc.property(scenario, ({ specs, reps, order, now }) => {
      const reputations = new Map(keys.map((k, i) => [k.publicKey, reps[i]!]))
      const weights = effectiveWeights(network, reputations)
      const votes = build(specs)
      const arrival = order.map((i) => votes.find((v) => v.voter === keys[i]!.publicKey)).filter((v): v is Vote => v !== undefined)
      const jt = new JobTally({ network, job, weights })
      const seen: Vote[] = []
      for (const v of arrival) {
        jt.add(v)
        seen.push(v)
        expect(jt.result(now)).toEqual(tally({ network, job, votes: seen, reputations, now }))
      }
      // The consensus values are the weighted medians by effective weight.
      const t = jt.result(now)
      if (t.values !== null) {
        const values = metricsFromWire(t.values)
        for (const name of ['ssim', 'psnr'] as const) {
          expect(values[name]).toBe(weightedMedian(votes.map((v) => ({ value: metricsFromWire(v.metrics)[name], weight: weights.effective.get(v.voter)!, key: v.voter }))))
        }
      }
    }), { numRuns: 150 })
  })

  it('gives the agreeing votes of its last result, one array while the agreeing set stands and a new one when it changes (property)', () => {
    fc.assert(fc.property(scenario, ({ specs, reps, order, now }) => {
      const weights = effectiveWeights(network, new Map(keys.map((k, i) => [k.publicKey, reps[i]!])))
      const votes = build(specs)
      const arrival = order.map((i) => votes.find((v) => v.voter === keys[i]!.publicKey)).filter((v): v is Vote => v !== undefined)
      const jt = new JobTally({ network, job, weights })
      let last: { agreeing: string[], votes: readonly Vote[] } | null = null
      for (const v of arrival) {
        jt.add(v)
        const t = jt.result(now)
        const agreeing = jt.agreeingVotes()
        expect(agreeing.map((x) => x.voter)).toEqual(t.agreeing)
        expect(agreeing.every((x) => votes.includes(x))).toBe(true)
        expect(jt.agreeingVotes()).toBe(agreeing)
        // A new array exactly when the set changed: what a caller derived from the old one is then recomputed.
        if (last !== null) expect(agreeing === last.votes).toBe(last.agreeing.join() === t.agreeing.join())
        last = { agreeing: t.agreeing, votes: agreeing }
      }
    }), { numRuns: 150 })
  })

  it('copies into a result only what changed since the last one: unchanged parts are the same frozen objects, and earlier results never change (property)', () => {
    fc.assert(fc.property(scenario, ({ specs, reps, order, now }) => {
      const weights = effectiveWeights(network, new Map(keys.map((k, i) => [k.publicKey, reps[i]!])))
      const votes = build(specs)
      const arrival = order.map((i) => votes.find((v) => v.voter === keys[i]!.publicKey)).filter((v): v is Vote => v !== undefined)
      const jt = new JobTally({ network, job, weights })
      const seen: Array<{ result: Tally, copy: Tally }> = []
      for (const v of arrival) {
        jt.add(v)
        const t = jt.result(now)
        for (const part of [t.values, t.checks, t.caveats, t.agreeing, t.deviating]) if (part !== null) expect(Object.isFrozen(part)).toBe(true)
        const last = seen.at(-1)?.result
        if (last !== undefined) {
          expect(t.agreeing === last.agreeing).toBe(t.agreeing.join() === last.agreeing.join())
          expect(t.deviating === last.deviating).toBe(t.deviating.join() === last.deviating.join())
        }
        // Asked again without a new vote: the same parts.
        const again = jt.result(now)
        expect([again.values, again.checks, again.caveats, again.agreeing, again.deviating]).toEqual([t.values, t.checks, t.caveats, t.agreeing, t.deviating])
        expect(again.agreeing).toBe(t.agreeing)
        expect(again.deviating).toBe(t.deviating)
        expect(again.values).toBe(t.values)
        seen.push({ result: t, copy: structuredClone(t) })
      }
      for (const { result, copy } of seen) expect(result).toEqual(copy)
    }), { numRuns: 150 })
  })

  it('reweigh gives the tally under the new reputation view', () => {
    const votes = keys.map((k) => makeVote(network, jobId, k, GOOD))
    const jt = new JobTally({ network, job, jobId, weights: effectiveWeights(network, new Map()) })
    for (const v of votes) jt.add(v)
    const distrust = new Map([[keys[5]!.publicKey, { reputation: 0, verifications: 0, successes: 0, equivocated: false }]])
    jt.reweigh(effectiveWeights(network, distrust))
    expect(jt.result(T0 + 1)).toEqual(tally({ network, job, votes, reputations: distrust, now: T0 + 1 }))
    expect(jt.size).toBe(N)
  })

  it('holds one vote per voter and refuses a second', () => {
    const jt = new JobTally({ network, job, weights: effectiveWeights(network, new Map()) })
    const v = makeVote(network, jobId, keys[1]!, GOOD)
    jt.add(v)
    expect(jt.voteOf(keys[1]!.publicKey)).toBe(v)
    expect(jt.voteOf(keys[2]!.publicKey)).toBeUndefined()
    expect(codeOf(() => jt.add(makeVote(network, jobId, keys[1]!, { ssim: 0.5, psnr: 20 })))).toBe(ERR_TALLY_INPUT)
    expect(codeOf(() => jt.add(makeVote(network, jobId, keys[2]!, GOOD, { round: 1 })))).toBe(ERR_TALLY_INPUT)
    expect(jt.votes()).toEqual([v])
  })
})

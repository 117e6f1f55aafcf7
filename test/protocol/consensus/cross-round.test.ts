/**
 * At most one verdict per job: whatever order votes arrive in, whatever the
 * Byzantine validators (below 1/3 of the base weight) sign in either round,
 * and whether round 0 ends in the grey zone or not, certificates of at most
 * one status verify. Certificates are assembled here the way an attacker
 * would: from any consensus value any vote proposes, with every vote of the
 * round that agrees with it.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { agreesWithConsensus, verdictOf } from '../../../protocol/consensus/agreement.ts'
import { type Certificate, buildCertificate } from '../../../protocol/certificate.ts'
import { verifyCertificate } from '../../../protocol/certificate-verify.ts'
import { tally } from '../../../protocol/consensus/tally.ts'
import { jobIdOf } from '../../../protocol/job.ts'
import { type MetricNumbers, metricsToWire } from '../../../protocol/metrics.ts'
import { networkDigest } from '../../../protocol/network.ts'
import { type Vote, voteMetrics } from '../../../protocol/vote.ts'
import { makeJob, makeNetwork, makeVote, seedCertOf } from '../fixtures.ts'

const { network, keys } = makeNetwork([1, 1, 1, 1, 1, 1, 1], {}, 'roundnet')
const job = makeJob(network, keys[0]!)
const jobId = jobIdOf(job)
const seedCertificate = seedCertOf(network, job)
// Validators 5 and 6 are Byzantine: 2 of 7 < 1/3.
const HONEST = [0, 1, 2, 3, 4]
const BYZANTINE = [5, 6]

type Interval = { ssim: [number, number], psnr: [number, number] }
const metric = fc.record({
  ssim: fc.oneof(fc.constantFrom(0.98, 0.98 + 1e-10, 0.98 - 1e-10, 0.99, 0.95), fc.double({ min: -1, max: 1, noNaN: true })),
  psnr: fc.oneof(fc.constantFrom(35, 41, 30), fc.double({ min: 0, max: 80, noNaN: true }))
})
const interval = fc.tuple(fc.double({ min: -1, max: 1, noNaN: true }), fc.double({ min: -1, max: 1, noNaN: true }))
  .map(([a, b]): Interval => ({ ssim: [Math.min(a, b), Math.max(a, b)], psnr: [0, 80] }))

/** Every certificate an attacker can assemble from `votes` of one round: one per proposed consensus value. */
function certificatesFrom (votes: Vote[], round: number): Certificate[] {
  const out: Certificate[] = []
  for (const proposer of votes) {
    const values = voteMetrics(proposer)
    const consensus = { values, checks: undefined, caveats: [] }
    const agreeing = votes.filter((v) => agreesWithConsensus({ values: voteMetrics(v), checks: v.checks, caveats: [] }, consensus, job.thresholds, network.tolerances))
      .sort((a, b) => (a.voter < b.voter ? -1 : 1))
    out.push({
      type: 'certificate', networkId: network.networkId, networkDigest: networkDigest(network), job, jobId, round,
      status: verdictOf(values, undefined, job.thresholds) ? 'validated' : 'rejected',
      values: metricsToWire(values), seedCertificate, votes: agreeing
    })
  }
  return out
}

describe('one verdict per job across rounds', () => {
  it('property: certificates of at most one status verify', () => {
    fc.assert(fc.property(
      fc.boolean(), fc.boolean(), fc.array(fc.tuple(metric, interval), { minLength: 4, maxLength: 4 }), fc.array(fc.nat(), { minLength: 7, maxLength: 7 }),
      (grey, round1Passes, byzantine, order) => {
        const honest0: MetricNumbers = { ssim: 0.99, psnr: 41, ssimLocal: 0.99 }
        const honestInterval: Interval = grey ? { ssim: [0.975, 0.995], psnr: [40, 42] } : { ssim: [0.985, 0.995], psnr: [40, 42] }
        const round0 = [
          ...HONEST.map((i) => makeVote(network, job, keys[i]!, honest0, { intervals: honestInterval })),
          ...BYZANTINE.map((i, j) => makeVote(network, job, keys[i]!, byzantine[j]![0], { intervals: byzantine[j]![1] }))
        ]
        // Honest validators sign round 1 only after a grey round 0; Byzantine ones sign it anyway.
        const honest1: MetricNumbers = round1Passes ? { ssim: 0.985, psnr: 41, ssimLocal: 0.985 } : { ssim: 0.97, psnr: 41, ssimLocal: 0.97 }
        const round1 = [
          ...(grey ? HONEST.map((i) => makeVote(network, job, keys[i]!, honest1, { round: 1 })) : []),
          ...BYZANTINE.map((i, j) => makeVote(network, job, keys[i]!, byzantine[j + 2]![0], { round: 1, intervals: byzantine[j + 2]![1] }))
        ]
        const arrival = (votes: Vote[]): Vote[] => votes.map((v, i) => ({ v, k: order[i % order.length]! })).sort((a, b) => a.k - b.k).map((x) => x.v)
        const candidates = [...certificatesFrom(round0, 0), ...certificatesFrom(round1, 1)]
        // And the certificates honest nodes build, over every arrival prefix.
        for (const votes of [arrival(round0), arrival(round1)]) {
          for (let n = 1; n <= votes.length; n++) {
            const t = tally({ network, job, votes: votes.slice(0, n), reputations: new Map(), now: job.createdAt })
            if (t.final) candidates.push(buildCertificate(network, job, t, votes.slice(0, n), seedCertificate))
          }
        }
        const statuses = new Set<string>()
        for (const c of candidates) {
          const r = verifyCertificate(c, network)
          if (r.ok) statuses.add(`${r.status}`)
          if (r.ok) expect(r.round).toBe(grey ? 1 : 0)
        }
        expect(statuses.size).toBeLessThanOrEqual(1)
        if (statuses.size === 1) expect([...statuses][0]).toBe(grey ? (round1Passes ? 'validated' : 'rejected') : 'validated')
      }
    ), { numRuns: 30, seed: 11 })
  })
})

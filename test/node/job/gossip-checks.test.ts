/**
 * The checks of a gossip message before the engine queues it
 * (node/job/gossip-checks.ts): the edges of the stale-announcement rule and
 * of the clock-skew tolerance, taken from deadline.ts and the network file,
 * a round beyond the last grey-zone round, and an invalid vote counted as
 * such.
 */
import { Registry } from 'prom-client'
import { describe, expect, it } from 'vitest'
import { canonicalEncode } from '../../../protocol/canonical.ts'
import { MAX_GREY_ZONE_ROUND } from '../../../protocol/consensus/grey-zone.ts'
import { isTrustEngineError } from '../../../protocol/errors.ts'
import { ERR_JOB_THRESHOLDS, jobIdOf, newJob, signJob } from '../../../protocol/job.ts'
import { ERR_BAD_SIGNATURE } from '../../../protocol/signing.ts'
import { roundDeadline } from '../../../node/job/deadline.ts'
import { ERR_JOB_EXPIRED, ERR_JOB_FUTURE, ERR_UNSUPPORTED_ROUND } from '../../../node/job/errors.ts'
import { checkJobMessage, checkVoteMessage } from '../../../node/job/gossip-checks.ts'
import { createNodeMetrics } from '../../../node/metrics.ts'
import { codeOf } from '../../helpers/codes.ts'
import { GOOD, T0, makeJob, makeNetwork, makeVote } from '../../protocol/fixtures.ts'

const { network, keys } = makeNetwork([1, 1, 1, 1])
const job = makeJob(network, keys[0]!)
const bytes = canonicalEncode(job)
const skew = network.deadlines.clockSkewMs

/** The gossip action of the error `fn` throws. */
function actionOf (fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (err) {
    return isTrustEngineError(err) ? err.action : 'not a TrustEngineError'
  }
  return undefined
}

describe('the checks of a job announcement', () => {
  it('take it in until the last grey-zone round ended more than the clock-skew tolerance ago, then IGNORE it as stale', () => {
    const last = roundDeadline(job, MAX_GREY_ZONE_ROUND)
    expect(last).toBeGreaterThan(job.deadline)
    expect(checkJobMessage(bytes, network, last + skew).jobId).toBe(jobIdOf(job))
    expect(codeOf(() => checkJobMessage(bytes, network, last + skew + 1))).toBe(ERR_JOB_EXPIRED)
    expect(actionOf(() => checkJobMessage(bytes, network, last + skew + 1))).toBe('ignore')
  })

  it('IGNORE a job created further ahead of the clock than the tolerance', () => {
    expect(job.createdAt).toBe(T0)
    expect(checkJobMessage(bytes, network, T0 - skew).jobId).toBe(jobIdOf(job))
    expect(codeOf(() => checkJobMessage(bytes, network, T0 - skew - 1))).toBe(ERR_JOB_FUTURE)
    expect(actionOf(() => checkJobMessage(bytes, network, T0 - skew - 1))).toBe('ignore')
  })

  it('REJECT a validly signed announcement whose thresholds are below the network\'s floor', () => {
    const floored = makeNetwork([1, 1, 1, 1], { minThresholds: network.thresholds }, 'floornet')
    const lax = signJob(newJob(floored.network, {
      kind: 'frames', submitter: floored.keys[0]!.publicKey, createdAt: T0, reference: job.reference, candidate: job.candidate, nonce: job.nonce,
      thresholds: { ...network.thresholds, psnrMin: 0 }
    }), floored.keys[0]!.privateKey)
    expect(codeOf(() => checkJobMessage(canonicalEncode(lax), floored.network, T0))).toBe(ERR_JOB_THRESHOLDS)
    expect(actionOf(() => checkJobMessage(canonicalEncode(lax), floored.network, T0))).toBe('reject')
    const fair = signJob(newJob(floored.network, { kind: 'frames', submitter: floored.keys[0]!.publicKey, createdAt: T0, reference: job.reference, candidate: job.candidate, nonce: job.nonce }), floored.keys[0]!.privateKey)
    expect(checkJobMessage(canonicalEncode(fair), floored.network, T0).jobId).toBe(jobIdOf(fair))
  })

  it('REJECT an announcement whose signature does not match its fields', () => {
    const forged = canonicalEncode({ ...job, nonce: 'ff'.repeat(16) })
    expect(codeOf(() => checkJobMessage(forged, network, T0))).toBe(ERR_BAD_SIGNATURE)
    expect(actionOf(() => checkJobMessage(forged, network, T0))).toBe('reject')
  })
})

describe('the checks of a vote', () => {
  it('IGNORE a round beyond the last grey-zone round, and count a vote that does not verify as invalid', async () => {
    const metrics = createNodeMetrics(new Registry())
    const invalid = async (): Promise<number> => (await metrics.votes.received.get()).values.find((v) => v.labels.outcome === 'invalid')?.value ?? 0
    const vote = makeVote(network, job, keys[1]!, GOOD)
    expect(checkVoteMessage(canonicalEncode(vote), network, metrics)).toEqual(vote)
    const beyond = makeVote(network, job, keys[1]!, GOOD, { round: MAX_GREY_ZONE_ROUND + 1 })
    expect(codeOf(() => checkVoteMessage(canonicalEncode(beyond), network, metrics))).toBe(ERR_UNSUPPORTED_ROUND)
    expect(actionOf(() => checkVoteMessage(canonicalEncode(beyond), network, metrics))).toBe('ignore')
    expect(await invalid()).toBe(0)
    const tampered = canonicalEncode({ ...vote, samples: vote.samples + 1 })
    expect(codeOf(() => checkVoteMessage(tampered, network, metrics))).toBe(ERR_BAD_SIGNATURE)
    expect(actionOf(() => checkVoteMessage(tampered, network, metrics))).toBe('reject')
    expect(await invalid()).toBe(2)
  })
})

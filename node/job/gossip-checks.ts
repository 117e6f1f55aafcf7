/**
 * What a gossip message must be before the engine queues it, checked
 * without touching any job's state (after Lodestar: validation apart from
 * scheduling). Each check is marked with the gossip action of its failure:
 * [REJECT] when the message itself is invalid (its sender is penalised),
 * [IGNORE] when it is valid but not for now (stale, from the far future, a
 * round this version does not count).
 */
import { MAX_GREY_ZONE_ROUND } from '../../protocol/consensus/grey-zone.ts'
import { TrustEngineError } from '../../protocol/errors.ts'
import { type Evidence, checkEvidence, decodeEvidence } from '../../protocol/evidence.ts'
import { type JobAnnouncement, decodeJob, jobIdOf, verifyJob } from '../../protocol/job.ts'
import type { NetworkConfig } from '../../protocol/network.ts'
import { type Vote, readVote } from '../../protocol/vote.ts'
import type { NodeMetrics } from '../metrics.ts'
import { jobExpired } from './deadline.ts'
import { ERR_JOB_EXPIRED, ERR_JOB_FUTURE, ERR_UNSUPPORTED_ROUND } from './errors.ts'

/** A checked job announcement and its id. */
export function checkJobMessage (data: Uint8Array, network: NetworkConfig, now: number): { job: JobAnnouncement, jobId: string } {
  const job = decodeJob(data) // [REJECT] malformed, oversized or schema-invalid
  verifyJob(job, network) // [REJECT] other network, non-validator submitter, bad deadline, bad signature
  const skew = network.deadlines.clockSkewMs
  if (jobExpired(job, now, skew)) {
    throw new TrustEngineError(ERR_JOB_EXPIRED, 'job deadline passed long ago', { action: 'ignore' }) // [IGNORE] stale replay
  }
  if (job.createdAt > now + skew) {
    throw new TrustEngineError(ERR_JOB_FUTURE, 'job created further in the future than the clock-skew tolerance', { action: 'ignore' }) // [IGNORE] clock far off
  }
  return { job, jobId: jobIdOf(job) }
}

/**
 * A checked, signed vote (an invalid one is counted in the votes metric).
 * Checks the canonical encoding itself: the gossip adapter's gate is off for
 * the votes topic (node/wiring/node-protocols.ts).
 */
export function checkVoteMessage (data: Uint8Array, network: NetworkConfig, metrics: NodeMetrics): Vote {
  let vote: Vote
  try {
    // [REJECT] oversized, malformed, not canonical JSON, schema-invalid, metrics out of range,
    // other network, non-validator, bad signature: one parse and one encoding (protocol/vote.ts).
    vote = readVote(data, network)
  } catch (err) {
    metrics.votes.received.inc({ outcome: 'invalid' })
    throw err
  }
  if (vote.round > MAX_GREY_ZONE_ROUND) throw new TrustEngineError(ERR_UNSUPPORTED_ROUND, `rounds above ${MAX_GREY_ZONE_ROUND} are not counted`, { action: 'ignore' })
  return vote
}

/** Checked evidence of equivocation, its offender and its job. */
export function checkEvidenceMessage (data: Uint8Array, network: NetworkConfig): { evidence: Evidence, offender: string, jobId: string } {
  const evidence = decodeEvidence(data) // [REJECT] malformed
  const offender = checkEvidence(evidence, network) // [REJECT] does not prove equivocation
  return { evidence, offender, jobId: evidence.voteA.jobId }
}

/** Types, reason codes and error code of the consensus tally (see tally.ts for the rule). */
import type { Caveat } from '../caveats.ts'
import { declareCode } from '../errors.ts'
import type { JobAnnouncement } from '../job.ts'
import type { Metrics } from '../metrics.ts'
import type { NetworkConfig } from '../network.ts'
import type { Vote, VoteChecks } from '../vote.ts'
import type { ReputationRecord } from './reputation.ts'
import type { EffectiveWeights } from './weights.ts'

/** Code of tally input that breaks the caller's contract (foreign job or network, mixed rounds, unknown or repeated voter). */
export const ERR_TALLY_INPUT = declareCode('ERR_TALLY_INPUT', { status: 500 })

/** Reason: final, a quorum agrees. */
export const REASON_QUORUM = 'quorum'
/** Reason: pending, not enough agreeing weight yet. */
export const REASON_AWAITING_VOTES = 'awaiting-votes'
/** Reason: disputed, deviating weight reached a third of the total. */
export const REASON_DEVIATION = 'deviation'
/** Reason: disputed, every validator is untrusted in this view (total effective weight 0), so no quorum can form. */
export const REASON_NO_TRUSTED_WEIGHT = 'no-trusted-weight'
/** Reason: disputed, the deadline passed without a quorum. */
export const REASON_DEADLINE = 'deadline'

/** Status of a job on one node. */
export type TallyStatus = 'pending' | 'validated' | 'rejected' | 'disputed'

/** What {@link tally} needs. */
export interface TallyInput {
  network: NetworkConfig
  job: JobAnnouncement
  /** Signature-checked votes for this job, one per voter, all of one round. */
  votes: readonly Vote[]
  /** This node's reputation view; validators without a record have the initial reputation. */
  reputations: ReadonlyMap<string, ReputationRecord>
  /** This node's clock, ms since the epoch (the protocol never reads a clock). */
  now: number
  /** The job id if the caller already has it (saves hashing the job on every tally). */
  jobId?: string
  /** Precomputed `effectiveWeights(network, reputations)`; when given, `reputations` is not read. */
  weights?: EffectiveWeights
}

/** The outcome of {@link tally}. Weights are exact integers. */
export interface Tally {
  jobId: string
  /** The round of the votes, `null` when there are none. */
  round: number | null
  status: TallyStatus
  final: boolean
  /** Consensus values in wire form; `null` while no vote carries effective weight. */
  values: Metrics | null
  /** Consensus checks (only those some vote with weight reported); `null` with `values`. */
  checks: VoteChecks | null
  /**
   * Consensus caveats (caveats.ts): the caveat list with the most effective
   * weight, `[]` for none; a vote agrees only when it carries this list.
   * `null` with `values`.
   */
  caveats: Caveat[] | null
  /** Voters whose votes agree, sorted. */
  agreeing: string[]
  /** Voters whose votes deviate (flagged Byzantine), sorted. */
  deviating: string[]
  agreeWeight: number
  deviateWeight: number
  /** Effective weight of the whole validator set. */
  totalWeight: number
  /** Base weight of the agreeing voters (trusted or not). */
  agreeBaseWeight: number
  /** Base weight of the whole validator set. */
  totalBaseWeight: number
  /** One of the `REASON_...` constants. */
  reason: string
}

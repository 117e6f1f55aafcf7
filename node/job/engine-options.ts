/**
 * The job engine's options and their defaults, each with its reason, and
 * the two bounds derived from them (a job's decision queue, the blob
 * budget). In a module of their own so that the config file's reader and
 * the wiring can name them without the engine.
 */
import type { NetworkConfig } from '../../protocol/network.ts'
import { BlobBudget, DEFAULT_BLOB_BUDGET_OPTIONS } from './blob-budget.ts'
/** Steps a job's decision queue holds at most before it refuses one from outside: {@link JobEngineOptions.decisionStepsPerValidator} per validator of `network`, plus the node's own. */
export function decisionStepBound (network: NetworkConfig, options: Pick<JobEngineOptions, 'decisionStepsPerValidator' | 'decisionStepsOwn'>): number {
  return options.decisionStepsPerValidator * network.validators.length + options.decisionStepsOwn
}

/** Options of the job engine. */
export interface JobEngineOptions {
  /** Votes for jobs not yet known (or not yet seeded) are held this many at most. 4096 × ~1 KiB bounds memory to a few MiB. */
  maxBufferedVotes: number
  /** Of which one validator may fill at most this many (64 jobs ahead of their announcement), so one validator's flood of votes for made-up jobs evicts only its own. */
  maxBufferedVotesPerVoter: number
  /** A job still without a seed asks peers for its seed certificate this often: 1 s is several gossip round trips, and well inside the catch-up rate limits. */
  seedFetchMs: number
  /** A peer is asked for the certificates of jobs decided while this node was away at most this often (at start, when it is admitted again, and one peer in turn at this interval): a minute keeps reconnect storms cheap and well inside the catch-up quotas. */
  certificateSyncMs: number
  /** Of which at most this many peers within `certificateSyncMs`: one honest peer has every certificate, three outvote a liar that is penalised at its first forgery, and a node reconnecting to a hundred peers does not decode a hundred copies. */
  certificatePeers: number
  /** A vote or seed message for a job this node does not know makes it ask its peers for their open jobs, at most this often: an announcement missed on gossip (a mesh not yet formed after a connect, a short cut) is then learnt within seconds instead of never, and votes for made-up jobs cost at most one paged, rate-limited catch-up per interval. */
  missedJobFetchMs: number
  /** A seeded open job that gained no vote for this long asks its peers for its votes, then again after twice as long, and so on: a vote missed on gossip (a mesh not yet formed, an observer with one peer) is then learnt within seconds instead of at the deadline, where the job would be decided on fewer votes than its peers counted. 10 s is far above a vote's gossip time and costs a job that waits for slow measurements a few small requests. */
  stalledJobFetchMs: number
  /** Of which at most this many jobs ask per pass (every half `stalledJobFetchMs`), the longest stalled first: a node with a thousand stalled jobs asks its peers at a bounded rate, well inside their catch-up quotas. */
  stalledJobsPerPass: number
  /**
   * A job's decision queue holds at most this many steps per validator, plus
   * {@link decisionStepsOwn}, before a step started from outside (a vote,
   * evidence or an announcement, from gossip or catch-up) is refused with
   * `ERR_DECISION_QUEUE_FULL` (IGNORE, not penalised). 3: an honest
   * validator sends one vote per round (rounds 0 and 1) and at most one
   * piece of evidence per job is new, so a queue of this length means the
   * engine is stuck or a validator floods equivocating votes.
   */
  decisionStepsPerValidator: number
  /** The node's own steps a job's decision queue allows beside the validators' (own vote, deadline, seed, catch-up, retention): 64. */
  decisionStepsOwn: number
  /**
   * Open jobs per submitter (job-caps.ts, docs/decisions.md): an
   * announcement beyond is not taken in (`ERR_TOO_MANY_OPEN_JOBS`, IGNORE),
   * and this node's API refuses its own submission beyond (503) first. Every
   * node of a network should keep the default, so that an honest submitter
   * never meets another's cap. 64: with the default deadlines each of its
   * own jobs counts for 120 s (its 30 s round, as long again for a grey-zone
   * round, and the 60 s clock-skew tolerance), so a validator may submit a
   * job every 2 s for good (the soak and the crash loop submit one every 6
   * and 3 s across all validators), while one submitter can make a node
   * track at most 64 jobs.
   */
  maxOpenJobsPerSubmitter: number
  /** Blob bytes in memory at most, all jobs' transfers and measurements together (blob-budget.ts `maxBytes`, whose reason holds): 256 MiB. */
  maxBlobBytesInMemory: number
  /** Of which one submitter's jobs hold at most this many once they hold any (blob-budget.ts `maxBytesPerOwner`): 128 MiB. */
  maxBlobBytesPerSubmitter: number
}

/** Defaults of {@link JobEngineOptions}. */
export const DEFAULT_JOB_ENGINE_OPTIONS: JobEngineOptions = {
  maxBufferedVotes: 4096,
  maxBufferedVotesPerVoter: 64,
  seedFetchMs: 1_000,
  certificateSyncMs: 60_000,
  certificatePeers: 3,
  missedJobFetchMs: 5_000,
  stalledJobFetchMs: 10_000,
  stalledJobsPerPass: 8,
  decisionStepsPerValidator: 3,
  decisionStepsOwn: 64,
  maxOpenJobsPerSubmitter: 64,
  maxBlobBytesInMemory: DEFAULT_BLOB_BUDGET_OPTIONS.maxBytes,
  maxBlobBytesPerSubmitter: DEFAULT_BLOB_BUDGET_OPTIONS.maxBytesPerOwner
}

/** The blob budget of `options` (its transfers and measurements share it: node/wiring/engine-wiring.ts hands it to the blob port too). */
export function blobBudgetOf (options: Partial<JobEngineOptions>): BlobBudget {
  const resolved = { ...DEFAULT_JOB_ENGINE_OPTIONS, ...options }
  return new BlobBudget({ maxBytes: resolved.maxBlobBytesInMemory, maxBytesPerOwner: resolved.maxBlobBytesPerSubmitter })
}

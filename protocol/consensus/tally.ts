/**
 * The consensus rule: from the votes a node holds for one job and round, its
 * reputation view and its clock, decide whether the job is final and with
 * what result.
 *
 * - Consensus values: per metric, the weighted median of the votes by
 *   effective weight (base weight × trust in millionths). Consensus checks:
 *   per check, the weighted median of the votes' booleans (a vote without the
 *   check counts as passing it; false sorts first, so a tie fails).
 * - A vote agrees when its metrics lie within the tolerances of the consensus
 *   values and its verdict equals the consensus verdict (see agreement.ts);
 *   otherwise it deviates and its voter is flagged Byzantine. Untrusted voters
 *   weigh 0 but are still judged, so their reputation can recover.
 * - Final when 3·agreeWeight > 2·totalWeight over the effective weight of the
 *   WHOLE validator set, and also 3·agreeBaseWeight > 2·totalBaseWeight (so
 *   the certificate verifies for a third party and safety does not depend on
 *   reputation views). Exactly 2/3 is not final.
 * - Not final and 3·deviateWeight ≥ totalWeight, or now ≥ deadline: disputed.
 *   Otherwise pending.
 * - A final job is validated when the consensus verdict passes (values meet
 *   the job's thresholds, no check failed), rejected otherwise.
 */
import { TrustEngineError } from '../errors.ts'
import { type JobAnnouncement, jobIdOf } from '../job.ts'
import { METRIC_NAMES, type MetricNumbers, type Metrics, metricFromWire, metricsToWire } from '../metrics.ts'
import type { NetworkConfig } from '../network.ts'
import type { Vote, VoteChecks } from '../vote.ts'
import { agreesWithConsensus, verdictOf } from './agreement.ts'
import { type ReputationRecord, applyOutcome, initialReputation } from './reputation.ts'
import { type EffectiveWeights, effectiveWeights } from './weights.ts'
import { type MedianEntry, weightedMedian } from './weighted-median.ts'

/** Code of tally input that breaks the caller's contract (foreign job or network, mixed rounds, unknown or repeated voter). */
export const ERR_TALLY_INPUT = 'ERR_TALLY_INPUT'

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

/** Applies the consensus rule to one job's votes. Deterministic: the order of `votes` does not matter. */
export function tally (input: TallyInput): Tally {
  const { network, job, votes, now } = input
  const jobId = input.jobId ?? jobIdOf(job)
  const weights = input.weights ?? effectiveWeights(network, input.reputations)
  const round = checkInput(network, jobId, votes, weights)

  const numbers: MetricNumbers[] = votes.map((v) => ({ ssim: metricFromWire(v.metrics.ssim), psnr: metricFromWire(v.metrics.psnr) }))
  const consensus = consensusOf(votes, numbers, weights)

  const agreeing: string[] = []
  const deviating: string[] = []
  let agreeWeight = 0
  let deviateWeight = 0
  let agreeBaseWeight = 0
  if (consensus !== null) {
    for (let i = 0; i < votes.length; i++) {
      const vote = votes[i]!
      const w = weights.effective.get(vote.voter)!
      if (agreesWithConsensus({ values: numbers[i]!, checks: vote.checks }, consensus, job.thresholds, network.tolerances)) {
        agreeing.push(vote.voter)
        agreeWeight += w
        agreeBaseWeight += weights.base.get(vote.voter)!
      } else {
        deviating.push(vote.voter)
        deviateWeight += w
      }
    }
  }
  agreeing.sort(compareKeys)
  deviating.sort(compareKeys)

  const totalWeight = weights.total
  const totalBaseWeight = weights.totalBase
  const final = 3 * agreeWeight > 2 * totalWeight && 3 * agreeBaseWeight > 2 * totalBaseWeight
  let status: TallyStatus
  let reason: string
  if (final) {
    status = verdictOf(consensus!.values, consensus!.checks, job.thresholds) ? 'validated' : 'rejected'
    reason = REASON_QUORUM
  } else if (3 * deviateWeight >= totalWeight) {
    status = 'disputed'
    reason = totalWeight === 0 ? REASON_NO_TRUSTED_WEIGHT : REASON_DEVIATION
  } else if (now >= job.deadline) {
    status = 'disputed'
    reason = REASON_DEADLINE
  } else {
    status = 'pending'
    reason = REASON_AWAITING_VOTES
  }
  return {
    jobId,
    round,
    status,
    final,
    values: consensus === null ? null : metricsToWire(consensus.values),
    checks: consensus === null ? null : consensus.checks,
    agreeing,
    deviating,
    agreeWeight,
    deviateWeight,
    totalWeight,
    agreeBaseWeight,
    totalBaseWeight,
    reason
  }
}

/**
 * New reputation records after a tally: agreeing voters +, deviating voters −.
 * Returns only the changed records. A node applies this once per job and
 * round, when the tally becomes final.
 */
export function updateReputations (t: Tally, reputations: ReadonlyMap<string, ReputationRecord>, network: NetworkConfig): Map<string, ReputationRecord> {
  const out = new Map<string, ReputationRecord>()
  const initial = initialReputation(network)
  for (const key of t.agreeing) out.set(key, applyOutcome(reputations.get(key) ?? initial, true, network))
  for (const key of t.deviating) out.set(key, applyOutcome(reputations.get(key) ?? initial, false, network))
  return out
}

/**
 * The seed system's mean relative deviation of a vote from consensus values,
 * for reporting only (the rule itself uses absolute tolerances): the mean
 * over metrics of |v − c| / |c| (|v − c| when c = 0; 0 when both are the same
 * infinity, Infinity when only one is infinite).
 */
export function relativeDeviation (vote: { metrics: Metrics }, values: Metrics): number {
  let sum = 0
  for (const name of METRIC_NAMES) {
    const v = metricFromWire(vote.metrics[name])
    const c = metricFromWire(values[name])
    if (!Number.isFinite(v) || !Number.isFinite(c)) sum += v === c ? 0 : Infinity
    else sum += c === 0 ? Math.abs(v - c) : Math.abs(v - c) / Math.abs(c)
  }
  return sum / METRIC_NAMES.length
}

function consensusOf (votes: readonly Vote[], numbers: MetricNumbers[], weights: EffectiveWeights): { values: MetricNumbers, checks: VoteChecks } | null {
  const values = {} as MetricNumbers
  for (const name of METRIC_NAMES) {
    const entries: MedianEntry[] = votes.map((v, i) => ({ value: numbers[i]![name], weight: weights.effective.get(v.voter)!, key: v.voter }))
    const m = weightedMedian(entries)
    if (m === null) return null
    values[name] = m
  }
  // A vote that does not report a check counts as not failing it, so that one
  // Byzantine "false" cannot turn the consensus of a job nobody checks into a failure.
  const checks: VoteChecks = {}
  let reported = false
  const entries: MedianEntry[] = votes.map((v) => {
    const c = v.checks?.candidateHashMatches
    if (c !== undefined && weights.effective.get(v.voter)! > 0) reported = true
    return { value: c === false ? 0 : 1, weight: weights.effective.get(v.voter)!, key: v.voter }
  })
  if (reported) checks.candidateHashMatches = weightedMedian(entries) === 1
  return { values, checks }
}

function checkInput (network: NetworkConfig, jobId: string, votes: readonly Vote[], weights: EffectiveWeights): number | null {
  const seen = new Set<string>()
  let round: number | null = null
  for (const v of votes) {
    if (v.networkId !== network.networkId) throw inputError('vote for another network')
    if (v.jobId !== jobId) throw inputError('vote for another job')
    if (round !== null && v.round !== round) throw inputError('votes of different rounds')
    round = v.round
    if (!weights.effective.has(v.voter)) throw inputError('voter is not a validator')
    if (seen.has(v.voter)) throw inputError('two votes by one voter')
    seen.add(v.voter)
  }
  return round
}

function inputError (message: string): TrustEngineError {
  return new TrustEngineError(ERR_TALLY_INPUT, `tally: ${message}`)
}

function compareKeys (a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

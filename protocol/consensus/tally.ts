/**
 * The consensus rule: from the votes a node holds for one job and round, its
 * reputation view and its clock, decide whether the job is final and with
 * what result.
 *
 * - Consensus values: per metric, the weighted median of the votes by
 *   effective weight (base weight × trust in millionths). Consensus checks:
 *   per check, the weighted median of the votes' booleans (a vote without the
 *   check counts as passing it; false sorts first, so a tie fails).
 *   Consensus caveats: the caveat list (caveats.ts) with the most effective
 *   weight, ties to the smallest.
 * - A vote agrees when its metrics lie within the tolerances of the consensus
 *   values, its verdict equals the consensus verdict and its caveats are the
 *   consensus caveats (see agreement.ts);
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
 *
 * The weighted median is that of weighted-median.ts; job-tally.ts keeps the
 * same computation up to date incrementally, and {@link tally} runs it over a
 * whole vote list.
 */
import { METRIC_NAMES, type Metrics, metricFromWire } from '../metrics.ts'
import type { NetworkConfig } from '../network.ts'
import { JobTally } from './job-tally.ts'
import { type ReputationRecord, applyOutcome, initialReputation } from './reputation.ts'
import type { Tally, TallyInput } from './tally-types.ts'
import { effectiveWeights } from './weights.ts'

export * from './tally-types.ts'

/**
 * Applies the consensus rule to one job's votes. Deterministic: the order of
 * `votes` does not matter. Throws `ERR_TALLY_INPUT` for votes of another
 * network, job or round, by a non-validator, or two by one voter. For votes
 * arriving one by one, keep a {@link JobTally} instead: same result, less work.
 * The result's lists and objects are its own (not frozen, not shared).
 */
export function tally (input: TallyInput): Tally {
  const weights = input.weights ?? effectiveWeights(input.network, input.reputations)
  const jt = new JobTally({ network: input.network, job: input.job, weights, ...(input.jobId === undefined ? {} : { jobId: input.jobId }) })
  for (const v of input.votes) jt.add(v)
  const t = jt.result(input.now)
  // A result of its own: JobTally shares frozen parts between its results, nothing here is shared.
  return {
    ...t,
    values: t.values === null ? null : { ...t.values },
    checks: t.checks === null ? null : { ...t.checks },
    caveats: t.caveats === null ? null : [...t.caveats],
    agreeing: [...t.agreeing],
    deviating: [...t.deviating]
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

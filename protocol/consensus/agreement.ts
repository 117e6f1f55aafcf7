/**
 * When a vote agrees with a consensus.
 *
 * A vote agrees when (1) every metric lies within the network's absolute
 * tolerance of the consensus value (an infinite value agrees only with an
 * infinite value), (2) its verdict — pass the job's thresholds with no
 * failed check — equals the consensus verdict, and (3) its caveats (what its
 * measurement did not render, caveats.ts) are the consensus caveats. Condition
 * (3) makes the caveats of any quorum those of its honest votes, which every
 * honest node measures alike. Condition (2) keeps the status
 * (validated or rejected) safe at the threshold boundary: two quorums share
 * an honest vote, and that vote's verdict equals both consensus verdicts.
 * A failed check is therefore a vote for failure: it agrees with a rejecting
 * consensus whose metrics it matches, and deviates from a validating one.
 */
import { type MetricNumbers, METRIC_NAMES, type Thresholds, passesThresholds } from '../metrics.ts'
import type { NetworkConfig } from '../network.ts'
import { type Caveat, sameCaveats } from '../caveats.ts'
import type { VoteChecks } from '../vote.ts'

/** True when `value` lies within `tolerance` of `consensus`; an infinite value agrees only with the same infinity. */
export function metricAgrees (value: number, consensus: number, tolerance: number): boolean {
  if (!Number.isFinite(value) || !Number.isFinite(consensus)) return value === consensus
  return Math.abs(value - consensus) <= tolerance
}

/** True when every metric of `values` agrees with `consensus` within the network's tolerances. */
export function metricsAgree (values: MetricNumbers, consensus: MetricNumbers, tolerances: NetworkConfig['tolerances']): boolean {
  for (const name of METRIC_NAMES) {
    if (!metricAgrees(values[name], consensus[name], tolerances[name])) return false
  }
  return true
}

/** True when no check is reported failed. */
export function checksPass (checks: VoteChecks | undefined | null): boolean {
  return checks?.candidateHashMatches !== false
}

/** The pass/fail verdict of metric values and checks under a job's thresholds. */
export function verdictOf (values: MetricNumbers, checks: VoteChecks | undefined | null, thresholds: Thresholds): boolean {
  return passesThresholds(values, thresholds) && checksPass(checks)
}

/** Conditions (1), (2) and (3) above for one vote's metrics, checks and caveats (in wire form: `[]` for none). */
export function agreesWithConsensus (
  vote: { values: MetricNumbers, checks: VoteChecks | undefined, caveats: readonly Caveat[] },
  consensus: { values: MetricNumbers, checks: VoteChecks | undefined | null, caveats: readonly Caveat[] },
  thresholds: Thresholds,
  tolerances: NetworkConfig['tolerances']
): boolean {
  return sameCaveats(vote.caveats, consensus.caveats) && metricsAgree(vote.values, consensus.values, tolerances) &&
    verdictOf(vote.values, vote.checks, thresholds) === verdictOf(consensus.values, consensus.checks, thresholds)
}

/**
 * The grey zone (after Golem's verification of Blender renders): when a
 * quorum's consensus value lies within its confidence interval of a
 * threshold, the sample could have fallen either way, so the job asks for a
 * second, larger round of samples before it finalizes.
 *
 * The decision must be the same on every honest node, so it uses only what
 * an honest majority fixes: the consensus values and, for the interval, the
 * weighted median by BASE weight of the agreeing votes' interval bounds.
 * While Byzantine validators hold less than 1/3 of the base weight, honest
 * validators hold more than half of any agreeing set that reached the quorum
 * (agreeing > 2/3, Byzantine < 1/3), so that median is the honest interval on
 * every node, whatever subset of votes and reputation view it has.
 */
import { METRIC_NAMES, type MetricName, metricFromWire, THRESHOLD_OF, type Thresholds } from '../metrics.ts'
import type { NetworkConfig } from '../network.ts'
import type { Vote } from '../vote.ts'
import type { Tally } from './tally-types.ts'
import { weightedMedian } from './weighted-median.ts'

/** Rounds a job may have: round 0, and one grey-zone round. */
export const MAX_GREY_ZONE_ROUND = 1

/** The grey-zone decision of a final tally. */
export interface GreyZone {
  /** True when a threshold lies inside the consensus interval of its metric. */
  grey: boolean
  /** The metrics whose interval contains their threshold. */
  metrics: MetricName[]
  /** Consensus intervals (base-weighted medians of the agreeing votes' bounds). */
  intervals: Record<MetricName, [number, number]>
}

/**
 * Decides whether a final tally of round `t.round` sits in the grey zone.
 * `votes` are the votes of that round (at least the agreeing ones).
 */
export function greyZoneOf (t: Tally, votes: readonly Vote[], network: NetworkConfig, thresholds: Thresholds): GreyZone {
  const agreeing = new Set(t.agreeing)
  return greyZoneOfVotes(votes.filter((v) => agreeing.has(v.voter)), network, thresholds)
}

/**
 * The grey-zone decision from a set of agreeing votes alone, e.g. a
 * certificate's: any agreeing set above 2/3 of the base weight gives the
 * same decision while the Byzantine validators hold less than 1/3 (honest
 * votes are more than half of its base weight, and identical).
 */
export function greyZoneOfVotes (chosen: readonly Vote[], network: NetworkConfig, thresholds: Thresholds): GreyZone {
  const base = new Map(network.validators.map((v) => [v.publicKey, v.weight]))
  const intervals = {} as Record<MetricName, [number, number]>
  const metrics: MetricName[] = []
  for (const name of METRIC_NAMES) {
    const bound = (i: 0 | 1): number => weightedMedian(chosen.map((v) => ({ value: metricFromWire(v.intervals[name][i]), weight: base.get(v.voter) ?? 0, key: v.voter }))) ?? NaN
    const lo = bound(0)
    const hi = bound(1)
    intervals[name] = [lo, hi]
    const threshold = thresholds[THRESHOLD_OF[name]]
    if (lo <= threshold && threshold <= hi) metrics.push(name)
  }
  return { grey: metrics.length > 0, metrics, intervals }
}

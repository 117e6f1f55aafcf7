/**
 * The reputation rule (from the seed system): reputation in [0, 1], starting
 * at `initial`; +successDelta when a validator's vote agrees with a final
 * consensus, -failureDelta when it deviates; untrusted (weight 0) below
 * `untrustedBelow`, after more than `minVerificationsForRate` verifications
 * with a success rate below `minSuccessRate`, or forever after proven
 * equivocation.
 *
 * Arithmetic is done in millionths (integers), so that ten deviations from 1
 * leave exactly 0.5 (as the seed's numbers intend) instead of 0.49999999999999994,
 * and every node gets the same bits.
 *
 * Reputation is local: each node updates it from the tallies it saw, so
 * nodes' views may differ. The consensus rule is built so that differing
 * views affect only liveness, never safety (see docs/protocol.md).
 */
import { TRUST_SCALE } from '../constants.ts'
import type { NetworkConfig } from '../network.ts'

/** What a node remembers about one validator. */
export interface ReputationRecord {
  /** In [0, 1]. */
  reputation: number
  /** Judged votes so far (agreeing or deviating). */
  verifications: number
  /** Judged votes that agreed. */
  successes: number
  /** True once valid equivocation evidence against the validator was seen; permanent. */
  equivocated: boolean
}

/** The record of a validator nothing is known about yet. */
export function initialReputation (network: NetworkConfig): ReputationRecord {
  return { reputation: network.reputation.initial, verifications: 0, successes: 0, equivocated: false }
}

/**
 * The record after one judged vote: +successDelta (capped at 1) when
 * `agreed`, -failureDelta (floored at 0) otherwise. Pure: returns a new record.
 */
export function applyOutcome (record: ReputationRecord, agreed: boolean, network: NetworkConfig): ReputationRecord {
  const r = network.reputation
  const now = micros(record.reputation)
  const next = agreed ? Math.min(TRUST_SCALE, now + micros(r.successDelta)) : Math.max(0, now - micros(r.failureDelta))
  return {
    reputation: next / TRUST_SCALE,
    verifications: record.verifications + 1,
    successes: record.successes + (agreed ? 1 : 0),
    equivocated: record.equivocated
  }
}

/** The record after valid equivocation evidence: trust 0 from now on. */
export function markEquivocated (record: ReputationRecord): ReputationRecord {
  return { ...record, equivocated: true }
}

/**
 * Trust in [0, 1] (a multiple of 1e-6): 0 when equivocated, when reputation < untrustedBelow, or
 * when verifications > minVerificationsForRate and the success rate is below
 * minSuccessRate; otherwise the reputation.
 */
export function trustOf (record: ReputationRecord, network: NetworkConfig): number {
  const r = network.reputation
  if (record.equivocated) return 0
  if (micros(record.reputation) < micros(r.untrustedBelow)) return 0
  // successes / verifications < minSuccessRate, in integers.
  if (record.verifications > r.minVerificationsForRate && record.successes * TRUST_SCALE < micros(r.minSuccessRate) * record.verifications) return 0
  return micros(record.reputation) / TRUST_SCALE
}

/** Trust in millionths, an integer in [0, 1e6], so that effective weights are exact integers. */
export function trustMicrosOf (record: ReputationRecord, network: NetworkConfig): number {
  return micros(trustOf(record, network))
}

/** A value in [0, 1] as an integer number of millionths. */
function micros (x: number): number {
  return Math.round(x * TRUST_SCALE)
}

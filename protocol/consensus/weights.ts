/**
 * Effective weights: base weight × trust in millionths, an exact integer
 * (≤ 1e6 × 1e6 per validator, ≤ 1e15 in total for 1000 validators).
 */
import type { NetworkConfig } from '../network.ts'
import { type ReputationRecord, initialReputation, trustMicrosOf } from './reputation.ts'

/** One node's view of every validator's weight, computed once per reputation view. */
export interface EffectiveWeights {
  /** Effective weight by public key (0 for untrusted validators). */
  effective: Map<string, number>
  /** Base weight by public key (from the network file). */
  base: Map<string, number>
  /** Sum of effective weights over the whole validator set. */
  total: number
  /** Sum of base weights over the whole validator set. */
  totalBase: number
}

/**
 * Effective weights of all validators under the given reputations; a
 * validator without a record has the initial reputation.
 */
export function effectiveWeights (network: NetworkConfig, reputations: ReadonlyMap<string, ReputationRecord>): EffectiveWeights {
  const initial = initialReputation(network)
  const effective = new Map<string, number>()
  const base = new Map<string, number>()
  let total = 0
  let totalBase = 0
  for (const v of network.validators) {
    const w = v.weight * trustMicrosOf(reputations.get(v.publicKey) ?? initial, network)
    effective.set(v.publicKey, w)
    base.set(v.publicKey, v.weight)
    total += w
    totalBase += v.weight
  }
  return { effective, base, total, totalBase }
}

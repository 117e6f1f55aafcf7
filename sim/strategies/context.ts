/**
 * What every strategy gets: the run's seed, the node's name, and the seeded
 * job nonce the node uses when it submits.
 */
import { hexFor } from '../seed.ts'

/** The context of one node's strategy. */
export interface StrategyContext {
  /** The run's seed (lowercase hex). */
  seed: string
  /** The node's name (`node3`). */
  name: string
  /** A 16-byte nonce for the job this node submits at `createdAt`, derived from the seed and a per-node counter. */
  nonce: (createdAt: number) => string
}

/** A strategy context whose nonces come from the seed, the node's name and a counter (not the clock). */
export function strategyContext (seed: string, name: string): StrategyContext {
  let counter = 0
  return { seed, name, nonce: () => hexFor(seed, 16, 'nonce', name, String(counter++)) }
}

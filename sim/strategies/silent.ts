/**
 * `silent`: measures like everyone else but never votes, and stays connected
 * (gossip and blob serving go on): a validator that withholds its weight.
 */
import type { FaultHooks } from '../../node/job/faults.ts'
import type { StrategyContext } from './context.ts'
import { honest } from './honest.ts'

/** Hooks of a silent node. */
export function silent (ctx: StrategyContext): FaultHooks {
  return { ...honest(ctx), name: 'silent', votes: () => [] }
}

/**
 * `honest`: follows the protocol. No hooks at all, except a job nonce derived
 * from the run's seed when this node submits, so a run is reproducible.
 */
import type { FaultHooks } from '../../node/job/faults.ts'
import type { StrategyContext } from './context.ts'

/** Hooks of an honest node: only the seeded nonce. */
export function honest (ctx: StrategyContext): FaultHooks {
  return { name: 'honest', nonce: async (n) => ctx.nonce(n.job.createdAt) }
}

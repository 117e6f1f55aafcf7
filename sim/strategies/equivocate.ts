/**
 * `equivocate`: signs two different votes for the same job and round — its
 * true measurement and a clearly wrong one — and publishes them in an order
 * drawn from the seed (not always the true one first). Gossipsub forwards
 * both to every peer; which one a peer sees first depends on the mesh, so
 * peers hold different first votes from it. Honest nodes must detect the
 * pair, gossip the evidence and stop counting the offender.
 */
import type { FaultHooks } from '../../node/job/faults.ts'
import { rngFor } from '../seed.ts'
import type { StrategyContext } from './context.ts'
import { honest } from './honest.ts'
import { failingValue, passes, passingValue, reported } from './values.ts'

/** Hooks of an equivocating node. */
export function equivocate (ctx: StrategyContext): FaultHooks {
  return {
    ...honest(ctx),
    name: 'equivocate',
    votes: (m, f) => {
      const v = passes(m, f.job) ? failingValue(f.job) : passingValue(f.job)
      const pair = [m, reported(m, v)]
      return rngFor(ctx.seed, 'equivocate', ctx.name, f.jobId).nextInt(2) === 0 ? pair : pair.reverse()
    }
  }
}

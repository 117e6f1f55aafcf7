/**
 * `strip-caveats`: votes its true measurement with the caveats removed, as
 * if the renderer had drawn everything the scenes use (a certificate without
 * `sheen` reads as a verdict on the whole look). Honest on frames jobs and on
 * scenes without caveats. Every such node reports the same (empty) list.
 */
import type { FaultHooks } from '../../node/job/faults.ts'
import type { StrategyContext } from './context.ts'
import { honest } from './honest.ts'

/** Hooks of a node that strips its votes' caveats. */
export function stripCaveats (ctx: StrategyContext): FaultHooks {
  return {
    ...honest(ctx),
    name: 'strip-caveats',
    votes: (m) => {
      const { caveats: _caveats, ...rest } = m
      return [rest]
    }
  }
}

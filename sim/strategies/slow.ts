/**
 * `slow`: votes its true measurement, but publishes it `lateMs` after the
 * round's deadline, so it never counts towards finality; honest nodes record
 * it as a late vote.
 */
import type { FaultHooks } from '../../node/job/faults.ts'
import type { StrategyContext } from './context.ts'
import { honest } from './honest.ts'

/** Hooks of a slow node. */
export function slow (ctx: StrategyContext, lateMs: number): FaultHooks {
  return { ...honest(ctx), name: 'slow', publishAt: (f) => f.roundDeadline + lateMs }
}

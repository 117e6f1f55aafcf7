/**
 * `inflate`: always reports a clearly passing quality (whitewashing a bad
 * optimization): the true value when it passes, otherwise SSIM and local
 * SSIM midway between their thresholds and 1 and PSNR 15 dB above its
 * threshold. Every
 * inflating node reports the same value, so inflators act as a cartel.
 */
import type { FaultHooks } from '../../node/job/faults.ts'
import type { StrategyContext } from './context.ts'
import { honest } from './honest.ts'
import { passes, passingValue, reported } from './values.ts'

/** Hooks of an inflating node. */
export function inflate (ctx: StrategyContext): FaultHooks {
  return {
    ...honest(ctx),
    name: 'inflate',
    votes: (m, f) => {
      if (passes(m, f.job)) return [m]
      return [reported({ ...m, ...(m.checks === undefined ? {} : { checks: { ...m.checks, candidateHashMatches: true } }) }, passingValue(f.job))]
    }
  }
}

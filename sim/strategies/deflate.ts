/**
 * `deflate`: always reports a clearly failing quality (sabotaging a good
 * optimization): the true value when it fails, otherwise SSIM and local SSIM
 * 0.1 and PSNR 15 dB below their thresholds. Every deflating node reports the same value.
 */
import type { FaultHooks } from '../../node/job/faults.ts'
import type { StrategyContext } from './context.ts'
import { honest } from './honest.ts'
import { failingValue, passes, reported } from './values.ts'

/** Hooks of a deflating node. */
export function deflate (ctx: StrategyContext): FaultHooks {
  return {
    ...honest(ctx),
    name: 'deflate',
    votes: (m, f) => {
      if (!passes(m, f.job)) return [m]
      return [reported(m, failingValue(f.job))]
    }
  }
}

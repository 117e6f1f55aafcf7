/**
 * `liar`: votes random values, drawn per job from the run's seed and the
 * node's name (SSIM and local SSIM uniform in [0.5, 1), PSNR uniform in
 * [10, 60) dB). Liars
 * do not coordinate: two liars almost never report the same value, so an
 * honest majority's value stays the weighted median.
 */
import type { FaultHooks } from '../../node/job/faults.ts'
import { rngFor, uniform } from '../seed.ts'
import type { StrategyContext } from './context.ts'
import { honest } from './honest.ts'
import { reported } from './values.ts'

/** Hooks of a liar. */
export function liar (ctx: StrategyContext): FaultHooks {
  return {
    ...honest(ctx),
    name: 'liar',
    votes: (m, f) => {
      const rng = rngFor(ctx.seed, 'liar', ctx.name, f.jobId, String(f.round))
      return [reported(m, { ssim: 0.5 + 0.5 * uniform(rng), psnr: 10 + 50 * uniform(rng), ssimLocal: 0.5 + 0.5 * uniform(rng) })]
    }
  }
}

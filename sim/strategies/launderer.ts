/**
 * `launderer`: does no work in time (no vote before the deadline), then,
 * once the job is decided, publishes a late vote that copies the public
 * consensus values, hoping that agreeing late votes restore its reputation
 * without ever measuring honestly.
 */
import type { FaultHooks } from '../../node/job/faults.ts'
import { metricsFromWire } from '../../protocol/metrics.ts'
import type { StrategyContext } from './context.ts'
import { honest } from './honest.ts'

/** Hooks of a launderer. */
export function launderer (ctx: StrategyContext): FaultHooks {
  return {
    ...honest(ctx),
    name: 'launderer',
    votes: () => [],
    afterDecided: (view) => {
      if (!view.final || view.values === null) return null
      const v = metricsFromWire(view.values)
      const samples = view.votes.find((x) => !x.late)?.samples ?? 1
      return { metrics: v, intervals: { ssim: [v.ssim, v.ssim], psnr: [v.psnr, v.psnr], ssimLocal: [v.ssimLocal, v.ssimLocal] }, samples, ...(view.candidateHashMatches === null ? {} : { checks: { candidateHashMatches: view.candidateHashMatches } }) }
    }
  }
}

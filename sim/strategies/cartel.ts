/**
 * `cartel`: colluders agree on one chosen false value and verdict per job.
 * They coordinate through the simulation, not the network: each member
 * derives the same value from the run's seed and the job id (a passing value
 * drawn above the thresholds, or a failing one below). With `verdict: flip`
 * (the default) the cartel reports the opposite of the truth its members
 * measured; `pass` and `fail` always claim that verdict.
 */
import type { FaultHooks } from '../../node/job/faults.ts'
import { rngFor, uniform } from '../seed.ts'
import type { StrategyContext } from './context.ts'
import { honest } from './honest.ts'
import { passes, reported } from './values.ts'

/** Hooks of a cartel member. */
export function cartel (ctx: StrategyContext, verdict: 'flip' | 'pass' | 'fail'): FaultHooks {
  return {
    ...honest(ctx),
    name: 'cartel',
    votes: (m, f) => {
      const claimPass = verdict === 'flip' ? !passes(m, f.job) : verdict === 'pass'
      // The same stream for every member: seeded by the run and the job, not the member.
      const rng = rngFor(ctx.seed, 'cartel', f.jobId, String(f.round))
      const t = f.job.thresholds
      const ssim = claimPass ? t.ssimMin + (1 - t.ssimMin) * (0.25 + 0.5 * uniform(rng)) : t.ssimMin - 0.05 - 0.2 * uniform(rng)
      const psnr = claimPass ? t.psnrMin + 5 + 20 * uniform(rng) : Math.max(0, t.psnrMin - 5 - 20 * uniform(rng))
      const ssimLocal = claimPass ? t.ssimLocalMin + (1 - t.ssimLocalMin) * (0.25 + 0.5 * uniform(rng)) : t.ssimLocalMin - 0.05 - 0.2 * uniform(rng)
      const checks = m.checks === undefined ? {} : { checks: { ...m.checks, candidateHashMatches: claimPass } }
      return [reported({ ...m, ...checks }, { ssim, psnr, ssimLocal })]
    }
  }
}

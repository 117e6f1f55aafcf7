/**
 * `grinder`: a submitting validator that grinds job nonces to steer the
 * samples. The sample plan of a frames job is drawn from a seed derived from
 * the job id, and the job id covers the nonce the submitter picks, so the
 * submitter can try `tries` nonces, measure each resulting plan itself (the
 * real measurement, as every verifier will), and announce the nonce whose
 * samples look best. Against a candidate that is partly ruined (jobs of
 * quality `patchy`), this can turn a failing candidate into a validated one
 * when the samples are few. Otherwise it votes honestly.
 */
import type { FaultHooks } from '../../node/job/faults.ts'
import { measureJob } from '../../node/wiring/measure-port.ts'
import type { JobAnnouncement } from '../../protocol/job.ts'
import { hexFor } from '../seed.ts'
import type { StrategyContext } from './context.ts'

/** Hooks of a grinding submitter. */
export function grinder (ctx: StrategyContext, tries: number): FaultHooks {
  let jobs = 0
  return {
    name: 'grinder',
    nonce: async (n) => {
      const job = jobs++
      let best = { nonce: '', ssim: -Infinity }
      for (let i = 0; i < tries; i++) {
        const nonce = hexFor(ctx.seed, 16, 'grind', ctx.name, String(job), String(i))
        const jobId = n.jobIdFor(nonce)
        // The grinder can only guess the seed (here: as the job id once was); the seed phase fixes it after the job.
        const m = await measureJob({ ...n.job, nonce, signature: '' } as JobAnnouncement, jobId, n.blobs, 0, jobId)
        if (m.metrics.ssim > best.ssim) best = { nonce, ssim: m.metrics.ssim }
      }
      return best.nonce
    }
  }
}

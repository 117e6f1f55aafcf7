/**
 * The job engine's measurement: frames jobs by the image metrics with the
 * sample seed derived from the job id, so every honest node samples the same
 * frames and regions and computes bit-identical numbers.
 */
import { TrustEngineError } from '../../protocol/errors.ts'
import { deriveSeed } from '../../protocol/sampling/prng.ts'
import { ERR_UNSUPPORTED_KIND } from '../job/errors.ts'
import type { MeasurePort } from '../job/ports.ts'
import { measureFrames } from '../measure/measure-frames.ts'

/** Domain of the sampling seed of frames jobs. */
export const FRAMES_SEED_DOMAIN = 'trust-engine/frames-sample/v1'

/** The measurement port of a node. */
export function measurePort (): MeasurePort {
  return async (job, jobId, blobs) => {
    if (job.kind === 'frames') {
      const m = await measureFrames(blobs.reference, blobs.candidate, { seed: deriveSeed(FRAMES_SEED_DOMAIN, jobId) })
      return { metrics: m.metrics, intervals: m.intervals, samples: m.samples, plan: m.plan }
    }
    throw new TrustEngineError(ERR_UNSUPPORTED_KIND, `this node cannot measure ${job.kind} jobs yet`)
  }
}

/**
 * The input checks every node applies to a job before measuring it, and the
 * measurement port wrapped with them:
 *
 * - {@link checkJobInputs}, run by the engine as soon as the job's blobs are
 *   fetched (before its seed phase ends, and before any pixel is decoded):
 *   the declared work against the network's limits (work-estimate.ts,
 *   `ERR_JOB_OVER_LIMITS`), then whether the job can be measured at all
 *   (measurability.ts, `ERR_JOB_UNMEASURABLE`); every honest node refuses the
 *   same announcements alike, and closes them at once;
 * - {@link limitedMeasurePort}: the same checks again (for a port used
 *   without the engine's check), then the measurement, whose failures caused
 *   by the job's bytes alone come back as `ERR_JOB_UNMEASURABLE`.
 */
import type { JobAnnouncement } from '../../protocol/job.ts'
import type { NetworkConfig } from '../../protocol/network.ts'
import type { MeasurePort } from '../job/ports.ts'
import { asUnmeasurable, checkMeasurable } from './measurability.ts'
import { checkWorkLimits, estimateWork, sceneJsonReader } from './work-estimate.ts'

/**
 * Throws `ERR_JOB_OVER_LIMITS` for a job over the network's limits and
 * `ERR_JOB_UNMEASURABLE` for one no node can measure (a header that cannot
 * be read included), from the blobs' headers only.
 */
export function checkJobInputs (network: NetworkConfig, job: JobAnnouncement, blobs: { reference: readonly Uint8Array[], candidate: readonly Uint8Array[] }): void {
  try {
    // Each scene's JSON parsed and checked once for both checks.
    const readScene = sceneJsonReader()
    checkWorkLimits(estimateWork(job.kind, blobs, { reference: job.reference, candidate: job.candidate }, readScene), network)
    checkMeasurable(job.kind, blobs, readScene)
  } catch (err) {
    throw asUnmeasurable(err)
  }
}

/** `measure`, refusing jobs by {@link checkJobInputs} first, and reporting failures caused by the job's bytes as `ERR_JOB_UNMEASURABLE`. */
export function limitedMeasurePort (network: NetworkConfig, measure: MeasurePort): MeasurePort {
  return async (job, jobId, blobs, signal, round, seed) => {
    checkJobInputs(network, job, blobs)
    try {
      return await measure(job, jobId, blobs, signal, round, seed)
    } catch (err) {
      throw asUnmeasurable(err)
    }
  }
}

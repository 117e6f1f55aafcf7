/**
 * The measurement port every node uses: the job's declared work is checked
 * against the network's limits from headers first (work-estimate.ts), so an
 * over-limit job is refused alike by every honest node before any pixel is
 * decoded, and only then measured.
 */
import type { NetworkConfig } from '../../protocol/network.ts'
import type { MeasurePort } from '../job/ports.ts'
import { checkWorkLimits, estimateWork } from './work-estimate.ts'

/** `measure`, refusing jobs over the network's work limits with `ERR_JOB_OVER_LIMITS` first. */
export function limitedMeasurePort (network: NetworkConfig, measure: MeasurePort): MeasurePort {
  return async (job, jobId, blobs, signal, round, seed) => {
    checkWorkLimits(estimateWork(job.kind, blobs, { reference: job.reference, candidate: job.candidate }), network)
    return await measure(job, jobId, blobs, signal, round, seed)
  }
}

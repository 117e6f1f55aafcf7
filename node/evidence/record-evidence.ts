/**
 * The measurement port that keeps evidence: it runs the node's measurement
 * (which, asked for evidence, returns the evidence files beside the numbers),
 * stores the files in the {@link EvidenceStore}, and hands the job engine the
 * measurement without them, so evidence never reaches a vote, a record or gossip.
 */
import type { Logger } from 'pino'
import type { MeasurePort, Measurement } from '../job/ports.ts'
import type { EvidencedMeasurement } from '../wiring/measure-port.ts'
import type { EvidenceStore } from './evidence-store.ts'

/**
 * Wraps `measure`. The evidence is stored before the measurement is returned
 * (so a job's evidence is on disk by the time this node votes); a failure to
 * store it is logged and never fails the measurement.
 */
export function recordingEvidence (measure: MeasurePort, store: EvidenceStore, logger: Logger, onStored?: (jobId: string, round: number) => void): MeasurePort {
  return async (job, jobId, blobs, signal, round, seed) => {
    const { evidence, ...measurement }: EvidencedMeasurement = await measure(job, jobId, blobs, signal, round, seed)
    if (evidence !== undefined) {
      try {
        if (await store.put(jobId, round, evidence)) onStored?.(jobId, round)
      } catch (err) {
        logger.warn({ jobId, round, err: (err as Error).message }, 'evidence not stored')
      }
    }
    return measurement satisfies Measurement
  }
}

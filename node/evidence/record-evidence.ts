/**
 * The measurement port that keeps evidence: it runs the node's measurement
 * (which, asked for evidence, returns beside the numbers the evidence files
 * still being made), stores the files in the {@link EvidenceStore} when they
 * come, and hands the job engine the measurement without them at once, so
 * evidence never reaches a vote, a record or gossip, nor delays one.
 */
import type { Logger } from 'pino'
import type { MeasurePort, Measurement } from '../job/ports.ts'
import type { EvidencedMeasurement } from '../wiring/measure-port.ts'
import type { EvidenceStore } from './evidence-store.ts'

/**
 * Wraps `measure`. The measurement is returned as soon as its numbers are
 * (the vote never waits for evidence); its evidence, made after them, is
 * stored when it comes, and readers of the job's evidence wait for it
 * meanwhile (EvidenceStore.putWhenMade). A failure to make or store it is
 * logged and never fails the measurement.
 */
export function recordingEvidence (measure: MeasurePort, store: EvidenceStore, logger: Logger, onStored?: (jobId: string, round: number) => void): MeasurePort {
  return async (job, jobId, blobs, signal, round, seed) => {
    const { evidence, ...measurement }: EvidencedMeasurement = await measure(job, jobId, blobs, signal, round, seed)
    if (evidence !== undefined) {
      store.putWhenMade(jobId, round, evidence).then(
        (stored) => {
          if (stored) onStored?.(jobId, round)
        },
        (err: unknown) => { logger.warn({ jobId, round, err: (err as Error).message }, 'evidence not stored') }
      )
    }
    return measurement satisfies Measurement
  }
}

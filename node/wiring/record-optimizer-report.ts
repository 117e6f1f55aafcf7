/**
 * The measurement port that keeps the optimizer's report: a measurement of a
 * network-optimized scene job that re-ran the optimizer carries its report
 * (measure-port.ts); this port stores it in the {@link OptimizerReportStore}
 * as a `re-execution` report and hands on the measurement without it, so the
 * report never reaches a vote, a record or gossip.
 */
import type { Logger } from 'pino'
import type { MeasurePort } from '../job/ports.ts'
import type { EvidencedMeasurement } from './measure-port.ts'
import type { OptimizerReportStore } from './optimizer-report-store.ts'

/**
 * Wraps `measure`. The report is stored before the measurement is returned
 * (so it is kept by the time this node votes); a failure to store it is
 * logged and never fails the measurement.
 */
export function recordingOptimizerReport (measure: MeasurePort, reports: OptimizerReportStore, now: () => number, logger: Logger): MeasurePort {
  return async (job, jobId, blobs, signal, round, seed) => {
    const { optimizerReport, ...measurement }: EvidencedMeasurement = await measure(job, jobId, blobs, signal, round, seed)
    if (optimizerReport !== undefined) {
      try {
        if (!await reports.put(jobId, 're-execution', optimizerReport, now())) logger.warn({ jobId }, 'optimizer report over its size bound: not kept')
      } catch (err) {
        logger.warn({ jobId, err: (err as Error).message }, 'optimizer report not stored')
      }
    }
    return measurement
  }
}

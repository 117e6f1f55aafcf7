/**
 * Worker-thread entry of the measurement pool (measure-worker-pool.ts): runs
 * {@link measureJob} for each request and posts the result or a typed error
 * back. Measurement is deterministic, so a result computed here is bit-for-bit
 * the one the main thread would compute.
 */
import { parentPort } from 'node:worker_threads'
import { TrustEngineError } from '../../protocol/errors.ts'
import type { JobAnnouncement } from '../../protocol/job.ts'
import type { EvidenceOptions } from '../measure/evidence.ts'
import { measureJob } from './measure-port.ts'

/** A measurement request to the worker. */
export interface MeasureRequest {
  id: number
  job: JobAnnouncement
  jobId: string
  blobs: { reference: Uint8Array[], candidate: Uint8Array[] }
  round: number
  /** The job's sampling seed. */
  seed: string
  /** When set, the result carries the measurement's evidence files. */
  evidence?: EvidenceOptions
}

parentPort?.on('message', (req: MeasureRequest) => {
  measureJob(req.job, req.jobId, req.blobs, req.round, req.seed, req.evidence).then(
    (result) => { parentPort!.postMessage({ id: req.id, ok: true, result }) },
    (err: unknown) => {
      const code = err instanceof TrustEngineError ? err.code : 'ERR_MEASURE'
      const message = err instanceof Error ? err.message : String(err)
      parentPort!.postMessage({ id: req.id, ok: false, error: { code, message } })
    }
  )
})

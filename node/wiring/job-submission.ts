/**
 * The immediate path of a job request of this node's own client (the API's
 * `POST /v1/jobs`, and an economy slot when it comes): admission
 * (job-admission.ts), then, for a scene the network optimizes, the
 * optimization in a worker bounded by the job's deadline span by the node's
 * clock, the announcement, and the optimizer's report kept with the job.
 * Every verifier re-runs the optimizer; the pool remembers this output's
 * hash, so this node's own measurement does not.
 */
import type { Logger } from 'pino'
import { sha256Hex } from '../../protocol/hash.ts'
import type { NetworkConfig } from '../../protocol/network.ts'
import { clockDeadline } from '../job/deadline.ts'
import type { JobEngine } from '../job/engine.ts'
import type { BlobDir } from '../p2p/blob-dir.ts'
import type { JobPinSource, JobView, SubmitJobRequest } from '../types.ts'
import { type JobAdmissionComponents, admitJob } from './job-admission.ts'
import type { MeasureWorkerPool } from './measure-worker-pool.ts'
import type { OptimizerReportStore } from './optimizer-report-store.ts'

/**
 * The node's submission path. `pin`, when given, is asked for the creation
 * time and nonce to sign the job with once the candidate is made (after the
 * optimization), so that a run again after a crash, which makes the same
 * candidate, signs the same job (`JobEngine.submit`; economy-offline.ts).
 */
export type SubmitJob = (request: SubmitJobRequest, pin?: JobPinSource) => Promise<JobView>

/** What the submission path is wired to. */
export interface JobSubmissionComponents {
  network: NetworkConfig
  /** This node's public key. */
  publicKey: string
  blobs: BlobDir
  pool: MeasureWorkerPool
  engine: JobEngine
  /** Where the report of the optimization that made a candidate is kept. */
  optimizerReports: OptimizerReportStore
  clock: () => number
  logger: Logger
}

/** The node's submission path: admits, optimizes when the network makes the candidate, announces. */
export function jobSubmission (components: JobSubmissionComponents): { admission: JobAdmissionComponents, submit: SubmitJob } {
  const { network, publicKey, blobs, pool, engine, optimizerReports, clock, logger } = components
  const admission: JobAdmissionComponents = { network, publicKey, blobs, check: pool.check, clock }
  const submit = async (request: SubmitJobRequest, pin?: JobPinSource): Promise<JobView> => {
    // Refused before the blobs are read or anything optimized (JobEngine.submit checks again; a slot's run again,
    // with its pin, may find its job announced already, so it is left to JobEngine.submit).
    if (pin === undefined) engine.checkSubmission()
    const admitted = await admitJob(admission, request)
    if (admitted.optimize === null) return await engine.submit(pin === undefined ? request : { ...request, pin })
    const { optimize } = admitted
    const reference = { bytes: (await blobs.get(request.reference[0]!))!, sha256: request.reference[0]! }
    const bound = clockDeadline(clock, clock() + (request.deadlineMs ?? network.deadlines.voteMs))
    const out = await pool.optimize(reference, optimize, bound.signal, sha256Hex).finally(bound.clear)
    const candidate = await blobs.put(out.bytes)
    logger.info({ reference: reference.sha256, candidate, profile: optimize.profile, ratio: optimize.ratio }, 'scene optimized for the network')
    const view = await engine.submit({ ...request, profile: optimize.profile, candidate: [candidate], optimize, ...(pin === undefined ? {} : { pin }) })
    // The report of the optimization that made the candidate; a failure to keep it never fails the job.
    await optimizerReports.put(view.jobId, 'submitter', out.report, clock()).then((kept) => {
      if (!kept) logger.warn({ jobId: view.jobId }, 'optimizer report over its size bound: not kept')
    }, (err: unknown) => { logger.warn({ jobId: view.jobId, err: String(err) }, 'optimizer report not stored') })
    return view
  }
  return { admission, submit }
}

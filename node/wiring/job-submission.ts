/**
 * The immediate path of a job request of this node's own client (the API's
 * `POST /v1/jobs`, and an economy slot when it comes): admission
 * (job-admission.ts), then, for a scene the network optimizes, the
 * optimization in a worker bounded by the job's deadline span by the node's
 * clock, and the announcement. Every verifier re-runs the optimizer; the
 * pool remembers this output's hash, so this node's own measurement does not.
 */
import type { Logger } from 'pino'
import { sha256Hex } from '../../protocol/hash.ts'
import type { NetworkConfig } from '../../protocol/network.ts'
import { clockDeadline } from '../job/deadline.ts'
import type { JobEngine } from '../job/engine.ts'
import type { BlobDir } from '../p2p/blob-dir.ts'
import type { JobView, SubmitJobRequest } from '../types.ts'
import { type JobAdmissionComponents, admitJob } from './job-admission.ts'
import type { MeasureWorkerPool } from './measure-worker-pool.ts'

/** What the submission path is wired to. */
export interface JobSubmissionComponents {
  network: NetworkConfig
  /** This node's public key. */
  publicKey: string
  blobs: BlobDir
  pool: MeasureWorkerPool
  engine: JobEngine
  clock: () => number
  logger: Logger
}

/** The node's submission path: admits, optimizes when the network makes the candidate, announces. */
export function jobSubmission (components: JobSubmissionComponents): { admission: JobAdmissionComponents, submit: (request: SubmitJobRequest) => Promise<JobView> } {
  const { network, publicKey, blobs, pool, engine, clock, logger } = components
  const admission: JobAdmissionComponents = { network, publicKey, blobs }
  const submit = async (request: SubmitJobRequest): Promise<JobView> => {
    const admitted = await admitJob(admission, request)
    if (admitted.optimize === null) return await engine.submit(request)
    const { optimize } = admitted
    const reference = { bytes: (await blobs.get(request.reference[0]!))!, sha256: request.reference[0]! }
    const bound = clockDeadline(clock, clock() + (request.deadlineMs ?? network.deadlines.voteMs))
    const out = await pool.optimize(reference, optimize, bound.signal, sha256Hex).finally(bound.clear)
    const candidate = await blobs.put(out)
    logger.info({ reference: reference.sha256, candidate, profile: optimize.profile, ratio: optimize.ratio }, 'scene optimized for the network')
    return await engine.submit({ ...request, profile: optimize.profile, candidate: [candidate], optimize })
  }
  return { admission, submit }
}

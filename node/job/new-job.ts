/**
 * A job this node announces: built from its client's request (the network's
 * thresholds under the request's own), given a fresh random nonce, signed
 * with the node's key and checked by the protocol's own rules: the
 * announcement schema every peer decodes with (a frames job whose reference
 * and candidate counts differ, for one, is `ERR_SCHEMA` here, as it would be
 * at every peer), and the signer (a submitter outside the validator set is
 * refused with `ERR_UNKNOWN_SIGNER`). The
 * node's admission rules ran before (node/wiring/job-admission.ts).
 */
import { randomBytes } from 'node:crypto'
import { parseWith } from '../../protocol/decode.ts'
import { type JobAnnouncement, type UnsignedJob, jobIdOf, jobSchema, newJob, signJob, verifyJob } from '../../protocol/job.ts'
import type { NetworkConfig } from '../../protocol/network.ts'
import type { JobPin, JobPinSource, SubmitJobRequest } from '../types.ts'
import type { Fault } from './faults.ts'
import type { BlobPort } from './ports.ts'

/**
 * A request to announce; `optimize` marks a scene job whose candidate this
 * node made with the optimizer (node/wiring/job-submission.ts); `pinned`
 * gives the creation time and nonce to sign with instead of the clock's and
 * a random one; `pin` is where an economy slot's run takes them from (see
 * `JobEngine.submit`).
 */
export type NewJobRequest = SubmitJobRequest & { optimize?: { profile: string, ratio: number }, pinned?: JobPin, pin?: JobPinSource }

/** What signing a new job reads. */
export interface NewJobComponents {
  network: NetworkConfig
  key: { publicKey: string, privateKey: string }
  clock: () => number
  blobs: BlobPort
  fault: Fault
  /** Cuts the reading of blobs for a simulated fault's nonce when the node stops. */
  signal: AbortSignal
}

/** The signed, verified announcement of `request` and its job id. */
export async function signNewJob (components: NewJobComponents, request: NewJobRequest): Promise<{ job: JobAnnouncement, jobId: string }> {
  const { network, key, clock, fault } = components
  const { pin: _pin, ...fields } = request
  request = fields
  const unsigned = newJob(network, {
    kind: request.kind,
    submitter: key.publicKey,
    createdAt: request.pinned?.createdAt ?? clock(),
    reference: request.reference,
    candidate: request.candidate,
    nonce: request.pinned?.nonce ?? randomBytes(16).toString('hex'),
    thresholds: { ...network.thresholds, ...request.thresholds },
    ...(request.profile === undefined ? {} : { profile: request.profile }),
    ...(request.optimize === undefined ? {} : { optimize: request.optimize }),
    ...(request.deadlineMs === undefined ? {} : { voteMs: request.deadlineMs })
  })
  if (fault?.nonce !== undefined && request.pinned === undefined) unsigned.nonce = await simulatedNonce(components, unsigned)
  const job = signJob(unsigned, key.privateKey)
  parseWith(jobSchema, job, 'job')
  verifyJob(job, network)
  return { job, jobId: jobIdOf(job) }
}

/** The nonce a simulated fault chooses for a job this node submits (node/job/faults.ts). */
async function simulatedNonce (components: NewJobComponents, unsigned: UnsignedJob): Promise<string> {
  const { blobs, key, fault, signal } = components
  const read = async (hashes: string[]): Promise<Uint8Array[]> => await Promise.all(hashes.map(async (h) => await blobs.get(h, key.publicKey, signal)))
  const material = { reference: await read(unsigned.reference), candidate: await read(unsigned.candidate) }
  return await fault!.nonce!({ job: unsigned, jobIdFor: (nonce) => jobIdOf({ ...unsigned, nonce }), blobs: material })
}

/**
 * A pinned job that no earlier run announced is signed with its pin while
 * the pin is at most this old (a first run: stored just before), and with a
 * renewed one after (a run again after a crash and a restart): the job then
 * loses at most this much of its voting time.
 */
export const MAX_PIN_AGE_MS = 5_000

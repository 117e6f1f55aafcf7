/**
 * Job announcements (message type `job`).
 *
 * A validator (the entry node) announces a job: which reference blobs and
 * which candidate blobs to compare, by sha256, with the thresholds to apply
 * and a deadline for votes. The job id is the sha256 of the canonical
 * encoding of the announcement without its signature, so it commits to every
 * field, including the network id and the nonce.
 *
 * The protocol never reads a clock: `createdAt` is set by the entry node and
 * `deadline` is a point in time every node compares with its own clock.
 */
import { z } from 'zod'
import { canonicalEncode } from './canonical.ts'
import { MAX_JOB_BLOBS, MAX_MESSAGE_BYTES } from './constants.ts'
import { decodeWith } from './decode.ts'
import { TrustEngineError, declareCode } from './errors.ts'
import { epochMsSchema, networkIdSchema, nonceSchema, publicKeySchema, sha256Schema, signatureSchema } from './fields.ts'
import { sha256Hex } from './hash.ts'
import { type Thresholds, thresholdsSchema } from './metrics.ts'
import { type NetworkConfig, belowFloor, isValidator, networkDigest, withinValidity } from './network.ts'
import { ERR_BAD_SIGNATURE, signMessage, verifyMessage } from './signing.ts'

/** Code of a message whose `networkId` is not this node's network. */
export const ERR_WRONG_NETWORK = declareCode('ERR_WRONG_NETWORK', { action: 'reject', status: 400 })
/** Code of a message signed by a key that is not a validator of the network. */
export const ERR_UNKNOWN_SIGNER = declareCode('ERR_UNKNOWN_SIGNER', { action: 'reject', status: 403 })
/** Code of a job whose deadline lies outside the network's bounds. */
export const ERR_JOB_DEADLINE = declareCode('ERR_JOB_DEADLINE', { action: 'reject', status: 400 })
/** Code of a job created outside the network file's validity window. */
export const ERR_JOB_VALIDITY = declareCode('ERR_JOB_VALIDITY', { action: 'reject', status: 400 })
/** Code of a job whose thresholds are below the network file's floor (`minThresholds`) in some metric: refused by verifyJob (so over gossip), by the submitting node's API before it announces, and by certificate verification. */
export const ERR_JOB_THRESHOLDS = declareCode('ERR_JOB_THRESHOLDS', { action: 'reject', status: 400 })

/** Kinds of job: `frames` compares rendered frames pairwise; `scene` certifies an optimized glTF scene against its reference. */
export type JobKind = 'frames' | 'scene'

/** Schema of a signed job announcement. */
export const jobSchema = z.strictObject({
  type: z.literal('job'),
  networkId: networkIdSchema,
  /** `networkDigest` of the network file the job is announced under: signed, so no other parameters apply to it. */
  networkDigest: sha256Schema,
  kind: z.enum(['frames', 'scene']),
  /** Public key of the announcing validator. */
  submitter: publicKeySchema,
  createdAt: epochMsSchema,
  deadline: epochMsSchema,
  reference: z.array(sha256Schema).min(1).max(MAX_JOB_BLOBS),
  candidate: z.array(sha256Schema).max(MAX_JOB_BLOBS),
  /** Optional optimization profile name (e.g. `balanced`, `ai_training`). */
  profile: z.string().regex(/^[a-z0-9_-]{1,64}$/).optional(),
  thresholds: thresholdsSchema,
  /**
   * Scene jobs the network optimizes: the entry node ran the optimizer on the
   * reference with these options and announced its output as the candidate;
   * every verifier re-runs it and votes whether the hash matches.
   */
  optimize: z.strictObject({
    profile: z.string().regex(/^[a-z0-9_-]{1,64}$/),
    /** Share of triangles kept by simplification, in (0, 1]. */
    ratio: z.number().gt(0).max(1)
  }).optional(),
  nonce: nonceSchema,
  signature: signatureSchema
}).superRefine((job, ctx) => {
  if (job.deadline <= job.createdAt) ctx.addIssue({ code: 'custom', path: ['deadline'], message: 'deadline must be after createdAt' })
  if (job.kind === 'frames' && job.candidate.length !== job.reference.length) {
    ctx.addIssue({ code: 'custom', path: ['candidate'], message: 'a frames job pairs each reference frame with one candidate frame' })
  }
  if (job.kind === 'scene' && (job.reference.length !== 1 || job.candidate.length !== 1)) {
    ctx.addIssue({ code: 'custom', path: ['reference'], message: 'a scene job has one reference and one candidate' })
  }
  if (job.optimize !== undefined && job.kind !== 'scene') {
    ctx.addIssue({ code: 'custom', path: ['optimize'], message: 'only scene jobs are optimized by the network' })
  }
})

/** A signed job announcement. */
export type JobAnnouncement = z.output<typeof jobSchema>
/** A job announcement before signing. */
export type UnsignedJob = Omit<JobAnnouncement, 'signature'>

/** What the submitter chooses when creating a job; the rest comes from the network. */
export interface NewJobFields {
  kind: JobKind
  submitter: string
  /** Creation time in ms since the epoch, from the entry node's clock. */
  createdAt: number
  reference: string[]
  candidate: string[]
  /** 8 to 32 random bytes as hex, so that equal jobs get distinct ids. */
  nonce: string
  profile?: string
  /** For scene jobs the network optimizes: the optimizer options every verifier re-runs. */
  optimize?: { profile: string, ratio: number }
  /** Defaults to the network's thresholds. */
  thresholds?: Thresholds
  /** Defaults to the network's `deadlines.voteMs`. */
  voteMs?: number
}

/** Builds an unsigned job for `network`, filling thresholds and deadline from the network defaults. */
export function newJob (network: NetworkConfig, fields: NewJobFields): UnsignedJob {
  const job: UnsignedJob = {
    type: 'job',
    networkId: network.networkId,
    networkDigest: networkDigest(network),
    kind: fields.kind,
    submitter: fields.submitter,
    createdAt: fields.createdAt,
    deadline: fields.createdAt + (fields.voteMs ?? network.deadlines.voteMs),
    reference: [...fields.reference],
    candidate: [...fields.candidate],
    thresholds: { ...(fields.thresholds ?? network.thresholds) },
    nonce: fields.nonce
  }
  if (fields.profile !== undefined) job.profile = fields.profile
  if (fields.optimize !== undefined) job.optimize = { profile: fields.optimize.profile, ratio: fields.optimize.ratio }
  return job
}

/** Signs a job in the `job` domain of its network. */
export function signJob (job: UnsignedJob, privateKeyHex: string): JobAnnouncement {
  return signMessage('job', job.networkId, job, privateKeyHex)
}

/** The job id: sha256 (hex) of the canonical encoding of the announcement without its signature. */
export function jobIdOf (job: UnsignedJob | JobAnnouncement): string {
  const { signature: _ignored, ...body } = job as JobAnnouncement
  return sha256Hex(canonicalEncode(body))
}

/** Decodes a job announcement from untrusted bytes (`ERR_TOO_LARGE`, `ERR_MALFORMED`, `ERR_SCHEMA`). */
export function decodeJob (bytes: Uint8Array): JobAnnouncement {
  return decodeWith(jobSchema, bytes, MAX_MESSAGE_BYTES, 'job')
}

/** Throws `ERR_JOB_DEADLINE` unless a job's time from creation to its vote deadline lies within the network's bounds. */
export function checkVoteSpan (network: NetworkConfig, spanMs: number): void {
  if (spanMs < network.deadlines.minVoteMs || spanMs > network.deadlines.maxVoteMs) {
    throw new TrustEngineError(ERR_JOB_DEADLINE, `job deadline must lie ${network.deadlines.minVoteMs}-${network.deadlines.maxVoteMs} ms after its creation`, { details: { spanMs } })
  }
}

/**
 * Throws `ERR_JOB_THRESHOLDS` when `thresholds` are below the network's floor
 * (`minThresholds`) in some metric; `details.below` lists each such threshold
 * with the job's value and the floor's. A network without a floor takes any.
 */
export function checkThresholdFloor (network: NetworkConfig, thresholds: Thresholds): void {
  const below = belowFloor(network, thresholds)
  if (below.length > 0) {
    const which = below.map((b) => `${b.threshold} ${b.job} < ${b.floor}`).join(', ')
    throw new TrustEngineError(ERR_JOB_THRESHOLDS, `job thresholds below the network's minimum (${which})`, { details: { below } })
  }
}

/**
 * Every check of {@link verifyJob} but the signature: same network id and
 * network digest (`ERR_WRONG_NETWORK`), submitter is a validator
 * (`ERR_UNKNOWN_SIGNER`), deadline span within the network's bounds
 * (`ERR_JOB_DEADLINE`), created within the network file's validity window
 * (`ERR_JOB_VALIDITY`), thresholds at or above the network's floor
 * (`ERR_JOB_THRESHOLDS`). Certificates apply the same function.
 */
export function checkJobRules (job: UnsignedJob, network: NetworkConfig): void {
  if (job.networkId !== network.networkId || job.networkDigest !== networkDigest(network)) {
    throw new TrustEngineError(ERR_WRONG_NETWORK, 'job is for another network or network file')
  }
  if (!isValidator(network, job.submitter)) throw new TrustEngineError(ERR_UNKNOWN_SIGNER, 'job submitter is not a validator')
  checkVoteSpan(network, job.deadline - job.createdAt)
  if (!withinValidity(network, job.createdAt)) {
    throw new TrustEngineError(ERR_JOB_VALIDITY, 'job created outside the network file\'s validity window', { details: { createdAt: job.createdAt } })
  }
  checkThresholdFloor(network, job.thresholds)
}

/**
 * Checks a decoded job against the network: {@link checkJobRules}, then a
 * valid signature (`ERR_BAD_SIGNATURE`). Cheap checks come before the signature.
 */
export function verifyJob (job: JobAnnouncement, network: NetworkConfig): void {
  checkJobRules(job, network)
  if (!verifyMessage('job', network.networkId, job, job.submitter)) throw new TrustEngineError(ERR_BAD_SIGNATURE, 'job signature does not verify')
}

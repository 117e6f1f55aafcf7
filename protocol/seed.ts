/**
 * The sampling seed of a job, which neither its submitter nor any validator
 * can choose or predict before the job is fixed.
 *
 * Seed phase (docs/protocol.md, "The sampling seed"):
 * 1. On accepting a job, each validator gossips a **seed share**: its ECVRF
 *    proof (protocol/vrf/ecvrf.ts) over `seedAlpha(networkId, jobId)`. The
 *    VRF output is unique per key and input, so a validator cannot choose
 *    it, and nobody can compute it without the validator's secret key.
 * 2. The submitter gossips a **seed certificate**, signed in the `seed`
 *    domain: shares of validators holding MORE than 2/3 of the base weight.
 * 3. Every node checks every share and the weight, and derives the seed
 *    from the smallest VRF outputs holding more than 1/3 of the weight
 *    ({@link jobSeedOf}); it measures (and votes) with that seed. Votes name
 *    the seed; certificates carry the seed certificate, so a third party
 *    re-derives it.
 *
 * What the submitter keeps: it may omit shares holding less than 1/3 of the
 * weight, so it picks among a few seeds (for n equal validators with
 * f = ⌊(n−1)/3⌋, at most C(2f+1, f+1): 3 at n = 4, 35 at n = 10), and only
 * after the job is committed. Grinding nonces before announcing tells it
 * nothing: every seed it could end with hashes an honest validator's VRF
 * output, which it cannot evaluate. (Hashing only the single smallest output
 * would leave f + 1 choices, but the submitter could grind its OWN output to
 * be the smallest offline and so pick the seed outright.)
 */
import { z } from 'zod'
import { DOMAIN_PREFIX, MAX_MESSAGE_BYTES, MAX_SEED_CERTIFICATE_BYTES, MAX_VALIDATORS } from './constants.ts'
import { decodeWith } from './decode.ts'
import { TrustEngineError, declareCode } from './errors.ts'
import { networkIdSchema, publicKeySchema, sha256Schema, signatureSchema } from './fields.ts'
import { sha256Hex } from './hash.ts'
import { type JobAnnouncement, jobIdOf } from './job.ts'
import { type NetworkConfig, baseWeightOf, isValidator, networkDigest, totalBaseWeight } from './network.ts'
import { canonicalEncode } from './canonical.ts'
import { signMessage, verifyMessage } from './signing.ts'
import { vrfProve, vrfVerify } from './vrf/ecvrf.ts'

/** Code of a seed share that does not verify (`details.reason`: `network`, `unknown-validator`, `proof`). */
export const ERR_SEED_SHARE = declareCode('ERR_SEED_SHARE', { action: 'reject', status: 400 })
/**
 * Code of a seed certificate that does not fix a seed (`details.reason`:
 * `network`, `job`, `order`, `unknown-validator`, `proof`, `no-quorum`, `signature`).
 */
export const ERR_SEED_CERT = declareCode('ERR_SEED_CERT', { action: 'reject', status: 400 })

/** An ECVRF proof: 80 bytes as 160 lowercase hex characters. */
export const vrfProofSchema = z.string().regex(/^[0-9a-f]{160}$/)

/** Schema of a seed share: one validator's VRF proof for one job. */
export const seedShareSchema = z.strictObject({
  type: z.literal('seed-share'),
  networkId: networkIdSchema,
  jobId: sha256Schema,
  validator: publicKeySchema,
  proof: vrfProofSchema
})

/** A seed share. */
export type SeedShare = z.output<typeof seedShareSchema>

/** Schema of a seed certificate, signed by the job's submitter in the `seed` domain. */
export const seedCertificateSchema = z.strictObject({
  type: z.literal('seed-certificate'),
  networkId: networkIdSchema,
  jobId: sha256Schema,
  /** Shares sorted by validator key, strictly ascending. */
  shares: z.array(z.strictObject({ validator: publicKeySchema, proof: vrfProofSchema })).min(1).max(MAX_VALIDATORS),
  signature: signatureSchema
})

/** A seed certificate. */
export type SeedCertificate = z.output<typeof seedCertificateSchema>

const encoder = new TextEncoder()

/** The VRF input of a job's seed shares: `"trust-engine/v1/seed/" + networkId + "\n" + jobId` (the job id commits to the network digest). */
export function seedAlpha (networkId: string, jobId: string): Uint8Array {
  return encoder.encode(`${DOMAIN_PREFIX}seed/${networkId}\n${jobId}`)
}

/** This validator's seed share for `jobId`. */
export function makeSeedShare (network: NetworkConfig, jobId: string, key: { publicKey: string, privateKey: string }): SeedShare {
  return { type: 'seed-share', networkId: network.networkId, jobId, validator: key.publicKey, proof: vrfProve(key.privateKey, seedAlpha(network.networkId, jobId)) }
}

/** Decodes a seed share from untrusted bytes (`ERR_TOO_LARGE`, `ERR_MALFORMED`, `ERR_SCHEMA`). */
export function decodeSeedShare (bytes: Uint8Array): SeedShare {
  return decodeWith(seedShareSchema, bytes, MAX_MESSAGE_BYTES, 'seed share')
}

/** Bytes of one share in a seed certificate's canonical JSON, with its comma: `{"proof":"<160 hex>","validator":"<64 hex>"},` is 252. */
export const SEED_CERTIFICATE_SHARE_BYTES = 256

/** Bytes of a seed certificate besides its shares, at most: type, network id (up to 63 characters), job id, signature and punctuation, with room. */
export const SEED_CERTIFICATE_HEADER_BYTES = 1024

/**
 * The largest valid seed certificate of a network of `validators`
 * validators: one share each (a certificate holds more than 2/3 of the
 * weight, at most every validator's share) and the header; never below
 * the gossip limit of other messages ({@link MAX_MESSAGE_BYTES}) nor above
 * {@link MAX_SEED_CERTIFICATE_BYTES}. Gossip and catch-up size their bound
 * on seed messages by it, so a large network's certificates pass and a
 * small one's bound stays small.
 */
export function maxSeedCertificateBytes (validators: number): number {
  const bytes = SEED_CERTIFICATE_HEADER_BYTES + Math.max(0, Math.ceil(validators)) * SEED_CERTIFICATE_SHARE_BYTES
  return Math.min(MAX_SEED_CERTIFICATE_BYTES, Math.max(MAX_MESSAGE_BYTES, bytes))
}

/** Decodes a seed certificate from untrusted bytes (`ERR_TOO_LARGE`, `ERR_MALFORMED`, `ERR_SCHEMA`). */
export function decodeSeedCertificate (bytes: Uint8Array): SeedCertificate {
  return decodeWith(seedCertificateSchema, bytes, MAX_SEED_CERTIFICATE_BYTES, 'seed certificate')
}

/** Checks a share against the network and returns its VRF output (hex); throws `ERR_SEED_SHARE`. */
export function verifySeedShare (share: SeedShare, network: NetworkConfig): string {
  if (share.networkId !== network.networkId) throw shareError('network')
  if (!isValidator(network, share.validator)) throw shareError('unknown-validator')
  const beta = shareOutput(network.networkId, share.jobId, share.validator, share.proof)
  if (beta === null) throw shareError('proof')
  return beta
}

/**
 * The VRF output of one share (null when its proof does not verify),
 * remembered when valid: a node checks each share when it is gossiped and again inside
 * the job's seed certificate, and a proof costs a millisecond or so.
 */
function shareOutput (networkId: string, jobId: string, validator: string, proof: string): string | null {
  const key = `${networkId}\n${jobId}\n${validator}\n${proof}`
  const known = shareOutputs.get(key)
  if (known !== undefined) return known
  const beta = vrfVerify(validator, seedAlpha(networkId, jobId), proof)
  if (beta === null) return null
  if (shareOutputs.size >= SHARE_OUTPUT_LIMIT) shareOutputs.delete(shareOutputs.keys().next().value!)
  shareOutputs.set(key, beta)
  return beta
}

/** Bound on remembered share outputs: the shares of the last few dozen jobs of the largest network. */
const SHARE_OUTPUT_LIMIT = 16_384
const shareOutputs = new Map<string, string>()

/** One verified share's VRF output. */
export interface SeedOutput {
  validator: string
  /** The VRF output beta (128 lowercase hex characters). */
  beta: string
}

/**
 * The job seed from the VRF outputs of a seed certificate's shares: sort the
 * outputs ascending (ties cannot happen: outputs are unique per key), take the
 * shortest prefix whose base weight exceeds 1/3 of the network's, and hash
 * `jobId ‖ those outputs` (bytes) with sha256. The prefix holds the output of
 * at least one honest validator (the Byzantine hold less than 1/3), which no
 * one can know before the job id is fixed: that is what defeats grinding the
 * job's nonce offline. Throws `ERR_SEED_CERT` (`no-quorum`) when the outputs
 * hold no more than 1/3.
 */
export function jobSeedOf (network: NetworkConfig, jobId: string, outputs: readonly SeedOutput[]): string {
  const sorted = [...outputs].sort((a, b) => (a.beta < b.beta ? -1 : a.beta > b.beta ? 1 : 0))
  const total = totalBaseWeight(network)
  const parts: Buffer[] = [Buffer.from(jobId, 'hex')]
  let weight = 0
  for (const o of sorted) {
    parts.push(Buffer.from(o.beta, 'hex'))
    weight += baseWeightOf(network, o.validator)
    if (3 * weight > total) return sha256Hex(Buffer.concat(parts))
  }
  throw certError('no-quorum')
}

/**
 * Builds and signs the seed certificate of a job from verified shares (each
 * validator once; the rest are ignored). Throws `ERR_SEED_CERT` with reason
 * `no-quorum` while the shares hold no more than 2/3 of the base weight.
 */
export function buildSeedCertificate (network: NetworkConfig, jobId: string, shares: readonly SeedShare[], submitterPrivateKey: string): SeedCertificate {
  const byValidator = new Map<string, SeedShare>()
  for (const s of shares) if (s.jobId === jobId && s.networkId === network.networkId && !byValidator.has(s.validator)) byValidator.set(s.validator, s)
  const chosen = [...byValidator.values()].sort((a, b) => (a.validator < b.validator ? -1 : 1))
  let weight = 0
  for (const s of chosen) weight += baseWeightOf(network, s.validator)
  if (!(3 * weight > 2 * totalBaseWeight(network))) throw certError('no-quorum')
  return signMessage('seed', network.networkId, {
    type: 'seed-certificate' as const,
    networkId: network.networkId,
    jobId,
    shares: chosen.map((s) => ({ validator: s.validator, proof: s.proof }))
  }, submitterPrivateKey)
}

/** What a valid seed certificate fixes. */
export interface SeedVerification {
  /** The job's sampling seed (64 lowercase hex characters). */
  seed: string
  /** Base weight of the validators whose shares it holds. */
  weight: number
}

/**
 * Checks a seed certificate for `job` in `network` and returns the seed:
 * same network, the job's id, shares in ascending validator order, each by a
 * validator with a valid VRF proof, more than 2/3 of the base weight, signed
 * by the job's submitter. Throws `ERR_SEED_CERT` with the failed check in
 * `details.reason`. Cheap checks first; the VRF proofs cost about a
 * millisecond each, and a share already checked on its own is not checked again.
 */
export function verifySeedCertificate (cert: SeedCertificate, job: JobAnnouncement, network: NetworkConfig, jobId: string = jobIdOf(job)): SeedVerification {
  // A certificate is checked on intake and again in every job certificate: remember the verified ones by content.
  const memoKey = `${networkDigest(network)}/${jobId}/${job.submitter}/${sha256Hex(canonicalEncode(cert))}`
  const known = verified.get(memoKey)
  if (known !== undefined) return { ...known }
  const result = checkSeedCertificate(cert, job, network, jobId)
  if (verified.size >= VERIFIED_MEMO_LIMIT) verified.delete(verified.keys().next().value!)
  verified.set(memoKey, result)
  return { ...result }
}

/** Bound on the memo of verified seed certificates (the certificates of recent jobs). */
const VERIFIED_MEMO_LIMIT = 1024
const verified = new Map<string, SeedVerification>()

function checkSeedCertificate (cert: SeedCertificate, job: JobAnnouncement, network: NetworkConfig, jobId: string): SeedVerification {
  if (cert.networkId !== network.networkId) throw certError('network')
  if (cert.jobId !== jobId) throw certError('job')
  let previous = ''
  let weight = 0
  for (const s of cert.shares) {
    if (!(previous < s.validator)) throw certError('order')
    previous = s.validator
    if (!isValidator(network, s.validator)) throw certError('unknown-validator')
    weight += baseWeightOf(network, s.validator)
  }
  if (!(3 * weight > 2 * totalBaseWeight(network))) throw certError('no-quorum')
  if (!verifyMessage('seed', network.networkId, cert, job.submitter)) throw certError('signature')
  const outputs: SeedOutput[] = []
  for (const s of cert.shares) {
    const beta = shareOutput(network.networkId, jobId, s.validator, s.proof)
    if (beta === null) throw certError('proof')
    outputs.push({ validator: s.validator, beta })
  }
  return { seed: jobSeedOf(network, jobId, outputs), weight }
}

function shareError (reason: string): TrustEngineError {
  return new TrustEngineError(ERR_SEED_SHARE, `seed share does not verify: ${reason}`, { details: { reason } })
}

function certError (reason: string): TrustEngineError {
  return new TrustEngineError(ERR_SEED_CERT, `seed certificate does not fix a seed: ${reason}`, { details: { reason } })
}

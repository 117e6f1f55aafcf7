/**
 * The network file (`network.json`): who the validators are, with what base
 * weight, and the protocol parameters every node of one network must share.
 *
 * Nodes agree on a network by its digest ({@link networkDigest}), the sha256
 * of the canonical encoding of the parsed file with every default filled in;
 * certificates name that digest. Defaults come from the seed system (quality
 * thresholds, reputation rule) unless noted. One group has no default:
 * `minThresholds`, the floor of every job's thresholds, is absent (no floor)
 * unless the file gives it, so files written before it existed keep their
 * digest.
 */
import { z } from 'zod'
import { canonicalEncode } from './canonical.ts'
import { DEFAULT_MEASUREMENT_ENGINE, DEFAULT_OPTIMIZER, MAX_BASE_WEIGHT, MAX_NETWORK_FILE_BYTES, MAX_VALIDATORS, PROTOCOL_VERSION } from './constants.ts'
import { decodeJson, parseWith } from './decode.ts'
import { TrustEngineError, isTrustEngineError, declareCode } from './errors.ts'
import { epochMsSchema, networkIdSchema, publicKeySchema } from './fields.ts'
import { sha256Hex } from './hash.ts'
import { METRIC_NAMES, THRESHOLD_OF, type Thresholds, thresholdsSchema } from './metrics.ts'
import { ERR_WEAK_KEY, isStrongPublicKey } from './public-key.ts'

/** Code of a network file that is too large, not JSON, or violates the schema. */
export const ERR_NETWORK_INVALID = declareCode('ERR_NETWORK_INVALID', { status: 400 })

const unit = z.number().min(0).max(1)

/** Schema of one validator: a unique name, a unique public key and a positive integer base weight (like CometBFT voting power). */
export const validatorSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/),
  publicKey: publicKeySchema,
  weight: z.int().min(1).max(MAX_BASE_WEIGHT)
})

/** Schema of the network file; absent parameter groups and fields get the documented defaults (`minThresholds` stays absent). */
export const networkSchema = z.strictObject({
  networkId: networkIdSchema,
  protocolVersion: z.literal(PROTOCOL_VERSION),
  validators: z.array(validatorSchema).min(1).max(MAX_VALIDATORS),
  thresholds: z.strictObject({
    /** Seed: SSIM ≥ 0.98. */
    ssimMin: z.number().min(-1).max(1).default(0.98),
    /** Seed: PSNR ≥ 35 dB. */
    psnrMin: z.number().min(0).default(35),
    /**
     * Local SSIM ≥ 0.9 (not in the seed system): the low percentile of the
     * samples' worst tiles (node/measure/local-ssim.ts). Calibrated on
     * generated scenes with damage a person rejects and changes a person
     * accepts; the table is in docs/measurement.md.
     */
    ssimLocalMin: z.number().min(-1).max(1).default(0.9)
  }).prefault({}),
  /**
   * The floor of every job's thresholds (the protocol's minimum quality):
   * a job whose thresholds are below it in any metric is refused by
   * verifyJob (`ERR_JOB_THRESHOLDS`), so by every honest node and by
   * certificate verification, and a `validated` of this network means at
   * least this quality. All three fields when present. Optional with NO
   * default: a file without it means no floor and keeps the digest it had
   * before the floor existed. `network init` writes the default thresholds
   * here, so a job there may only be stricter than the defaults.
   */
  minThresholds: thresholdsSchema.optional(),
  tolerances: z.strictObject({
    /** Absolute; tight because honest nodes compute bit-identical numbers. */
    ssim: z.number().min(0).max(2).default(1e-9),
    /** Absolute, in dB; same reason. */
    psnr: z.number().min(0).default(1e-9),
    /** Absolute; same reason. */
    ssimLocal: z.number().min(0).max(2).default(1e-9)
  }).prefault({}),
  deadlines: z.strictObject({
    /** Time from a job's creation to its vote deadline: 30 s covers fetching and measuring a frame set on a LAN. */
    voteMs: z.int().min(1).default(30_000),
    /** Shortest deadline a job may ask for: below 1 s gossip alone can miss it. */
    minVoteMs: z.int().min(1).default(1_000),
    /** Longest deadline a job may ask for: one hour bounds how long a node keeps a job open. */
    maxVoteMs: z.int().min(1).default(3_600_000),
    /**
     * Largest difference between two honest nodes' clocks the protocol
     * tolerates: a job created up to this far in a node's future is taken
     * (further is IGNOREd as from the future), and a job is stale only this
     * long after its last round's deadline. One minute covers NTP-less hosts
     * drifting for days.
     */
    clockSkewMs: z.int().min(0).max(3_600_000).default(60_000)
  }).prefault({}).refine((d) => d.minVoteMs <= d.voteMs && d.voteMs <= d.maxVoteMs, { message: 'need minVoteMs ≤ voteMs ≤ maxVoteMs' }),
  /**
   * When this file is in force: jobs whose `createdAt` lies outside
   * [notBefore, notAfter) are refused by verifyJob, so by certificates too.
   * A validator set change is a new file; giving the old one a `notAfter`
   * keeps its retired keys from certifying new jobs.
   */
  validity: z.strictObject({
    /** First creation time (ms since the epoch) of a job under this file. */
    notBefore: epochMsSchema.default(0),
    /** End of validity (exclusive); null: open-ended. */
    notAfter: epochMsSchema.nullable().default(null)
  }).prefault({}).refine((v) => v.notAfter === null || v.notBefore < v.notAfter, { message: 'need notBefore < notAfter' }),
  /** The measurement engine every vote of this network is made with (see DEFAULT_MEASUREMENT_ENGINE). */
  measurement: z.strictObject({
    engine: z.string().regex(/^[a-z0-9][a-z0-9./_-]{0,63}$/).default(DEFAULT_MEASUREMENT_ENGINE),
    /** The optimizer every validator re-runs for a scene job the network optimizes (see DEFAULT_OPTIMIZER). */
    optimizer: z.string().regex(/^[a-z0-9][a-z0-9./_-]{0,63}$/).default(DEFAULT_OPTIMIZER)
  }).prefault({}),
  limits: z.strictObject({
    /**
     * Most decoded pixels of one job, summed over its reference and
     * candidate frames (frames jobs) as their PNG headers declare them, a
     * frame named several times on one side counted once (it is decoded once):
     * 2^26 (about 67 million) takes 32 frames of 1920 × 1080, and refuses a
     * pair of 8192 × 4880 frames, whose measurement holds gigabytes.
     */
    maxJobPixels: z.int().min(1).default(67_108_864),
    /**
     * Most triangles of one scene job, summed over reference and candidate
     * as their glTF accessors declare them. Rendering cost grows with
     * triangles × views (the views are fixed per round), so this bounds it:
     * 4 million takes a 1-million-triangle original with its candidate (the
     * largest scene of the benchmarks) with room to spare.
     */
    maxJobTriangles: z.int().min(1).default(4_000_000),
    /** Most vertices of one scene job (POSITION accessors, reference and candidate), for the same reason: 4 million. */
    maxJobVertices: z.int().min(1).default(4_000_000),
    /**
     * Most bytes of one job's distinct blobs, reference and candidate
     * together (a blob named several times counted once): 512 MiB. Every
     * node holds a job's blobs in memory while it checks and measures them,
     * so this bounds what one job costs a node however many blobs it names
     * (up to 256 a side of 64 MiB each otherwise). 512 MiB is twice the
     * frames `maxJobPixels` allows stored as 8-bit RGBA PNG without any
     * compression (4 bytes a pixel, 256 MiB at 2^26 pixels), so only a
     * 16-bit, uncompressed or padded job near the pixel limit meets it, and
     * a scene job's two largest blobs (2 × 64 MiB) fit four times over.
     * Measuring a job at the pixel limit holds about 1.5 GiB anyway
     * (docs/protocol.md, "limits"). A node's own blob budget
     * (`jobs.maxBlobBytesInMemory`, 256 MiB) bounds several jobs' bytes
     * together; a job larger than it is read only while nothing else is held.
     */
    maxJobBytes: z.int().min(1).default(536_870_912)
  }).prefault({}),
  reputation: z.strictObject({
    /** Seed: reputation starts at 1 (in [0, 1]). */
    initial: unit.default(1),
    /** Seed: +0.01 per agreement. */
    successDelta: unit.default(0.01),
    /** Seed: -0.05 per deviation. */
    failureDelta: unit.default(0.05),
    /** Seed: below 0.5 a validator is untrusted. */
    untrustedBelow: unit.default(0.5),
    /** Seed: the success rate counts after more than 10 verifications. */
    minVerificationsForRate: z.int().min(0).default(10),
    /** Seed: a success rate below 0.5 makes a validator untrusted. */
    minSuccessRate: unit.default(0.5)
  }).prefault({})
}).superRefine((n, ctx) => {
  // Default thresholds below the floor would make every job submitted with the defaults invalid.
  if (n.minThresholds !== undefined) {
    for (const metric of METRIC_NAMES) {
      const k = THRESHOLD_OF[metric]
      if (n.thresholds[k] < n.minThresholds[k]) ctx.addIssue({ code: 'custom', path: ['thresholds', k], message: `below minThresholds.${k} (${n.minThresholds[k]})` })
    }
  }
  const keys = new Set<string>()
  const names = new Set<string>()
  n.validators.forEach((v, i) => {
    if (keys.has(v.publicKey)) ctx.addIssue({ code: 'custom', path: ['validators', i, 'publicKey'], message: 'duplicate public key' })
    if (names.has(v.name)) ctx.addIssue({ code: 'custom', path: ['validators', i, 'name'], message: 'duplicate name' })
    keys.add(v.publicKey)
    names.add(v.name)
  })
})

/** A parsed network file with every default filled in. Treat as immutable (parseNetwork freezes it). */
export type NetworkConfig = z.output<typeof networkSchema>
/** A network file as written (parameter groups optional). */
export type NetworkInput = z.input<typeof networkSchema>
/** One validator of a network. */
export type Validator = NetworkConfig['validators'][number]

/**
 * Parses a network file from bytes (size check, UTF-8 JSON, schema) or from an
 * already-parsed object (schema only). Returns a deeply frozen config with
 * defaults filled in. Every failure is `ERR_NETWORK_INVALID`, with the step's
 * own code (`ERR_TOO_LARGE`, `ERR_MALFORMED`, `ERR_SCHEMA`, or `ERR_WEAK_KEY`
 * for a validator key that is small-order or not canonically encoded) in
 * `details.reason`.
 */
export function parseNetwork (input: Uint8Array | unknown): NetworkConfig {
  try {
    const value = input instanceof Uint8Array ? decodeJson(input, MAX_NETWORK_FILE_BYTES, 'network file') : input
    const network = parseWith(networkSchema, value, 'network file')
    for (const v of network.validators) {
      if (!isStrongPublicKey(v.publicKey)) {
        throw new TrustEngineError(ERR_WEAK_KEY, 'a validator key is not a canonical ed25519 point of large order', { details: { validator: v.name } })
      }
    }
    return deepFreeze(network)
  } catch (err) {
    if (isTrustEngineError(err)) {
      throw new TrustEngineError(ERR_NETWORK_INVALID, err.message, { cause: err, details: { reason: err.code, ...err.details } })
    }
    throw err
  }
}

/** sha256 (hex) of the canonical encoding of the parsed network: the network's identity in certificates. */
export function networkDigest (network: NetworkConfig): string {
  let digest = digestCache.get(network)
  if (digest === undefined) {
    digest = sha256Hex(canonicalEncode(network))
    if (Object.isFrozen(network)) digestCache.set(network, digest)
  }
  return digest
}

/** The validator with public key `publicKey`, or `undefined`. */
export function validatorByKey (network: NetworkConfig, publicKey: string): Validator | undefined {
  return indexOf(network).get(publicKey)
}

/** True when `publicKey` belongs to a validator of `network`. */
export function isValidator (network: NetworkConfig, publicKey: string): boolean {
  return indexOf(network).has(publicKey)
}

/** Base weight of the validator with key `publicKey`, 0 for a key outside the set. */
export function baseWeightOf (network: NetworkConfig, publicKey: string): number {
  return indexOf(network).get(publicKey)?.weight ?? 0
}

/** Sum of the base weights of all validators (an exact integer ≤ 1e9). */
export function totalBaseWeight (network: NetworkConfig): number {
  let total = 0
  for (const v of network.validators) total += v.weight
  return total
}

// Indexes are cached only for frozen configs (as parseNetwork returns), which cannot go stale.
const indexCache = new WeakMap<NetworkConfig, Map<string, Validator>>()
const digestCache = new WeakMap<NetworkConfig, string>()

function indexOf (network: NetworkConfig): Map<string, Validator> {
  let index = indexCache.get(network)
  if (index === undefined) {
    index = new Map(network.validators.map((v) => [v.publicKey, v]))
    if (Object.isFrozen(network) && Object.isFrozen(network.validators)) indexCache.set(network, index)
  }
  return index
}

function deepFreeze<T> (value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v)
    Object.freeze(value)
  }
  return value
}

/**
 * The thresholds of `thresholds` below the network's floor (`minThresholds`),
 * each with the job's value and the floor's; empty when the network has no
 * floor or every threshold meets it (equal meets it).
 */
export function belowFloor (network: NetworkConfig, thresholds: Thresholds): Array<{ threshold: keyof Thresholds, job: number, floor: number }> {
  const floor = network.minThresholds
  if (floor === undefined) return []
  return METRIC_NAMES.map((m) => THRESHOLD_OF[m])
    .filter((k) => !(thresholds[k] >= floor[k]))
    .map((k) => ({ threshold: k, job: thresholds[k], floor: floor[k] }))
}

/** True when a job created at `createdAt` (ms since the epoch) falls within the network file's validity window. */
export function withinValidity (network: NetworkConfig, createdAt: number): boolean {
  const { notBefore, notAfter } = network.validity
  return createdAt >= notBefore && (notAfter === null || createdAt < notAfter)
}

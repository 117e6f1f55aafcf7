/**
 * Votes (message type `vote`): one validator's measurement of one job in one
 * round, signed in the `vote` domain of its network.
 *
 * An honest validator signs exactly one vote per job and round; two different
 * signed votes for the same job and round are equivocation (see
 * `evidence.ts`). Metrics are in wire form (`"Infinity"` for an infinite
 * PSNR) so that the signature verifies over exactly what was signed.
 */
import { z } from 'zod'
import { MAX_MESSAGE_BYTES, MAX_ROUND, MAX_SAMPLES } from './constants.ts'
import { type Caveat, caveatsSchema, isCaveatsShape, normalizeCaveats } from './caveats.ts'
import { decodeSignedJson, decodeWith, parseWith } from './decode.ts'
import { TrustEngineError, declareCode } from './errors.ts'
import { HEX32_PATTERN, HEX64_PATTERN, NETWORK_ID_PATTERN, networkIdSchema, publicKeySchema, sha256Schema, signatureSchema } from './fields.ts'
import { ERR_UNKNOWN_SIGNER, ERR_WRONG_NETWORK } from './job.ts'
import {
  ERR_METRIC_RANGE, METRIC_NAMES, type MetricIntervals, type MetricName, type MetricNumbers, type MetricValue, type Metrics, checkMetrics, intervalsSchema,
  intervalsToWire, metricInRange, metricsFromWire, metricsSchema, metricsToWire
} from './metrics.ts'
import { type NetworkConfig, isValidator, networkDigest } from './network.ts'
import { ERR_BAD_SIGNATURE, signMessage, verifyMessage, verifySignedJson } from './signing.ts'

/** Pattern of a measurement engine name. */
const ENGINE_PATTERN = /^[a-z0-9][a-z0-9./_-]{0,63}$/

/** Schema of a signed vote (metric ranges are checked by {@link checkVoteMetrics}). */
export const voteSchema = z.strictObject({
  type: z.literal('vote'),
  networkId: networkIdSchema,
  /** `networkDigest` of the network file the vote was made under (signed, like the job's). */
  networkDigest: sha256Schema,
  /** The measurement engine the voter measured with: the network file's `measurement.engine`. */
  engine: z.string().regex(ENGINE_PATTERN),
  jobId: sha256Schema,
  /** The job's sampling seed the voter measured with (fixed by the job's seed certificate, see seed.ts). */
  seed: sha256Schema,
  /** 0 normally; a later grey-zone round may use 1 and up. */
  round: z.int().min(0).max(MAX_ROUND),
  voter: publicKeySchema,
  metrics: metricsSchema,
  /** Confidence interval `[lo, hi]` of each metric over the samples, clamped to the metric's range. */
  intervals: intervalsSchema,
  samples: z.int().min(1).max(MAX_SAMPLES),
  /** Extra checks; a failed check (false) is a vote for failure. */
  checks: z.strictObject({
    /** Scene jobs: the voter's own run of the optimization produced the announced candidate hash. */
    candidateHashMatches: z.boolean().optional()
  }).optional(),
  /**
   * What the measurement did not render (caveats.ts): sorted, distinct names
   * of a closed vocabulary; absent when there are none (frames jobs always).
   * Votes must agree on it (docs/protocol.md, "Caveats").
   */
  caveats: caveatsSchema.optional(),
  signature: signatureSchema
})

/** A signed vote. */
export type Vote = z.output<typeof voteSchema>
/** A vote before signing. */
export type UnsignedVote = Omit<Vote, 'signature'>
/** The checks a vote may carry. */
export type VoteChecks = NonNullable<Vote['checks']>

/** A vote's content in memory form, for {@link newVote}. */
export interface NewVoteFields {
  networkId: string
  networkDigest: string
  engine: string
  jobId: string
  seed: string
  round: number
  voter: string
  metrics: MetricNumbers
  intervals: MetricIntervals
  samples: number
  checks?: VoteChecks
  /** The measurement's caveats, in any order; an empty list leaves the field out. */
  caveats?: readonly Caveat[]
}

/** Builds an unsigned vote, converting metrics to wire form, omitting absent checks and an empty caveat list. */
export function newVote (fields: NewVoteFields): UnsignedVote {
  const vote: UnsignedVote = {
    type: 'vote',
    networkId: fields.networkId,
    networkDigest: fields.networkDigest,
    engine: fields.engine,
    jobId: fields.jobId,
    seed: fields.seed,
    round: fields.round,
    voter: fields.voter,
    metrics: metricsToWire(fields.metrics),
    intervals: intervalsToWire(fields.intervals),
    samples: fields.samples
  }
  if (fields.checks !== undefined) {
    const checks: VoteChecks = {}
    if (fields.checks.candidateHashMatches !== undefined) checks.candidateHashMatches = fields.checks.candidateHashMatches
    vote.checks = checks
  }
  const caveats = normalizeCaveats(fields.caveats ?? [])
  if (caveats.length > 0) vote.caveats = caveats
  return vote
}

/** Signs a vote in the `vote` domain of its network. */
export function signVote (vote: UnsignedVote, privateKeyHex: string): Vote {
  return signMessage('vote', vote.networkId, vote, privateKeyHex)
}

/**
 * Throws `ERR_METRIC_RANGE` unless the vote's metrics and interval bounds are
 * in range and each interval has lo ≤ hi. Returns the metrics as numbers.
 */
export function checkVoteMetrics (vote: UnsignedVote): MetricNumbers {
  const values = checkMetrics(vote.metrics, 'vote.metrics')
  const bound = (i: 0 | 1): Metrics => ({ ssim: vote.intervals.ssim[i], psnr: vote.intervals.psnr[i], ssimLocal: vote.intervals.ssimLocal[i] })
  const lo = checkMetrics(bound(0), 'vote.intervals lower bound')
  const hi = checkMetrics(bound(1), 'vote.intervals upper bound')
  for (const name of METRIC_NAMES) {
    if (!(lo[name] <= hi[name])) throw new TrustEngineError(ERR_METRIC_RANGE, `vote.intervals.${name} has lo > hi`, { details: { metric: name } })
  }
  return values
}

/**
 * Decodes a vote from untrusted bytes: size (`ERR_TOO_LARGE`), JSON
 * (`ERR_MALFORMED`), schema (`ERR_SCHEMA`), metric ranges (`ERR_METRIC_RANGE`).
 */
export function decodeVote (bytes: Uint8Array): Vote {
  const vote = decodeWith(voteSchema, bytes, MAX_MESSAGE_BYTES, 'vote')
  checkVoteMetrics(vote)
  return vote
}

/** Code of a vote made with another measurement engine than the network file pins. */
export const ERR_ENGINE_VERSION = declareCode('ERR_ENGINE_VERSION', { action: 'reject', status: 400 })

/**
 * Checks a decoded vote against the network: same network id and digest
 * (`ERR_WRONG_NETWORK`), the network's measurement engine
 * (`ERR_ENGINE_VERSION`), voter is a validator (`ERR_UNKNOWN_SIGNER`), valid
 * signature (`ERR_BAD_SIGNATURE`; weak keys never verify). Whether the job
 * is known, and the seed right, is the node's business, not the protocol's.
 */
export function verifyVote (vote: Vote, network: NetworkConfig): void {
  checkVoteNetwork(vote, network)
  if (!verifyMessage('vote', network.networkId, vote, vote.voter)) throw new TrustEngineError(ERR_BAD_SIGNATURE, 'vote signature does not verify')
}

/**
 * A vote as it arrives from the network, every check of the gossip path in
 * order: size (`ERR_TOO_LARGE`), JSON (`ERR_MALFORMED`), canonical encoding
 * (`ERR_NOT_CANONICAL`, before any signature is checked), schema
 * (`ERR_SCHEMA`), metric ranges (`ERR_METRIC_RANGE`), then everything
 * {@link verifyVote} checks. The same checks as the gossip gate,
 * {@link decodeVote} and {@link verifyVote} in turn, but the bytes are parsed
 * once and encoded once: the canonical text that proves the encoding is also
 * the text the signature is checked over.
 */
export function readVote (bytes: Uint8Array, network: NetworkConfig): Vote {
  const signed = decodeSignedJson(bytes, MAX_MESSAGE_BYTES, 'vote')
  const value = signed.value
  const vote = isVoteShape(value) ? value : parseWith(voteSchema, value, 'vote')
  if (!voteMetricsInRange(vote)) checkVoteMetrics(vote)
  checkVoteNetwork(vote, network)
  if (!verifySignedJson('vote', network.networkId, signed, vote.signature, vote.voter)) throw new TrustEngineError(ERR_BAD_SIGNATURE, 'vote signature does not verify')
  return vote
}

/**
 * The schema's fast path for a value JSON.parse made: true exactly for the
 * values {@link voteSchema} accepts (and, for those, zod's output is a copy
 * of the value), so a vote that passes here needs no zod parse and no copy;
 * a value that does not pass goes through the schema, whose answer and
 * error paths stand. What zod costs per vote (about 4 µs and 2 KB of
 * short-lived objects) is 5 % of a signature verification. It is a second
 * statement of the schema, so test/protocol/vote-shape.test.ts holds the two
 * together: over JSON values near a vote (every field, nested ones too,
 * removed, added or set to values at and around the schema's edges) both
 * accept and refuse the same values, and readVote gives the same outcome as
 * the gate, decodeVote and verifyVote in turn (test/protocol/vote.test.ts).
 */
export function isVoteShape (value: unknown): value is Vote {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const v = value as Record<string, unknown>
  let known = 12
  if (Object.hasOwn(v, 'checks')) {
    const checks = v.checks
    if (typeof checks !== 'object' || checks === null || Array.isArray(checks)) return false
    const keys = Object.keys(checks)
    if (keys.length > 1 || (keys.length === 1 && (keys[0] !== 'candidateHashMatches' || typeof (checks as VoteChecks).candidateHashMatches !== 'boolean'))) return false
    known++
  }
  if (Object.hasOwn(v, 'caveats')) {
    if (!isCaveatsShape(v.caveats)) return false
    known++
  }
  return Object.keys(v).length === known &&
    v.type === 'vote' &&
    isString(v.networkId, NETWORK_ID_PATTERN) && isString(v.networkDigest, HEX32_PATTERN) && isString(v.engine, ENGINE_PATTERN) &&
    isString(v.jobId, HEX32_PATTERN) && isString(v.seed, HEX32_PATTERN) && isString(v.voter, HEX32_PATTERN) && isString(v.signature, HEX64_PATTERN) &&
    isIntIn(v.round, 0, MAX_ROUND) && isIntIn(v.samples, 1, MAX_SAMPLES) &&
    isMetricsShape(v.metrics) && isIntervalsShape(v.intervals)
}

function isString (x: unknown, pattern: RegExp): boolean {
  return typeof x === 'string' && pattern.test(x)
}

function isIntIn (x: unknown, min: number, max: number): boolean {
  return typeof x === 'number' && Number.isInteger(x) && x >= min && x <= max
}

function isMetricValue (x: unknown): boolean {
  return typeof x === 'number' || x === 'Infinity'
}

/** Exactly the three metric names, each (via `each`) acceptable. */
function hasMetricKeys (x: unknown, each: (v: unknown) => boolean): boolean {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return false
  const m = x as Record<string, unknown>
  return Object.keys(m).length === 3 && Object.hasOwn(m, 'ssim') && Object.hasOwn(m, 'psnr') && Object.hasOwn(m, 'ssimLocal') &&
    each(m.ssim) && each(m.psnr) && each(m.ssimLocal)
}

function isMetricsShape (x: unknown): boolean {
  return hasMetricKeys(x, isMetricValue)
}

function isIntervalsShape (x: unknown): boolean {
  return hasMetricKeys(x, (i) => Array.isArray(i) && i.length === 2 && isMetricValue(i[0]) && isMetricValue(i[1]))
}

/**
 * True when {@link checkVoteMetrics} would pass, without building its
 * number objects; a vote for which this is false goes through
 * checkVoteMetrics, which throws with the failing metric.
 */
function voteMetricsInRange (vote: Vote): boolean {
  for (const name of METRIC_NAMES) {
    const [lo, hi] = vote.intervals[name]
    if (!metricValueInRange(name, vote.metrics[name]) || !metricValueInRange(name, lo) || !metricValueInRange(name, hi)) return false
    if (!((lo === 'Infinity' ? Infinity : lo) <= (hi === 'Infinity' ? Infinity : hi))) return false
  }
  return true
}

/** A wire metric value in its range: a finite number in range, or "Infinity" where infinity is in range (PSNR). */
function metricValueInRange (name: MetricName, v: MetricValue): boolean {
  if (typeof v === 'number') return Number.isFinite(v) && metricInRange(name, v)
  return metricInRange(name, Infinity)
}

/** The checks of {@link verifyVote} before the signature: network id and digest, engine, voter. */
function checkVoteNetwork (vote: Vote, network: NetworkConfig): void {
  if (vote.networkId !== network.networkId || vote.networkDigest !== networkDigest(network)) {
    throw new TrustEngineError(ERR_WRONG_NETWORK, 'vote is for another network or network file')
  }
  if (vote.engine !== network.measurement.engine) {
    throw new TrustEngineError(ERR_ENGINE_VERSION, 'vote made with another measurement engine', { details: { engine: vote.engine } })
  }
  if (!isValidator(network, vote.voter)) throw new TrustEngineError(ERR_UNKNOWN_SIGNER, 'voter is not a validator')
}

/** The metrics of a vote as numbers (`"Infinity"` → `Infinity`). */
export function voteMetrics (vote: { metrics: Metrics }): MetricNumbers {
  return metricsFromWire(vote.metrics)
}

/**
 * Shared test fixtures for the protocol: deterministic validator keys (seeds
 * derived by sha256 from a label, so every run signs the same bytes), a
 * network, jobs and signed votes.
 */
import type { Caveat } from '../../protocol/caveats.ts'
import { sha256Hex } from '../../protocol/hash.ts'
import { type JobAnnouncement, newJob, signJob, jobIdOf } from '../../protocol/job.ts'
import type { MetricNumbers } from '../../protocol/metrics.ts'
import { ERR_NETWORK_INVALID, type NetworkConfig, type NetworkInput, parseNetwork } from '../../protocol/network.ts'
import { isTrustEngineError } from '../../protocol/errors.ts'
import { type KeyPairHex, publicKeyOf } from '../../protocol/signing.ts'
import { type Vote, type VoteChecks, newVote, signVote } from '../../protocol/vote.ts'
import { type SeedCertificate, buildSeedCertificate, makeSeedShare, verifySeedCertificate } from '../../protocol/seed.ts'
import { networkDigest } from '../../protocol/network.ts'

/** A deterministic key pair derived from `label`. */
export function keyPair (label: string): KeyPairHex {
  const privateKey = sha256Hex(`test key ${label}`)
  return { privateKey, publicKey: publicKeyOf(privateKey) }
}

/** A test network of validators `v0..v{n-1}` with the given base weights, plus their keys in the same order. */
export function makeNetwork (weights: number[], overrides: Partial<NetworkInput> = {}, networkId = 'testnet'): { network: NetworkConfig, keys: KeyPairHex[] } {
  const keys = weights.map((_, i) => keyPair(`${networkId}/v${i}`))
  const network = parseNetwork({
    networkId,
    protocolVersion: 1,
    validators: weights.map((weight, i) => ({ name: `v${i}`, publicKey: keys[i]!.publicKey, weight })),
    ...overrides
  })
  return { network, keys }
}

/** Fixed creation time of test jobs (ms since the epoch). */
export const T0 = 1_700_000_000_000

/** A signed frames job with two frame pairs, submitted by `submitter`. */
export function makeJob (network: NetworkConfig, submitter: KeyPairHex, nonce = '00112233445566778899aabbccddeeff'): JobAnnouncement {
  return signJob(newJob(network, {
    kind: 'frames',
    submitter: submitter.publicKey,
    createdAt: T0,
    reference: [sha256Hex('ref-0'), sha256Hex('ref-1')],
    candidate: [sha256Hex('cand-0'), sha256Hex('cand-1')],
    nonce
  }), submitter.privateKey)
}

/** Metric values for {@link makeVote}: local SSIM defaults to the SSIM value when left out. */
export type TestMetrics = Omit<MetricNumbers, 'ssimLocal'> & { ssimLocal?: number }

const seedCerts = new Map<string, SeedCertificate>()

/**
 * The seed certificate of `job` made from every key's share, signed by the
 * job's submitter (one of `keys`); memoized, VRF proofs cost milliseconds.
 */
export function seedCertificateFor (network: NetworkConfig, job: JobAnnouncement, keys: readonly KeyPairHex[]): SeedCertificate {
  const jobId = jobIdOf(job)
  const memoKey = `${networkDigest(network)}/${jobId}`
  let cert = seedCerts.get(memoKey)
  if (cert === undefined) {
    const submitter = keys.find((k) => k.publicKey === job.submitter)
    if (submitter === undefined) throw new Error('seedCertificateFor: the submitter is not among the keys')
    const shares = keys.filter((k) => network.validators.some((v) => v.publicKey === k.publicKey)).map((k) => makeSeedShare(network, jobId, k))
    cert = buildSeedCertificate(network, jobId, shares, submitter.privateKey)
    seedCerts.set(memoKey, cert)
  }
  return cert
}

/** The sampling seed of `job` (from {@link seedCertificateFor}). */
export function seedFor (network: NetworkConfig, job: JobAnnouncement, keys: readonly KeyPairHex[]): string {
  return verifySeedCertificate(seedCertificateFor(network, job, keys), job, network).seed
}

/** A seed for votes on a job known only by id (tests that never build a certificate). */
export const SOME_SEED = sha256Hex('some seed')

/** The keys of a network made by {@link makeNetwork} (derived again from its id), or null for another network. */
export function networkKeys (network: NetworkConfig): KeyPairHex[] | null {
  const keys = network.validators.map((_, i) => keyPair(`${network.networkId}/v${i}`))
  return keys.every((k, i) => k.publicKey === network.validators[i]!.publicKey) ? keys : null
}

/** The seed certificate of a job of a {@link makeNetwork} network, from all validators' shares. */
export function seedCertOf (network: NetworkConfig, job: JobAnnouncement): SeedCertificate {
  const keys = networkKeys(network)
  if (keys === null) throw new Error('seedCertOf: not a makeNetwork network')
  return seedCertificateFor(network, job, keys)
}

function defaultSeed (network: NetworkConfig, job: JobAnnouncement | string): string {
  if (typeof job === 'string') return SOME_SEED
  const keys = networkKeys(network)
  return keys !== null && keys.some((k) => k.publicKey === job.submitter) ? seedFor(network, job, keys) : SOME_SEED
}

/**
 * A signed vote on `job` by `voter` with the given metric values; its seed
 * is `options.seed`, else the job's seed when `job` is an announcement of a
 * {@link makeNetwork} network, else {@link SOME_SEED}.
 */
export function makeVote (network: NetworkConfig, job: JobAnnouncement | string, voter: KeyPairHex, given: TestMetrics, options: { round?: number, checks?: VoteChecks, caveats?: Caveat[], samples?: number, seed?: string, intervals?: { ssim: [number, number], psnr: [number, number], ssimLocal?: [number, number] } } = {}): Vote {
  const jobId = typeof job === 'string' ? job : jobIdOf(job)
  const metrics: MetricNumbers = { ssim: given.ssim, psnr: given.psnr, ssimLocal: given.ssimLocal ?? given.ssim }
  return signVote(newVote({
    networkId: network.networkId,
    networkDigest: networkDigest(network),
    engine: network.measurement.engine,
    seed: options.seed ?? defaultSeed(network, job),
    jobId,
    round: options.round ?? 0,
    voter: voter.publicKey,
    metrics,
    intervals: options.intervals === undefined
      ? { ssim: [metrics.ssim, metrics.ssim], psnr: [metrics.psnr, metrics.psnr], ssimLocal: [metrics.ssimLocal, metrics.ssimLocal] }
      : { ...options.intervals, ssimLocal: options.intervals.ssimLocal ?? [metrics.ssimLocal, metrics.ssimLocal] },
    samples: options.samples ?? 2,
    ...(options.checks === undefined ? {} : { checks: options.checks }),
    ...(options.caveats === undefined ? {} : { caveats: options.caveats })
  }), voter.privateKey)
}

/** Encodes a message as the UTF-8 JSON bytes a peer would send. */
export function wire (value: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value))
}

/** Honest measurement used across tests: passes the seed thresholds (SSIM 0.98, PSNR 35). */
export const GOOD: MetricNumbers = { ssim: 0.9912345678, psnr: 41.25, ssimLocal: 0.951234 }
/** A measurement that fails the SSIM threshold. */
export const BAD: MetricNumbers = { ssim: 0.91, psnr: 29.5, ssimLocal: 0.62 }

/** Why `parseNetwork` refuses `input` (the `reason` of its `ERR_NETWORK_INVALID`: `ERR_SCHEMA`, `ERR_MALFORMED`, ...), or undefined when it parses. */
export function networkRefusal (input: unknown): string | undefined {
  try {
    parseNetwork(input as NetworkInput)
  } catch (err) {
    if (isTrustEngineError(err, ERR_NETWORK_INVALID)) return String(err.details?.reason)
    throw err
  }
  return undefined
}

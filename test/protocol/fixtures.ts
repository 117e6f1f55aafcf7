/**
 * Shared test fixtures for the protocol: deterministic validator keys (seeds
 * derived by sha256 from a label, so every run signs the same bytes), a
 * network, jobs and signed votes.
 */
import { sha256Hex } from '../../protocol/hash.ts'
import { type JobAnnouncement, newJob, signJob, jobIdOf } from '../../protocol/job.ts'
import type { MetricNumbers } from '../../protocol/metrics.ts'
import { type NetworkConfig, type NetworkInput, parseNetwork } from '../../protocol/network.ts'
import { type KeyPairHex, publicKeyOf } from '../../protocol/signing.ts'
import { type Vote, type VoteChecks, newVote, signVote } from '../../protocol/vote.ts'

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

/** A signed vote on `job` by `voter` with the given metric values (local SSIM = SSIM unless given). */
export function makeVote (network: NetworkConfig, job: JobAnnouncement | string, voter: KeyPairHex, given: TestMetrics, options: { round?: number, checks?: VoteChecks, samples?: number } = {}): Vote {
  const jobId = typeof job === 'string' ? job : jobIdOf(job)
  const metrics: MetricNumbers = { ssim: given.ssim, psnr: given.psnr, ssimLocal: given.ssimLocal ?? given.ssim }
  return signVote(newVote({
    networkId: network.networkId,
    jobId,
    round: options.round ?? 0,
    voter: voter.publicKey,
    metrics,
    intervals: { ssim: [metrics.ssim, metrics.ssim], psnr: [metrics.psnr, metrics.psnr], ssimLocal: [metrics.ssimLocal, metrics.ssimLocal] },
    samples: options.samples ?? 2,
    ...(options.checks === undefined ? {} : { checks: options.checks })
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

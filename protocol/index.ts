/**
 * Trust Engine protocol: the pure rules every node must agree on.
 *
 * Wire messages (job, vote, evidence, certificate) with their zod schemas and
 * three-step decoders (size, JSON, schema), the network file, canonical JSON,
 * sha256, domain-separated ed25519 signatures, the consensus rule (weighted
 * median, quorum over effective and base weight), the reputation rule,
 * equivocation evidence and certificate verification.
 *
 * Pure: no network, no disk, no clock, no randomness except key generation.
 * A third party can import this module alone to check a certificate:
 *
 * ```ts
 * import { parseNetwork, decodeCertificate, verifyCertificate } from './protocol/index.ts'
 * const result = verifyCertificate(decodeCertificate(certBytes), parseNetwork(networkBytes))
 * if (!result.ok) console.error(result.code)
 * ```
 *
 * See docs/protocol.md for the rules and their safety argument.
 */
export * from './constants.ts'
export * from './errors.ts'
export * from './canonical.ts'
export * from './hash.ts'
export * from './signing.ts'
export * from './public-key.ts'
export * from './decode.ts'
export * from './fields.ts'
export * from './metrics.ts'
export * from './network.ts'
export * from './job.ts'
export * from './caveats.ts'
export * from './vote.ts'
export * from './evidence.ts'
export * from './vrf/ecvrf.ts'
export * from './seed.ts'
export * from './certificate.ts'
export * from './certificate-verify.ts'
export * from './consensus/weighted-median.ts'
export * from './consensus/reputation.ts'
export * from './consensus/weights.ts'
export * from './consensus/agreement.ts'
export * from './consensus/tally.ts'
export * from './consensus/job-tally.ts'
export * from './consensus/grey-zone.ts'

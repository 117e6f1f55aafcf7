/**
 * Certificates (type `certificate`): the self-contained proof that a job was
 * decided. A certificate carries the signed job, the consensus values and
 * the signed agreeing votes; a third party holding the network file checks it
 * with {@link verifyCertificate} (certificate-verify.ts) without trusting the
 * node that built it. The certificate itself is not signed: its votes are.
 */
import { z } from 'zod'
import { MAX_CERTIFICATE_BYTES, MAX_MESSAGE_BYTES, MAX_ROUND, MAX_VALIDATORS } from './constants.ts'
import { caveatsSchema } from './caveats.ts'
import { decodeWith } from './decode.ts'
import { TrustEngineError, declareCode } from './errors.ts'
import { networkIdSchema, sha256Schema } from './fields.ts'
import { type JobAnnouncement, jobSchema } from './job.ts'
import { checkMetrics, metricsSchema } from './metrics.ts'
import { type NetworkConfig, baseWeightOf, networkDigest } from './network.ts'
import type { Tally } from './consensus/tally.ts'
import { type Vote, checkVoteMetrics, voteSchema } from './vote.ts'
import { type SeedCertificate, maxSeedCertificateBytes, seedCertificateSchema } from './seed.ts'

/** Code of an attempt to build a certificate from a tally that is not final. */
export const ERR_NOT_FINAL = declareCode('ERR_NOT_FINAL', { status: 409 })

/** Schema of a certificate (metric ranges checked by {@link decodeCertificate} and the verifier). */
export const certificateSchema = z.strictObject({
  type: z.literal('certificate'),
  networkId: networkIdSchema,
  /** `networkDigest` of the network file the votes were counted under. */
  networkDigest: sha256Schema,
  job: jobSchema,
  jobId: sha256Schema,
  round: z.int().min(0).max(MAX_ROUND),
  status: z.enum(['validated', 'rejected']),
  /** Consensus values (wire form). */
  values: metricsSchema,
  /** Consensus checks, present only when some vote reported a check. */
  checks: z.strictObject({ candidateHashMatches: z.boolean().optional() }).optional(),
  /**
   * Consensus caveats (caveats.ts): what the measurement did not render,
   * the list every vote carries; absent when there are none (frames jobs
   * always). The verdict holds for what the engine shows.
   */
  caveats: caveatsSchema.optional(),
  /** The job's seed certificate: a third party re-derives the sampling seed every vote names. */
  seedCertificate: seedCertificateSchema,
  /** The agreeing votes, sorted by voter key (strictly ascending). */
  votes: z.array(voteSchema).min(1).max(MAX_VALIDATORS)
})

/** A certificate. */
export type Certificate = z.output<typeof certificateSchema>

/**
 * Bytes one vote of a certificate takes at most in its canonical encoding:
 * every field of the vote schema at its longest (hex ids, 63-character
 * network id and engine, metrics and intervals in shortest round-trip form,
 * every caveat) stays under 2 KiB; twice that for margin.
 */
export const MAX_CERTIFICATE_VOTE_BYTES = 4 * 1024

/**
 * The most bytes a genuine certificate of `network` can take: its signed job
 * (a gossip message), its seed certificate (`maxSeedCertificateBytes`), one
 * vote per validator and its own fields; never above MAX_CERTIFICATE_BYTES.
 * A node catching up refuses a larger one before decoding it: decoding a
 * 2 MiB certificate costs tens of milliseconds of the event loop, and a
 * peer could serve a thousand of them in one catch-up.
 */
export function maxCertificateBytesFor (network: NetworkConfig): number {
  const n = network.validators.length
  return Math.min(MAX_CERTIFICATE_BYTES, MAX_MESSAGE_BYTES + maxSeedCertificateBytes(n) + n * MAX_CERTIFICATE_VOTE_BYTES + 8 * 1024)
}

/**
 * The consensus check `candidateHashMatches` of a certificate's votes, by
 * BASE weight (a third party cannot recompute effective weights): false
 * when the votes reporting it failed hold at least half of the votes' base
 * weight (a tie fails, as in the tally), true otherwise; a vote without the
 * check counts as passing. More than half of any quorum's base weight is
 * honest and honest votes are identical, so this is the honest check.
 * `null` when no vote reports the check.
 */
export function certificateHashCheck (network: NetworkConfig, votes: readonly Vote[]): boolean | null {
  let reported = false
  let failed = 0
  let total = 0
  for (const v of votes) {
    const w = baseWeightOf(network, v.voter)
    total += w
    if (v.checks?.candidateHashMatches !== undefined) reported = true
    if (v.checks?.candidateHashMatches === false) failed += w
  }
  if (!reported) return null
  return !(2 * failed >= total)
}

/**
 * Builds the certificate of a final tally: the agreeing votes among `votes`,
 * sorted by voter, with the job's seed certificate and the tally's caveats. Throws `ERR_NOT_FINAL`
 * for a tally that is not final. Deterministic: the same tally, votes and
 * seed certificate give the same canonical bytes.
 */
export function buildCertificate (network: NetworkConfig, job: JobAnnouncement, t: Tally, votes: readonly Vote[], seedCertificate: SeedCertificate): Certificate {
  if (!t.final || t.values === null || t.round === null || (t.status !== 'validated' && t.status !== 'rejected')) {
    throw new TrustEngineError(ERR_NOT_FINAL, 'only a final tally gives a certificate')
  }
  const agreeing = new Set(t.agreeing)
  const chosen = votes.filter((v) => agreeing.has(v.voter) && v.jobId === t.jobId && v.round === t.round)
  chosen.sort((a, b) => (a.voter < b.voter ? -1 : a.voter > b.voter ? 1 : 0))
  const cert: Certificate = {
    type: 'certificate',
    networkId: network.networkId,
    networkDigest: networkDigest(network),
    job,
    jobId: t.jobId,
    round: t.round,
    status: t.status,
    values: { ...t.values },
    seedCertificate,
    votes: chosen
  }
  // The checks come from the certificate's own votes (certificateHashCheck), so a verifier can recompute them;
  // they give the same verdict as the tally's: when the values pass, every agreeing vote passes its checks.
  const hashCheck = certificateHashCheck(network, chosen)
  if (hashCheck !== null) cert.checks = { candidateHashMatches: hashCheck }
  if (t.caveats !== null && t.caveats.length > 0) cert.caveats = [...t.caveats]
  return cert
}

/**
 * Decodes a certificate from untrusted bytes: size (`ERR_TOO_LARGE`), JSON
 * (`ERR_MALFORMED`), schema (`ERR_SCHEMA`), metric ranges
 * (`ERR_METRIC_RANGE`). Decoding does not verify; call `verifyCertificate`.
 */
export function decodeCertificate (bytes: Uint8Array): Certificate {
  const cert = decodeWith(certificateSchema, bytes, MAX_CERTIFICATE_BYTES, 'certificate')
  checkMetrics(cert.values, 'certificate.values')
  for (const v of cert.votes) checkVoteMetrics(v)
  return cert
}

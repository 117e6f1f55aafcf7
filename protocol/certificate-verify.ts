/**
 * Third-party verification of a certificate against a network file.
 *
 * Needs nothing but this module, the certificate and the network file: no
 * reputation view, no clock, no peer. The checks (cheap ones first, signatures
 * and VRF proofs last but one):
 * 1. schema and metric ranges (`ERR_SCHEMA`, `ERR_METRIC_RANGE`);
 * 2. certificate, job and votes are for this network and network digest, votes for its measurement engine (`ERR_CERT_NETWORK`);
 * 3. every rule verifyJob applies to the job but its signature (checkJobRules: `ERR_WRONG_NETWORK`,
 *    `ERR_UNKNOWN_SIGNER`, `ERR_JOB_DEADLINE`, `ERR_JOB_VALIDITY`, `ERR_JOB_THRESHOLDS` for thresholds
 *    below the network's floor, so a `validated` certificate means at least the network's minimum quality);
 * 4. the job id is the job's, every vote for that job id and the certificate's round (`ERR_CERT_JOB`);
 * 5. every voter is a validator (`ERR_CERT_UNKNOWN_VOTER`), appears once (`ERR_CERT_DUPLICATE_VOTER`), in ascending key order (`ERR_CERT_ORDER`);
 * 6. every vote carries the same caveats (`ERR_CERT_DISAGREES`), and they are the certificate's (`ERR_CERT_CAVEATS`);
 *    every vote agrees with the certificate's values within tolerance and has the same verdict (`ERR_CERT_DISAGREES`);
 * 7. the voters' BASE weight is more than 2/3 of the network's (`ERR_CERT_NO_QUORUM`);
 * 8. the round may decide: round 0 only when its votes' consensus interval keeps every threshold
 *    outside (the grey-zone rule, recomputed from the votes), round 1 otherwise, no later round (`ERR_CERT_ROUND_NOT_FINAL`);
 * 9. the job's and every vote's signature verifies in this network (`ERR_CERT_SIGNATURE`);
 * 10. the seed certificate verifies for the job and every vote names its seed (`ERR_CERT_SEED`);
 * 11. the checks are what the votes report, by base weight (`ERR_CERT_CHECKS`; a vote or certificate without a check passes it);
 * 12. the status is what the job's thresholds give on the values and checks (`ERR_CERT_STATUS`).
 *
 * Together with quorum intersection, 8 makes the verdict unique across rounds:
 * for one job, certificates of at most one round verify, and within a round
 * all of them carry the honest verdict.
 */
import { type Caveat, caveatsOf, sameCaveats } from './caveats.ts'
import { agreesWithConsensus, verdictOf } from './consensus/agreement.ts'
import { MAX_GREY_ZONE_ROUND, greyZoneOfVotes } from './consensus/grey-zone.ts'
import { isTrustEngineError, declareCode } from './errors.ts'
import { parseWith } from './decode.ts'
import { checkJobRules, jobIdOf } from './job.ts'
import { ERR_SEED_CERT, verifySeedCertificate } from './seed.ts'
import { checkMetrics } from './metrics.ts'
import { type NetworkConfig, baseWeightOf, isValidator, networkDigest, totalBaseWeight } from './network.ts'
import { verifyMessage } from './signing.ts'
import { type Certificate, certificateHashCheck, certificateSchema } from './certificate.ts'
import { checkVoteMetrics, voteMetrics } from './vote.ts'

/** Code: certificate, job or a vote is for another network or network digest. */
export const ERR_CERT_NETWORK = declareCode('ERR_CERT_NETWORK', { status: 422 })
/** Code: job id does not match the job, the submitter is not a validator, or a vote is for another job or round. */
export const ERR_CERT_JOB = declareCode('ERR_CERT_JOB', { action: 'reject', status: 422 })
/** Code: the job's or a vote's signature does not verify. */
export const ERR_CERT_SIGNATURE = declareCode('ERR_CERT_SIGNATURE', { action: 'reject', status: 422 })
/** Code: a vote's voter is not a validator. */
export const ERR_CERT_UNKNOWN_VOTER = declareCode('ERR_CERT_UNKNOWN_VOTER', { action: 'reject', status: 422 })
/** Code: two votes by one voter. */
export const ERR_CERT_DUPLICATE_VOTER = declareCode('ERR_CERT_DUPLICATE_VOTER', { action: 'reject', status: 422 })
/** Code: votes not in ascending voter-key order (the canonical form). */
export const ERR_CERT_ORDER = declareCode('ERR_CERT_ORDER', { action: 'reject', status: 422 })
/** Code: a vote does not agree with the certificate's values. */
export const ERR_CERT_DISAGREES = declareCode('ERR_CERT_DISAGREES', { action: 'reject', status: 422 })
/** Code: the certificate's caveats are not the caveats its votes carry. */
export const ERR_CERT_CAVEATS = declareCode('ERR_CERT_CAVEATS', { action: 'reject', status: 422 })
/** Code: the certificate's checks are not what its votes report (by base weight: `certificateHashCheck`). */
export const ERR_CERT_CHECKS = declareCode('ERR_CERT_CHECKS', { action: 'reject', status: 422 })
/** Code: the votes' base weight is not more than 2/3 of the network's. */
export const ERR_CERT_NO_QUORUM = declareCode('ERR_CERT_NO_QUORUM', { action: 'reject', status: 422 })
/** Code: the status is not what the thresholds give on the values. */
export const ERR_CERT_STATUS = declareCode('ERR_CERT_STATUS', { action: 'reject', status: 422 })
/** Code: the certificate's round may not decide the job (round 0 was in the grey zone, or no such round exists). */
export const ERR_CERT_ROUND_NOT_FINAL = declareCode('ERR_CERT_ROUND_NOT_FINAL', { action: 'reject', status: 422 })
/** Code: the seed certificate does not verify for the job, or a vote names another seed (`details.reason`). */
export const ERR_CERT_SEED = declareCode('ERR_CERT_SEED', { action: 'reject', status: 422 })

/** Result of {@link verifyCertificate}: never throws, so one bad certificate cannot crash a verifier. */
export type CertificateVerification =
  | { ok: true, jobId: string, round: number, status: 'validated' | 'rejected', seed: string, signedBaseWeight: number, totalBaseWeight: number, caveats: Caveat[] }
  | { ok: false, code: string, message: string, details?: Record<string, unknown> }

/** Verifies `cert` against `network` (see the module comment for the checks and codes). */
export function verifyCertificate (cert: Certificate, network: NetworkConfig): CertificateVerification {
  try {
    return check(cert, network)
  } catch (err) {
    if (isTrustEngineError(err)) return fail(err.code, err.message, err.details)
    throw err
  }
}

function check (input: Certificate, network: NetworkConfig): CertificateVerification {
  const cert = parseWith(certificateSchema, input, 'certificate')
  const values = checkMetrics(cert.values, 'certificate.values')
  for (const v of cert.votes) checkVoteMetrics(v)

  const id = network.networkId
  const digest = networkDigest(network)
  if (cert.networkId !== id || cert.networkDigest !== digest || cert.job.networkId !== id || cert.job.networkDigest !== digest) {
    return fail(ERR_CERT_NETWORK, 'certificate is for another network')
  }
  if (cert.votes.some((v) => v.networkId !== id || v.networkDigest !== digest || v.engine !== network.measurement.engine)) {
    return fail(ERR_CERT_NETWORK, 'a vote is for another network or measurement engine')
  }
  checkJobRules(cert.job, network)
  if (jobIdOf(cert.job) !== cert.jobId) return fail(ERR_CERT_JOB, 'job id does not match the job')
  if (!isValidator(network, cert.job.submitter)) return fail(ERR_CERT_JOB, 'job submitter is not a validator')

  // The caveats are recomputed from the signed votes: they must all carry one list, and the certificate must name it.
  const caveats = caveatsOf(cert.votes[0]!)
  if (cert.votes.some((v) => !sameCaveats(caveatsOf(v), caveats))) return fail(ERR_CERT_DISAGREES, 'votes carry different caveats')
  if (!sameCaveats(caveatsOf(cert), caveats)) return fail(ERR_CERT_CAVEATS, 'the certificate\'s caveats are not its votes\'')
  const consensus = { values, checks: cert.checks, caveats }
  const seen = new Set<string>()
  let previous = ''
  let signed = 0
  for (const vote of cert.votes) {
    if (vote.jobId !== cert.jobId || vote.round !== cert.round) return fail(ERR_CERT_JOB, 'a vote is for another job or round')
    if (!isValidator(network, vote.voter)) return fail(ERR_CERT_UNKNOWN_VOTER, 'a voter is not a validator')
    if (seen.has(vote.voter)) return fail(ERR_CERT_DUPLICATE_VOTER, 'two votes by one voter')
    if (!(previous < vote.voter)) return fail(ERR_CERT_ORDER, 'votes are not sorted by voter')
    seen.add(vote.voter)
    previous = vote.voter
    if (!agreesWithConsensus({ values: voteMetrics(vote), checks: vote.checks, caveats: caveatsOf(vote) }, consensus, cert.job.thresholds, network.tolerances)) {
      return fail(ERR_CERT_DISAGREES, 'a vote does not agree with the certificate values')
    }
    signed += baseWeightOf(network, vote.voter)
  }
  const total = totalBaseWeight(network)
  if (!(3 * signed > 2 * total)) return fail(ERR_CERT_NO_QUORUM, 'signers hold no more than 2/3 of the base weight')
  if (cert.round > MAX_GREY_ZONE_ROUND) return fail(ERR_CERT_ROUND_NOT_FINAL, 'no round after the grey-zone round exists')
  if (cert.round < MAX_GREY_ZONE_ROUND && greyZoneOfVotes(cert.votes, network, cert.job.thresholds).grey) {
    return fail(ERR_CERT_ROUND_NOT_FINAL, 'round 0 ended in the grey zone: only the grey-zone round decides')
  }

  if (!verifyMessage('job', id, cert.job, cert.job.submitter)) return fail(ERR_CERT_SIGNATURE, 'job signature does not verify')
  for (const vote of cert.votes) {
    if (!verifyMessage('vote', id, vote, vote.voter)) return fail(ERR_CERT_SIGNATURE, 'a vote signature does not verify')
  }

  let seed: string
  try {
    seed = verifySeedCertificate(cert.seedCertificate, cert.job, network, cert.jobId).seed
  } catch (err) {
    if (isTrustEngineError(err, ERR_SEED_CERT)) return fail(ERR_CERT_SEED, err.message, err.details)
    throw err
  }
  if (cert.votes.some((v) => v.seed !== seed)) return fail(ERR_CERT_SEED, 'a vote names another seed', { reason: 'vote-seed' })

  // The certificate's checks are not signed by anyone: they must be what its votes report (by base weight), or a
  // rejected job's certificate could claim a candidate hash mismatch no validator found, or hide one they all found.
  const hashCheck = certificateHashCheck(network, cert.votes)
  if ((cert.checks?.candidateHashMatches ?? true) !== (hashCheck ?? true)) {
    return fail(ERR_CERT_CHECKS, 'the certificate\'s checks are not its votes\'')
  }

  const status = verdictOf(values, cert.checks, cert.job.thresholds) ? 'validated' : 'rejected'
  if (status !== cert.status) return fail(ERR_CERT_STATUS, 'status does not follow from the values and thresholds')
  return { ok: true, jobId: cert.jobId, round: cert.round, status, seed, signedBaseWeight: signed, totalBaseWeight: total, caveats: [...caveats] }
}

function fail (code: string, message: string, details?: Record<string, unknown>): CertificateVerification {
  return details === undefined ? { ok: false, code, message } : { ok: false, code, message, details }
}

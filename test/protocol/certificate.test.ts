/**
 * Certificates, checked the way a third party would: through protocol/index.ts
 * alone, from bytes, with only the network file.
 */
import { describe, expect, it } from 'vitest'
import {
  type Certificate, ERR_CERT_CHECKS, ERR_CERT_DISAGREES, ERR_CERT_DUPLICATE_VOTER, ERR_CERT_JOB, ERR_CERT_NETWORK, ERR_CERT_NO_QUORUM,
  ERR_CERT_ORDER, ERR_CERT_SIGNATURE, ERR_CERT_STATUS, ERR_CERT_UNKNOWN_VOTER, ERR_METRIC_RANGE, ERR_NOT_FINAL, ERR_SCHEMA,
  ERR_TOO_LARGE, MAX_CERTIFICATE_BYTES, buildCertificate, canonicalString, decodeCertificate, parseNetwork, tally,
  verifyCertificate, type Vote
} from '../../protocol/index.ts'
import { codeOf } from './codes.ts'
import { CAVEATS } from '../../protocol/caveats.ts'
import { canonicalEncode } from '../../protocol/canonical.ts'
import { MAX_CERTIFICATE_VOTE_BYTES, maxCertificateBytesFor } from '../../protocol/certificate.ts'
import { MAX_ROUND, MAX_SAMPLES } from '../../protocol/constants.ts'
import { BAD, GOOD, T0, keyPair, makeJob, makeNetwork, makeVote, seedCertOf, wire } from './fixtures.ts'

// Five validators, base weights 1..5 (total 15): quorum needs more than 10.
const { network, keys } = makeNetwork([1, 2, 3, 4, 5], {}, 'certnet')
const job = makeJob(network, keys[0]!)
const reputations = new Map()

function certify (voters: number[], metrics = GOOD, deviant?: number): { cert: Certificate, votes: Vote[] } {
  const votes = voters.map((i) => makeVote(network, job, keys[i]!, i === deviant ? BAD : metrics))
  const t = tally({ network, job, votes, reputations, now: T0 + 1 })
  return { cert: buildCertificate(network, job, t, votes, seedCertOf(network, job)), votes }
}

const { cert } = certify([4, 3, 2, 1, 0])
const codeFor = (c: unknown) => {
  const r = verifyCertificate(c as Certificate, network)
  return r.ok ? 'ok' : r.code
}

describe('certificates', () => {
  it('a genuine certificate verifies, from bytes, with only the network file', () => {
    const fromBytes = decodeCertificate(wire(cert))
    const networkFromFile = parseNetwork(wire({ networkId: 'certnet', protocolVersion: 1, validators: network.validators }))
    const r = verifyCertificate(fromBytes, networkFromFile)
    expect(r).toEqual({ ok: true, jobId: cert.jobId, round: 0, status: 'validated', seed: cert.votes[0]!.seed, signedBaseWeight: 15, totalBaseWeight: 15, caveats: [] })
  })

  it('holds only the agreeing votes, sorted by voter, and is deterministic', () => {
    const { cert: c1 } = certify([0, 1, 2, 3, 4], GOOD, 0)
    expect(c1.votes.map((v) => v.voter)).toEqual(keys.slice(1).map((k) => k.publicKey).sort())
    const { cert: c2 } = certify([4, 0, 2, 1, 3], GOOD, 0)
    expect(canonicalString(c2)).toBe(canonicalString(c1))
    expect(verifyCertificate(c1, network).ok).toBe(true)
  })

  it('certifies a rejection too', () => {
    const { cert: rejected } = certify([0, 1, 2, 3, 4], BAD)
    expect(rejected.status).toBe('rejected')
    expect(verifyCertificate(rejected, network)).toMatchObject({ ok: true, status: 'rejected' })
  })

  it('only a final tally gives a certificate', () => {
    const votes = [0, 1, 2].map((i) => makeVote(network, job, keys[i]!, GOOD))
    const t = tally({ network, job, votes, reputations, now: T0 + 1 })
    expect(codeOf(() => buildCertificate(network, job, t, votes, seedCertOf(network, job)))).toBe(ERR_NOT_FINAL)
  })

  it('refuses tampered values', () => {
    expect(codeFor({ ...cert, values: { ...cert.values, ssim: (cert.values.ssim as number) - 1e-6 } })).toBe(ERR_CERT_DISAGREES)
    expect(codeFor({ ...cert, values: { ...cert.values, psnr: 'Infinity' } })).toBe(ERR_CERT_DISAGREES)
    expect(codeFor({ ...cert, values: { ...cert.values, ssimLocal: (cert.values.ssimLocal as number) + 1e-6 } })).toBe(ERR_CERT_DISAGREES)
    // Values moved across the threshold with the status unchanged: the votes' verdict differs.
    expect(codeFor({ ...cert, values: { ssim: 0.5, psnr: 10, ssimLocal: 0.5 } })).toBe(ERR_CERT_DISAGREES)
  })

  it('refuses a certificate whose remaining votes are not a quorum', () => {
    // Removing validator 4 (weight 5) leaves exactly 10 of 15: 2/3 is not enough.
    expect(codeFor({ ...cert, votes: cert.votes.filter((v) => v.voter !== keys[4]!.publicKey) })).toBe(ERR_CERT_NO_QUORUM)
    // Removing validator 0 (weight 1) leaves 14 of 15: still valid.
    expect(codeFor({ ...cert, votes: cert.votes.filter((v) => v.voter !== keys[0]!.publicKey) })).toBe('ok')
  })

  it('refuses forged signatures on a vote or on the job', () => {
    const votes = cert.votes.map((v, i) => (i === 0 ? { ...v, signature: cert.votes[1]!.signature } : v))
    expect(codeFor({ ...cert, votes })).toBe(ERR_CERT_SIGNATURE)
    expect(codeFor({ ...cert, job: { ...cert.job, signature: cert.votes[0]!.signature } })).toBe(ERR_CERT_SIGNATURE)
    // A vote whose metrics were edited (within tolerance) no longer matches its signature.
    const edited = cert.votes.map((v, i) => (i === 2 ? { ...v, samples: v.samples + 1 } : v))
    expect(codeFor({ ...cert, votes: edited })).toBe(ERR_CERT_SIGNATURE)
  })

  it('refuses a duplicated voter and votes out of order', () => {
    expect(codeFor({ ...cert, votes: [cert.votes[0]!, ...cert.votes] })).toBe(ERR_CERT_DUPLICATE_VOTER)
    expect(codeFor({ ...cert, votes: [...cert.votes].reverse() })).toBe(ERR_CERT_ORDER)
  })

  it('refuses votes and certificates from another network', () => {
    const other = makeNetwork([1, 2, 3, 4, 5], {}, 'othernet')
    // The same validator keys in another network sign a vote there.
    const foreign = makeVote(other.network, job, keys[2]!, GOOD)
    const swap = (v: Vote): Vote[] => cert.votes.map((x) => (x.voter === v.voter ? v : x))
    expect(codeFor({ ...cert, votes: swap(foreign) })).toBe(ERR_CERT_NETWORK)
    // Relabelled as this network, its signature does not verify here.
    expect(codeFor({ ...cert, votes: swap({ ...foreign, networkId: 'certnet', networkDigest: cert.networkDigest }) })).toBe(ERR_CERT_SIGNATURE)
    expect(codeFor({ ...cert, networkId: 'othernet' })).toBe(ERR_CERT_NETWORK)
    expect(codeFor({ ...cert, networkDigest: '0'.repeat(64) })).toBe(ERR_CERT_NETWORK)
    // The same certificate under a network file with other parameters (different digest).
    const looser = makeNetwork([1, 2, 3, 4, 5], { tolerances: { ssim: 1e-3 } }, 'certnet').network
    expect(verifyCertificate(cert, looser)).toMatchObject({ ok: false, code: ERR_CERT_NETWORK })
  })

  it('refuses a wrong status', () => {
    expect(codeFor({ ...cert, status: 'rejected' })).toBe(ERR_CERT_STATUS)
    const { cert: rejected } = certify([0, 1, 2, 3, 4], BAD)
    expect(codeFor({ ...rejected, status: 'validated' })).toBe(ERR_CERT_STATUS)
    expect(codeFor({ ...cert, checks: { candidateHashMatches: false } })).toBe(ERR_CERT_DISAGREES)
  })

  it('refuses checks its votes do not report (a rejected job\'s certificate cannot invent or hide a hash mismatch)', () => {
    // Values below the thresholds: the verdict fails whatever the checks say, so before, any checks verified.
    const { cert: rejected } = certify([0, 1, 2, 3, 4], BAD)
    expect(rejected.checks).toBeUndefined()
    expect(codeFor({ ...rejected, checks: { candidateHashMatches: false } })).toBe(ERR_CERT_CHECKS)
    // Every vote found the candidate's hash wrong: the certificate says so, and cannot say otherwise or drop it.
    const votes = [0, 1, 2, 3, 4].map((i) => makeVote(network, job, keys[i]!, BAD, { checks: { candidateHashMatches: false } }))
    const mismatch = buildCertificate(network, job, tally({ network, job, votes, reputations, now: T0 + 1 }), votes, seedCertOf(network, job))
    expect(mismatch.checks).toEqual({ candidateHashMatches: false })
    expect(codeFor(mismatch)).toBe('ok')
    expect(codeFor({ ...mismatch, checks: { candidateHashMatches: true } })).toBe(ERR_CERT_CHECKS)
    const { checks: _dropped, ...withoutChecks } = mismatch
    expect(codeFor(withoutChecks)).toBe(ERR_CERT_CHECKS)
    // A vote without the check counts as passing, and so does a certificate without it.
    expect(codeFor({ ...cert, checks: { candidateHashMatches: true } })).toBe('ok')
  })

  it('bounds a genuine certificate\'s bytes by its network (maxCertificateBytesFor), with room for the longest vote', () => {
    const long = 0.12345678901234568
    const longest = {
      ...cert.votes[0]!,
      networkId: 'n'.repeat(63),
      engine: 'e'.repeat(64),
      round: MAX_ROUND,
      samples: MAX_SAMPLES,
      metrics: { ssim: -long, psnr: 123456.12345678901, ssimLocal: -long },
      intervals: { ssim: [-long, long], psnr: [123456.12345678901, 123457.12345678901], ssimLocal: [-long, long] },
      checks: { candidateHashMatches: false },
      caveats: [...CAVEATS]
    }
    expect(canonicalEncode(longest).byteLength).toBeLessThan(MAX_CERTIFICATE_VOTE_BYTES / 2)
    expect(wire(cert).byteLength).toBeLessThan(maxCertificateBytesFor(network))
    expect(maxCertificateBytesFor(network)).toBeLessThan(256 * 1024)
  })

  it('refuses an unknown voter, another job and a wrong job id', () => {
    const stranger = keyPair('stranger')
    expect(codeFor({ ...cert, votes: [...cert.votes, makeVote(network, job, stranger, GOOD)].sort((a, b) => (a.voter < b.voter ? -1 : 1)) })).toBe(ERR_CERT_UNKNOWN_VOTER)
    const otherJob = makeJob(network, keys[0]!, 'ff'.repeat(16))
    expect(codeFor({ ...cert, job: otherJob })).toBe(ERR_CERT_JOB)
    const otherVotes = cert.votes.map((v, i) => (i === 0 ? makeVote(network, otherJob, keys.find((k) => k.publicKey === v.voter)!, GOOD) : v))
    expect(codeFor({ ...cert, votes: otherVotes })).toBe(ERR_CERT_JOB)
    const round1 = cert.votes.map((v, i) => (i === 0 ? makeVote(network, job, keys.find((k) => k.publicKey === v.voter)!, GOOD, { round: 1 }) : v))
    expect(codeFor({ ...cert, votes: round1 })).toBe(ERR_CERT_JOB)
  })

  it('refuses malformed input without throwing', () => {
    expect(codeFor({ ...cert, votes: [] })).toBe(ERR_SCHEMA)
    expect(codeFor(null)).toBe(ERR_SCHEMA)
    expect(codeFor({ ...cert, values: { ssim: 2, psnr: 40, ssimLocal: 0.9 } })).toBe(ERR_METRIC_RANGE)
  })

  it('decoding refuses oversized, malformed and out-of-range certificates', () => {
    expect(codeOf(() => decodeCertificate(new Uint8Array(MAX_CERTIFICATE_BYTES + 1)))).toBe(ERR_TOO_LARGE)
    expect(codeOf(() => decodeCertificate(wire({ ...cert, status: 'disputed' })))).toBe(ERR_SCHEMA)
    expect(codeOf(() => decodeCertificate(wire({ ...cert, values: { ssim: 0.99, psnr: -1, ssimLocal: 0.9 } })))).toBe(ERR_METRIC_RANGE)
  })
})

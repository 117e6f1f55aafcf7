/**
 * Attacks on certificates and keys, each a way to obtain a certificate or a
 * signature that does not mean what it says. Every test here failed before
 * the rule it names existed.
 */
import { describe, expect, it } from 'vitest'
import {
  type Certificate, type JobAnnouncement, type NetworkConfig, type Vote, buildCertificate, jobIdOf, networkDigest,
  newJob, newVote, parseNetwork, signJob, signVote, tally, verifyBytes, verifyCertificate, verifyVote
} from '../../protocol/index.ts'
import { greyZoneOf } from '../../protocol/consensus/grey-zone.ts'
import { codeOf } from './codes.ts'
import { BAD, GOOD, T0, makeNetwork, seedCertificateFor, seedFor } from './fixtures.ts'

const { network, keys } = makeNetwork([1, 1, 1, 1], {}, 'attacknet')

function frameJob (net: NetworkConfig, submitter = keys[0]!, fields: { createdAt?: number, voteMs?: number } = {}): JobAnnouncement {
  return signJob(newJob(net, {
    kind: 'frames',
    submitter: submitter.publicKey,
    createdAt: fields.createdAt ?? T0,
    reference: ['aa'.repeat(32)],
    candidate: ['bb'.repeat(32)],
    nonce: '0123456789abcdef',
    ...(fields.voteMs === undefined ? {} : { voteMs: fields.voteMs })
  }), submitter.privateKey)
}

function voteOn (net: NetworkConfig, job: JobAnnouncement, i: number, metrics: typeof GOOD, round: number, interval?: { ssim: [number, number], psnr: [number, number], ssimLocal?: [number, number] }): Vote {
  return signVote(newVote({
    networkId: net.networkId,
    networkDigest: networkDigest(net),
    engine: net.measurement.engine,
    seed: seedFor(net, job, keys),
    jobId: jobIdOf(job),
    round,
    voter: keys[i]!.publicKey,
    metrics,
    intervals: { ssimLocal: [metrics.ssimLocal, metrics.ssimLocal], ...(interval ?? { ssim: [metrics.ssim, metrics.ssim], psnr: [metrics.psnr, metrics.psnr] }) },
    samples: 97
  }), keys[i]!.privateKey)
}

function certify (net: NetworkConfig, job: JobAnnouncement, votes: Vote[]): Certificate {
  const t = tally({ network: net, job, votes, reputations: new Map(), now: job.createdAt })
  return buildCertificate(net, job, t, votes, seedCertificateFor(net, job, keys))
}

describe('attack: a round-0 certificate of a job that went to the grey zone', () => {
  // Round 0 measured SSIM 0.99 with the threshold 0.98 inside [0.975, 0.995]: grey, so round 1 decides.
  const job = frameJob(network)
  const grey = { ssim: [0.975, 0.995] as [number, number], psnr: [40, 42] as [number, number] }
  const round0 = [0, 1, 2, 3].map((i) => voteOn(network, job, i, { ssim: 0.99, psnr: 41, ssimLocal: 0.99 }, 0, grey))
  const round1 = [0, 1, 2, 3].map((i) => voteOn(network, job, i, BAD, 1))

  it('the network\'s round-1 certificate verifies and names its round', () => {
    expect(verifyCertificate(certify(network, job, round1), network)).toMatchObject({ ok: true, status: 'rejected', round: 1 })
  })

  it('a round-0 certificate assembled from the served round-0 votes is refused with its own code', () => {
    const t = tally({ network, job, votes: round0, reputations: new Map(), now: T0 })
    expect(greyZoneOf(t, round0, network, job.thresholds).grey).toBe(true)
    const forged = certify(network, job, round0)
    expect(forged.status).toBe('validated')
    expect(verifyCertificate(forged, network)).toMatchObject({ ok: false, code: 'ERR_CERT_ROUND_NOT_FINAL' })
  })

  it('a round above the grey-zone round never certifies', () => {
    const round2 = [0, 1, 2, 3].map((i) => voteOn(network, job, i, GOOD, 2))
    expect(verifyCertificate(certify(network, job, round2), network)).toMatchObject({ ok: false, code: 'ERR_CERT_ROUND_NOT_FINAL' })
  })
})

describe('attack: degenerate public keys (R = identity, S = 0 verifies any bytes under a small-order key)', () => {
  const identity = '01' + '00'.repeat(31)
  const forged = identity + '00'.repeat(32)
  // p + 1 ≡ 1 (mod p): the identity's y coordinate written without reduction.
  const identityUnreduced = 'ee' + 'ff'.repeat(30) + '7f'
  const weak = [
    '0100000000000000000000000000000000000000000000000000000000000000',
    '0100000000000000000000000000000000000000000000000000000000000080',
    'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
    '0000000000000000000000000000000000000000000000000000000000000080',
    '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
    'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
    '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85',
    '0000000000000000000000000000000000000000000000000000000000000000',
    'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa',
    identityUnreduced,
    'ee' + 'ff'.repeat(30) + 'ff',
    // y = p (≡ 0): a small-order point with a non-canonical y.
    'ed' + 'ff'.repeat(30) + '7f'
  ]

  it('the forgery verifies nowhere', () => {
    expect(verifyBytes(identity, new TextEncoder().encode('any bytes at all'), forged)).toBe(false)
  })

  it.each(weak)('a network file listing %s is refused', (key) => {
    const validators = [...network.validators.slice(0, 3), { name: 'weak', publicKey: key, weight: 1 }]
    let reason: unknown
    try {
      parseNetwork({ networkId: 'weaknet', protocolVersion: 1, validators })
    } catch (err) {
      reason = (err as { details?: { reason?: string } }).details?.reason
    }
    expect(reason).toBe('ERR_WEAK_KEY')
  })

  it('a vote by the identity key, signed R = identity, S = 0, never verifies', () => {
    // Even against a network that was built without the file check (e.g. by hand), the signature is refused.
    const handmade = { ...network, validators: [...network.validators, { name: 'weak', publicKey: identity, weight: 1 }] } as NetworkConfig
    const vote = { ...voteOn(network, frameJob(network), 0, GOOD, 0), networkDigest: networkDigest(handmade), voter: identity, signature: forged }
    expect(codeOf(() => verifyVote(vote, handmade))).toBe('ERR_BAD_SIGNATURE')
  })
})

describe('attack: a certificate made under other parameters with the same network id', () => {
  it('fails: jobs and votes sign the network digest', () => {
    const lax = parseNetwork({ networkId: 'attacknet', protocolVersion: 1, validators: network.validators, thresholds: { ssimMin: 0.5, psnrMin: 10 } })
    expect(networkDigest(lax)).not.toBe(networkDigest(network))
    const job = frameJob(network)
    const cert = certify(network, job, [0, 1, 2, 3].map((i) => voteOn(network, job, i, GOOD, 0)))
    expect(verifyCertificate(cert, network)).toMatchObject({ ok: true })
    const relabelled = { ...cert, networkDigest: networkDigest(lax) }
    expect(verifyCertificate(relabelled, lax)).toMatchObject({ ok: false, code: 'ERR_CERT_NETWORK' })
  })
})

describe('attack: a certificate of a job that verifyJob refuses', () => {
  it('a ten-year deadline is not certifiable', () => {
    const job = frameJob(network, keys[0]!, { voteMs: 10 * 365 * 24 * 3_600_000 })
    const cert = certify(network, job, [0, 1, 2, 3].map((i) => voteOn(network, job, i, GOOD, 0)))
    expect(verifyCertificate(cert, network)).toMatchObject({ ok: false, code: 'ERR_JOB_DEADLINE' })
  })

  it('a job created after the network file\'s validity ended is not certifiable', () => {
    const windowed = parseNetwork({ networkId: 'attacknet', protocolVersion: 1, validators: network.validators, validity: { notBefore: 0, notAfter: T0 } })
    const job = frameJob(windowed, keys[0]!, { createdAt: T0 + 1 })
    const cert = certify(windowed, job, [0, 1, 2, 3].map((i) => voteOn(windowed, job, i, GOOD, 0)))
    expect(verifyCertificate(cert, windowed)).toMatchObject({ ok: false, code: 'ERR_JOB_VALIDITY' })
  })
})

/**
 * The seed phase: VRF seed shares, the submitter's seed certificate and the
 * job seed every node derives from it.
 */
import { describe, expect, it } from 'vitest'
import {
  ERR_SEED_CERT, ERR_SEED_SHARE, SEED_CERTIFICATE_SHARE_BYTES, type SeedCertificate, buildSeedCertificate, canonicalEncode, decodeSeedCertificate,
  decodeSeedShare, jobIdOf, makeSeedShare, maxSeedCertificateBytes, signMessage, verifySeedCertificate, verifySeedShare
} from '../../protocol/index.ts'
import { MAX_MESSAGE_BYTES, MAX_SEED_CERTIFICATE_BYTES, MAX_VALIDATORS } from '../../protocol/constants.ts'
import { codeOf } from './codes.ts'
import { keyPair, makeJob, makeNetwork, wire } from './fixtures.ts'

const { network, keys } = makeNetwork([1, 1, 1, 1], {}, 'seednet')
const job = makeJob(network, keys[0]!)
const jobId = jobIdOf(job)
const shares = keys.map((k) => makeSeedShare(network, jobId, k))

function reasonOf (fn: () => unknown): unknown {
  try {
    fn()
  } catch (err) {
    return (err as { details?: { reason?: string } }).details?.reason
  }
  return undefined
}

describe('seed shares', () => {
  it('verify for their validator and job, from bytes', () => {
    const share = decodeSeedShare(wire(shares[1]))
    expect(verifySeedShare(share, network)).toMatch(/^[0-9a-f]{128}$/)
  })

  it('are refused for another network, a non-validator or another job', () => {
    const other = makeNetwork([1, 1, 1, 1], {}, 'othernet')
    expect(reasonOf(() => verifySeedShare(makeSeedShare(other.network, jobId, keys[1]!), network))).toBe('network')
    expect(reasonOf(() => verifySeedShare(makeSeedShare(network, jobId, keyPair('stranger')), network))).toBe('unknown-validator')
    expect(reasonOf(() => verifySeedShare({ ...shares[1]!, jobId: 'ab'.repeat(32) }, network))).toBe('proof')
    expect(codeOf(() => verifySeedShare({ ...shares[1]!, validator: keys[2]!.publicKey }, network))).toBe(ERR_SEED_SHARE)
  })
})

describe('seed certificates', () => {
  const cert = buildSeedCertificate(network, jobId, [shares[3]!, shares[1]!, shares[0]!, shares[2]!], keys[0]!.privateKey)

  it('fix one seed that a third party re-derives from bytes', () => {
    const r = verifySeedCertificate(decodeSeedCertificate(wire(cert)), job, network)
    expect(r.weight).toBe(4)
    expect(r.seed).toMatch(/^[0-9a-f]{64}$/)
    // The same shares in any order give the same certificate.
    expect(buildSeedCertificate(network, jobId, shares, keys[0]!.privateKey)).toEqual(cert)
  })

  it('need more than 2/3 of the base weight', () => {
    expect(codeOf(() => buildSeedCertificate(network, jobId, shares.slice(0, 2), keys[0]!.privateKey))).toBe(ERR_SEED_CERT)
    const three = buildSeedCertificate(network, jobId, shares.slice(0, 3), keys[0]!.privateKey)
    expect(verifySeedCertificate(three, job, network).weight).toBe(3)
    const resign = (c: Omit<SeedCertificate, 'signature'>): SeedCertificate => signMessage('seed', network.networkId, c, keys[0]!.privateKey)
    const { signature: _s, ...body } = cert
    expect(reasonOf(() => verifySeedCertificate(resign({ ...body, shares: body.shares.slice(0, 2) }), job, network))).toBe('no-quorum')
  })

  it('refuse disorder, strangers, bad proofs, another job and a signer other than the submitter', () => {
    const { signature: _s, ...body } = cert
    const resign = (c: Omit<SeedCertificate, 'signature'>, k = keys[0]!): SeedCertificate => signMessage('seed', network.networkId, c, k.privateKey)
    expect(reasonOf(() => verifySeedCertificate(resign({ ...body, shares: [...body.shares].reverse() }), job, network))).toBe('order')
    const stranger = keyPair('stranger')
    const withStranger = [...body.shares, { validator: stranger.publicKey, proof: makeSeedShare(network, jobId, stranger).proof }]
      .sort((a, b) => (a.validator < b.validator ? -1 : 1))
    expect(reasonOf(() => verifySeedCertificate(resign({ ...body, shares: withStranger }), job, network))).toBe('unknown-validator')
    const swapped = body.shares.map((s, i) => (i === 0 ? { ...s, proof: body.shares[1]!.proof } : s))
    expect(reasonOf(() => verifySeedCertificate(resign({ ...body, shares: swapped }), job, network))).toBe('proof')
    expect(reasonOf(() => verifySeedCertificate(resign({ ...body, jobId: 'ab'.repeat(32) }), job, network))).toBe('job')
    expect(reasonOf(() => verifySeedCertificate(resign(body, keys[1]!), job, network))).toBe('signature')
    expect(reasonOf(() => verifySeedCertificate({ ...cert, networkId: 'othernet' }, job, network))).toBe('network')
  })

  it('leave the submitter only a few seeds to choose from after the job is fixed', () => {
    // Every subset of shares holding more than 2/3 the submitter could certify: 5 subsets of 4 validators.
    const seeds = new Set<string>()
    for (let mask = 0; mask < 16; mask++) {
      const chosen = shares.filter((_, i) => (mask & (1 << i)) !== 0)
      if (chosen.length < 3) continue
      seeds.add(verifySeedCertificate(buildSeedCertificate(network, jobId, chosen, keys[0]!.privateKey), job, network).seed)
    }
    // f = 1: the smallest two outputs of any three-or-four share set: C(3, 2) = 3 distinct seeds at most.
    expect(seeds.size).toBeGreaterThanOrEqual(2)
    expect(seeds.size).toBeLessThanOrEqual(3)
  })
})

describe('seed certificate size', () => {
  it('the largest network\'s certificate with every share fits its bound, which is over the gossip limit of other messages and within the decoder\'s', () => {
    // The longest network id (63 characters) and every validator's share: the largest certificate a network of this size can have.
    const { network, keys } = makeNetwork(Array.from({ length: MAX_VALIDATORS }, () => 1), {}, 'n'.repeat(63))
    const job = makeJob(network, keys[0]!)
    const jobId = jobIdOf(job)
    const cert = buildSeedCertificate(network, jobId, keys.map((k) => makeSeedShare(network, jobId, k)), keys[0]!.privateKey)
    const bytes = canonicalEncode(cert)
    expect(cert.shares).toHaveLength(MAX_VALIDATORS)
    expect(bytes.byteLength).toBeGreaterThan(MAX_MESSAGE_BYTES)
    expect(bytes.byteLength).toBeLessThanOrEqual(maxSeedCertificateBytes(MAX_VALIDATORS))
    expect(maxSeedCertificateBytes(MAX_VALIDATORS)).toBeLessThanOrEqual(MAX_SEED_CERTIFICATE_BYTES)
    expect(verifySeedCertificate(decodeSeedCertificate(bytes), job, network).seed).toMatch(/^[0-9a-f]{64}$/)
    // Per share, the bound is tight: within a few bytes of what a share takes.
    const perShare = (bytes.byteLength - canonicalEncode({ ...cert, shares: [] }).byteLength) / MAX_VALIDATORS
    expect(perShare).toBeLessThanOrEqual(SEED_CERTIFICATE_SHARE_BYTES)
    expect(perShare).toBeGreaterThan(SEED_CERTIFICATE_SHARE_BYTES - 8)
    // A small network keeps the gossip limit of other messages.
    expect(maxSeedCertificateBytes(4)).toBe(MAX_MESSAGE_BYTES)
  })
})

/**
 * The network's floor of job thresholds (`minThresholds`): optional with no
 * default, so a file without it keeps its digest; a job below it is refused
 * by verifyJob (so over gossip) and its certificate does not verify.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  type Certificate, ERR_JOB_THRESHOLDS, type NetworkConfig, type Thresholds, buildCertificate, belowFloor,
  checkJobRules, isTrustEngineError, networkDigest, newJob, parseNetwork, signJob, tally, verifyCertificate, verifyJob
} from '../../protocol/index.ts'
import { codeOf } from './codes.ts'
import { GOOD, T0, keyPair, makeNetwork, makeVote, seedCertOf, wire, networkRefusal as reasonOf } from './fixtures.ts'

const k = [keyPair('n0'), keyPair('n1'), keyPair('n2')]
const minimal = {
  networkId: 'lab-1',
  protocolVersion: 1,
  validators: k.map((kp, i) => ({ name: `node-${i}`, publicKey: kp.publicKey, weight: i + 1 }))
}
const FLOOR: Thresholds = { ssimMin: 0.98, psnrMin: 35, ssimLocalMin: 0.9 }
const KEYS = ['ssimMin', 'psnrMin', 'ssimLocalMin'] as const

describe('minThresholds in the network file', () => {
  it('is optional with no default: a file without it keeps the digest it had before the floor existed; given, it is kept and digested', () => {
    // Digests computed before minThresholds was added to the schema.
    const n = parseNetwork(wire(minimal))
    expect(n.minThresholds).toBeUndefined()
    expect('minThresholds' in n).toBe(false)
    expect(networkDigest(n)).toBe('593440140334011b5336cf634ed45d637fc63d50b0a1152863bd3651cc9bb801')
    expect(networkDigest(parseNetwork({ ...minimal, thresholds: { ssimMin: 0.95 }, validity: { notBefore: 5, notAfter: 10 } })))
      .toBe('2d0d417f02dfec1bf764ec784b2fbc12b450cc883f117b9374e9549ee4b32125')
    expect(networkDigest(makeNetwork([1, 1, 1, 1]).network)).toBe('1283527614f42a7fa0c88e268d47cd979671c3375ee3a4c71940fd8c8780dbd9')
    // Given, it is kept as given and is part of the digest.
    const withFloor = parseNetwork({ ...minimal, minThresholds: FLOOR })
    expect(withFloor.minThresholds).toEqual(FLOOR)
    expect(networkDigest(withFloor)).not.toBe(networkDigest(n))
  })

  it('needs all three fields in range, and default thresholds at or above it', () => {
    const bad: unknown[] = [
      { ...minimal, minThresholds: {} },
      { ...minimal, minThresholds: { ssimMin: 0.9, psnrMin: 30 } },
      { ...minimal, minThresholds: { ...FLOOR, ssimMin: 1.5 } },
      { ...minimal, minThresholds: { ...FLOOR, psnrMin: -1 } },
      { ...minimal, minThresholds: { ...FLOOR, extra: 1 } },
      { ...minimal, minThresholds: null },
      // The defaults (0.98, 35, 0.9) under a higher floor: every job submitted with the defaults would be invalid.
      { ...minimal, minThresholds: { ...FLOOR, ssimMin: 0.99 } },
      { ...minimal, minThresholds: { ...FLOOR, psnrMin: 40 } },
      { ...minimal, thresholds: { ssimLocalMin: 0.8 }, minThresholds: FLOOR }
    ]
    for (const input of bad) expect(reasonOf(input)).toBe('ERR_SCHEMA')
    expect(reasonOf({ ...minimal, thresholds: { ssimMin: 0.99, psnrMin: 40, ssimLocalMin: 0.95 }, minThresholds: { ssimMin: 0.99, psnrMin: 40, ssimLocalMin: 0.95 } })).toBeUndefined()
    expect(reasonOf({ ...minimal, minThresholds: { ssimMin: -1, psnrMin: 0, ssimLocalMin: -1 } })).toBeUndefined()
  })
})

const floored = makeNetwork([1, 1, 1, 1], { minThresholds: FLOOR }, 'floornet')

function jobWith (network: NetworkConfig, thresholds: Thresholds, nonce = '00112233445566778899aabbccddeeff') {
  const keys = network === floored.network ? floored.keys : makeNetwork([1, 1, 1, 1], {}, network.networkId).keys
  return signJob(newJob(network, {
    kind: 'frames', submitter: keys[0]!.publicKey, createdAt: T0, reference: [keyPair('r').publicKey], candidate: [keyPair('c').publicKey], nonce, thresholds
  }), keys[0]!.privateKey)
}

describe('job verification under a floor', () => {
  it('refuses a job below the floor with ERR_JOB_THRESHOLDS and names each threshold below it', () => {
    const lax = jobWith(floored.network, { ssimMin: -1, psnrMin: 0, ssimLocalMin: -1 })
    expect(codeOf(() => verifyJob(lax, floored.network))).toBe(ERR_JOB_THRESHOLDS)
    expect(codeOf(() => checkJobRules(lax, floored.network))).toBe(ERR_JOB_THRESHOLDS)
    try {
      verifyJob(lax, floored.network)
    } catch (err) {
      expect(isTrustEngineError(err) && err.action).toBe('reject')
      expect(isTrustEngineError(err) && err.details).toEqual({
        below: [{ threshold: 'ssimMin', job: -1, floor: 0.98 }, { threshold: 'psnrMin', job: 0, floor: 35 }, { threshold: 'ssimLocalMin', job: -1, floor: 0.9 }]
      })
    }
    for (const key of KEYS) {
      const one = jobWith(floored.network, { ...FLOOR, [key]: FLOOR[key] - 1e-9 })
      expect(codeOf(() => verifyJob(one, floored.network))).toBe(ERR_JOB_THRESHOLDS)
    }
  })

  it('takes a job equal to the floor, stricter than it, or with the network defaults', () => {
    expect(() => verifyJob(jobWith(floored.network, FLOOR), floored.network)).not.toThrow()
    expect(() => verifyJob(jobWith(floored.network, { ssimMin: 0.999, psnrMin: 50, ssimLocalMin: 1 }), floored.network)).not.toThrow()
    const defaults = signJob(newJob(floored.network, {
      kind: 'frames', submitter: floored.keys[1]!.publicKey, createdAt: T0, reference: [keyPair('r').publicKey], candidate: [keyPair('c').publicKey], nonce: 'aa'.repeat(16)
    }), floored.keys[1]!.privateKey)
    expect(() => verifyJob(defaults, floored.network)).not.toThrow()
  })

  it('a network without a floor takes any thresholds (as before)', () => {
    const open = makeNetwork([1, 1, 1, 1], {}, 'opennet').network
    expect(() => verifyJob(jobWith(open, { ssimMin: -1, psnrMin: 0, ssimLocalMin: -1 }), open)).not.toThrow()
  })

  it('property: belowFloor is empty exactly when every threshold meets the floor', () => {
    const ssim = fc.double({ min: -1, max: 1, noNaN: true })
    const psnr = fc.double({ min: 0, max: 1000, noNaN: true })
    const thresholds = fc.record({ ssimMin: ssim, psnrMin: psnr, ssimLocalMin: ssim })
    fc.assert(fc.property(thresholds, thresholds, (floor, job) => {
      const network = parseNetwork({ ...minimal, thresholds: { ssimMin: 1, psnrMin: 1000, ssimLocalMin: 1 }, minThresholds: floor })
      const below = belowFloor(network, job)
      expect(below.map((b) => b.threshold)).toEqual(KEYS.filter((key) => job[key] < floor[key]))
      expect(belowFloor(network, floor)).toEqual([])
    }))
  })
})

describe('certificates of a job below the floor', () => {
  it('do not verify, however many validators signed', () => {
    const { network, keys } = floored
    const lax = jobWith(network, { ssimMin: -1, psnrMin: 0, ssimLocalMin: -1 }, 'bb'.repeat(16))
    const votes = keys.map((key) => makeVote(network, lax, key, GOOD))
    const t = tally({ network, job: lax, votes, reputations: new Map(), now: T0 + 1 })
    const cert: Certificate = buildCertificate(network, lax, t, votes, seedCertOf(network, lax))
    expect(cert.status).toBe('validated')
    const r = verifyCertificate(cert, network)
    expect(r).toMatchObject({ ok: false, code: ERR_JOB_THRESHOLDS })

    // The same votes on a job at the floor make a certificate that verifies.
    const fair = jobWith(network, FLOOR, 'cc'.repeat(16))
    const fairVotes = keys.map((key) => makeVote(network, fair, key, GOOD))
    const ft = tally({ network, job: fair, votes: fairVotes, reputations: new Map(), now: T0 + 1 })
    expect(verifyCertificate(buildCertificate(network, fair, ft, fairVotes, seedCertOf(network, fair)), network)).toMatchObject({ ok: true, status: 'validated' })
  })
})

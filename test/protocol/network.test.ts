import { describe, expect, it } from 'vitest'
import { MAX_BASE_WEIGHT, MAX_NETWORK_FILE_BYTES, MAX_VALIDATORS } from '../../protocol/constants.ts'
import {
  ERR_NETWORK_INVALID, baseWeightOf, isValidator, networkDigest, parseNetwork, totalBaseWeight, validatorByKey
} from '../../protocol/network.ts'
import { codeOf } from './codes.ts'
import { keyPair, makeNetwork, wire, networkRefusal as reasonOf } from './fixtures.ts'

const k = [keyPair('n0'), keyPair('n1'), keyPair('n2')]
const minimal = {
  networkId: 'lab-1',
  protocolVersion: 1,
  validators: k.map((kp, i) => ({ name: `node-${i}`, publicKey: kp.publicKey, weight: i + 1 }))
}

describe('parseNetwork', () => {
  it('fills the seed defaults', () => {
    const n = parseNetwork(wire(minimal))
    expect(n.thresholds).toEqual({ ssimMin: 0.98, psnrMin: 35, ssimLocalMin: 0.9 })
    expect(n.tolerances).toEqual({ ssim: 1e-9, psnr: 1e-9, ssimLocal: 1e-9 })
    expect(n.deadlines).toEqual({ voteMs: 30_000, minVoteMs: 1_000, clockSkewMs: 60_000, maxVoteMs: 3_600_000 })
    expect(n.reputation).toEqual({ initial: 1, successDelta: 0.01, failureDelta: 0.05, untrustedBelow: 0.5, minVerificationsForRate: 10, minSuccessRate: 0.5 })
  })

  it('keeps given parameters and fills the rest of a group', () => {
    const n = parseNetwork({ ...minimal, thresholds: { ssimMin: 0.95 }, reputation: { failureDelta: 0.1 } })
    expect(n.thresholds).toEqual({ ssimMin: 0.95, psnrMin: 35, ssimLocalMin: 0.9 })
    expect(n.reputation.failureDelta).toBe(0.1)
    expect(n.reputation.successDelta).toBe(0.01)
  })

  it('returns a frozen config', () => {
    const n = parseNetwork(minimal)
    expect(Object.isFrozen(n)).toBe(true)
    expect(Object.isFrozen(n.validators[0])).toBe(true)
  })

  it('refuses oversized, malformed and schema-invalid files with ERR_NETWORK_INVALID and the step in details.reason', () => {
    expect(reasonOf(new Uint8Array(MAX_NETWORK_FILE_BYTES + 1).fill(0x20))).toBe('ERR_TOO_LARGE')
    expect(reasonOf(wire(minimal).subarray(0, 20))).toBe('ERR_MALFORMED')
    expect(reasonOf(new Uint8Array([0x7b, 0xff, 0x7d]))).toBe('ERR_MALFORMED')
    expect(codeOf(() => parseNetwork({}))).toBe(ERR_NETWORK_INVALID)
    const v = minimal.validators
    const bad: unknown[] = [
      { ...minimal, networkId: 'Upper' },
      { ...minimal, networkId: '-lead' },
      { ...minimal, networkId: 'a'.repeat(64) },
      { ...minimal, protocolVersion: 2 },
      { ...minimal, validators: [] },
      { ...minimal, validators: [...v, { ...v[0]!, name: 'other' }] },
      { ...minimal, validators: [...v, { ...v[0]!, publicKey: keyPair('n3').publicKey }] },
      { ...minimal, validators: [{ ...v[0]!, weight: 0 }] },
      { ...minimal, validators: [{ ...v[0]!, weight: 1.5 }] },
      { ...minimal, validators: [{ ...v[0]!, weight: MAX_BASE_WEIGHT + 1 }] },
      { ...minimal, validators: [{ ...v[0]!, publicKey: v[0]!.publicKey.toUpperCase() }] },
      { ...minimal, thresholds: { ssimMin: 1.5 } },
      { ...minimal, thresholds: { ssimLocalMin: -1.5 } },
      { ...minimal, tolerances: { psnr: -1 } },
      { ...minimal, deadlines: { voteMs: 500 } },
      { ...minimal, reputation: { initial: 2 } },
      { ...minimal, extra: true },
      { ...minimal, validity: { notAfter: 8.64e15 + 1 } },
      { ...minimal, validity: { notBefore: Number.MAX_SAFE_INTEGER } },
      { ...minimal, validators: Array.from({ length: MAX_VALIDATORS + 1 }, (_, i) => ({ name: `v${i}`, publicKey: i.toString(16).padStart(64, '0'), weight: 1 })) }
    ]
    for (const input of bad) expect(reasonOf(input)).toBe('ERR_SCHEMA')
  })

  it('accepts validity bounds up to the last instant a Date holds (8.64e15 ms)', () => {
    const n = parseNetwork({ ...minimal, validity: { notBefore: 0, notAfter: 8.64e15 } })
    expect(new Date(n.validity.notAfter!).toISOString()).toBe('+275760-09-13T00:00:00.000Z')
  })

  it('accepts the largest network: 1000 validators of the largest weight', () => {
    const n = parseNetwork({ ...minimal, validators: Array.from({ length: MAX_VALIDATORS }, (_, i) => ({ name: `v${i}`, publicKey: keyPair(`large/${i}`).publicKey, weight: MAX_BASE_WEIGHT })) })
    expect(totalBaseWeight(n)).toBe(MAX_VALIDATORS * MAX_BASE_WEIGHT)
    // Effective weights (base × trust in millionths) stay exact: the total is a safe integer.
    expect(Number.isSafeInteger(totalBaseWeight(n) * 1_000_000)).toBe(true)
  })
})

describe('network helpers', () => {
  it('digest is the sha256 of the canonical encoding, the same for equivalent files', () => {
    const a = parseNetwork(minimal)
    const b = parseNetwork(wire({ validators: minimal.validators, protocolVersion: 1, networkId: 'lab-1', thresholds: { psnrMin: 35 } }))
    expect(networkDigest(a)).toMatch(/^[0-9a-f]{64}$/)
    expect(networkDigest(b)).toBe(networkDigest(a))
    expect(networkDigest(parseNetwork({ ...minimal, tolerances: { ssim: 2e-9 } }))).not.toBe(networkDigest(a))
  })

  it('finds validators by key', () => {
    const { network, keys } = makeNetwork([5, 7])
    expect(validatorByKey(network, keys[1]!.publicKey)?.name).toBe('v1')
    expect(validatorByKey(network, keyPair('stranger').publicKey)).toBeUndefined()
    expect(isValidator(network, keys[0]!.publicKey)).toBe(true)
    expect(baseWeightOf(network, keys[1]!.publicKey)).toBe(7)
    expect(baseWeightOf(network, keyPair('stranger').publicKey)).toBe(0)
    expect(totalBaseWeight(network)).toBe(12)
  })
})

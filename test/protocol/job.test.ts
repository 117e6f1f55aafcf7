import { describe, expect, it } from 'vitest'
import { MAX_JOB_BLOBS, MAX_MESSAGE_BYTES } from '../../protocol/constants.ts'
import { ERR_MALFORMED, ERR_SCHEMA, ERR_TOO_LARGE } from '../../protocol/decode.ts'
import { sha256Hex } from '../../protocol/hash.ts'
import {
  ERR_JOB_DEADLINE, ERR_UNKNOWN_SIGNER, ERR_WRONG_NETWORK, decodeJob, jobIdOf, newJob, signJob, verifyJob
} from '../../protocol/job.ts'
import { canonicalEncode } from '../../protocol/canonical.ts'
import { ERR_BAD_SIGNATURE } from '../../protocol/signing.ts'
import { codeOf } from './codes.ts'
import { T0, keyPair, makeJob, makeNetwork, wire } from './fixtures.ts'

const { network, keys } = makeNetwork([1, 1, 1, 1])
const submitter = keys[0]!
const job = makeJob(network, submitter)

describe('job announcements', () => {
  it('newJob copies the network thresholds and deadline', () => {
    expect(job.thresholds).toEqual(network.thresholds)
    expect(job.deadline).toBe(T0 + network.deadlines.voteMs)
    expect(job.profile).toBeUndefined()
    const custom = newJob(network, { kind: 'scene', submitter: submitter.publicKey, createdAt: T0, reference: [sha256Hex('r')], candidate: [sha256Hex('c')], nonce: 'ab'.repeat(8), thresholds: { ssimMin: 0.9, psnrMin: 30, ssimLocalMin: 0.8 }, voteMs: 5000, profile: 'balanced' })
    expect(custom.thresholds).toEqual({ ssimMin: 0.9, psnrMin: 30, ssimLocalMin: 0.8 })
    expect(custom.deadline).toBe(T0 + 5000)
    expect(custom.profile).toBe('balanced')
  })

  it('jobId is the sha256 of the canonical job without its signature', () => {
    const { signature: _s, ...body } = job
    expect(jobIdOf(job)).toBe(sha256Hex(canonicalEncode(body)))
    expect(jobIdOf(body)).toBe(jobIdOf(job))
    expect(jobIdOf(makeJob(network, submitter, 'ff'.repeat(16)))).not.toBe(jobIdOf(job))
  })

  it('decodes what it encodes and verifies', () => {
    const decoded = decodeJob(wire(job))
    expect(decoded).toEqual(job)
    expect(() => verifyJob(decoded, network)).not.toThrow()
    expect(jobIdOf(decoded)).toBe(jobIdOf(job))
  })

  it('refuses oversized, malformed and schema-invalid bytes with their codes', () => {
    expect(codeOf(() => decodeJob(new Uint8Array(MAX_MESSAGE_BYTES + 1).fill(0x20)))).toBe(ERR_TOO_LARGE)
    expect(codeOf(() => decodeJob(new TextEncoder().encode('{"type":"job"')))).toBe(ERR_MALFORMED)
    expect(codeOf(() => decodeJob(new Uint8Array([0xc3, 0x28])))).toBe(ERR_MALFORMED)
    const tooMany = Array.from({ length: MAX_JOB_BLOBS + 1 }, (_, i) => sha256Hex(String(i)))
    const bad: unknown[] = [
      null, [], 'job', { ...job, type: 'vote' }, { ...job, extra: 1 }, { ...job, kind: 'video' },
      { ...job, submitter: 'xyz' }, { ...job, createdAt: 1.5 }, { ...job, deadline: T0 }, { ...job, deadline: T0 - 1 },
      { ...job, reference: [] }, { ...job, reference: ['A'.repeat(64)] },
      { ...job, candidate: job.candidate.slice(1) },
      { ...job, reference: tooMany, candidate: tooMany },
      { ...job, kind: 'scene' }, { ...job, kind: 'scene', reference: [job.reference[0]], candidate: job.candidate },
      { ...job, thresholds: { ssimMin: 0.98 } }, { ...job, thresholds: { ssimMin: 2, psnrMin: 35 } },
      { ...job, nonce: 'abc' }, { ...job, nonce: 'ab' }, { ...job, signature: 'ab' },
      { ...job, profile: 'Not Valid' },
      // Past the last instant a Date holds (8.64e15 ms), though still a safe integer.
      { ...job, deadline: 8.64e15 + 1 }, { ...job, createdAt: Number.MAX_SAFE_INTEGER - 1, deadline: Number.MAX_SAFE_INTEGER }
    ]
    for (const value of bad) expect(codeOf(() => decodeJob(wire(value)))).toBe(ERR_SCHEMA)
  })

  it('accepts scene jobs with one reference and one candidate, optimized by the network or not', () => {
    for (const optimize of [undefined, { profile: 'balanced', ratio: 0.5 }]) {
      const scene = signJob(newJob(network, { kind: 'scene', submitter: submitter.publicKey, createdAt: T0, reference: [sha256Hex('r')], candidate: [sha256Hex('c')], nonce: 'cd'.repeat(8), ...(optimize === undefined ? {} : { optimize }) }), submitter.privateKey)
      expect(() => verifyJob(decodeJob(wire(scene)), network)).not.toThrow()
      expect(decodeJob(wire(scene)).optimize).toEqual(optimize)
    }
  })

  it('refuses a scene job without a candidate, and network optimization of frames', () => {
    const noCandidate = signJob(newJob(network, { kind: 'scene', submitter: submitter.publicKey, createdAt: T0, reference: [sha256Hex('r')], candidate: [], nonce: 'cd'.repeat(8) }), submitter.privateKey)
    expect(codeOf(() => decodeJob(wire(noCandidate)))).toBe(ERR_SCHEMA)
    const frames = signJob(newJob(network, { kind: 'frames', submitter: submitter.publicKey, createdAt: T0, reference: [sha256Hex('r')], candidate: [sha256Hex('c')], nonce: 'cd'.repeat(8), optimize: { profile: 'balanced', ratio: 0.5 } }), submitter.privateKey)
    expect(codeOf(() => decodeJob(wire(frames)))).toBe(ERR_SCHEMA)
  })

  it('verifyJob refuses another network, a non-validator, a deadline out of bounds and a bad signature', () => {
    const other = makeNetwork([1], {}, 'othernet')
    expect(codeOf(() => verifyJob(makeJob(other.network, other.keys[0]!), network))).toBe(ERR_WRONG_NETWORK)
    const stranger = keyPair('stranger')
    expect(codeOf(() => verifyJob(makeJob(network, stranger), network))).toBe(ERR_UNKNOWN_SIGNER)
    const slow = signJob({ ...newJob(network, { kind: 'frames', submitter: submitter.publicKey, createdAt: T0, reference: job.reference, candidate: job.candidate, nonce: job.nonce, voteMs: network.deadlines.maxVoteMs + 1 }) }, submitter.privateKey)
    expect(codeOf(() => verifyJob(slow, network))).toBe(ERR_JOB_DEADLINE)
    const quick = signJob({ ...newJob(network, { kind: 'frames', submitter: submitter.publicKey, createdAt: T0, reference: job.reference, candidate: job.candidate, nonce: job.nonce, voteMs: network.deadlines.minVoteMs - 1 }) }, submitter.privateKey)
    expect(codeOf(() => verifyJob(quick, network))).toBe(ERR_JOB_DEADLINE)
    expect(codeOf(() => verifyJob({ ...job, nonce: 'ee'.repeat(16) }, network))).toBe(ERR_BAD_SIGNATURE)
    expect(codeOf(() => verifyJob({ ...job, submitter: keys[1]!.publicKey }, network))).toBe(ERR_BAD_SIGNATURE)
  })
})

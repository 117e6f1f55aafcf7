import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { canonicalEncode, canonicalString } from '../../protocol/canonical.ts'
import { MAX_MESSAGE_BYTES } from '../../protocol/constants.ts'
import { ERR_MALFORMED, ERR_NOT_CANONICAL, ERR_SCHEMA, ERR_TOO_LARGE } from '../../protocol/decode.ts'
import { ERR_UNKNOWN_SIGNER, ERR_WRONG_NETWORK } from '../../protocol/job.ts'
import { ERR_METRIC_RANGE } from '../../protocol/metrics.ts'
import { ERR_BAD_SIGNATURE } from '../../protocol/signing.ts'
import { ERR_ENGINE_VERSION, decodeVote, newVote, readVote, signVote, verifyVote, voteMetrics } from '../../protocol/vote.ts'
import { codeOf } from './codes.ts'
import { GOOD, keyPair, makeJob, makeNetwork, makeVote } from './fixtures.ts'
import type { UnsignedVote } from '../../protocol/vote.ts'

const { network, keys } = makeNetwork([1, 1, 1, 1])
const job = makeJob(network, keys[0]!)
const vote = makeVote(network, job, keys[1]!, GOOD)
const enc = new TextEncoder()

/** Bytes of `vote` with the JSON text of one field replaced, as a peer could send. */
function withRaw (field: string, rawJson: string): Uint8Array {
  const text = JSON.stringify({ ...vote, [field]: '__X__' }).replace('"__X__"', rawJson)
  return enc.encode(text)
}

describe('votes', () => {
  it('decodes what it encodes and verifies, whatever the key order or whitespace on the wire', () => {
    const reordered = JSON.stringify(Object.fromEntries(Object.entries(vote).reverse()), null, 2)
    const decoded = decodeVote(enc.encode(reordered))
    expect(decoded).toEqual(vote)
    expect(() => verifyVote(decoded, network)).not.toThrow()
  })

  it('carries an infinite PSNR as "Infinity" and verifies it', () => {
    const identical = makeVote(network, job, keys[2]!, { ssim: 1, psnr: Infinity })
    expect(identical.metrics.psnr).toBe('Infinity')
    const decoded = decodeVote(enc.encode(JSON.stringify(identical)))
    expect(voteMetrics(decoded)).toEqual({ ssim: 1, psnr: Infinity, ssimLocal: 1 })
    expect(() => verifyVote(decoded, network)).not.toThrow()
  })

  it('omits absent checks and keeps given ones', () => {
    expect('checks' in vote).toBe(false)
    const v = newVote({ networkId: 'testnet', networkDigest: vote.networkDigest, engine: vote.engine, seed: vote.seed, jobId: vote.jobId, round: 0, voter: keys[1]!.publicKey, metrics: GOOD, intervals: { ssim: [0.99, 0.995], psnr: [40, 42], ssimLocal: [0.94, 0.96] }, samples: 3, checks: { candidateHashMatches: false } })
    expect(v.checks).toEqual({ candidateHashMatches: false })
  })

  it('refuses oversized, malformed and schema-invalid bytes with their codes', () => {
    expect(codeOf(() => decodeVote(new Uint8Array(MAX_MESSAGE_BYTES + 1).fill(0x20)))).toBe(ERR_TOO_LARGE)
    expect(codeOf(() => decodeVote(enc.encode('not json')))).toBe(ERR_MALFORMED)
    expect(codeOf(() => decodeVote(new Uint8Array([0xff, 0xfe])))).toBe(ERR_MALFORMED)
    const bad: unknown[] = [
      {}, { ...vote, type: 'job' }, { ...vote, extra: 0 }, { ...vote, round: -1 }, { ...vote, round: 0.5 }, { ...vote, round: 99 },
      { ...vote, jobId: 'xyz' }, { ...vote, voter: vote.voter.slice(2) }, { ...vote, samples: 0 },
      { ...vote, metrics: { ssim: 0.9 } }, { ...vote, metrics: { ...vote.metrics, lpips: 0.1 } }, { ...vote, metrics: { ssim: '0.9', psnr: 30 } },
      { ...vote, metrics: { ssim: 0.9, psnr: 'inf' } }, { ...vote, intervals: { ssim: [0.9], psnr: [1, 2] } },
      { ...vote, checks: { candidateHashMatches: 'yes' } }, { ...vote, checks: { other: true } }, { ...vote, signature: undefined }
    ]
    for (const value of bad) expect(codeOf(() => decodeVote(enc.encode(JSON.stringify(value))))).toBe(ERR_SCHEMA)
  })

  it('refuses out-of-range and non-finite metrics with ERR_METRIC_RANGE', () => {
    const raws: Array<[string, string]> = [
      ['metrics', '{"ssim":1.01,"psnr":40,"ssimLocal":0.9}'],
      ['metrics', '{"ssim":-1.01,"psnr":40,"ssimLocal":0.9}'],
      ['metrics', '{"ssim":"Infinity","psnr":40,"ssimLocal":0.9}'],
      ['metrics', '{"ssim":0.99,"psnr":-3,"ssimLocal":0.9}'],
      ['metrics', '{"ssim":0.99,"psnr":1e999,"ssimLocal":0.9}'],
      ['metrics', '{"ssim":-1e999,"psnr":40,"ssimLocal":0.9}'],
      ['intervals', '{"ssim":[0.99,1.5],"psnr":[40,41],"ssimLocal":[0.9,0.95]}'],
      ['intervals', '{"ssim":[0.995,0.99],"psnr":[40,41],"ssimLocal":[0.9,0.95]}'],
      ['intervals', '{"ssim":[0.99,0.995],"psnr":["Infinity",41],"ssimLocal":[0.9,0.95]}'],
      ['metrics', '{"ssim":0.99,"psnr":40,"ssimLocal":1.5}'],
      ['intervals', '{"ssim":[0.99,0.995],"psnr":[40,41],"ssimLocal":[0.95,0.9]}']
    ]
    for (const [field, raw] of raws) expect(codeOf(() => decodeVote(withRaw(field, raw)))).toBe(ERR_METRIC_RANGE)
  })

  it('verifyVote refuses another network, a non-validator and a bad signature', () => {
    const other = makeNetwork([1], {}, 'othernet')
    expect(codeOf(() => verifyVote(makeVote(other.network, job, other.keys[0]!, GOOD), network))).toBe(ERR_WRONG_NETWORK)
    expect(codeOf(() => verifyVote(makeVote(network, job, keyPair('stranger'), GOOD), network))).toBe(ERR_UNKNOWN_SIGNER)
    expect(codeOf(() => verifyVote({ ...vote, metrics: { ssim: 0.5, psnr: 20, ssimLocal: 0.5 } }, network))).toBe(ERR_BAD_SIGNATURE)
    // A vote signed in network "othernet" and relabelled as "testnet" does not verify.
    const foreign = makeVote(other.network, job, keys[1]!, GOOD)
    expect(codeOf(() => verifyVote({ ...foreign, networkId: 'testnet', networkDigest: vote.networkDigest }, network))).toBe(ERR_BAD_SIGNATURE)
    // A vote signed by another key than its voter's does not verify.
    expect(codeOf(() => verifyVote(signVote(newVote({ networkId: 'testnet', networkDigest: vote.networkDigest, engine: vote.engine, seed: vote.seed, jobId: vote.jobId, round: 0, voter: keys[1]!.publicKey, metrics: GOOD, intervals: { ssim: [GOOD.ssim, GOOD.ssim], psnr: [GOOD.psnr, GOOD.psnr], ssimLocal: [GOOD.ssimLocal, GOOD.ssimLocal] }, samples: 2 }), keys[2]!.privateKey), network))).toBe(ERR_BAD_SIGNATURE)
  })
})

describe('readVote (the gossip path in one parse)', () => {
  /** The same checks the long way: the gate (re-encode and compare), decodeVote, verifyVote. */
  const reference = (bytes: Uint8Array): string => {
    if (bytes.byteLength <= MAX_MESSAGE_BYTES) {
      let parsed: unknown
      let json = true
      try {
        parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes))
      } catch {
        json = false
      }
      if (json) {
        let canonical: Uint8Array | null = null
        try {
          canonical = canonicalEncode(parsed)
        } catch {}
        if (canonical === null || Buffer.compare(canonical, bytes) !== 0) return ERR_NOT_CANONICAL
      }
    }
    try {
      verifyVote(decodeVote(bytes), network)
      return 'OK'
    } catch (err) {
      return (err as { code: string }).code
    }
  }
  const outcome = (bytes: Uint8Array): string => {
    try {
      expect(readVote(bytes, network)).toEqual(JSON.parse(new TextDecoder().decode(bytes)))
      return 'OK'
    } catch (err) {
      return (err as { code: string }).code
    }
  }

  it('takes the canonical bytes of a valid vote, and refuses every other encoding of them with ERR_NOT_CANONICAL', () => {
    expect(readVote(canonicalEncode(vote), network)).toEqual(vote)
    const text = canonicalString(vote)
    const others = [
      JSON.stringify(vote), JSON.stringify(JSON.parse(text), null, 1), text + ' ', text.replace('"round":0', '"round":0.0'),
      text.replace('"type":"vote"', '"type":"\\u0076ote"'), text.replace('{', '{"round":0,'), text.replace('"samples":', '"samples":1,"samples":')
    ]
    for (const other of others) expect(codeOf(() => readVote(enc.encode(other), network))).toBe(ERR_NOT_CANONICAL)
    // A byte order mark before the canonical text: the text decodes the same, the bytes (and the message id) differ.
    expect(codeOf(() => readVote(new Uint8Array([0xef, 0xbb, 0xbf, ...canonicalEncode(vote)]), network))).toBe(ERR_NOT_CANONICAL)
    expect(codeOf(() => readVote(new Uint8Array([0xef, 0xbb, 0xbf, ...enc.encode('not json')]), network))).toBe(ERR_MALFORMED)
  })

  it('refuses with the code of the first failing check, as the gate, decodeVote and verifyVote do', () => {
    expect(codeOf(() => readVote(new Uint8Array(MAX_MESSAGE_BYTES + 1).fill(0x20), network))).toBe(ERR_TOO_LARGE)
    expect(codeOf(() => readVote(enc.encode('not json'), network))).toBe(ERR_MALFORMED)
    expect(codeOf(() => readVote(canonicalEncode({ ...vote, extra: 1 }), network))).toBe(ERR_SCHEMA)
    expect(codeOf(() => readVote(canonicalEncode({ ...vote, metrics: { ...vote.metrics, ssim: 1.5 } }), network))).toBe(ERR_METRIC_RANGE)
    expect(codeOf(() => readVote(canonicalEncode({ ...vote, engine: 'other/1' }), network))).toBe(ERR_ENGINE_VERSION)
    expect(codeOf(() => readVote(canonicalEncode(makeVote(network, job, keyPair('stranger'), GOOD)), network))).toBe(ERR_UNKNOWN_SIGNER)
    expect(codeOf(() => readVote(canonicalEncode({ ...vote, samples: vote.samples + 1 }), network))).toBe(ERR_BAD_SIGNATURE)
    const other = makeNetwork([1], {}, 'othernet')
    expect(codeOf(() => readVote(canonicalEncode(makeVote(other.network, job, other.keys[0]!, GOOD)), network))).toBe(ERR_WRONG_NETWORK)
  })

  /** `vote` with field `name` set to `value` (removed when undefined), re-signed or not, encoded one way; null when it has no encoding. */
  const altered = (name: string, value: unknown, resign: boolean, how: string): Uint8Array | null => {
    const changed: Record<string, unknown> = { ...vote, [name]: value }
    if (value === undefined) delete changed[name]
    let message: unknown = changed
    if (resign) {
      const { signature: _s, ...unsigned } = changed
      try {
        message = signVote(unsigned as UnsignedVote, keys[1]!.privateKey)
      } catch {}
    }
    try {
      const text = how === 'canonical' || how === 'bom' ? canonicalString(message) : how === 'stringify' ? JSON.stringify(message) : JSON.stringify(message, null, 2)
      return how === 'bom' ? new Uint8Array([0xef, 0xbb, 0xbf, ...enc.encode(text)]) : enc.encode(text)
    } catch {
      return null
    }
  }
  const fields = [...Object.keys(vote), 'checks', 'extra']
  // Values near the schema's edges: numbers around the bounds, strings of other forms, and checks, metric objects and
  // interval pairs with a part too many, too few or of another type.
  const edges: unknown[] = [
    undefined, null, 0, 1, -1, 15, 16, 1.5, 1e6, 1e6 + 1, 'Infinity', 'vote', 'job', '', vote.voter, vote.voter.toUpperCase(), keys[2]!.publicKey, 'a'.repeat(128), 'other-engine/2', 'testnet',
    {}, [], { candidateHashMatches: false }, { candidateHashMatches: 1 }, { candidateHashMatches: true, other: true }, { other: true }, [true],
    { ssim: 0.5, psnr: 12, ssimLocal: 0.5 }, { ssim: 0.5, psnr: 'Infinity', ssimLocal: 0.5 }, { ssim: 0.5, psnr: 12 }, { ssim: 0.5, psnr: 12, ssimLocal: 0.5, lpips: 0 }, { ssim: 0.5, psnr: '12', ssimLocal: 0.5 },
    { ssim: [0.9, 1], psnr: [30, 'Infinity'], ssimLocal: [0.9, 1] }, { ssim: [0.9, 1, 1], psnr: [30, 40], ssimLocal: [0.9, 1] }, { ssim: [0.9], psnr: [30, 40], ssimLocal: [0.9, 1] },
    { ssim: [0.9, '1'], psnr: [30, 40], ssimLocal: [0.9, 1] }, { ssim: [1, 0.9], psnr: [30, 40], ssimLocal: [0.9, 1] }, { ssim: [0.9, 1], psnr: [30, 40], ssimLocal: [0.9, 1], x: [0, 0] },
    { ssim: [0.9, 1], psnr: [30, 40] }, { ssim: { 0: 0.9, 1: 1 }, psnr: [30, 40], ssimLocal: [0.9, 1] }
  ]

  it('gives the same outcome as the gate, decodeVote and verifyVote in turn, for every field set to values at the schema\'s edges', () => {
    for (const name of fields) {
      for (const value of edges) {
        for (const resign of [false, true]) {
          const bytes = altered(name, value, resign, 'canonical')!
          expect([name, value, resign, outcome(bytes)]).toEqual([name, value, resign, reference(bytes)])
        }
      }
    }
  })

  it('gives the same outcome as the gate, decodeVote and verifyVote in turn, for altered, re-signed and re-encoded votes (property)', () => {
    const encoding = fc.constantFrom('canonical', 'stringify', 'spaced', 'bom')
    const change = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.double({ min: -2, max: 50 }), fc.constantFrom(...edges))
    fc.assert(fc.property(fc.constantFrom(...fields), change, fc.boolean(), encoding, (name, value, resign, how) => {
      const bytes = altered(name, value, resign, how)
      if (bytes !== null) expect(outcome(bytes)).toBe(reference(bytes))
    }), { numRuns: 400 })
  })
})

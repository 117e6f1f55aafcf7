import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { DOMAIN_PREFIX } from '../../protocol/constants.ts'
import { isTrustEngineError } from '../../protocol/errors.ts'
import {
  ERR_BAD_KEY, KEY_CACHE_LIMIT, generateKeyPair, isKeyHex, publicKeyCacheSize, publicKeyOf, signBytes, signMessage, signedBytes, verifyBytes, verifyMessage,
  verifySignedJson
} from '../../protocol/signing.ts'
import { canonicalEncode } from '../../protocol/canonical.ts'
import { decodeSignedJson } from '../../protocol/decode.ts'
import { keyPair } from './fixtures.ts'

const alice = keyPair('alice')
const bob = keyPair('bob')
const vote = { type: 'vote', networkId: 'net-a', jobId: 'a'.repeat(64), round: 0, voter: alice.publicKey, metrics: { ssim: 0.99, psnr: 'Infinity' } }

describe('keys', () => {
  it('generates 32-byte hex key pairs whose public key derives from the seed', () => {
    const kp = generateKeyPair()
    expect(isKeyHex(kp.publicKey)).toBe(true)
    expect(isKeyHex(kp.privateKey)).toBe(true)
    expect(publicKeyOf(kp.privateKey)).toBe(kp.publicKey)
  })

  it('refuses malformed private keys with ERR_BAD_KEY', () => {
    for (const bad of ['', 'zz'.repeat(32), 'AB'.repeat(32), 'ab'.repeat(31)]) {
      let code: string | undefined
      try { signBytes(bad, new Uint8Array(1)) } catch (err) { if (isTrustEngineError(err)) code = err.code }
      expect(code).toBe(ERR_BAD_KEY)
    }
  })
})

describe('signatures', () => {
  it('matches RFC 8032 test vector 1 (empty message)', () => {
    const seed = '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60'
    expect(publicKeyOf(seed)).toBe('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a')
    expect(signBytes(seed, new Uint8Array(0))).toBe('e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b')
  })

  it('round-trips and fails on any tampering of bytes, signature or key (property)', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 0, maxLength: 64 }), fc.nat(), (bytes, pick) => {
      const sig = signBytes(alice.privateKey, bytes)
      expect(verifyBytes(alice.publicKey, bytes, sig)).toBe(true)
      expect(verifyBytes(bob.publicKey, bytes, sig)).toBe(false)
      const flipped = Buffer.from(sig, 'hex')
      flipped[pick % 64]! ^= 1
      expect(verifyBytes(alice.publicKey, bytes, flipped.toString('hex'))).toBe(false)
      if (bytes.length > 0) {
        const changed = Uint8Array.from(bytes)
        changed[pick % bytes.length]! ^= 0x80
        expect(verifyBytes(alice.publicKey, changed, sig)).toBe(false)
      }
    }), { numRuns: 100 })
  })

  it('treats malformed keys and signatures as not verifying', () => {
    const sig = signBytes(alice.privateKey, new Uint8Array([1]))
    expect(verifyBytes('nothex', new Uint8Array([1]), sig)).toBe(false)
    expect(verifyBytes(alice.publicKey, new Uint8Array([1]), sig.slice(2))).toBe(false)
    expect(verifyBytes(alice.publicKey, new Uint8Array([1]), sig.toUpperCase())).toBe(false)
  })
})

describe('domain-separated messages', () => {
  it('signs the documented bytes: prefix, type, network id, newline, canonical body without signature', () => {
    const bytes = signedBytes('vote', 'net-a', { ...vote, signature: 'ignored' })
    const text = Buffer.from(bytes).toString('utf8')
    expect(text.startsWith(`${DOMAIN_PREFIX}vote/net-a\n{`)).toBe(true)
    expect(text).not.toContain('signature')
    expect(text.endsWith('"voter":"' + alice.publicKey + '"}')).toBe(true)
  })

  it('verifies a signed message and refuses a tampered one', () => {
    const signed = signMessage('vote', 'net-a', vote, alice.privateKey)
    expect(verifyMessage('vote', 'net-a', signed, alice.publicKey)).toBe(true)
    const roundChanged = { ...signed, round: 1 }
    const metricsChanged = { ...signed, metrics: { ssim: 0.99, psnr: 50 } }
    expect(verifyMessage('vote', 'net-a', roundChanged, alice.publicKey)).toBe(false)
    expect(verifyMessage('vote', 'net-a', metricsChanged, alice.publicKey)).toBe(false)
    expect(verifyMessage('vote', 'net-a', signed, bob.publicKey)).toBe(false)
  })

  it('verifies messages of every size and script alike, whatever was verified before (property)', () => {
    // Bodies from a few bytes to past the reused buffer's bound, with multi-byte UTF-8.
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 20 }), fc.constantFrom(1, 100, 3000, 20_000), (s, repeat) => {
      const signed = signMessage('vote', 'net-a', { ...vote, note: s.repeat(repeat) }, alice.privateKey)
      expect(verifyMessage('vote', 'net-a', signed, alice.publicKey)).toBe(true)
      const tampered = { ...signed, note: s.repeat(repeat) + 'x' }
      expect(verifyMessage('vote', 'net-a', tampered, alice.publicKey)).toBe(false)
    }), { numRuns: 40 })
  })

  it('a vote signed for one network never verifies for another', () => {
    const signed = signMessage('vote', 'net-a', vote, alice.privateKey)
    expect(verifyMessage('vote', 'net-b', signed, alice.publicKey)).toBe(false)
    const relabelled = { ...signed, networkId: 'net-b' }
    expect(verifyMessage('vote', 'net-b', relabelled, alice.publicKey)).toBe(false)
  })

  it('a vote signature never verifies as another message type', () => {
    const signed = signMessage('vote', 'net-a', vote, alice.privateKey)
    for (const type of ['job', 'audit', 'head'] as const) {
      expect(verifyMessage(type, 'net-a', signed, alice.publicKey)).toBe(false)
    }
  })
})

describe('verifySignedJson (signed bytes cut from the received ones)', () => {
  it('agrees with verifyMessage for any message, ASCII or not, wherever its signature sorts (property)', () => {
    const key = fc.oneof(fc.constantFrom('a', 'sig', 'signaturf', 'type', 'voter', '9', '10', 'é'), fc.string({ maxLength: 3 }))
    fc.assert(fc.property(fc.dictionary(key, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 6 }), fc.boolean(), (fields, tamper) => {
      const { signature: _s, ...unsigned } = fields as Record<string, unknown>
      const signed = signMessage('vote', 'net-a', unsigned, alice.privateKey)
      const sent = tamper ? { ...signed, tampered: true } : signed
      const read = decodeSignedJson(canonicalEncode(sent), 1 << 20, 'message')
      expect(verifySignedJson('vote', 'net-a', read, signed.signature, alice.publicKey)).toBe(verifyMessage('vote', 'net-a', sent, alice.publicKey))
      expect(verifySignedJson('vote', 'net-a', read, signed.signature, alice.publicKey)).toBe(!tamper)
      expect(verifySignedJson('vote', 'net-b', read, signed.signature, alice.publicKey)).toBe(false)
      expect(verifySignedJson('vote', 'net-a', read, signed.signature, bob.publicKey)).toBe(false)
    }), { numRuns: 200 })
  })
})

describe('the verification key cache', () => {
  it('holds at most KEY_CACHE_LIMIT keys and answers for a key only with that key, cached, evicted or refused', () => {
    const bytes = new TextEncoder().encode('one message')
    const byAlice = signBytes(alice.privateKey, bytes)
    const byBob = signBytes(bob.privateKey, bytes)
    expect(verifyBytes(alice.publicKey, bytes, byAlice)).toBe(true)
    expect(verifyBytes(bob.publicKey, bytes, byAlice)).toBe(false)
    expect(verifyBytes(bob.publicKey, bytes, byBob)).toBe(true)
    // Past the bound with other keys: valid ones, and ones that never verify (malformed, small order).
    const identity = '01' + '00'.repeat(31)
    for (let i = 0; i < KEY_CACHE_LIMIT + 50; i++) {
      const other = i === 7 ? identity : i === 8 ? 'AB'.repeat(32) : generateKeyPair().publicKey
      expect(verifyBytes(other, bytes, byAlice)).toBe(false)
      expect(publicKeyCacheSize()).toBeLessThanOrEqual(KEY_CACHE_LIMIT)
    }
    expect(publicKeyCacheSize()).toBe(KEY_CACHE_LIMIT)
    // Alice's and Bob's entries went first: their keys are looked up again, each for its own signature only.
    expect(verifyBytes(bob.publicKey, bytes, byAlice)).toBe(false)
    expect(verifyBytes(alice.publicKey, bytes, byAlice)).toBe(true)
    expect(verifyBytes(alice.publicKey, bytes, byBob)).toBe(false)
    expect(verifyBytes(bob.publicKey, bytes, byBob)).toBe(true)
    // A refused key stays refused while cached, even for a signature that its encoding would accept.
    expect(verifyBytes(identity, bytes, '01' + '00'.repeat(63))).toBe(false)
    expect(publicKeyCacheSize()).toBe(KEY_CACHE_LIMIT)
  })
})

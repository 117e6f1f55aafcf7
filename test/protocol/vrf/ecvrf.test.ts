import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { publicKeyOf } from '../../../protocol/signing.ts'
import { ed25519 } from '@noble/curves/ed25519.js'
import { vrfProofToHash, vrfProve, vrfProveReference, vrfVerify, vrfVerifyReference } from '../../../protocol/vrf/ecvrf.ts'
import { NATIVE_ED25519, NOT_A_POINT, nativeClearCofactor } from '../../../protocol/vrf/native-ed25519.ts'

/** RFC 9381 Appendix B.3 (ECVRF-EDWARDS25519-SHA512-TAI); the keys are RFC 8032's test keys 1 to 3. */
const VECTORS = [
  {
    sk: '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
    pk: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
    alpha: '',
    pi: '8657106690b5526245a92b003bb079ccd1a92130477671f6fc01ad16f26f723f26f8a57ccaed74ee1b190bed1f479d9727d2d0f9b005a6e456a35d4fb0daab1268a1b0db10836d9826a528ca76567805',
    beta: '90cf1df3b703cce59e2a35b925d411164068269d7b2d29f3301c03dd757876ff66b71dda49d2de59d03450451af026798e8f81cd2e333de5cdf4f3e140fdd8ae'
  },
  {
    sk: '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb',
    pk: '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c',
    alpha: '72',
    pi: 'f3141cd382dc42909d19ec5110469e4feae18300e94f304590abdced48aed5933bf0864a62558b3ed7f2fea45c92a465301b3bbf5e3e54ddf2d935be3b67926da3ef39226bbc355bdc9850112c8f4b02',
    beta: 'eb4440665d3891d668e7e0fcaf587f1b4bd7fbfe99d0eb2211ccec90496310eb5e33821bc613efb94db5e5b54c70a848a0bef4553a41befc57663b56373a5031'
  },
  {
    sk: 'c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7',
    pk: 'fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025',
    alpha: 'af82',
    pi: '9bc0f79119cc5604bf02d23b4caede71393cedfbb191434dd016d30177ccbf8096bb474e53895c362d8628ee9f9ea3c0e52c7a5c691b6c18c9979866568add7a2d41b00b05081ed0f58ee5e31b3a970e',
    beta: '645427e5d00c62a23fb703732fa5d892940935942101e456ecca7bb217c61c452118fec1219202a0edcf038bb6373241578be7217ba85a2687f7a0310b2df19f'
  }
]

const bytes = (hex: string): Uint8Array => new Uint8Array(Buffer.from(hex, 'hex'))

describe('ECVRF-EDWARDS25519-SHA512-TAI', () => {
  it.each(VECTORS)('reproduces RFC 9381 B.3 for alpha "$alpha"', (v) => {
    expect(publicKeyOf(v.sk)).toBe(v.pk)
    expect(vrfProve(v.sk, bytes(v.alpha))).toBe(v.pi)
    expect(vrfVerify(v.pk, bytes(v.alpha), v.pi)).toBe(v.beta)
    expect(vrfProofToHash(v.pi)).toBe(v.beta)
  })

  it('refuses every single-bit change of a proof, another input and another key', () => {
    const v = VECTORS[1]!
    for (let i = 0; i < 80 * 8; i += 7) {
      const pi = bytes(v.pi)
      pi[i >> 3]! ^= 1 << (i & 7)
      expect(vrfVerify(v.pk, bytes(v.alpha), Buffer.from(pi).toString('hex'))).toBeNull()
    }
    expect(vrfVerify(v.pk, bytes('73'), v.pi)).toBeNull()
    expect(vrfVerify(VECTORS[0]!.pk, bytes(v.alpha), v.pi)).toBeNull()
  })

  it('refuses small-order keys, malformed hex and s ≥ q', () => {
    const v = VECTORS[0]!
    expect(vrfVerify('01' + '00'.repeat(31), bytes(v.alpha), v.pi)).toBeNull()
    expect(vrfVerify('00'.repeat(32), bytes(v.alpha), v.pi)).toBeNull()
    expect(vrfVerify(v.pk, bytes(v.alpha), v.pi.slice(2))).toBeNull()
    expect(vrfVerify(v.pk.toUpperCase(), bytes(v.alpha), v.pi)).toBeNull()
    const highS = v.pi.slice(0, 96) + 'ff'.repeat(32)
    expect(vrfVerify(v.pk, bytes(v.alpha), highS)).toBeNull()
  })

  it('round-trips for any key and input, and the output is unique per key and input', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ maxLength: 64 }), (seed, alpha) => {
      const sk = Buffer.from(seed).toString('hex')
      const pi = vrfProve(sk, alpha)
      const beta = vrfVerify(publicKeyOf(sk), alpha, pi)
      expect(beta).not.toBeNull()
      expect(vrfProve(sk, alpha)).toBe(pi)
      expect(vrfProofToHash(pi)).toBe(beta)
    }), { numRuns: 25 })
  })
})

describe('ECVRF native products', () => {
  it('are available on this platform (the prebuilt addon loads)', () => {
    expect(NATIVE_ED25519).toBe(true)
  })

  it('clear the cofactor of exactly the encodings strict RFC 8032 decoding takes, to the same point', () => {
    const reference = (e: Uint8Array): string => {
      try {
        return Buffer.from(ed25519.ExtendedPoint.fromHex(e, false).multiplyUnsafe(8n).toRawBytes()).toString('hex')
      } catch {
        return NOT_A_POINT
      }
    }
    const native = (e: Uint8Array): string => {
      const r = nativeClearCofactor(e)
      return typeof r === 'string' ? r : Buffer.from(r!).toString('hex')
    }
    fc.assert(fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (e) => {
      expect(native(e)).toBe(reference(e))
    }), { numRuns: 300 })
    // The edges libsodium's decoding treats differently: y ≥ p, and x = 0 (y = ±1) with the sign bit set or clear.
    const p = 'ed' + 'ff'.repeat(30) + '7f'
    const edges = ['01' + '00'.repeat(31), '01' + '00'.repeat(30) + '80', 'ec' + 'ff'.repeat(30) + '7f', 'ec' + 'ff'.repeat(30) + 'ff',
      p, 'ee' + 'ff'.repeat(31), 'ff'.repeat(32), '00'.repeat(32), '00'.repeat(31) + '80', 'eb' + 'ff'.repeat(30) + '7f']
    for (const hex of edges) expect(native(bytes(hex))).toBe(reference(bytes(hex)))
    expect(native(bytes('01' + '00'.repeat(30) + '80'))).toBe(NOT_A_POINT)
    expect(native(bytes(p))).toBe(NOT_A_POINT)
  })

  it.each(VECTORS)('the BigInt reference also reproduces RFC 9381 B.3 for alpha "$alpha"', (v) => {
    expect(vrfProveReference(v.sk, bytes(v.alpha))).toBe(v.pi)
    expect(vrfVerifyReference(v.pk, bytes(v.alpha), v.pi)).toBe(v.beta)
  })

  it('give the reference\'s proof and output for any key and input, and its refusals for altered proofs', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ maxLength: 64 }), fc.nat({ max: 80 * 8 - 1 }), (seed, alpha, bit) => {
      const sk = Buffer.from(seed).toString('hex')
      const pk = publicKeyOf(sk)
      const pi = vrfProve(sk, alpha)
      expect(vrfProveReference(sk, alpha)).toBe(pi)
      expect(vrfVerify(pk, alpha, pi)).toBe(vrfVerifyReference(pk, alpha, pi))
      const altered = bytes(pi)
      altered[bit >> 3]! ^= 1 << (bit & 7)
      const alteredHex = Buffer.from(altered).toString('hex')
      expect(vrfVerify(pk, alpha, alteredHex)).toBe(vrfVerifyReference(pk, alpha, alteredHex))
    }), { numRuns: 25 })
  })

  it('fall back to the reference where libsodium refuses: a valid proof whose Gamma has a small-order part, c = 0, s = 0', () => {
    // RFC 9381 accepts Gamma' = Gamma + T (T of order 2) when c is even: V = s·H − c·Gamma' = k·H. libsodium refuses
    // points outside the prime-order subgroup, so only the reference path can accept it, with the honest output.
    const v = VECTORS[0]!
    const Point = ed25519.ExtendedPoint
    const q = ed25519.CURVE.n
    const le = (b: Uint8Array): bigint => BigInt('0x' + Buffer.from(b).reverse().toString('hex'))
    const leHex = (n: bigint, len: number): string => Buffer.from(n.toString(16).padStart(2 * len, '0'), 'hex').reverse().toString('hex')
    const h = createHash('sha512').update(bytes(v.sk)).digest()
    h[0]! &= 248; h[31]! &= 127; h[31]! |= 64
    const x = le(h.subarray(0, 32)) % q
    const alpha = bytes(v.alpha)
    let hPoint: InstanceType<typeof Point> | null = null
    for (let ctr = 0; hPoint === null; ctr++) {
      try { hPoint = Point.fromHex(createHash('sha512').update(Uint8Array.of(3, 1)).update(bytes(v.pk)).update(alpha).update(Uint8Array.of(ctr, 0)).digest().subarray(0, 32), false).multiplyUnsafe(8n) } catch {}
    }
    const orderTwo = Point.fromHex('ec' + 'ff'.repeat(30) + '7f')
    const gammaT = hPoint.multiply(x).add(orderTwo)
    let crafted = ''
    for (let i = 1; crafted === ''; i++) {
      const k = BigInt(i) * 7919n
      const c = le(createHash('sha512').update(Uint8Array.of(3, 2)).update(bytes(v.pk)).update(hPoint.toRawBytes()).update(gammaT.toRawBytes())
        .update(Point.BASE.multiply(k).toRawBytes()).update(hPoint.multiply(k).toRawBytes()).update(Uint8Array.of(0)).digest().subarray(0, 16))
      if (c % 2n === 0n) crafted = Buffer.from(gammaT.toRawBytes()).toString('hex') + leHex(c, 16) + leHex((k + c * x) % q, 32)
    }
    expect(vrfVerifyReference(v.pk, alpha, crafted)).toBe(v.beta)
    expect(vrfVerify(v.pk, alpha, crafted)).toBe(v.beta)
    const zeroC = v.pi.slice(0, 64) + '00'.repeat(16) + v.pi.slice(96)
    const zeroS = v.pi.slice(0, 96) + '00'.repeat(32)
    for (const p of [zeroC, zeroS]) {
      expect(vrfVerify(v.pk, alpha, p)).toBeNull()
      expect(vrfVerifyReference(v.pk, alpha, p)).toBeNull()
    }
  })
})

/**
 * ECVRF-EDWARDS25519-SHA512-TAI (RFC 9381, suite 0x03): a verifiable random
 * function over ed25519 keys.
 *
 * For a key pair and an input `alpha`, {@link vrfProve} gives an 80-byte
 * proof `pi`; anyone holding the public key checks it with {@link vrfVerify},
 * which returns the 64-byte output `beta`. The output is unique per key and
 * input (RFC 9381 §3.2 full uniqueness), so the key's holder cannot choose
 * among outputs, and nobody without the secret key can predict it
 * (pseudorandomness). That is what makes a job's sampling seed impossible to
 * grind (protocol/seed.ts).
 *
 * Keys are the validators' ed25519 keys (the 32-byte seed and the encoded
 * point, as in signing.ts). The hash-to-curve tries and the scalar products
 * of a proof or a verification run natively (native-ed25519.ts, libsodium)
 * when it takes their points, which every honest proof's are, and through
 * @noble/curves (the reference path) otherwise. Both paths compute the same points; the
 * encodings, hashing and the proof follow RFC 9381 §5 and are tested
 * against its Appendix B.3 vectors, the fast path against the reference on
 * random keys, inputs and altered proofs. Pure and deterministic.
 */
import { createHash } from 'node:crypto'
import { ed25519 } from '@noble/curves/ed25519.js'
import { NOT_A_POINT, nativeClearCofactor, nativeMul, nativeMulBase, nativeSub } from './native-ed25519.ts'

type Point = InstanceType<typeof ed25519.ExtendedPoint>
const Point = ed25519.ExtendedPoint
/** The prime order q of the ed25519 base point. */
const Q = ed25519.CURVE.n
/** Suite string of ECVRF-EDWARDS25519-SHA512-TAI. */
const SUITE = 0x03
/** Bytes of the truncated challenge c (cLen). */
const C_LEN = 16
/** Bytes of a proof: Gamma (32) ‖ c (16) ‖ s (32). */
export const VRF_PROOF_BYTES = 80
/** Bytes of an output beta (SHA-512). */
export const VRF_OUTPUT_BYTES = 64

const HEX32 = /^[0-9a-f]{64}$/
const HEX_PROOF = /^[0-9a-f]{160}$/

function sha512 (...parts: Uint8Array[]): Uint8Array {
  const h = createHash('sha512')
  for (const p of parts) h.update(p)
  return new Uint8Array(h.digest())
}

function leInt (bytes: Uint8Array): bigint {
  let n = 0n
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]!)
  return n
}

function leBytes (n: bigint, length: number): Uint8Array {
  const out = new Uint8Array(length)
  for (let i = 0; i < length; i++) {
    out[i] = Number(n & 0xffn)
    n >>= 8n
  }
  return out
}

/** RFC 8032 point decoding (strict: y < p, no "negative zero"); null when the bytes are not a point. */
function decodePoint (bytes: Uint8Array): Point | null {
  try {
    return Point.fromHex(bytes, false)
  } catch {
    return null
  }
}

/** RFC 9381 §5.4.1.1 encode_to_curve_try_and_increment, salt = the public key string. */
function encodeToCurve (publicKey: Uint8Array, alpha: Uint8Array): Point {
  for (let ctr = 0; ctr < 256; ctr++) {
    const h = decodePoint(candidate(publicKey, alpha, ctr))
    if (h !== null) return h.multiplyUnsafe(COFACTOR)
  }
  /* c8 ignore next: each try succeeds with probability about 1/2 */
  throw new Error('ecvrf: encode_to_curve found no point in 256 tries')
}

/** The encoding of {@link encodeToCurve}'s point through libsodium (same tries, same point); null without the addon. */
function encodeToCurveNative (publicKey: Uint8Array, alpha: Uint8Array): Uint8Array | null {
  for (let ctr = 0; ctr < 256; ctr++) {
    const h = nativeClearCofactor(candidate(publicKey, alpha, ctr))
    if (h === null) return null
    if (h !== NOT_A_POINT) return h
  }
  /* c8 ignore next: each try succeeds with probability about 1/2 */
  throw new Error('ecvrf: encode_to_curve found no point in 256 tries')
}

/** The bytes of try `ctr`: the first 32 bytes of SHA-512(suite ‖ 0x01 ‖ PK ‖ alpha ‖ ctr ‖ 0x00). */
function candidate (publicKey: Uint8Array, alpha: Uint8Array, ctr: number): Uint8Array {
  return sha512(Uint8Array.of(SUITE, 0x01), publicKey, alpha, Uint8Array.of(ctr, 0x00)).subarray(0, 32)
}

/** RFC 9381 §5.4.3 challenge generation (cLen = 16) over the encodings of its five points. */
function challenge (encodings: Uint8Array[]): bigint {
  const hash = sha512(Uint8Array.of(SUITE, 0x02), ...encodings, Uint8Array.of(0x00))
  return leInt(hash.subarray(0, C_LEN))
}

/** The ed25519 cofactor. */
const COFACTOR = 8n

/** RFC 9381 §5.2 proof_to_hash on the encoding of cofactor·Gamma. */
function hashPoint (gamma8: Uint8Array): Uint8Array {
  return sha512(Uint8Array.of(SUITE, 0x03), gamma8, Uint8Array.of(0x00))
}

/** RFC 9381 §5.2 proof_to_hash on a decoded Gamma. */
function outputOf (gamma: Point): Uint8Array {
  return hashPoint(gamma.multiplyUnsafe(COFACTOR).toRawBytes())
}

function hexBytes (hex: string): Uint8Array {
  return new Uint8Array(Buffer.from(hex, 'hex'))
}

/**
 * The proof `pi` (160 lowercase hex characters) of input `alpha` under the
 * ed25519 private key seed `privateKeyHex` (RFC 9381 §5.1, nonce by §5.4.2.2).
 * Deterministic: one key and input give one proof.
 */
export function vrfProve (privateKeyHex: string, alpha: Uint8Array): string {
  return prove(privateKeyHex, alpha, true)
}

/** {@link vrfProve} in BigInt arithmetic only: the reference the native products are tested against. */
export function vrfProveReference (privateKeyHex: string, alpha: Uint8Array): string {
  return prove(privateKeyHex, alpha, false)
}

function prove (privateKeyHex: string, alpha: Uint8Array, native: boolean): string {
  if (!HEX32.test(privateKeyHex)) throw new TypeError('vrfProve: private key must be a 32-byte seed in lowercase hex')
  const h = sha512(hexBytes(privateKeyHex))
  const clamped = h.slice(0, 32)
  clamped[0]! &= 248
  clamped[31]! &= 127
  clamped[31]! |= 64
  const x = leInt(clamped) % Q
  const pk = (native ? nativeMulBase(x) : null) ?? Point.BASE.multiply(x).toRawBytes()
  const hString = (native ? encodeToCurveNative(pk, alpha) : null) ?? encodeToCurve(pk, alpha).toRawBytes()
  const k = leInt(sha512(h.subarray(32, 64), hString)) % Q
  // H = 8·(a point) is in the prime-order subgroup, so libsodium takes it unless it is the identity.
  let gamma = native ? nativeMul(hString, x) : null
  let kB = native ? nativeMulBase(k) : null
  let kH = native ? nativeMul(hString, k) : null
  if (gamma === null || kB === null || kH === null) {
    const hPoint = encodeToCurve(pk, alpha)
    gamma = hPoint.multiply(x).toRawBytes()
    kB = Point.BASE.multiply(k).toRawBytes()
    kH = hPoint.multiply(k).toRawBytes()
  }
  const c = challenge([pk, hString, gamma, kB, kH])
  const s = (k + c * x) % Q
  const pi = new Uint8Array(VRF_PROOF_BYTES)
  pi.set(gamma, 0)
  pi.set(leBytes(c, C_LEN), 32)
  pi.set(leBytes(s, 32), 32 + C_LEN)
  return Buffer.from(pi).toString('hex')
}

/**
 * Verifies proof `proofHex` of `alpha` under `publicKeyHex` (RFC 9381 §5.3,
 * with the key validation of §5.4.5: a small-order key is invalid). Returns
 * the output beta (128 lowercase hex characters), or null when the proof,
 * the key or the encodings are invalid. Never throws on untrusted input.
 */
export function vrfVerify (publicKeyHex: string, alpha: Uint8Array, proofHex: string): string | null {
  return verify(publicKeyHex, alpha, proofHex, true)
}

/** {@link vrfVerify} in BigInt arithmetic only: the reference the native products are tested against. */
export function vrfVerifyReference (publicKeyHex: string, alpha: Uint8Array, proofHex: string): string | null {
  return verify(publicKeyHex, alpha, proofHex, false)
}

function verify (publicKeyHex: string, alpha: Uint8Array, proofHex: string, native: boolean): string | null {
  if (!HEX32.test(publicKeyHex) || !HEX_PROOF.test(proofHex)) return null
  const key = verifierKey(publicKeyHex)
  if (key === null) return null
  const pi = hexBytes(proofHex)
  const gammaString = pi.subarray(0, 32)
  const c = leInt(pi.subarray(32, 32 + C_LEN))
  const s = leInt(pi.subarray(32 + C_LEN))
  if (s >= Q) return null
  const hString = (native ? encodeToCurveNative(key.bytes, alpha) : null) ?? encodeToCurve(key.bytes, alpha).toRawBytes()
  // U = s·B − c·Y, V = s·H − c·Gamma and 8·Gamma for beta; natively when libsodium takes every point. It takes
  // only canonical encodings of prime-order points, so Gamma then decodes strictly to the point of these bytes.
  if (native) {
    const sB = nativeMulBase(s)
    const cY = nativeMul(key.bytes, c)
    const sH = nativeMul(hString, s)
    const cGamma = nativeMul(gammaString, c)
    const gamma8 = nativeMul(gammaString, COFACTOR)
    if (sB !== null && cY !== null && sH !== null && cGamma !== null && gamma8 !== null) {
      const u = nativeSub(sB, cY)
      const v = nativeSub(sH, cGamma)
      if (u !== null && v !== null) {
        if (challenge([key.bytes, hString, gammaString, u, v]) !== c) return null
        return Buffer.from(hashPoint(gamma8)).toString('hex')
      }
    }
  }
  // Decoding is strict (canonical encodings only), so point_to_string(Gamma) is these very bytes, and the key's for Y.
  const gamma = decodePoint(gammaString)
  if (gamma === null) return null
  const hPoint = encodeToCurve(key.bytes, alpha)
  const u = Point.BASE.multiplyUnsafe(s).subtract(key.point.multiplyUnsafe(c)).toRawBytes()
  const v = hPoint.multiplyUnsafe(s).subtract(gamma.multiplyUnsafe(c)).toRawBytes()
  if (challenge([key.bytes, hString, gammaString, u, v]) !== c) return null
  return Buffer.from(outputOf(gamma)).toString('hex')
}

/** A public key as verification uses it: its bytes and point. */
interface VerifierKey {
  bytes: Uint8Array
  point: Point
}

/** Bound on remembered keys (a network has at most a few hundred validators; an unknown key costs one decoding). */
const VERIFIER_KEY_LIMIT = 1024
const verifierKeys = new Map<string, VerifierKey | null>()

/** The decoded key, null when it is not a point or of small order (§5.4.5); remembered by its hex. */
function verifierKey (publicKeyHex: string): VerifierKey | null {
  const known = verifierKeys.get(publicKeyHex)
  if (known !== undefined) return known
  const bytes = hexBytes(publicKeyHex)
  const point = decodePoint(bytes)
  const key = point === null || point.isSmallOrder() ? null : { bytes, point }
  if (verifierKeys.size >= VERIFIER_KEY_LIMIT) verifierKeys.delete(verifierKeys.keys().next().value!)
  verifierKeys.set(publicKeyHex, key)
  return key
}

/** The output beta of a proof without verifying it (RFC 9381 §5.2); null when Gamma is not a point. */
export function vrfProofToHash (proofHex: string): string | null {
  if (!HEX_PROOF.test(proofHex)) return null
  const gamma = decodePoint(hexBytes(proofHex).subarray(0, 32))
  return gamma === null ? null : Buffer.from(outputOf(gamma)).toString('hex')
}

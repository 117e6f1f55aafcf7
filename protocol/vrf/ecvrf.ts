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
 * point, as in signing.ts). Point arithmetic comes from @noble/curves; the
 * encodings, hashing and the proof follow RFC 9381 §5 and are tested against
 * its Appendix B.3 vectors. Pure and deterministic.
 */
import { createHash } from 'node:crypto'
import { ed25519 } from '@noble/curves/ed25519.js'

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
    const hash = sha512(Uint8Array.of(SUITE, 0x01), publicKey, alpha, Uint8Array.of(ctr, 0x00))
    const h = decodePoint(hash.subarray(0, 32))
    if (h !== null) return h.multiplyUnsafe(8n)
  }
  /* c8 ignore next: each try succeeds with probability about 1/2 */
  throw new Error('ecvrf: encode_to_curve found no point in 256 tries')
}

/** RFC 9381 §5.4.3 challenge generation (cLen = 16). */
function challenge (points: Point[]): bigint {
  const hash = sha512(Uint8Array.of(SUITE, 0x02), ...points.map((p) => p.toRawBytes()), Uint8Array.of(0x00))
  return leInt(hash.subarray(0, C_LEN))
}

/** RFC 9381 §5.2 proof_to_hash on a decoded Gamma. */
function outputOf (gamma: Point): Uint8Array {
  return sha512(Uint8Array.of(SUITE, 0x03), gamma.multiplyUnsafe(8n).toRawBytes(), Uint8Array.of(0x00))
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
  if (!HEX32.test(privateKeyHex)) throw new TypeError('vrfProve: private key must be a 32-byte seed in lowercase hex')
  const h = sha512(hexBytes(privateKeyHex))
  const clamped = h.slice(0, 32)
  clamped[0]! &= 248
  clamped[31]! &= 127
  clamped[31]! |= 64
  const x = leInt(clamped) % Q
  const y = Point.BASE.multiply(x)
  const pk = y.toRawBytes()
  const hPoint = encodeToCurve(pk, alpha)
  const hString = hPoint.toRawBytes()
  const gamma = hPoint.multiply(x)
  const k = leInt(sha512(h.subarray(32, 64), hString)) % Q
  const c = challenge([y, hPoint, gamma, Point.BASE.multiply(k), hPoint.multiply(k)])
  const s = (k + c * x) % Q
  const pi = new Uint8Array(VRF_PROOF_BYTES)
  pi.set(gamma.toRawBytes(), 0)
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
  if (!HEX32.test(publicKeyHex) || !HEX_PROOF.test(proofHex)) return null
  const pk = hexBytes(publicKeyHex)
  const y = decodePoint(pk)
  if (y === null || y.isSmallOrder()) return null
  const pi = hexBytes(proofHex)
  const gamma = decodePoint(pi.subarray(0, 32))
  if (gamma === null) return null
  const c = leInt(pi.subarray(32, 32 + C_LEN))
  const s = leInt(pi.subarray(32 + C_LEN))
  if (s >= Q) return null
  const hPoint = encodeToCurve(pk, alpha)
  const u = Point.BASE.multiplyUnsafe(s).subtract(y.multiplyUnsafe(c))
  const v = hPoint.multiplyUnsafe(s).subtract(gamma.multiplyUnsafe(c))
  if (challenge([y, hPoint, gamma, u, v]) !== c) return null
  return Buffer.from(outputOf(gamma)).toString('hex')
}

/** The output beta of a proof without verifying it (RFC 9381 §5.2); null when Gamma is not a point. */
export function vrfProofToHash (proofHex: string): string | null {
  if (!HEX_PROOF.test(proofHex)) return null
  const gamma = decodePoint(hexBytes(proofHex).subarray(0, 32))
  return gamma === null ? null : Buffer.from(outputOf(gamma)).toString('hex')
}

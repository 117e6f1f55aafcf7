/**
 * Native ed25519 arithmetic for the ECVRF (libsodium through the
 * sodium-native addon, which ships prebuilt for the common platforms): scalar
 * products and cofactor clearing, about ten times faster than the same
 * operations in BigInt arithmetic.
 *
 * Every function takes and returns canonical point encodings and answers
 * null where libsodium refuses: a point outside the prime-order subgroup or
 * of small order, a product that is the identity, or no addon on this
 * platform. libsodium's products are exact group arithmetic, so a non-null
 * answer is the very point the BigInt path computes; callers fall back to
 * that path on null, which keeps every result RFC 9381's (ecvrf.ts).
 * Deterministic; the multiplications are libsodium's constant-time ones.
 */
import { createRequire } from 'node:module'

/** The few libsodium calls used here (sodium-native's API; it throws on a non-zero status). */
interface Sodium {
  crypto_scalarmult_ed25519_noclamp: (q: Uint8Array, n: Uint8Array, p: Uint8Array) => void
  crypto_scalarmult_ed25519_base_noclamp: (q: Uint8Array, n: Uint8Array) => void
  crypto_core_ed25519_sub: (r: Uint8Array, p: Uint8Array, q: Uint8Array) => void
  crypto_core_ed25519_add: (r: Uint8Array, p: Uint8Array, q: Uint8Array) => void
}

function load (): Sodium | null {
  try {
    return createRequire(import.meta.url)('sodium-native') as Sodium
  } catch {
    /* c8 ignore next: platforms without a prebuilt addon use the BigInt path */
    return null
  }
}

const sodium = load()

/** True when the native products are available (else every function answers null). */
export const NATIVE_ED25519 = sodium !== null

/** The 32-byte little-endian encoding of a scalar 0 ≤ n < 2^255 (libsodium ignores bit 255). */
function scalarBytes (n: bigint): Uint8Array {
  const out = new Uint8Array(32)
  for (let i = 0; i < 32; i++) {
    out[i] = Number(n & 0xffn)
    n >>= 8n
  }
  return out
}

/** n·P for a canonically encoded point P of the prime-order subgroup; null where libsodium refuses. */
export function nativeMul (point: Uint8Array, n: bigint): Uint8Array | null {
  if (sodium === null) return null
  const out = new Uint8Array(32)
  try {
    sodium.crypto_scalarmult_ed25519_noclamp(out, scalarBytes(n), point)
    return out
  } catch {
    return null
  }
}

/** n·B for the base point B; null where libsodium refuses (n ≡ 0). */
export function nativeMulBase (n: bigint): Uint8Array | null {
  if (sodium === null) return null
  const out = new Uint8Array(32)
  try {
    sodium.crypto_scalarmult_ed25519_base_noclamp(out, scalarBytes(n))
    return out
  } catch {
    return null
  }
}

/** P − Q for canonically encoded points; null where libsodium refuses. */
export function nativeSub (p: Uint8Array, q: Uint8Array): Uint8Array | null {
  if (sodium === null) return null
  const out = new Uint8Array(32)
  try {
    sodium.crypto_core_ed25519_sub(out, p, q)
    return out
  } catch {
    return null
  }
}

/** The answer of {@link nativeClearCofactor} for bytes that are no point under strict RFC 8032 decoding. */
export const NOT_A_POINT = 'not-a-point'

/**
 * 8·P for the 32 bytes `encoding` when they decode strictly (RFC 8032 §5.1.3:
 * y < p, and no "negative zero" x) to a point P of any order, as three
 * doublings; {@link NOT_A_POINT} when they do not decode; null without the
 * addon. libsodium's decoding reduces y and accepts a set sign bit on x = 0,
 * so those two cases are refused here first; on the rest it fails exactly
 * when (y² − 1)/(d·y² + 1) has no square root, as RFC 8032's does.
 */
export function nativeClearCofactor (encoding: Uint8Array): Uint8Array | typeof NOT_A_POINT | null {
  if (sodium === null) return null
  if (encoding.length !== 32 || !strictlyDecodable(encoding)) return NOT_A_POINT
  let point: Uint8Array = encoding
  for (let i = 0; i < 3; i++) {
    const out = new Uint8Array(32)
    try {
      sodium.crypto_core_ed25519_add(out, point, point)
    } catch {
      // The first doubling decodes the candidate: no square root, no point. Later ones take libsodium's own encodings.
      return NOT_A_POINT
    }
    point = out
  }
  return point
}

/** The checks of strict decoding that libsodium's does not make: y < p, and x = 0 (y = ±1) only with the sign bit clear. */
function strictlyDecodable (e: Uint8Array): boolean {
  const sign = e[31]! >> 7
  const top = e[31]! & 0x7f
  let middleAllFF = true
  let middleAllZero = true
  for (let i = 1; i < 31; i++) {
    if (e[i] !== 0xff) middleAllFF = false
    if (e[i] !== 0) middleAllZero = false
  }
  // p = 2^255 − 19: little-endian ed ff … ff 7f. y ≥ p, and p − 1 (y = −1, x = 0), share the high bytes.
  if (top === 0x7f && middleAllFF) {
    if (e[0]! >= 0xed) return false
    if (e[0] === 0xec && sign === 1) return false
  }
  // y = 1 (x = 0, the identity) with the sign bit set.
  if (top === 0 && middleAllZero && e[0] === 1 && sign === 1) return false
  return true
}

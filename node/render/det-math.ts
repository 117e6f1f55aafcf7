/**
 * Deterministic replacements for the transcendental functions the renderer
 * needs. They use only +, −, ×, ÷ and comparisons on float64, which IEEE 754
 * rounds exactly the same way on every machine; `Math.sin`, `Math.pow` and
 * friends are implementation-defined in ECMAScript and may change between
 * engines or versions, so nothing that affects a pixel calls them.
 */

const TWO_PI = 6.283185307179586
const PI = 3.141592653589793

/** Reduces `x` to [−π, π] by subtracting a multiple of 2π (fixed constant, so deterministic). */
function reduceAngle (x: number): number {
  const k = Math.floor(x / TWO_PI + 0.5)
  return x - k * TWO_PI
}

/** Sine by a fixed 24-term Taylor series after range reduction; deterministic to the last bit. */
export function detSin (x: number): number {
  if (!Number.isFinite(x)) return NaN
  let r = reduceAngle(x)
  // fold into [−π/2, π/2] where the series converges fastest
  if (r > PI / 2) r = PI - r
  else if (r < -PI / 2) r = -PI - r
  const r2 = r * r
  let term = r
  let sum = r
  for (let n = 1; n < 24; n++) {
    term = -term * r2 / ((2 * n) * (2 * n + 1))
    sum += term
  }
  return sum
}

/** Cosine as sin(x + π/2); deterministic to the last bit. */
export function detCos (x: number): number {
  return detSin(x + PI / 2)
}

/**
 * The real fifth root of `x` ≥ 0 by 64 steps of bisection: exact arithmetic
 * only, the same bits everywhere (64 halvings reach float64 resolution on [0, 1]).
 */
function fifthRootUnit (x: number): number {
  let lo = 0
  let hi = 1
  for (let i = 0; i < 64; i++) {
    const mid = (lo + hi) / 2
    const m2 = mid * mid
    if (m2 * m2 * mid <= x) lo = mid
    else hi = mid
  }
  return lo
}

/** x^2.4 for x in [0, 1], computed as the fifth root of x^12 (exact arithmetic only). */
function pow24 (x: number): number {
  const x2 = x * x
  const x4 = x2 * x2
  const x12 = x4 * x4 * x4
  return fifthRootUnit(x12)
}

/** sRGB transfer function decode (IEC 61966-2-1) of a value in [0, 1], deterministic. */
export function srgbToLinear (c: number): number {
  if (c <= 0.04045) return c / 12.92
  return pow24((c + 0.055) / 1.055)
}

/** Exact powers of two 2^k for k in [−1074, 1023], built by exact doublings and halvings. */
const POW2_OFFSET = 1074
const POW2: Float64Array = (() => {
  const t = new Float64Array(1074 + 1024)
  t[POW2_OFFSET] = 1
  for (let k = 1; k <= 1023; k++) t[POW2_OFFSET + k] = t[POW2_OFFSET + k - 1]! * 2
  for (let k = -1; k >= -1074; k--) t[POW2_OFFSET + k] = t[POW2_OFFSET + k + 1]! / 2
  return t
})()

/** 2^k for an integer k (0 below 2^−1074, Infinity above 2^1023); exact. */
export function pow2Int (k: number): number {
  if (k < -1074) return 0
  if (k > 1023) return Infinity
  return POW2[POW2_OFFSET + k]!
}

const LN2 = 0.6931471805599453

/**
 * 2^x by splitting x = k + f (k = floor(x), f in [0, 1)), a fixed 18-term
 * Taylor series of e^(f·ln 2) (the last term is below 1e−17 of the sum) and
 * an exact scaling by 2^k. Relative error about 1e−15; the same bits everywhere.
 */
export function detExp2 (x: number): number {
  if (x !== x) return NaN
  if (x > 1024) return Infinity
  if (x < -1080) return 0
  const k = Math.floor(x)
  const t = (x - k) * LN2
  let term = 1
  let sum = 1
  for (let n = 1; n < 18; n++) {
    term = term * t / n
    sum += term
  }
  // sum < 2, so sum · 2^k cannot overflow for k ≤ 1023; scale in two steps so 2^k itself never underflows to 0 early
  return k < -1022 ? sum * pow2Int(k + 60) * pow2Int(-60) : sum * pow2Int(k)
}

// the IEEE 754 bits of a double: a float64 and two uint32 views of the same 8 bytes; HI indexes the word holding sign and exponent
const bitsF64 = new Float64Array(1)
const bitsU32 = new Uint32Array(bitsF64.buffer)
const HI = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1 ? 1 : 0 // little-endian: the high word is the second
const SQRT2 = 1.4142135623730951
const INV_LN2_2 = 2 / LN2

/**
 * log2(x) for x > 0: the exponent read from the IEEE 754 bits (exact), the
 * mantissa m folded into [√2/2, √2), and log2(m) = (2/ln 2)·atanh((m−1)/(m+1))
 * by a fixed 14-term odd series (|z| < 0.172, last term below 1e−21).
 * −Infinity at 0, NaN below 0 or for NaN, Infinity at Infinity.
 */
export function detLog2 (x: number): number {
  if (!(x > 0)) return x === 0 ? -Infinity : NaN
  if (x === Infinity) return Infinity
  let e = 0
  if (x < 2.2250738585072014e-308) { x *= 18014398509481984; e = -54 } // 2^54 lifts subnormals to normal numbers exactly
  bitsF64[0] = x
  const hi = bitsU32[HI]!
  const ex = ((hi >>> 20) & 0x7ff) - 1023
  let m = x * pow2Int(-ex)
  e += ex
  if (m > SQRT2) { m /= 2; e += 1 }
  const z = (m - 1) / (m + 1)
  const z2 = z * z
  let term = z
  let sum = z
  for (let n = 3; n < 29; n += 2) {
    term *= z2
    sum += term / n
  }
  return e + INV_LN2_2 * sum
}

/** x^y for x ≥ 0 as 2^(y·log2 x) with the deterministic functions above (0^y = 0 for y > 0, x^0 = 1). */
export function detPow (x: number, y: number): number {
  if (y === 0) return 1
  if (x === 0) return y > 0 ? 0 : Infinity
  return detExp2(y * detLog2(x))
}

const LOG2_STEPS = 256
/** LOG2_TABLE[i] = log2(1 + i/256), i = 0…256, by {@link detLog2}; exported for the WebAssembly shade (pbr-kernel.ts), which reads a copy. */
export const LOG2_TABLE = Float64Array.from({ length: LOG2_STEPS + 1 }, (_, i) => detLog2(1 + i / LOG2_STEPS))

/**
 * log2(x) for x > 0 to about 3e−6 (what a texture's level of detail needs):
 * the exponent read from the IEEE 754 bits, log2 of the mantissa m ∈ [1, 2)
 * interpolated linearly in a 257-entry table of {@link detLog2}. No division,
 * no series: about a tenth of detLog2's work, the same bits everywhere.
 * Exact at powers of two; −Infinity at 0, NaN below 0 or for NaN, Infinity
 * at Infinity; subnormals are lifted as in detLog2.
 */
export function lodLog2 (x: number): number {
  if (!(x > 0)) return x === 0 ? -Infinity : NaN
  if (x === Infinity) return Infinity
  let e = 0
  if (x < 2.2250738585072014e-308) { x *= 18014398509481984; e = -54 }
  bitsF64[0] = x
  const hi = bitsU32[HI]!
  e += ((hi >>> 20) & 0x7ff) - 1023
  bitsU32[HI] = (hi & 0x000fffff) | 0x3ff00000 // the same mantissa with exponent 0: m ∈ [1, 2), exact
  const t = (bitsF64[0]! - 1) * LOG2_STEPS // exact: m − 1 has at most 52 fraction bits, × 2^8
  const i = Math.floor(t)
  const a = LOG2_TABLE[i]!
  return e + (a + (LOG2_TABLE[i + 1]! - a) * (t - i))
}

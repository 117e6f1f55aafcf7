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

/**
 * Student's t distribution: the quantile used for confidence intervals of a
 * mean, and the interval itself.
 *
 * The t CDF is computed from the regularized incomplete beta function,
 * P(|T| > t) = I_x(df/2, 1/2) with x = df / (df + t²), evaluated by Lentz's
 * continued fraction (the classical `betacf` scheme) with a Lanczos log-gamma.
 * The quantile is found by bisection on t until the bracket cannot shrink any
 * further in double precision. Every step is plain IEEE arithmetic in a fixed
 * order, so all processes get the same bits. For df = Infinity the normal
 * distribution is used, its tail computed with the regularized incomplete
 * gamma function (erfc(x) = Q(1/2, x²)).
 */
import { TrustEngineError, declareCode } from '../errors.ts'

/** Bad input to a statistics function (empty list, non-finite value, df ≤ 0, confidence outside (0, 1)). */
export const ERR_STATS_INPUT = declareCode('ERR_STATS_INPUT', { status: 500 })

/** Default two-sided confidence level (95%, as the original verifier used). */
export const DEFAULT_CONFIDENCE = 0.95

/** Lanczos coefficients (g = 7, n = 9), accurate to about 1e-15 for x ≥ 0.5. */
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
  -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
  1.5056327351493116e-7
] as const

const HALF_LOG_2PI = 0.91893853320467274

/** Natural log of Γ(x) for x > 0. */
export function logGamma (x: number): number {
  if (!(x > 0)) throw new TrustEngineError(ERR_STATS_INPUT, 'logGamma needs x > 0')
  if (x < 0.5) {
    // Reflection: Γ(x)Γ(1 − x) = π / sin(πx).
    return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x)
  }
  const z = x - 1
  let a = LANCZOS[0]
  for (let i = 1; i < LANCZOS.length; i++) a += LANCZOS[i]! / (z + i)
  const t = z + 7.5
  return HALF_LOG_2PI + (z + 0.5) * Math.log(t) - t + Math.log(a)
}

const TINY = 1e-300
const EPS = 1e-16
/** Iteration cap of the continued fractions; convergence needs O(√max(a, b)) terms. */
const MAX_ITERATIONS = 100_000

/** Continued fraction of the incomplete beta (modified Lentz). */
function betaContinuedFraction (a: number, b: number, x: number): number {
  const qab = a + b
  const qap = a + 1
  const qam = a - 1
  let c = 1
  let d = 1 - qab * x / qap
  if (Math.abs(d) < TINY) d = TINY
  d = 1 / d
  let h = d
  for (let m = 1; m <= MAX_ITERATIONS; m++) {
    const m2 = 2 * m
    let aa = m * (b - m) * x / ((qam + m2) * (a + m2))
    d = 1 + aa * d
    if (Math.abs(d) < TINY) d = TINY
    c = 1 + aa / c
    if (Math.abs(c) < TINY) c = TINY
    d = 1 / d
    h *= d * c
    aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
    d = 1 + aa * d
    if (Math.abs(d) < TINY) d = TINY
    c = 1 + aa / c
    if (Math.abs(c) < TINY) c = TINY
    d = 1 / d
    const del = d * c
    h *= del
    if (Math.abs(del - 1) < EPS) break
  }
  return h
}

/**
 * Regularized incomplete beta I_x(a, b) for a, b > 0 and x in [0, 1].
 * `oneMinusX` may be given when 1 − x is known more precisely than x.
 */
export function incompleteBeta (a: number, b: number, x: number, oneMinusX: number = 1 - x): number {
  if (!(a > 0) || !(b > 0) || !(x >= 0 && x <= 1)) throw new TrustEngineError(ERR_STATS_INPUT, 'incompleteBeta needs a, b > 0 and x in [0, 1]')
  if (x === 0) return 0
  if (oneMinusX === 0) return 1
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(oneMinusX))
  // The continued fraction converges fast for x < (a + 1) / (a + b + 2); use symmetry otherwise.
  if (x < (a + 1) / (a + b + 2)) return front * betaContinuedFraction(a, b, x) / a
  return 1 - front * betaContinuedFraction(b, a, oneMinusX) / b
}

/** Upper regularized incomplete gamma Q(1/2, x) = erfc(√x), for x ≥ 0. */
function upperGammaHalf (x: number): number {
  const a = 0.5
  if (x === 0) return 1
  const logFront = -x + a * Math.log(x) - logGamma(a)
  if (x < a + 1) {
    // Series for P(a, x).
    let ap = a
    let del = 1 / a
    let sum = del
    for (let n = 1; n <= MAX_ITERATIONS; n++) {
      ap += 1
      del *= x / ap
      sum += del
      if (Math.abs(del) < Math.abs(sum) * EPS) break
    }
    return 1 - sum * Math.exp(logFront)
  }
  // Continued fraction for Q(a, x) (modified Lentz).
  let b = x + 1 - a
  let c = 1 / TINY
  let d = 1 / b
  let h = d
  for (let i = 1; i <= MAX_ITERATIONS; i++) {
    const an = -i * (i - a)
    b += 2
    d = an * d + b
    if (Math.abs(d) < TINY) d = TINY
    c = b + an / c
    if (Math.abs(c) < TINY) c = TINY
    d = 1 / d
    const del = d * c
    h *= del
    if (Math.abs(del - 1) < EPS) break
  }
  return Math.exp(logFront) * h
}

/**
 * Two-sided tail probability P(|T| > t) of Student's t with `df` degrees of
 * freedom (df = Infinity: the standard normal), for t ≥ 0.
 */
export function studentTTwoSidedTail (t: number, df: number): number {
  if (!(t >= 0) || !(df > 0)) throw new TrustEngineError(ERR_STATS_INPUT, 'tail needs t ≥ 0 and df > 0')
  if (t === Infinity) return 0
  if (df === Infinity) return upperGammaHalf(t * t / 2)
  const t2 = t * t
  return incompleteBeta(df / 2, 0.5, df / (df + t2), t2 / (df + t2))
}

/**
 * Two-sided Student t quantile: the t with P(|T| ≤ t) = confidence for `df`
 * degrees of freedom (a positive number, possibly fractional, or Infinity for
 * the normal limit). Default confidence 0.95, e.g. df = 10 → 2.228.
 */
export function studentTQuantile (df: number, confidence: number = DEFAULT_CONFIDENCE): number {
  if (!(df > 0)) throw new TrustEngineError(ERR_STATS_INPUT, 'degrees of freedom must be > 0')
  if (!(confidence > 0 && confidence < 1)) throw new TrustEngineError(ERR_STATS_INPUT, 'confidence must be in (0, 1)')
  const alpha = 1 - confidence
  // Bracket: the tail falls with t; double hi until the tail is below alpha.
  let lo = 0
  let hi = 1
  while (studentTTwoSidedTail(hi, df) > alpha) {
    lo = hi
    hi *= 2
    if (hi > 1e300) return Infinity
  }
  // Bisection until the midpoint equals an end (bracket at double precision).
  for (;;) {
    const mid = lo + (hi - lo) / 2
    if (mid === lo || mid === hi) break
    if (studentTTwoSidedTail(mid, df) > alpha) lo = mid
    else hi = mid
  }
  return hi
}

/** A mean with its two-sided Student t confidence interval. */
export interface MeanInterval {
  /** Arithmetic mean of the values. */
  mean: number
  /** mean − t·stderr (−Infinity when n = 1). */
  low: number
  /** mean + t·stderr (Infinity when n = 1). */
  high: number
  /** Number of values. */
  n: number
  /** Standard error s/√n with the (n − 1) sample standard deviation; Infinity when n = 1. */
  stderr: number
}

/**
 * Mean and two-sided confidence interval `mean ± t(n−1, confidence)·s/√n`.
 *
 * - Values must be finite (`ERR_STATS_INPUT` otherwise): infinite metrics
 *   such as the PSNR of identical images are handled by the caller (PSNR is
 *   averaged as MSE, see node/measure).
 * - n = 1: the spread is unknown, so the interval is (−Infinity, Infinity)
 *   and stderr is Infinity (honest "no information" rather than a zero width).
 * - All values equal: mean is that value exactly and the interval has zero
 *   width (no rounding drift from summation).
 * Summation runs in index order, so the result is bit-identical everywhere.
 */
export function meanInterval (values: readonly number[], confidence: number = DEFAULT_CONFIDENCE): MeanInterval {
  const n = values.length
  if (n === 0) throw new TrustEngineError(ERR_STATS_INPUT, 'meanInterval needs at least one value')
  let min = Infinity
  let max = -Infinity
  let sum = 0
  for (const v of values) {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new TrustEngineError(ERR_STATS_INPUT, 'meanInterval needs finite values')
    if (v < min) min = v
    if (v > max) max = v
    sum += v
  }
  if (!(confidence > 0 && confidence < 1)) throw new TrustEngineError(ERR_STATS_INPUT, 'confidence must be in (0, 1)')
  if (min === max) {
    return n === 1
      ? { mean: min, low: -Infinity, high: Infinity, n, stderr: Infinity }
      : { mean: min, low: min, high: min, n, stderr: 0 }
  }
  const mean = sum / n
  let ss = 0
  for (const v of values) ss += (v - mean) * (v - mean)
  const stderr = Math.sqrt(ss / (n - 1) / n)
  const t = studentTQuantile(n - 1, confidence)
  return { mean, low: mean - t * stderr, high: mean + t * stderr, n, stderr }
}

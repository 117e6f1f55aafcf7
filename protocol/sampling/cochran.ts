/**
 * Sample size by Cochran's formula, as the original verifier specified it:
 *
 *   e = baseMargin − marginPerComplexity · complexity
 *   n = z² · p(1 − p) / e² · (1 + complexityFactor · complexity)
 *
 * rounded up and clamped to [min, max]. Complexity is clamped to [0, 1]
 * first. With the defaults a simple scene (complexity 0) gets 97 samples and
 * anything from complexity about 0.0122 up hits the cap of 100.
 */
import { TrustEngineError } from '../errors.ts'
import { ERR_SAMPLING_INPUT } from './errors.ts'

/** Parameters of {@link cochranSampleSize}. */
export interface CochranOptions {
  /** Normal quantile of the confidence level. */
  z: number
  /** Assumed proportion (0.5 maximises p(1 − p), the conservative choice). */
  p: number
  /** Margin of error at complexity 0. */
  baseMargin: number
  /** Margin taken off per unit of complexity (harder scenes get a tighter margin). */
  marginPerComplexity: number
  /** Extra sample factor per unit of complexity. */
  complexityFactor: number
  /** Fewest samples. */
  min: number
  /** Most samples. */
  max: number
}

/** Defaults, all from the original verifier's specification (seed digest, "Sample size"). */
export const DEFAULT_COCHRAN_OPTIONS: Readonly<CochranOptions> = Object.freeze({
  /** 95% confidence (two-sided normal quantile 1.96), as specified. */
  z: 1.96,
  /** p = 0.5, as specified (worst case of p(1 − p)). */
  p: 0.5,
  /** e = 0.1 at complexity 0, as specified. */
  baseMargin: 0.1,
  /** e = 0.1 − 0.05·complexity, as specified (0.05 at complexity 1). */
  marginPerComplexity: 0.05,
  /** n · (1 + 1.5·complexity), as specified. */
  complexityFactor: 1.5,
  /** Clamp [10, 100], as specified. */
  min: 10,
  /** Clamp [10, 100], as specified. */
  max: 100
})

/**
 * Number of samples for a scene of the given complexity (clamped to [0, 1];
 * NaN is refused). Throws `ERR_SAMPLING_INPUT` for options that make no sense
 * (non-positive margin at the given complexity, min > max, …).
 */
export function cochranSampleSize (complexity: number, options: Partial<CochranOptions> = {}): number {
  const o = { ...DEFAULT_COCHRAN_OPTIONS, ...options }
  if (Number.isNaN(complexity)) throw new TrustEngineError(ERR_SAMPLING_INPUT, 'complexity is NaN')
  const c = Math.min(1, Math.max(0, complexity))
  for (const [k, v] of Object.entries(o)) {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new TrustEngineError(ERR_SAMPLING_INPUT, `Cochran option ${k} must be a finite number`)
  }
  if (!(o.z > 0) || !(o.p > 0 && o.p < 1) || !Number.isInteger(o.min) || !Number.isInteger(o.max) || o.min < 1 || o.min > o.max) {
    throw new TrustEngineError(ERR_SAMPLING_INPUT, 'Cochran options out of range')
  }
  const e = o.baseMargin - o.marginPerComplexity * c
  if (!(e > 0)) throw new TrustEngineError(ERR_SAMPLING_INPUT, 'Cochran margin must stay positive')
  const n = (o.z * o.z * o.p * (1 - o.p)) / (e * e) * (1 + o.complexityFactor * c)
  return Math.min(o.max, Math.max(o.min, Math.ceil(n)))
}

/**
 * The soak's growth check, pure: a least-squares line through a figure's
 * samples after a warm-up, and the verdict against the figure's limit.
 *
 * A figure grows without bound when its slope is *significantly* above its
 * limit: the lower end of the slope's two-sided 95 % confidence interval
 * (Student t with n − 2 degrees of freedom) lies above the limit. A short or
 * noisy run thus gives a wide interval and passes unless its growth is gross;
 * an hour of samples pins the slope down. A run with fewer than
 * {@link MIN_CHECK_SAMPLES} samples after the warm-up cannot be judged and says
 * so (`unjudged`): the soak warns and names it, and neither passes nor fails
 * it (a network figure has a sample only for an interval in which a job
 * finalized, so a short run on a loaded machine may have too few).
 */
import { studentTQuantile } from '../../protocol/stats/student-t.ts'

/** One sample of a figure: `x` in minutes since the start, `y` in the figure's unit. */
export interface Sample { x: number, y: number }

/** A least-squares line through samples, with the slope's standard error and 95 % interval. */
export interface SlopeFit {
  /** Samples the line was fitted to. */
  n: number
  /** Units per minute. */
  slope: number
  intercept: number
  /** Standard error of the slope (0 when every sample lies on the line). */
  stderr: number
  /** Lower and upper ends of the slope's two-sided 95 % confidence interval. */
  lower: number
  upper: number
}

/** Fewest samples after the warm-up that a verdict is given on (a line through two points has no error estimate). */
export const MIN_CHECK_SAMPLES = 3

/** Fits y = intercept + slope·x by least squares; null with fewer than {@link MIN_CHECK_SAMPLES} finite samples or no spread in x. */
export function fitSlope (samples: readonly Sample[]): SlopeFit | null {
  const pts = samples.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y))
  const n = pts.length
  if (n < MIN_CHECK_SAMPLES) return null
  const mx = pts.reduce((a, p) => a + p.x, 0) / n
  const my = pts.reduce((a, p) => a + p.y, 0) / n
  let sxx = 0
  let sxy = 0
  for (const p of pts) {
    sxx += (p.x - mx) ** 2
    sxy += (p.x - mx) * (p.y - my)
  }
  if (sxx === 0) return null
  const slope = sxy / sxx
  const intercept = my - slope * mx
  let sse = 0
  for (const p of pts) sse += (p.y - intercept - slope * p.x) ** 2
  const stderr = Math.sqrt(sse / (n - 2) / sxx)
  const half = studentTQuantile(n - 2, 0.95) * stderr
  return { n, slope, intercept, stderr, lower: slope - half, upper: slope + half }
}

/** Verdict of one series of one figure. */
export interface GrowthVerdict {
  /** `pass`: not significantly above the limit; `fail`: it is; `unjudged`: too few samples after the warm-up. */
  verdict: 'pass' | 'fail' | 'unjudged'
  /** The fit after the warm-up (null when unjudged). */
  fit: SlopeFit | null
  /** The limit, units per minute. */
  limit: number
}

/**
 * Judges one series: drops the samples before `warmupMinutes`, fits the rest
 * and compares the lower end of the slope's interval with `limitPerMinute`.
 */
export function checkGrowth (samples: readonly Sample[], limitPerMinute: number, warmupMinutes: number): GrowthVerdict {
  const fit = fitSlope(samples.filter((p) => p.x >= warmupMinutes))
  if (fit === null) return { verdict: 'unjudged', fit: null, limit: limitPerMinute }
  return { verdict: fit.lower > limitPerMinute ? 'fail' : 'pass', fit, limit: limitPerMinute }
}

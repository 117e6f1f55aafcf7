/**
 * Metric values and quality thresholds.
 *
 * The measured metrics are SSIM (the mean over the samples), PSNR, and local
 * SSIM (`ssimLocal`: a low percentile over the samples of each sample's worst
 * tile of the SSIM map, so damage confined to a small part of a few views
 * counts even when the mean hides it; node/measure/local-ssim.ts computes it).
 * SSIM and local SSIM lie in [-1, 1]. PSNR is ≥ 0
 * dB, and infinite when the images are identical; JSON has no infinity, so
 * on the wire (and in everything that is signed or hashed) an infinite metric
 * is the string `"Infinity"`, while in memory it is the number `Infinity`.
 * Messages keep the wire form ({@link Metrics}) so that their signatures
 * verify; arithmetic uses {@link MetricNumbers}.
 */
import { z } from 'zod'
import { TrustEngineError, declareCode } from './errors.ts'

/** Code of a metric outside its range (SSIM outside [-1, 1], negative or non-finite PSNR, NaN). */
export const ERR_METRIC_RANGE = declareCode('ERR_METRIC_RANGE', { action: 'reject', status: 400 })

/** Names of the metrics every vote carries, in a fixed order. */
export const METRIC_NAMES = ['ssim', 'psnr', 'ssimLocal'] as const

/** One of {@link METRIC_NAMES}. */
export type MetricName = typeof METRIC_NAMES[number]

/** A metric value on the wire: a number, or the string `"Infinity"`. */
export type MetricValue = number | 'Infinity'

/** Metric values in wire form, as they appear in votes and certificates. */
export interface Metrics {
  ssim: MetricValue
  psnr: MetricValue
  ssimLocal: MetricValue
}

/** Metric values in memory (`Infinity` is a number). */
export interface MetricNumbers {
  ssim: number
  psnr: number
  ssimLocal: number
}

/** Quality thresholds a job must pass: SSIM ≥ ssimMin, PSNR ≥ psnrMin and local SSIM ≥ ssimLocalMin. */
export interface Thresholds {
  ssimMin: number
  psnrMin: number
  ssimLocalMin: number
}

/** The threshold field of each metric. */
export const THRESHOLD_OF: Readonly<Record<MetricName, keyof Thresholds>> = Object.freeze({ ssim: 'ssimMin', psnr: 'psnrMin', ssimLocal: 'ssimLocalMin' })

/**
 * Schema of one wire metric value. Any number is let through here so that the
 * range check ({@link checkMetrics}) can refuse out-of-range and non-finite
 * values with `ERR_METRIC_RANGE` rather than a generic schema error.
 */
export const metricValueSchema = z.union([z.custom<number>((v) => typeof v === 'number'), z.literal('Infinity')])

/** Schema of {@link Metrics} (range checked separately by {@link checkMetrics}). */
export const metricsSchema = z.strictObject({ ssim: metricValueSchema, psnr: metricValueSchema, ssimLocal: metricValueSchema })

/** Schema of an interval `[lo, hi]` of wire metric values. */
export const intervalSchema = z.tuple([metricValueSchema, metricValueSchema])

/** Schema of the intervals of every metric (`[lo, hi]` each). */
export const intervalsSchema = z.strictObject({ ssim: intervalSchema, psnr: intervalSchema, ssimLocal: intervalSchema })

/** Schema of a job's thresholds (finite; SSIM and local SSIM thresholds in [-1, 1], PSNR threshold ≥ 0). */
export const thresholdsSchema = z.strictObject({
  ssimMin: z.number().min(-1).max(1),
  psnrMin: z.number().min(0),
  ssimLocalMin: z.number().min(-1).max(1)
})

/** Converts an in-memory metric to wire form (`Infinity` → `"Infinity"`); refuses NaN and -Infinity. */
export function metricToWire (x: number): MetricValue {
  if (x === Infinity) return 'Infinity'
  if (!Number.isFinite(x)) throw new TrustEngineError(ERR_METRIC_RANGE, 'metric is not a number or is -Infinity')
  return x
}

/** Converts a wire metric to a number (`"Infinity"` → `Infinity`). */
export function metricFromWire (v: MetricValue): number {
  return v === 'Infinity' ? Infinity : v
}

/** {@link metricToWire} for every metric. */
export function metricsToWire (m: MetricNumbers): Metrics {
  return { ssim: metricToWire(m.ssim), psnr: metricToWire(m.psnr), ssimLocal: metricToWire(m.ssimLocal) }
}

/** {@link metricFromWire} for every metric. */
export function metricsFromWire (m: Metrics): MetricNumbers {
  return { ssim: metricFromWire(m.ssim), psnr: metricFromWire(m.psnr), ssimLocal: metricFromWire(m.ssimLocal) }
}

/** True when `x` is a valid value of metric `name` (SSIM and local SSIM in [-1, 1]; PSNR ≥ 0 or `Infinity`). */
export function metricInRange (name: MetricName, x: number): boolean {
  if (Number.isNaN(x)) return false
  return name === 'psnr' ? x >= 0 : x >= -1 && x <= 1
}

/**
 * Clamps a finite measurement to the range of metric `name`. Producers use it
 * for confidence-interval bounds (mean ± t·stderr can leave [-1, 1] for SSIM).
 */
export function clampToRange (name: MetricName, x: number): number {
  if (Number.isNaN(x)) throw new TrustEngineError(ERR_METRIC_RANGE, `${name} is NaN`)
  return name === 'psnr' ? Math.max(0, x) : Math.min(1, Math.max(-1, x))
}

/** Throws `ERR_METRIC_RANGE` unless every metric of `m` is in range; returns the numbers. */
export function checkMetrics (m: Metrics, what = 'metrics'): MetricNumbers {
  const n = metricsFromWire(m)
  for (const name of METRIC_NAMES) {
    const v = m[name]
    // The wire form never holds a non-finite number: infinity is the string.
    if ((typeof v === 'number' && !Number.isFinite(v)) || !metricInRange(name, n[name])) {
      throw new TrustEngineError(ERR_METRIC_RANGE, `${what}.${name} is out of range`, { details: { metric: name } })
    }
  }
  return n
}

/** True when the values pass the thresholds (SSIM ≥ ssimMin, PSNR ≥ psnrMin, local SSIM ≥ ssimLocalMin; `Infinity` passes). */
export function passesThresholds (values: MetricNumbers, thresholds: Thresholds): boolean {
  return values.ssim >= thresholds.ssimMin && values.psnr >= thresholds.psnrMin && values.ssimLocal >= thresholds.ssimLocalMin
}

/** Metric intervals in memory, `[lo, hi]` per metric. */
export type MetricIntervals = Record<MetricName, [number, number]>

/** The intervals in wire form. */
export function intervalsToWire (i: MetricIntervals): Record<MetricName, [MetricValue, MetricValue]> {
  return {
    ssim: [metricToWire(i.ssim[0]), metricToWire(i.ssim[1])],
    psnr: [metricToWire(i.psnr[0]), metricToWire(i.psnr[1])],
    ssimLocal: [metricToWire(i.ssimLocal[0]), metricToWire(i.ssimLocal[1])]
  }
}

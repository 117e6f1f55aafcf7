/**
 * The statistics of a measurement, shared by frame sets and scenes: the mean
 * SSIM of the samples, the PSNR of their mean MSE (pooled, so identical
 * samples give an explicit Infinity), the local SSIM (a low percentile of the
 * samples' worst tiles, local-ssim.ts), and their intervals — SSIM's Student t
 * interval clamped to [−1, 1], PSNR's mapped from the t interval of the mean
 * MSE, local SSIM's from order statistics.
 */
import { clampToRange, type MetricIntervals, type MetricNumbers } from '../../protocol/metrics.ts'
import { meanInterval } from '../../protocol/stats/student-t.ts'
import { DEFAULT_LOCAL_SSIM_OPTIONS, localSsimOf } from './local-ssim.ts'
import { MAX_MSE, psnrFromMse } from './psnr.ts'

/** Metrics and intervals of a measurement (PSNR may be Infinity). */
export interface MeasurementSummary {
  /** Mean SSIM, pooled PSNR and local SSIM. */
  metrics: MetricNumbers
  /** Confidence intervals [low, high], clamped to each metric's range. */
  intervals: MetricIntervals
}

/**
 * Summarizes per-sample SSIM, worst-tile SSIM and MSE at the given two-sided
 * confidence; local SSIM is the `localPercent`-th percentile of the worst
 * tiles (frame sets: the default 10; scenes: 1, local-ssim.ts).
 */
export function summarizeSamples (samples: ReadonlyArray<{ ssim: number, mse: number, worstTile: number }>, confidence: number, localPercent: number = DEFAULT_LOCAL_SSIM_OPTIONS.percent): MeasurementSummary {
  const ssimStats = meanInterval(samples.map((s) => s.ssim), confidence)
  const mseStats = meanInterval(samples.map((s) => s.mse), confidence)
  const local = localSsimOf(samples.map((s) => s.worstTile), confidence, localPercent)
  return {
    metrics: { ssim: ssimStats.mean, psnr: psnrFromMse(mseStats.mean), ssimLocal: local.value },
    intervals: {
      ssim: [clampToRange('ssim', ssimStats.low), clampToRange('ssim', ssimStats.high)],
      psnr: [psnrFromMse(Math.min(MAX_MSE, mseStats.high)), psnrFromMse(Math.max(0, mseStats.low))],
      ssimLocal: local.interval
    }
  }
}

/**
 * The statistics of a measurement, shared by frame sets and scenes: the mean
 * SSIM of the samples, the PSNR of their mean MSE (pooled, so identical
 * samples give an explicit Infinity), and Student t intervals — SSIM's
 * clamped to [−1, 1], PSNR's mapped from the interval of the mean MSE.
 */
import { clampToRange } from '../../protocol/metrics.ts'
import { meanInterval } from '../../protocol/stats/student-t.ts'
import { MAX_MSE, psnrFromMse } from './psnr.ts'

/** Metrics and intervals of a measurement (PSNR may be Infinity). */
export interface MeasurementSummary {
  /** Mean SSIM and pooled PSNR. */
  metrics: { ssim: number, psnr: number }
  /** Confidence intervals [low, high], clamped to each metric's range. */
  intervals: { ssim: [number, number], psnr: [number, number] }
}

/** Summarizes per-sample SSIM and MSE at the given two-sided confidence. */
export function summarizeSamples (samples: ReadonlyArray<{ ssim: number, mse: number }>, confidence: number): MeasurementSummary {
  const ssimStats = meanInterval(samples.map((s) => s.ssim), confidence)
  const mseStats = meanInterval(samples.map((s) => s.mse), confidence)
  return {
    metrics: { ssim: ssimStats.mean, psnr: psnrFromMse(mseStats.mean) },
    intervals: {
      ssim: [clampToRange('ssim', ssimStats.low), clampToRange('ssim', ssimStats.high)],
      psnr: [psnrFromMse(Math.min(MAX_MSE, mseStats.high)), psnrFromMse(Math.max(0, mseStats.low))]
    }
  }
}

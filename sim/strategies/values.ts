/**
 * Shared helpers of the strategies: a measurement with chosen values, and
 * the values that pass or fail a job's thresholds clearly.
 */
import type { JobAnnouncement } from '../../protocol/job.ts'
import type { Measurement } from '../../node/job/ports.ts'

/** A measurement reporting `ssim` and `psnr` with zero-width intervals, keeping the true sample count. */
export function reported (m: Measurement, ssim: number, psnr: number): Measurement {
  const { plan: _plan, ...rest } = m
  return { ...rest, metrics: { ssim, psnr }, intervals: { ssim: [ssim, ssim], psnr: [psnr, psnr] } }
}

/** True when `m` passes the job's thresholds. */
export function passes (m: Measurement, job: JobAnnouncement): boolean {
  return m.metrics.ssim >= job.thresholds.ssimMin && m.metrics.psnr >= job.thresholds.psnrMin && m.checks?.candidateHashMatches !== false
}

/** A clearly passing value for the job: SSIM midway between the threshold and 1, PSNR 15 dB above its threshold. */
export function passingValue (job: JobAnnouncement): { ssim: number, psnr: number } {
  return { ssim: (job.thresholds.ssimMin + 1) / 2, psnr: job.thresholds.psnrMin + 15 }
}

/** A clearly failing value for the job: SSIM 0.1 and PSNR 15 dB below the thresholds. */
export function failingValue (job: JobAnnouncement): { ssim: number, psnr: number } {
  return { ssim: Math.max(-1, job.thresholds.ssimMin - 0.1), psnr: Math.max(0, job.thresholds.psnrMin - 15) }
}

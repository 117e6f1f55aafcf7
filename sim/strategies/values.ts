/**
 * Shared helpers of the strategies: a measurement with chosen values, and
 * the values that pass or fail a job's thresholds clearly.
 */
import type { JobAnnouncement } from '../../protocol/job.ts'
import type { Measurement } from '../../node/job/ports.ts'
import type { MetricNumbers } from '../../protocol/metrics.ts'

/** A measurement reporting the values `v` with zero-width intervals, keeping the true sample count. */
export function reported (m: Measurement, v: MetricNumbers): Measurement {
  const { plan: _plan, ...rest } = m
  return { ...rest, metrics: { ...v }, intervals: { ssim: [v.ssim, v.ssim], psnr: [v.psnr, v.psnr], ssimLocal: [v.ssimLocal, v.ssimLocal] } }
}

/** True when `m` passes the job's thresholds. */
export function passes (m: Measurement, job: JobAnnouncement): boolean {
  const t = job.thresholds
  return m.metrics.ssim >= t.ssimMin && m.metrics.psnr >= t.psnrMin && m.metrics.ssimLocal >= t.ssimLocalMin && m.checks?.candidateHashMatches !== false
}

/** A clearly passing value for the job: SSIM and local SSIM midway between their thresholds and 1, PSNR 15 dB above its threshold. */
export function passingValue (job: JobAnnouncement): MetricNumbers {
  const t = job.thresholds
  return { ssim: (t.ssimMin + 1) / 2, psnr: t.psnrMin + 15, ssimLocal: (t.ssimLocalMin + 1) / 2 }
}

/** A clearly failing value for the job: SSIM and local SSIM 0.1 and PSNR 15 dB below their thresholds. */
export function failingValue (job: JobAnnouncement): MetricNumbers {
  const t = job.thresholds
  return { ssim: Math.max(-1, t.ssimMin - 0.1), psnr: Math.max(0, t.psnrMin - 15), ssimLocal: Math.max(-1, t.ssimLocalMin - 0.1) }
}

/**
 * What a certificate's verdict means, in words: the job's thresholds (chosen
 * by its submitter) and the network's floor of them (`minThresholds` in the
 * network file, protocol/network.ts), or that the network has none. A
 * `validated` says only that the values passed the job's own thresholds; the
 * floor is what a reader may count on from the network alone.
 */
import type { Thresholds } from '../../protocol/metrics.ts'

/** `SSIM ≥ a, PSNR ≥ b dB, worst-tile SSIM ≥ c`. */
export function thresholdsText (t: Thresholds): string {
  return `SSIM ≥ ${t.ssimMin}, PSNR ≥ ${t.psnrMin} dB, worst-tile SSIM ≥ ${t.ssimLocalMin}`
}

/** The thresholds of `job` below `floor` (none when there is no floor). */
export function belowFloorOf (job: Thresholds, floor: Thresholds | undefined): Array<keyof Thresholds> {
  if (floor === undefined) return []
  return (['ssimMin', 'psnrMin', 'ssimLocalMin'] as const).filter((k) => !(job[k] >= floor[k]))
}

/** One sentence on the network's floor: its values, or that the network file sets none. */
export function floorText (floor: Thresholds | undefined): string {
  return floor === undefined
    ? 'The network file sets no minimum (no minThresholds): a validated job means only its own thresholds.'
    : `Network minimum (minThresholds): ${thresholdsText(floor)}; no job below it is valid in this network.`
}

const LABEL: Record<keyof Thresholds, string> = { ssimMin: 'SSIM', psnrMin: 'PSNR', ssimLocalMin: 'worst-tile SSIM' }

/**
 * What the Submit page says, before uploading anything, about thresholds a
 * node would refuse (`ERR_JOB_THRESHOLDS`): `given` completed with the
 * network's `defaults`, each one below the network's `floor`. Empty when
 * the network has no floor or all meet it.
 */
export function floorProblems (given: Partial<Thresholds>, defaults: Thresholds, floor: Thresholds | undefined): string[] {
  const job = { ...defaults, ...given }
  return belowFloorOf(job, floor).map((k) => `ERR_JOB_THRESHOLDS: the ${LABEL[k]} threshold ${job[k]} is below the network's minimum ${floor![k]}${k === 'psnrMin' ? ' dB' : ''} (nothing was uploaded)`)
}

/**
 * Byzantine behaviours a node can be told to show, for fault simulations
 * (`sim/`, the integration tests and `trust-engine node --fault`). They are
 * off unless asked for, and a node announces in its logs when one is on.
 *
 * - `lie`: the node votes false metrics (its true SSIM lowered by 0.25, its
 *   true PSNR lowered by 20 dB, or 20 dB when infinite).
 * - `equivocate`: the node signs and gossips two different votes for the
 *   same job (its true one and a lying one), bypassing its own double-sign
 *   guard; honest nodes must catch it.
 * - `silent`: the node measures nothing and never votes.
 */
import type { Measurement } from './ports.ts'

/** Names of the simulated faults. */
export const FAULTS = ['lie', 'equivocate', 'silent'] as const

/** One simulated fault, or none. */
export type Fault = typeof FAULTS[number] | null

/** SSIM and local SSIM lowered by this much in a lying vote. */
export const LIE_SSIM_DELTA = 0.25
/** PSNR lowered by this many dB in a lying vote. */
export const LIE_PSNR_DELTA_DB = 20

/** The false measurement a lying node reports instead of `m`. */
export function lieAbout (m: Measurement): Measurement {
  const ssim = Math.max(-1, m.metrics.ssim - LIE_SSIM_DELTA)
  const ssimLocal = Math.max(-1, m.metrics.ssimLocal - LIE_SSIM_DELTA)
  const psnr = Number.isFinite(m.metrics.psnr) ? Math.max(0, m.metrics.psnr - LIE_PSNR_DELTA_DB) : LIE_PSNR_DELTA_DB
  return {
    ...m,
    metrics: { ssim, psnr, ssimLocal },
    intervals: { ssim: [ssim, ssim], psnr: [psnr, psnr], ssimLocal: [ssimLocal, ssimLocal] }
  }
}

/**
 * PSNR over the R, G and B channels (alpha ignored):
 * MSE = Σ (a − b)² / (3 · pixels), PSNR = 10 · log10(255² / MSE), and
 * MSE = 0 (identical images) gives PSNR = Infinity.
 *
 * The squared differences are integers and their sum stays below 2^53 for any
 * image the decoder accepts, so the MSE is exact up to one final rounding and
 * the same in every process.
 */
import { TrustEngineError } from '../../protocol/errors.ts'
import { ERR_PNG_SIZE_MISMATCH } from './errors.ts'
import type { RgbaImage } from './image.ts'

/** Peak value of an 8-bit channel. */
export const PEAK = 255

/** Largest possible MSE on the 0–255 scale (every channel off by 255). */
export const MAX_MSE = PEAK * PEAK

function checkSameSize (a: { width: number, height: number }, b: { width: number, height: number }): void {
  if (a.width !== b.width || a.height !== b.height) {
    throw new TrustEngineError(ERR_PNG_SIZE_MISMATCH, `image sizes differ: ${a.width}×${a.height} and ${b.width}×${b.height}`)
  }
}

/** Mean squared error over R, G, B of two images of one size (`ERR_PNG_SIZE_MISMATCH` otherwise). */
export function mseRgb (a: RgbaImage, b: RgbaImage): number {
  checkSameSize(a, b)
  const x = a.data
  const y = b.data
  const n = a.width * a.height
  let sum = 0
  for (let p = 0, end = n * 4; p < end; p += 4) {
    const dr = x[p]! - y[p]!
    const dg = x[p + 1]! - y[p + 1]!
    const db = x[p + 2]! - y[p + 2]!
    sum += dr * dr + dg * dg + db * db
  }
  return sum / (3 * n)
}

/**
 * MSE between the change images of two frame pairs (see
 * protocol/sampling/plan.ts, `temporal`): the change image is
 * (next − current + 255)/2 per channel, so the error per channel is
 * ((candNext − candCurrent) − (refNext − refCurrent)) / 2. Summed as exact
 * integers, divided once.
 */
export function changeMseRgb (refCurrent: RgbaImage, refNext: RgbaImage, candCurrent: RgbaImage, candNext: RgbaImage): number {
  checkSameSize(refCurrent, refNext)
  checkSameSize(refCurrent, candCurrent)
  checkSameSize(refCurrent, candNext)
  const r0 = refCurrent.data
  const r1 = refNext.data
  const c0 = candCurrent.data
  const c1 = candNext.data
  const n = refCurrent.width * refCurrent.height
  let sum = 0
  for (let p = 0, end = n * 4; p < end; p += 4) {
    for (let c = 0; c < 3; c++) {
      const e = (c1[p + c]! - c0[p + c]!) - (r1[p + c]! - r0[p + c]!)
      sum += e * e
    }
  }
  return sum / (4 * 3 * n)
}

/** PSNR in dB for an MSE on the 0–255 scale: 10·log10(255²/MSE); Infinity when MSE is 0. */
export function psnrFromMse (mse: number): number {
  if (mse === 0) return Infinity
  return 10 * Math.log10(MAX_MSE / mse)
}

/** PSNR in dB of two images of one size over R, G, B; Infinity for identical colour channels. */
export function psnr (a: RgbaImage, b: RgbaImage): number {
  return psnrFromMse(mseRgb(a, b))
}

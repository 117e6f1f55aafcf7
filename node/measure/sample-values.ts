/**
 * What one measured sample holds, frames and scene views alike, and the SSIM
 * pair both measurements take of a sample's luma planes.
 */
import type { SampleKind, SampleRect } from '../../protocol/sampling/plan.ts'
import { type ColourPlanes, colourSampleSsim } from './colour-ssim.ts'
import type { LumaPlane } from './image.ts'
import { sampleSsim } from './local-ssim.ts'

/** The values of one measured sample, wherever it was taken (a frame, a scene view). */
export interface MeasuredSample {
  kind: SampleKind
  /** Region samples only. */
  rect?: SampleRect
  ssim: number
  /** SSIM of the sample's worst tile (node/measure/local-ssim.ts). */
  worstTile: number
  /** Infinity when the sample's images are identical. */
  psnr: number
  /** Mean squared error over R, G, B on the 0–255 scale. */
  mse: number
}

/** The values a sample's images give before PSNR is derived from the MSE. */
export interface SampleValues { ssim: number, worstTile: number, mse: number }

/** SSIM and worst-tile SSIM of two luma planes of one size (no map). */
export function ssimPair (a: LumaPlane, b: LumaPlane): { ssim: number, worstTile: number } {
  const s = sampleSsim(a, b)
  return { ssim: s.ssim, worstTile: s.worstTile }
}

/** SSIM of the luma planes and the colour-aware worst tile (colour-ssim.ts) of two images' planes of one size. */
export function colourSsimPair (a: ColourPlanes, b: ColourPlanes): { ssim: number, worstTile: number } {
  const s = colourSampleSsim(a, b)
  return { ssim: s.ssim, worstTile: s.worstTile }
}

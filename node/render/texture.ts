/**
 * Textures in linear light with a mip chain, and the Lambert baseline's
 * sampling (one level per triangle); wrap modes, footprints and filtered
 * reads are in texture-read.ts.
 *
 * Texels are stored as 16-bit linear values (colour decoded from sRGB when the
 * texture holds colour; alpha always linear). Mip levels are 2×2 box averages
 * of the level above (edge texels repeat for odd sizes), computed with integer
 * arithmetic, so every machine holds the same chain.
 */
import { SRGB8_TO_LINEAR } from './color.ts'
import type { RgbaImage } from '../image/rgba-image.ts'
import { firstLevel, newFootprint, readRgba, trilinearFootprint } from './texture-read.ts'

export { WRAP_CLAMP, WRAP_MIRROR, WRAP_REPEAT } from './texture-read.ts'

/** One level of a texture: RGBA, each channel linear × 65535. */
export interface TextureLevel {
  width: number
  height: number
  data: Uint16Array
}

/** A decoded texture: level 0 is the image, each next level half the size, down to 1×1. */
export interface LinearTexture {
  levels: TextureLevel[]
}

/** Builds the linear mip chain of an RGBA8 image; `srgb` says whether RGB is sRGB-encoded colour. */
export function buildTexture (img: RgbaImage, srgb: boolean): LinearTexture {
  const { width, height } = img
  const base = new Uint16Array(width * height * 4)
  for (let i = 0; i < width * height * 4; i++) {
    const v = img.data[i]!
    base[i] = (srgb && (i & 3) !== 3) ? Math.floor(SRGB8_TO_LINEAR[v]! * 65535 + 0.5) : v * 257
  }
  const levels: TextureLevel[] = [{ width, height, data: base }]
  let cur = levels[0]!
  while (cur.width > 1 || cur.height > 1) {
    const w = Math.max(1, cur.width >> 1)
    const h = Math.max(1, cur.height >> 1)
    const d = new Uint16Array(w * h * 4)
    const src = cur.data
    const sw = cur.width
    for (let y = 0; y < h; y++) {
      const y0 = Math.min(cur.height - 1, y * 2); const y1 = Math.min(cur.height - 1, y * 2 + 1)
      for (let x = 0; x < w; x++) {
        const x0 = Math.min(sw - 1, x * 2); const x1 = Math.min(sw - 1, x * 2 + 1)
        for (let c = 0; c < 4; c++) {
          const s = src[(y0 * sw + x0) * 4 + c]! + src[(y0 * sw + x1) * 4 + c]! + src[(y1 * sw + x0) * 4 + c]! + src[(y1 * sw + x1) * 4 + c]!
          d[(y * w + x) * 4 + c] = (s + 2) >> 2
        }
      }
    }
    cur = { width: w, height: h, data: d }
    levels.push(cur)
  }
  return { levels }
}

const fpTmp = newFootprint()

/**
 * Samples `tex` at (u, v) on mip `level` (clamped to the chain) into `out`
 * (linear RGBA in [0, 1]). `nearest` selects nearest-texel instead of
 * bilinear filtering. Non-finite coordinates sample texel (0, 0).
 */
export function sampleTexture (tex: LinearTexture, level: number, u: number, v: number, wrapS: number, wrapT: number, nearest: boolean, out: Float64Array): void {
  const li = Math.min(level, tex.levels.length - 1)
  firstLevel(tex.levels[li]!, li, u, v, wrapS, wrapT, nearest, fpTmp)
  fpTmp.mode = nearest ? 0 : 1
  readRgba(tex, fpTmp, out)
}

/**
 * Mip level for a triangle covering `texelArea` texels on level 0 over
 * `pixelArea` screen pixels: the level whose texel footprint is nearest one
 * pixel (round(½·log2(ratio))), found by comparisons with powers of two.
 */
export function mipLevelFor (texelArea: number, pixelArea: number, levelCount: number): number {
  if (!(pixelArea > 0) || !(texelArea > 0)) return 0
  const ratio = texelArea / pixelArea
  let k = 0
  let threshold = 2 // level k+1 when ratio ≥ 2^(2k+1)
  while (k < levelCount - 1 && ratio >= threshold) { k++; threshold *= 4 }
  return k
}

/**
 * Trilinear sampling at a fractional level of detail `lod` (see
 * {@link trilinearFootprint}) into `out` (linear RGBA).
 */
export function sampleTrilinear (tex: LinearTexture, lod: number, u: number, v: number, wrapS: number, wrapT: number, nearestMag: boolean, mipmaps: boolean, out: Float64Array): void {
  trilinearFootprint(tex, lod, u, v, wrapS, wrapT, nearestMag, mipmaps, fpTmp)
  readRgba(tex, fpTmp, out)
}

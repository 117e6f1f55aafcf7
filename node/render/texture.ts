/**
 * Textures in linear light with a mip chain, and their sampling (wrap modes,
 * bilinear filtering, per-triangle mip level).
 *
 * Texels are stored as 16-bit linear values (colour decoded from sRGB when the
 * texture holds colour; alpha always linear). Mip levels are 2×2 box averages
 * of the level above (edge texels repeat for odd sizes), computed with integer
 * arithmetic, so every machine holds the same chain.
 */
import { SRGB8_TO_LINEAR } from './color.ts'
import type { RgbaImage } from '../image/rgba-image.ts'

/** glTF sampler wrap mode REPEAT. */
export const WRAP_REPEAT = 10497
/** glTF sampler wrap mode CLAMP_TO_EDGE. */
export const WRAP_CLAMP = 33071
/** glTF sampler wrap mode MIRRORED_REPEAT. */
export const WRAP_MIRROR = 33648

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

/** Maps an integer texel coordinate into [0, n) by the wrap mode. */
function wrap (i: number, n: number, mode: number): number {
  if (mode === WRAP_CLAMP) return i < 0 ? 0 : (i >= n ? n - 1 : i)
  if (mode === WRAP_MIRROR) {
    const p = 2 * n
    let m = i - Math.floor(i / p) * p
    if (m >= n) m = p - 1 - m
    return m
  }
  return i - Math.floor(i / n) * n
}

/**
 * Samples `tex` at (u, v) on mip `level` (clamped to the chain) into `out`
 * (linear RGBA in [0, 1]). `nearest` selects nearest-texel instead of
 * bilinear filtering. Non-finite coordinates sample texel (0, 0).
 */
export function sampleTexture (tex: LinearTexture, level: number, u: number, v: number, wrapS: number, wrapT: number, nearest: boolean, out: Float64Array): void {
  const lv = tex.levels[Math.min(level, tex.levels.length - 1)]!
  const w = lv.width; const h = lv.height; const d = lv.data
  if (!Number.isFinite(u)) u = 0
  if (!Number.isFinite(v)) v = 0
  if (nearest) {
    const i = wrap(Math.floor(u * w), w, wrapS)
    const j = wrap(Math.floor(v * h), h, wrapT)
    const o = (j * w + i) * 4
    out[0] = d[o]! / 65535; out[1] = d[o + 1]! / 65535; out[2] = d[o + 2]! / 65535; out[3] = d[o + 3]! / 65535
    return
  }
  const x = u * w - 0.5
  const y = v * h - 0.5
  const fx0 = Math.floor(x); const fy0 = Math.floor(y)
  const fx = x - fx0; const fy = y - fy0
  const x0 = wrap(fx0, w, wrapS); const x1 = wrap(fx0 + 1, w, wrapS)
  const y0 = wrap(fy0, h, wrapT); const y1 = wrap(fy0 + 1, h, wrapT)
  const o00 = (y0 * w + x0) * 4; const o10 = (y0 * w + x1) * 4
  const o01 = (y1 * w + x0) * 4; const o11 = (y1 * w + x1) * 4
  const w00 = (1 - fx) * (1 - fy); const w10 = fx * (1 - fy); const w01 = (1 - fx) * fy; const w11 = fx * fy
  for (let c = 0; c < 4; c++) {
    out[c] = (d[o00 + c]! * w00 + d[o10 + c]! * w10 + d[o01 + c]! * w01 + d[o11 + c]! * w11) / 65535
  }
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

const tri = new Float64Array(4)

/**
 * Trilinear sampling at a fractional level of detail `lod` (log2 of texels
 * per pixel along a side): magnification (lod ≤ 0, or NaN) samples level 0,
 * nearest or bilinear by `nearestMag`; minification blends bilinear samples
 * of the two levels around lod (the GPU's LINEAR_MIPMAP_LINEAR), or samples
 * level 0 bilinearly when the sampler has no mipmaps. Writes linear RGBA.
 */
export function sampleTrilinear (tex: LinearTexture, lod: number, u: number, v: number, wrapS: number, wrapT: number, nearestMag: boolean, mipmaps: boolean, out: Float64Array): void {
  if (!(lod > 0)) { sampleTexture(tex, 0, u, v, wrapS, wrapT, nearestMag, out); return }
  if (!mipmaps) { sampleTexture(tex, 0, u, v, wrapS, wrapT, false, out); return }
  const top = tex.levels.length - 1
  if (lod >= top) { sampleTexture(tex, top, u, v, wrapS, wrapT, false, out); return }
  const l0 = Math.floor(lod)
  const f = lod - l0
  sampleTexture(tex, l0, u, v, wrapS, wrapT, false, out)
  if (f === 0) return
  sampleTexture(tex, l0 + 1, u, v, wrapS, wrapT, false, tri)
  out[0] = out[0]! + (tri[0]! - out[0]!) * f
  out[1] = out[1]! + (tri[1]! - out[1]!) * f
  out[2] = out[2]! + (tri[2]! - out[2]!) * f
  out[3] = out[3]! + (tri[3]! - out[3]!) * f
}

/**
 * RGBA8 images and the deterministic operations the measurements use: crop,
 * 2×2 box downscale and BT.601 luma. Integer operations are exact; the luma is
 * float64 computed in one fixed order, so every process gets the same bits.
 */
import { TrustEngineError } from '../../protocol/errors.ts'
import type { SampleRect } from '../../protocol/sampling/plan.ts'
import type { RgbaImage } from '../image/rgba-image.ts'
import { ERR_RECT_OUT_OF_BOUNDS } from './errors.ts'

export type { RgbaImage }

/** A single-channel float64 image (luma, or the luma of a change image). */
export interface LumaPlane {
  width: number
  height: number
  /** width · height values, rows top to bottom. */
  data: Float64Array
}

/** Copy of the `rect` part of `img`. Throws `ERR_RECT_OUT_OF_BOUNDS` unless the rect lies inside. */
export function cropImage (img: RgbaImage, rect: SampleRect): RgbaImage {
  const { x, y, width, height } = rect
  if (![x, y, width, height].every(Number.isSafeInteger) || x < 0 || y < 0 || width < 1 || height < 1 ||
      x + width > img.width || y + height > img.height) {
    throw new TrustEngineError(ERR_RECT_OUT_OF_BOUNDS, 'crop rectangle outside the image')
  }
  const out = new Uint8Array(width * height * 4)
  for (let row = 0; row < height; row++) {
    const start = ((y + row) * img.width + x) * 4
    out.set(img.data.subarray(start, start + width * 4), row * width * 4)
  }
  return { width, height, data: out }
}

/**
 * Half-size image: each output pixel is the rounded mean of a 2×2 block,
 * `(a + b + c + d + 2) >> 2` per channel; an odd last row or column is dropped.
 */
export function downscale2x (img: RgbaImage): RgbaImage {
  const w = img.width >> 1
  const h = img.height >> 1
  const src = img.data
  const stride = img.width * 4
  const out = new Uint8Array(w * h * 4)
  let o = 0
  for (let y = 0; y < h; y++) {
    let p = 2 * y * stride
    for (let x = 0; x < w; x++) {
      for (let c = 0; c < 4; c++) {
        out[o++] = (src[p + c]! + src[p + 4 + c]! + src[p + stride + c]! + src[p + stride + 4 + c]! + 2) >> 2
      }
      p += 8
    }
  }
  return { width: w, height: h, data: out }
}

/** BT.601 luma weights (Rec. ITU-R BT.601: Y = 0.299 R + 0.587 G + 0.114 B). */
const KR = 0.299
const KG = 0.587
const KB = 0.114

/** Luma tables: the products for each 8-bit value, identical to computing them inline. */
const LUT_R = new Float64Array(256)
const LUT_G = new Float64Array(256)
const LUT_B = new Float64Array(256)
for (let v = 0; v < 256; v++) {
  LUT_R[v] = KR * v
  LUT_G[v] = KG * v
  LUT_B[v] = KB * v
}

/** BT.601 luma plane: Y = (0.299·R + 0.587·G) + 0.114·B in float64, alpha ignored. */
export function lumaPlane (img: RgbaImage): LumaPlane {
  const n = img.width * img.height
  const out = new Float64Array(n)
  const d = img.data
  for (let i = 0, p = 0; i < n; i++, p += 4) {
    out[i] = LUT_R[d[p]!]! + LUT_G[d[p + 1]!]! + LUT_B[d[p + 2]!]!
  }
  return { width: img.width, height: img.height, data: out }
}

/**
 * Luma of the change image between two frames of one size:
 * (next − current + 255) / 2, which maps every difference onto [0, 255]
 * (see protocol/sampling/plan.ts, `temporal`).
 */
export function changeLuma (current: LumaPlane, next: LumaPlane): LumaPlane {
  const n = current.data.length
  const out = new Float64Array(n)
  const a = current.data
  const b = next.data
  for (let i = 0; i < n; i++) out[i] = (b[i]! - a[i]! + 255) * 0.5
  return { width: current.width, height: current.height, data: out }
}

/**
 * The change image of a pair of frames, per RGB channel (next − current + 255) / 2
 * rounded down, alpha 255: what a temporal sample compares, as a picture (evidence).
 */
export function changeImage (current: RgbaImage, next: RgbaImage): RgbaImage {
  const data = new Uint8Array(current.data.length)
  for (let i = 0; i < data.length; i += 4) {
    for (let c = 0; c < 3; c++) data[i + c] = (next.data[i + c]! - current.data[i + c]! + 255) >> 1
    data[i + 3] = 255
  }
  return { width: current.width, height: current.height, data }
}

/**
 * Deterministic image downscaling: an area-averaging box filter (each output
 * pixel is the coverage-weighted mean of the source pixels under it), in
 * premultiplied alpha so transparent pixels do not bleed colour. Float64
 * arithmetic in a fixed order and round-half-up give identical bytes on every
 * platform.
 */
import type { RgbaImage } from '../image/rgba-image.ts'

/** The largest size within `maxSize` x `maxSize` with the same aspect ratio (never upscales; at least 1 px). */
export function fitWithin (width: number, height: number, maxSize: number): [number, number] {
  if (width <= maxSize && height <= maxSize) return [width, height]
  const scale = maxSize / Math.max(width, height)
  return [Math.max(1, Math.min(maxSize, Math.round(width * scale))), Math.max(1, Math.min(maxSize, Math.round(height * scale)))]
}

/** Per output index, the source spans and weights of a 1-D area filter from `src` to `dst` samples. */
function spans (src: number, dst: number): Array<Array<[number, number]>> {
  const scale = src / dst
  const out: Array<Array<[number, number]>> = []
  for (let i = 0; i < dst; i++) {
    const start = i * scale
    const end = (i + 1) * scale
    const taps: Array<[number, number]> = []
    for (let s = Math.floor(start); s < Math.min(src, Math.ceil(end)); s++) {
      const w = Math.min(end, s + 1) - Math.max(start, s)
      if (w > 0) taps.push([s, w / scale])
    }
    out.push(taps)
  }
  return out
}

/** Downscales `image` to `width` x `height` with the area filter (no-op copy when the size is unchanged). */
export function resizeRgba (image: RgbaImage, width: number, height: number): RgbaImage {
  if (width === image.width && height === image.height) return { width, height, data: image.data.slice() }
  const { width: sw, height: sh, data } = image
  // Premultiply into float64, filter horizontally, then vertically.
  const xs = spans(sw, width)
  const ys = spans(sh, height)
  const tmp = new Float64Array(width * sh * 4)
  for (let y = 0; y < sh; y++) {
    for (let x = 0; x < width; x++) {
      let r = 0; let g = 0; let b = 0; let a = 0
      for (const [s, w] of xs[x]!) {
        const p = (y * sw + s) * 4
        const alpha = data[p + 3]! / 255
        r += data[p]! * alpha * w; g += data[p + 1]! * alpha * w; b += data[p + 2]! * alpha * w; a += data[p + 3]! * w
      }
      const q = (y * width + x) * 4
      tmp[q] = r; tmp[q + 1] = g; tmp[q + 2] = b; tmp[q + 3] = a
    }
  }
  const out = new Uint8Array(width * height * 4)
  const clampByte = (v: number): number => Math.min(255, Math.max(0, Math.floor(v + 0.5)))
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let r = 0; let g = 0; let b = 0; let a = 0
      for (const [s, w] of ys[y]!) {
        const p = (s * width + x) * 4
        r += tmp[p]! * w; g += tmp[p + 1]! * w; b += tmp[p + 2]! * w; a += tmp[p + 3]! * w
      }
      const q = (y * width + x) * 4
      const alpha = a / 255
      out[q] = alpha > 0 ? clampByte(r / alpha) : 0
      out[q + 1] = alpha > 0 ? clampByte(g / alpha) : 0
      out[q + 2] = alpha > 0 ? clampByte(b / alpha) : 0
      out[q + 3] = clampByte(a)
    }
  }
  return { width, height, data: out }
}

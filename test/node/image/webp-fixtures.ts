/**
 * Generated images and hand-edited WebP files for the WebP tests: a smooth
 * gradient with deterministic grain (optionally with an alpha ramp), and
 * helpers that patch a WebP's header fields.
 */
import type { RgbaImage } from '../../../node/image/rgba-image.ts'

/** A photo-like RGBA image: smooth shading plus deterministic grain; alpha a ramp when `alpha`, else 255. */
export function gradientImage (width: number, height: number, alpha: boolean): RgbaImage {
  const data = new Uint8Array(width * height * 4)
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const grain = (Math.imul(x * 73856093 ^ y * 19349663, 83492791) >>> 0) % 24
      const i = (y * width + x) * 4
      data[i] = Math.round(120 + 60 * Math.sin(x / 7) * Math.cos(y / 11)) + grain
      data[i + 1] = Math.round(110 + 50 * Math.sin((x + y) / 13)) + grain
      data[i + 2] = Math.round(90 + 40 * Math.cos(y / 5)) + grain
      data[i + 3] = alpha ? Math.floor((x * 255) / Math.max(1, width - 1)) : 255
    }
  }
  return { width, height, data }
}

/** Offset of the first chunk named `fourcc` in a WebP file (its 8-byte header), or -1. */
export function findChunk (webp: Uint8Array, fourcc: string): number {
  for (let pos = 12; pos + 8 <= webp.length;) {
    const name = String.fromCharCode(...webp.subarray(pos, pos + 4))
    if (name === fourcc) return pos
    const size = webp[pos + 4]! | (webp[pos + 5]! << 8) | (webp[pos + 6]! << 16) | (webp[pos + 7]! << 24)
    pos += 8 + size + (size & 1)
  }
  return -1
}

/** A copy of a simple lossy WebP whose VP8 frame header declares `width` x `height` (14 bits each). */
export function withVp8Size (webp: Uint8Array, width: number, height: number): Uint8Array {
  const out = webp.slice()
  const at = findChunk(out, 'VP8 ') + 8
  out[at + 6] = width & 0xff; out[at + 7] = (out[at + 7]! & 0xc0) | ((width >> 8) & 0x3f)
  out[at + 8] = height & 0xff; out[at + 9] = (out[at + 9]! & 0xc0) | ((height >> 8) & 0x3f)
  return out
}

/** A copy of an extended (VP8X) WebP whose canvas declares `width` x `height`. */
export function withCanvasSize (webp: Uint8Array, width: number, height: number): Uint8Array {
  const out = webp.slice()
  const at = findChunk(out, 'VP8X') + 8
  const w = width - 1; const h = height - 1
  out[at + 4] = w & 0xff; out[at + 5] = (w >> 8) & 0xff; out[at + 6] = (w >> 16) & 0xff
  out[at + 7] = h & 0xff; out[at + 8] = (h >> 8) & 0xff; out[at + 9] = (h >> 16) & 0xff
  return out
}

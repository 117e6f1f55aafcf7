/**
 * Real test images, generated deterministically: gradients, seeded noise,
 * shapes, and degradations (blur, noise, 8×8 block quantization like a JPEG
 * at low quality), encoded as real PNG files with pngjs.
 */
import { crc32, deflateSync } from 'node:zlib'
import { PNG } from 'pngjs'
import type { RgbaImage } from '../../../node/measure/image.ts'
import { deriveSeed, SeededPrng } from '../../../protocol/sampling/prng.ts'

/** A new image filled by `f(x, y) → [r, g, b, a?]`. */
export function makeImage (width: number, height: number, f: (x: number, y: number) => readonly number[]): RgbaImage {
  const data = new Uint8Array(width * height * 4)
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [r, g, b, a] = f(x, y)
      const p = (y * width + x) * 4
      data[p] = r!; data[p + 1] = g!; data[p + 2] = b!; data[p + 3] = a ?? 255
    }
  }
  return { width, height, data }
}

/** A colourful scene: diagonal gradients, a disc and a bar pattern. */
export function scene (width: number, height: number, shift = 0): RgbaImage {
  return makeImage(width, height, (x, y) => {
    const xs = x + shift
    const inDisc = (xs - width / 2) ** 2 + (y - height / 2) ** 2 < (Math.min(width, height) / 4) ** 2
    const bars = ((xs >> 3) & 1) === 1 ? 40 : 0
    return [
      Math.min(255, Math.floor((xs * 255) / width) % 256 + (inDisc ? 60 : 0)) & 255,
      Math.floor((y * 255) / height) & 255,
      inDisc ? 220 : (100 + bars) & 255
    ]
  })
}

/** Seeded uniform noise (any label as seed) in every colour channel (or grey when `grey`). */
export function noise (width: number, height: number, seed: string, grey = false): RgbaImage {
  const prng = new SeededPrng(deriveSeed('fixture', seed))
  return makeImage(width, height, () => {
    const v = prng.nextInt(256)
    return grey ? [v, v, v] : [v, prng.nextInt(256), prng.nextInt(256)]
  })
}

/** Copy of `img` with seeded noise of amplitude ±`amp` added to R, G, B (clamped). */
export function addNoise (img: RgbaImage, amp: number, seed: string): RgbaImage {
  const prng = new SeededPrng(deriveSeed('fixture', seed))
  const data = new Uint8Array(img.data)
  for (let p = 0; p < data.length; p += 4) {
    for (let c = 0; c < 3; c++) data[p + c] = Math.max(0, Math.min(255, data[p + c]! + prng.nextInt(2 * amp + 1) - amp))
  }
  return { width: img.width, height: img.height, data }
}

/** 3×3 box blur (edges clamped). */
export function blur (img: RgbaImage): RgbaImage {
  const { width, height } = img
  return makeImage(width, height, (x, y) => {
    const out = [0, 0, 0]
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        const xx = Math.min(width - 1, Math.max(0, x + dx))
        const yy = Math.min(height - 1, Math.max(0, y + dy))
        for (let c = 0; c < 3; c++) out[c]! += img.data[(yy * width + xx) * 4 + c]!
      }
    }
    return out.map((v) => Math.round(v / 9))
  })
}

/** JPEG-like degradation: each 8×8 block pulled towards its mean and values quantized to steps of `q`. */
export function blockQuantize (img: RgbaImage, q = 16): RgbaImage {
  const { width, height } = img
  const means = new Map<string, number[]>()
  const blockMean = (bx: number, by: number): number[] => {
    const key = `${bx},${by}`
    let m = means.get(key)
    if (m === undefined) {
      m = [0, 0, 0]
      let n = 0
      for (let y = by * 8; y < Math.min(height, by * 8 + 8); y++) {
        for (let x = bx * 8; x < Math.min(width, bx * 8 + 8); x++) {
          for (let c = 0; c < 3; c++) m[c]! += img.data[(y * width + x) * 4 + c]!
          n++
        }
      }
      m = m.map((v) => v / n)
      means.set(key, m)
    }
    return m
  }
  return makeImage(width, height, (x, y) => {
    const m = blockMean(x >> 3, y >> 3)
    return [0, 1, 2].map((c) => {
      const v = (img.data[(y * width + x) * 4 + c]! + m[c]!) / 2
      return Math.max(0, Math.min(255, Math.round(v / q) * q))
    })
  })
}

/** Grey copy (R = G = B = the rounded BT.601 luma). */
export function toGrey (img: RgbaImage): RgbaImage {
  return makeImage(img.width, img.height, (x, y) => {
    const p = (y * img.width + x) * 4
    const v = Math.round(0.299 * img.data[p]! + 0.587 * img.data[p + 1]! + 0.114 * img.data[p + 2]!)
    return [v, v, v]
  })
}

/** PNG encoding options of {@link encodePng} (pngjs). */
export interface EncodeOptions {
  colorType?: 0 | 2 | 4 | 6
  bitDepth?: 8 | 16
  /** Keep the image's alpha channel (RGBA input). */
  alpha?: boolean
}

/** Encodes `img` as a real PNG file. */
export function encodePng (img: RgbaImage, options: EncodeOptions = {}): Uint8Array {
  const png = new PNG({ width: img.width, height: img.height })
  // 16-bit output needs 16-bit input: v·257 maps 0–255 onto 0–65535 exactly (high byte = v).
  png.data = options.bitDepth === 16 ? Buffer.from(Uint16Array.from(img.data, (v) => v * 257).buffer) : Buffer.from(img.data)
  const buf = PNG.sync.write(png, {
    colorType: options.colorType ?? (options.alpha === true ? 6 : 2),
    bitDepth: options.bitDepth ?? 8,
    inputHasAlpha: true
  })
  return new Uint8Array(buf)
}

/** One PNG chunk with its length and CRC. */
export function chunk (type: string, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  const out = Buffer.alloc(12 + data.length)
  out.writeUInt32BE(data.length, 0)
  out.write(type, 4, 'latin1')
  out.set(data, 8)
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length)
  return out
}

/** Colour type and bit depth of every PNG layout the format allows. */
export const PNG_LAYOUTS = [
  [0, 1], [0, 2], [0, 4], [0, 8], [0, 16], [2, 8], [2, 16], [3, 1], [3, 2], [3, 4], [3, 8], [4, 8], [4, 16], [6, 8], [6, 16]
] as const

/** Samples per pixel of each PNG colour type. */
export const PNG_CHANNELS: Readonly<Record<number, number>> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 }

/** IHDR chunk data. */
export function ihdr (width: number, height: number, bitDepth: number, colorType: number, interlace = 0): Uint8Array {
  const d = Buffer.alloc(13)
  d.writeUInt32BE(width, 0)
  d.writeUInt32BE(height, 4)
  d[8] = bitDepth; d[9] = colorType; d[10] = 0; d[11] = 0; d[12] = interlace
  return d
}

/** The 8-byte PNG signature. */
export const PNG_SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)

/**
 * A PNG built by hand: signature, IHDR, the `before` chunks (e.g. PLTE, tRNS),
 * one IDAT holding `scanlines` deflated (filter bytes included), IEND.
 */
export function buildPng (header: Uint8Array, scanlines: Uint8Array, before: Uint8Array[] = []): Uint8Array {
  return Buffer.concat([PNG_SIGNATURE, chunk('IHDR', header), ...before, chunk('IDAT', deflateSync(scanlines)), chunk('IEND')])
}

/** Adam7 passes: x start, y start, x step, y step. */
const ADAM7 = [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]] as const

/** Filter-0 scanlines of an 8-bit RGBA image, plain or Adam7-interlaced. */
export function rgbaScanlines (img: RgbaImage, interlaced = false): Uint8Array {
  const rows: number[] = []
  const passes = interlaced ? ADAM7 : [[0, 0, 1, 1] as const]
  for (const [xs, ys, dx, dy] of passes) {
    for (let y = ys; y < img.height; y += dy) {
      if (xs >= img.width) break
      rows.push(0)
      for (let x = xs; x < img.width; x += dx) {
        const p = (y * img.width + x) * 4
        rows.push(img.data[p]!, img.data[p + 1]!, img.data[p + 2]!, img.data[p + 3]!)
      }
    }
  }
  return Uint8Array.from(rows)
}

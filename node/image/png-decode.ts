/**
 * Bounded PNG decoding to RGBA8, after {@link readImageHeader} has checked
 * the header against the limits (so nothing large is allocated before):
 * 1. a walk over all chunks (lengths in bounds, CRCs, IEND present, at most
 *    {@link MAX_PNG_CHUNKS} of them, else `ERR_IMAGE_TOO_LARGE`), then the
 *    image data is inflated with an output cap equal to the exact size the
 *    header implies (rows · (1 + row bytes), summed over the Adam7 passes when
 *    interlaced); a stream that inflates to any other size is refused
 *    (`ERR_IMAGE_DECODE`), so a compression bomb stops at the cap;
 * 2. pngjs does the unfiltering, palette and transparency handling (samples
 *    unscaled); any error it throws becomes `ERR_IMAGE_DECODE`;
 * 3. the samples are brought to 8 bits and alpha treated as the caller asks
 *    ({@link PixelOptions}).
 */
import { inflateSync } from 'node:zlib'
import { pngCodec } from './codecs.ts'
import { ERR_IMAGE_DECODE, ERR_IMAGE_TOO_LARGE, imageError, imageMemoryError, isAllocationFailure } from './errors.ts'
import { MAX_PNG_CHUNK_LENGTH, PNG_COLOR_TYPES, type PngLayout, pngChunkCrcOk, readU32 } from './image-header.ts'
import type { RgbaImage } from './rgba-image.ts'

/** How decoded samples become RGBA8. */
export interface PixelOptions {
  /**
   * `straight`: alpha is kept as decoded (textures, which materials blend).
   * `over-black`: each pixel is composited onto black,
   * c' = ⌊(c · a + 127) / 255⌋, and alpha set to 255, so a fully transparent
   * pixel is black whatever its hidden colour (measured frames: metrics compare
   * what a viewer sees on black, and invisible differences do not count).
   */
  alpha: 'straight' | 'over-black'
  /**
   * `rounded`: a 16-bit sample v becomes ⌊v · 255 / 65535 + 0.5⌋ (pngjs's own
   * rescaling). `high-byte`: it becomes v >> 8. Grey of 1, 2 or 4 bits is
   * scaled exactly (×255, ×85, ×17) either way; palettes and grey expand to RGB.
   */
  sixteenBit: 'rounded' | 'high-byte'
}

/**
 * Most chunks a PNG may have, IHDR and IEND included. Each chunk costs work
 * and memory whatever its size (its CRC, and pngjs's parsing of it again):
 * without a cap, a 64×64 image followed by empty IDAT chunks (12 bytes each)
 * held a decoder 5.8 s and 675 MB for 3 million of them in a 34 MB file
 * (22 million fit in a 256 MB scene). Encoders write IDATs of 8 KiB or more,
 * or at worst one per row: 2^17 is 16 times one per row of an 8192-row image
 * (about 0.3 s of chunk work).
 */
export const MAX_PNG_CHUNKS = 1 << 17

/** Adam7 passes: x start, y start, x step, y step. */
const ADAM7 = [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]] as const

/** Exact size of the inflated image data the header implies (filter bytes included). */
export function inflatedSize (h: PngLayout): number {
  const bitsPerPixel = PNG_COLOR_TYPES[h.colorType]!.channels * h.bitDepth
  const rowBytes = (w: number): number => Math.ceil((w * bitsPerPixel) / 8)
  if (!h.interlaced) return h.height * (1 + rowBytes(h.width))
  let size = 0
  for (const [xs, ys, dx, dy] of ADAM7) {
    const pw = h.width > xs ? Math.ceil((h.width - xs) / dx) : 0
    const ph = h.height > ys ? Math.ceil((h.height - ys) / dy) : 0
    if (pw > 0 && ph > 0) size += ph * (1 + rowBytes(pw))
  }
  return size
}

/** Walks every chunk from IHDR on: bounds, count, CRC, IEND; returns the concatenated IDAT data. */
function collectImageData (bytes: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = []
  let offset = 8
  let sawIend = false
  for (let chunks = 1; offset < bytes.length; chunks++) {
    if (chunks > MAX_PNG_CHUNKS) throw imageError(ERR_IMAGE_TOO_LARGE, `PNG has more than ${MAX_PNG_CHUNKS} chunks`, { maxChunks: MAX_PNG_CHUNKS })
    if (offset + 12 > bytes.length) throw imageError(ERR_IMAGE_DECODE, 'PNG truncated inside a chunk header')
    const length = readU32(bytes, offset)
    if (length > MAX_PNG_CHUNK_LENGTH || offset + 12 + length > bytes.length) throw imageError(ERR_IMAGE_DECODE, 'PNG truncated inside a chunk')
    if (!pngChunkCrcOk(bytes, offset, length)) throw imageError(ERR_IMAGE_DECODE, 'chunk CRC mismatch')
    const type = String.fromCharCode(bytes[offset + 4]!, bytes[offset + 5]!, bytes[offset + 6]!, bytes[offset + 7]!)
    if (type === 'IDAT') parts.push(bytes.subarray(offset + 8, offset + 8 + length))
    offset += 12 + length
    if (type === 'IEND') {
      sawIend = true
      break
    }
  }
  if (!sawIend) throw imageError(ERR_IMAGE_DECODE, 'PNG has no IEND chunk (truncated)')
  if (parts.length === 0) throw imageError(ERR_IMAGE_DECODE, 'PNG has no image data')
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts)
}

/** Whether `err` says this machine had no memory (an allocation, or zlib's own `Z_MEM_ERROR`) rather than anything of the bytes. */
function outOfMemory (err: unknown): boolean {
  return isAllocationFailure(err) || (err as { code?: unknown } | null)?.code === 'Z_MEM_ERROR'
}

/**
 * Decodes the PNG whose header `header` was read (and checked) from `bytes`.
 * Throws `ERR_IMAGE_DECODE`, never any other error, for any input bytes;
 * `ERR_IMAGE_MEMORY` when this machine had no memory for the decode (not the
 * image's fault).
 */
export function decodePngPixels (bytes: Uint8Array, header: PngLayout, pixels: PixelOptions): RgbaImage {
  const expected = inflatedSize(header)
  const idat = collectImageData(bytes)
  let inflated: Buffer
  try {
    inflated = inflateSync(idat, { maxOutputLength: expected + 1 })
  } catch (err) {
    if (outOfMemory(err)) throw imageMemoryError('PNG', err)
    throw imageError(ERR_IMAGE_DECODE, 'PNG image data does not inflate within its expected size', undefined, err)
  }
  if (inflated.length !== expected) throw imageError(ERR_IMAGE_DECODE, `PNG image data inflates to ${inflated.length} bytes, expected ${expected}`)

  let decoded: { width: number, height: number, data: Uint8Array | Uint16Array }
  try {
    const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    decoded = pngCodec().PNG.sync.read(buf, { skipRescale: true, checkCRC: true }) as unknown as typeof decoded
  } catch (err) {
    if (outOfMemory(err)) throw imageMemoryError('PNG', err)
    throw imageError(ERR_IMAGE_DECODE, 'PNG could not be decoded', undefined, err)
  }
  const { width, height } = header
  if (decoded.width !== width || decoded.height !== height || decoded.data.length !== width * height * 4) {
    throw imageError(ERR_IMAGE_DECODE, 'PNG decoder output does not match the header')
  }
  return { width, height, data: toRgba8(decoded.data, header, pixels) }
}

/** To RGBA8 as `pixels` asks (see {@link PixelOptions}). */
function toRgba8 (src: Uint8Array | Uint16Array, h: PngLayout, pixels: PixelOptions): Uint8Array {
  const n = h.width * h.height * 4
  const eightBit = h.colorType === 3 || h.bitDepth === 8
  const overBlack = pixels.alpha === 'over-black'
  if (eightBit) {
    // 8-bit samples (or palette colours): the decoder's bytes as they are (a copy when composited), composited only where not opaque.
    if (!overBlack) return new Uint8Array(src.buffer, src.byteOffset, n)
    const out = new Uint8Array(n)
    out.set(src)
    compositeOverBlack(out)
    return out
  }
  const out = new Uint8Array(n)
  if (h.bitDepth === 16 && pixels.sixteenBit === 'rounded') {
    // pngjs's rescaling, to the bit: floor(v · 255 / 65535 + 0.5).
    for (let i = 0; i < n; i++) out[i] = Math.floor((src[i]! * 255) / 65535 + 0.5)
    if (overBlack) compositeOverBlack(out)
    return out
  }
  // Grey below 8 bits is scaled exactly; 16-bit keeps its high byte.
  const scale = h.bitDepth >= 8 ? 1 : 255 / ((1 << h.bitDepth) - 1)
  const shift = h.bitDepth === 16 ? 8 : 0
  for (let p = 0; p < n; p += 4) {
    const a = (src[p + 3]! >> shift) * scale
    for (let c = 0; c < 3; c++) {
      const v = (src[p + c]! >> shift) * scale
      out[p + c] = !overBlack || a === 255 ? v : ((v * a + 127) / 255) | 0
    }
    out[p + 3] = overBlack ? 255 : a
  }
  return out
}

/** Composites every pixel that is not opaque onto black, in place, and makes it opaque. */
function compositeOverBlack (out: Uint8Array): void {
  for (let p = 0; p < out.length; p += 4) {
    const a = out[p + 3]!
    if (a === 255) continue
    out[p] = ((out[p]! * a + 127) / 255) | 0
    out[p + 1] = ((out[p + 1]! * a + 127) / 255) | 0
    out[p + 2] = ((out[p + 2]! * a + 127) / 255) | 0
    out[p + 3] = 255
  }
}

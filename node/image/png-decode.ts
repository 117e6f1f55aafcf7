/**
 * Bounded PNG decoding to RGBA8, after {@link readImageHeader} has checked
 * the header against the limits (so nothing large is allocated before):
 * 1. a walk over all chunks (lengths in bounds, CRCs, IEND present, at most
 *    {@link MAX_PNG_CHUNKS} of them, else `ERR_IMAGE_TOO_LARGE`), which also
 *    reads the palette and transparency and refuses what pngjs, the decoder
 *    this one replaced, refused (see {@link readChunks});
 * 2. the image data is inflated once, into one buffer, with an output cap
 *    equal to the exact size the header implies (rows · (1 + row bytes),
 *    summed over the Adam7 passes when interlaced); a stream that inflates to
 *    any other size is refused (`ERR_IMAGE_DECODE`), so a compression bomb
 *    stops at the cap;
 * 3. the scanlines are unfiltered in place and written to the RGBA8 output
 *    as {@link PixelOptions} asks (png-unfilter.ts): the inflated data and
 *    the output are the only buffers of the image's size.
 * Failures are `ERR_IMAGE_DECODE`, or `ERR_IMAGE_MEMORY` when this machine
 * had no memory (not the image's fault).
 */
import { inflateSync } from 'node:zlib'
import { guardedZlib } from './zlib-guard.ts'
import { isTrustEngineError } from '../../protocol/errors.ts'
import { ERR_IMAGE_DECODE, ERR_IMAGE_TOO_LARGE, imageError, imageMemoryError, isAllocationFailure } from './errors.ts'
import { MAX_PNG_CHUNK_LENGTH, PNG_COLOR_TYPES, type PngLayout, pngChunkCrcOk, readU32 } from './image-header.ts'
import { type PngColours, pngPasses, scanlineBytes, unfilterToRgba } from './png-unfilter.ts'
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
 * and memory whatever its size (its CRC, the walk's look at its type):
 * without a cap, a 64×64 image followed by empty IDAT chunks (12 bytes each)
 * held the decoder (pngjs then) 5.8 s and 675 MB for 3 million of them in a 34 MB file
 * (22 million fit in a 256 MB scene). Encoders write IDATs of 8 KiB or more,
 * or at worst one per row: 2^17 is 16 times one per row of an 8192-row image
 * (about 0.3 s of chunk work).
 */
export const MAX_PNG_CHUNKS = 1 << 17

/** Exact size of the inflated image data the header implies (filter bytes included). */
export function inflatedSize (h: PngLayout): number {
  const bitsPerPixel = PNG_COLOR_TYPES[h.colorType]!.channels * h.bitDepth
  let size = 0
  for (const pass of pngPasses(h)) size += pass.height * (1 + scanlineBytes(pass.width, bitsPerPixel))
  return size
}

/** What {@link readChunks} found: the image data, its colours, and the first refusal of pngjs's rules (thrown after inflating, where pngjs threw it). */
interface Chunks {
  /** The IDAT chunks' data, concatenated. */
  idat: Uint8Array
  colours: PngColours
  /** Why pngjs would have refused the file, or null. */
  refusal: string | null
}

/**
 * Walks every chunk from IHDR on: bounds, count, CRC, IEND (these throw at
 * once). Also applies, in order, pngjs's rules for the chunks it read, so
 * that exactly the files it accepted decode (each is a refusal, `refusal`):
 * an unknown critical chunk; bytes after IEND; a second IHDR (pngjs started
 * over from one identical to the first, forgetting palette and
 * transparency seen so far, which is done here; one that differs is
 * refused); PLTE entries accumulate over PLTE chunks; tRNS before PLTE or
 * with more entries than the palette (colour type 3), or shorter than its
 * colour (types 0 and 2); gAMA shorter than 4 bytes; IDAT before PLTE
 * (type 3).
 */
function readChunks (bytes: Uint8Array, header: PngLayout): Chunks {
  const parts: Uint8Array[] = []
  const palette: number[] = [] // RGBA per entry, over every PLTE chunk
  let paletteSeen = false // a PLTE or tRNS (type 3) since the last IHDR
  let transparent: number[] | null = null
  let refusal: string | null = null
  const { colorType } = header
  let offset = 8
  let sawIend = false
  for (let chunks = 1; offset < bytes.length; chunks++) {
    if (chunks > MAX_PNG_CHUNKS) throw imageError(ERR_IMAGE_TOO_LARGE, `PNG has more than ${MAX_PNG_CHUNKS} chunks`, { maxChunks: MAX_PNG_CHUNKS })
    if (offset + 12 > bytes.length) throw imageError(ERR_IMAGE_DECODE, 'PNG truncated inside a chunk header')
    const length = readU32(bytes, offset)
    if (length > MAX_PNG_CHUNK_LENGTH || offset + 12 + length > bytes.length) throw imageError(ERR_IMAGE_DECODE, 'PNG truncated inside a chunk')
    if (!pngChunkCrcOk(bytes, offset, length)) throw imageError(ERR_IMAGE_DECODE, 'chunk CRC mismatch')
    const type = String.fromCharCode(bytes[offset + 4]!, bytes[offset + 5]!, bytes[offset + 6]!, bytes[offset + 7]!)
    const data = bytes.subarray(offset + 8, offset + 8 + length)
    const u16 = (i: number): number => (data[i]! << 8) | data[i + 1]!
    if (type === 'IDAT') {
      parts.push(data)
      if (colorType === 3 && palette.length === 0) refusal ??= 'PNG image data before its palette'
    } else if (type === 'IHDR' && offset > 8) {
      if (length < 13 || data.subarray(0, 13).some((b, i) => b !== bytes[16 + i])) refusal ??= 'PNG has a second IHDR chunk that differs from the first'
      paletteSeen = false
      transparent = null
    } else if (type === 'PLTE') {
      for (let i = 0; i + 3 <= length; i += 3) palette.push(data[i]!, data[i + 1]!, data[i + 2]!, 255)
      paletteSeen = true
    } else if (type === 'tRNS') {
      if (colorType === 3 && palette.length === 0) refusal ??= 'PNG tRNS chunk before the palette'
      else if (colorType === 3 && length > palette.length / 4) refusal ??= 'PNG tRNS chunk longer than the palette'
      else if (colorType === 3) {
        for (let i = 0; i < length; i++) palette[4 * i + 3] = data[i]!
        paletteSeen = true
      } else if (colorType === 0 || colorType === 2) {
        if (length < (colorType === 0 ? 2 : 6)) refusal ??= 'PNG tRNS chunk shorter than its colour'
        else transparent = colorType === 0 ? [u16(0)] : [u16(0), u16(2), u16(4)]
      }
    } else if (type === 'gAMA' && length < 4) {
      refusal ??= 'PNG gAMA chunk shorter than 4 bytes'
    } else if (type !== 'IHDR' && type !== 'IEND' && type !== 'gAMA' && (bytes[offset + 4]! & 0x20) === 0) {
      refusal ??= `PNG has an unknown critical chunk ${JSON.stringify(type)}`
    }
    offset += 12 + length
    if (type === 'IEND') {
      sawIend = true
      break
    }
  }
  if (!sawIend) throw imageError(ERR_IMAGE_DECODE, 'PNG has no IEND chunk (truncated)')
  if (parts.length === 0) throw imageError(ERR_IMAGE_DECODE, 'PNG has no image data')
  if (offset < bytes.length) refusal ??= 'PNG has bytes after IEND'
  return {
    idat: parts.length === 1 ? parts[0]! : Buffer.concat(parts),
    colours: { palette: paletteSeen ? Uint8Array.from(palette) : null, transparent },
    refusal
  }
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
  const chunks = readChunks(bytes, header)
  let inflated: Buffer
  try {
    // One output chunk of the whole expected size (and the byte that shows a longer stream): zlib writes into it and returns a slice of it, instead of a list of 16 KiB pieces concatenated into a second copy.
    const cap = Math.max(64, expected + 1)
    // Guarded: a worker is never terminated inside it (zlib-guard.ts).
    inflated = guardedZlib(() => inflateSync(chunks.idat, { maxOutputLength: cap, chunkSize: cap }))
  } catch (err) {
    if (outOfMemory(err)) throw imageMemoryError('PNG', err)
    throw imageError(ERR_IMAGE_DECODE, 'PNG image data does not inflate within its expected size', undefined, err)
  }
  if (inflated.length !== expected) throw imageError(ERR_IMAGE_DECODE, `PNG image data inflates to ${inflated.length} bytes, expected ${expected}`)
  if (chunks.refusal !== null) throw imageError(ERR_IMAGE_DECODE, chunks.refusal)
  try {
    return { width: header.width, height: header.height, data: unfilterToRgba(inflated, header, chunks.colours, pixels) }
  } catch (err) {
    if (isTrustEngineError(err)) throw err
    if (outOfMemory(err)) throw imageMemoryError('PNG', err)
    throw imageError(ERR_IMAGE_DECODE, 'PNG could not be decoded', undefined, err)
  }
}

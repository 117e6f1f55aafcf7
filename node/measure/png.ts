/**
 * Bounded PNG decoding to RGBA8.
 *
 * Untrusted bytes go through three steps, and nothing large is allocated
 * before the first two pass:
 * 1. size check of the file, then the signature and the IHDR chunk read here
 *    (with its CRC): dimensions and pixel count are checked against the limits
 *    before any pixel memory exists (`ERR_PNG_TOO_LARGE`);
 * 2. a walk over all chunks (lengths in bounds, CRCs, IEND present), then the
 *    image data is inflated with an output cap equal to the exact size the
 *    header implies (rows · (1 + row bytes), summed over the Adam7 passes when
 *    interlaced); a stream that inflates to any other size is refused
 *    (`ERR_PNG_DECODE`), so a compression bomb stops at the cap;
 * 3. pngjs does the unfiltering, palette and transparency handling; any error
 *    it throws becomes `ERR_PNG_DECODE`.
 *
 * Output normalisation (documented choices):
 * - 16-bit channels: the high byte is taken (v >> 8); 1/2/4-bit grey is
 *   scaled to 0–255 exactly (×255, ×85, ×17); palettes and grey are expanded
 *   to RGB.
 * - Alpha: each pixel is composited onto black, c' = round(c · a / 255), and
 *   alpha is then set to 255. A fully transparent pixel therefore measures as
 *   black whatever its hidden colour (the same thing pngjs does for tRNS
 *   colour keys), so metrics compare what a viewer would see on black and
 *   invisible differences do not count.
 */
import { crc32, inflateSync } from 'node:zlib'
import { PNG } from 'pngjs'
import { TrustEngineError } from '../../protocol/errors.ts'
import { ERR_PNG_DECODE, ERR_PNG_SIGNATURE, ERR_PNG_TOO_LARGE } from './errors.ts'
import type { RgbaImage } from './image.ts'

/** Limits applied before decoding. */
export interface PngLimits {
  /** Largest accepted file, in bytes. */
  maxFileBytes: number
  /** Largest accepted width or height, in pixels. */
  maxDimension: number
  /** Largest accepted width · height. */
  maxPixels: number
}

/** Default limits. */
export const DEFAULT_PNG_LIMITS: Readonly<PngLimits> = Object.freeze({
  /** 64 MiB: an 8K UHD (7680×4320) rendered frame compresses far below this; larger files are refused unread. */
  maxFileBytes: 64 * 1024 * 1024,
  /** 8192 pixels per side: covers 8K UHD (7680 wide) and square 8K renders. */
  maxDimension: 8192,
  /** 40 Mpx: 8K UHD is 33.2 Mpx. At most 160 MB of RGBA8 output (about 1 GB peak for 16-bit RGBA input). */
  maxPixels: 40_000_000
})

/** What the IHDR chunk says. */
export interface PngHeader {
  width: number
  height: number
  /** 1, 2, 4, 8 or 16. */
  bitDepth: number
  /** 0 grey, 2 RGB, 3 palette, 4 grey + alpha, 6 RGBA. */
  colorType: number
  interlaced: boolean
}

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] as const

/** Channels per colour type, and the bit depths each allows (PNG spec, table 11.1). */
const COLOR_TYPES: Readonly<Record<number, { channels: number, depths: readonly number[] }>> = {
  0: { channels: 1, depths: [1, 2, 4, 8, 16] },
  2: { channels: 3, depths: [8, 16] },
  3: { channels: 1, depths: [1, 2, 4, 8] },
  4: { channels: 2, depths: [8, 16] },
  6: { channels: 4, depths: [8, 16] }
}

/** Adam7 passes: x start, y start, x step, y step. */
const ADAM7 = [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]] as const

/** Largest chunk length the PNG spec allows (2^31 − 1). */
const MAX_CHUNK_LENGTH = 0x7fffffff

function fail (code: string, message: string, cause?: unknown): TrustEngineError {
  return new TrustEngineError(code, message, cause === undefined ? {} : { cause })
}

function checkLimits (limits: Partial<PngLimits>): PngLimits {
  const l = { ...DEFAULT_PNG_LIMITS, ...limits }
  return l
}

function readU32 (b: Uint8Array, o: number): number {
  return ((b[o]! << 24) >>> 0) + (b[o + 1]! << 16) + (b[o + 2]! << 8) + b[o + 3]!
}

function chunkCrcOk (bytes: Uint8Array, start: number, length: number): boolean {
  // CRC covers the type and the data: bytes [start + 4, start + 8 + length).
  const crc = crc32(bytes.subarray(start + 4, start + 8 + length))
  return crc === readU32(bytes, start + 8 + length)
}

/**
 * Reads and checks the signature and IHDR (CRC, field values, limits) without
 * touching the rest of the file. Throws `ERR_PNG_TOO_LARGE`,
 * `ERR_PNG_SIGNATURE` or `ERR_PNG_DECODE`.
 */
export function readPngHeader (bytes: Uint8Array, limits: Partial<PngLimits> = {}): PngHeader {
  const l = checkLimits(limits)
  if (!(bytes instanceof Uint8Array)) throw fail(ERR_PNG_DECODE, 'PNG input must be bytes')
  if (bytes.length > l.maxFileBytes) throw fail(ERR_PNG_TOO_LARGE, `PNG file of ${bytes.length} bytes exceeds ${l.maxFileBytes}`)
  for (let i = 0; i < SIGNATURE.length; i++) {
    if (bytes[i] !== SIGNATURE[i]) throw fail(ERR_PNG_SIGNATURE, 'not a PNG file (bad signature)')
  }
  // Signature (8) + IHDR chunk: length (4), type (4), data (13), CRC (4).
  if (bytes.length < 8 + 25) throw fail(ERR_PNG_DECODE, 'PNG truncated before the end of IHDR')
  if (readU32(bytes, 8) !== 13 || String.fromCharCode(bytes[12]!, bytes[13]!, bytes[14]!, bytes[15]!) !== 'IHDR') {
    throw fail(ERR_PNG_DECODE, 'PNG does not start with a 13-byte IHDR chunk')
  }
  if (!chunkCrcOk(bytes, 8, 13)) throw fail(ERR_PNG_DECODE, 'IHDR CRC mismatch')
  const width = readU32(bytes, 16)
  const height = readU32(bytes, 20)
  const bitDepth = bytes[24]!
  const colorType = bytes[25]!
  const [compression, filter, interlace] = [bytes[26]!, bytes[27]!, bytes[28]!]
  if (width === 0 || height === 0 || width > MAX_CHUNK_LENGTH || height > MAX_CHUNK_LENGTH) {
    throw fail(ERR_PNG_DECODE, 'PNG dimensions must be in [1, 2^31 − 1]')
  }
  if (width > l.maxDimension || height > l.maxDimension || width * height > l.maxPixels) {
    throw fail(ERR_PNG_TOO_LARGE, `PNG of ${width}×${height} exceeds the limits (${l.maxDimension} per side, ${l.maxPixels} pixels)`)
  }
  const ct = COLOR_TYPES[colorType]
  if (ct === undefined || !ct.depths.includes(bitDepth)) throw fail(ERR_PNG_DECODE, `invalid colour type ${colorType} / bit depth ${bitDepth}`)
  if (compression !== 0 || filter !== 0 || (interlace !== 0 && interlace !== 1)) throw fail(ERR_PNG_DECODE, 'invalid compression, filter or interlace method')
  return { width, height, bitDepth, colorType, interlaced: interlace === 1 }
}

/** Exact size of the inflated image data the header implies (filter bytes included). */
export function inflatedSize (h: PngHeader): number {
  const bitsPerPixel = COLOR_TYPES[h.colorType]!.channels * h.bitDepth
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

/** Walks every chunk after IHDR: bounds, CRC, IEND; returns the concatenated IDAT data. */
function collectImageData (bytes: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = []
  let offset = 8
  let sawIend = false
  while (offset < bytes.length) {
    if (offset + 12 > bytes.length) throw fail(ERR_PNG_DECODE, 'PNG truncated inside a chunk header')
    const length = readU32(bytes, offset)
    if (length > MAX_CHUNK_LENGTH || offset + 12 + length > bytes.length) throw fail(ERR_PNG_DECODE, 'PNG truncated inside a chunk')
    if (!chunkCrcOk(bytes, offset, length)) throw fail(ERR_PNG_DECODE, 'chunk CRC mismatch')
    const type = String.fromCharCode(bytes[offset + 4]!, bytes[offset + 5]!, bytes[offset + 6]!, bytes[offset + 7]!)
    if (type === 'IDAT') parts.push(bytes.subarray(offset + 8, offset + 8 + length))
    offset += 12 + length
    if (type === 'IEND') {
      sawIend = true
      break
    }
  }
  if (!sawIend) throw fail(ERR_PNG_DECODE, 'PNG has no IEND chunk (truncated)')
  if (parts.length === 0) throw fail(ERR_PNG_DECODE, 'PNG has no image data')
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts)
}

/**
 * Decodes a PNG to RGBA8 within `limits` (see the module comment for the
 * steps and the normalisation). Throws `ERR_PNG_SIGNATURE`,
 * `ERR_PNG_TOO_LARGE` or `ERR_PNG_DECODE`; never any other error for any
 * input bytes.
 */
export function decodePng (bytes: Uint8Array, limits: Partial<PngLimits> = {}): RgbaImage {
  const header = readPngHeader(bytes, limits)
  const expected = inflatedSize(header)
  const idat = collectImageData(bytes)
  let inflated: Buffer
  try {
    inflated = inflateSync(idat, { maxOutputLength: expected + 1 })
  } catch (err) {
    throw fail(ERR_PNG_DECODE, 'PNG image data does not inflate within its expected size', err)
  }
  if (inflated.length !== expected) throw fail(ERR_PNG_DECODE, `PNG image data inflates to ${inflated.length} bytes, expected ${expected}`)

  let decoded: { width: number, height: number, data: Uint8Array | Uint16Array }
  try {
    const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    decoded = PNG.sync.read(buf, { skipRescale: true, checkCRC: true }) as unknown as typeof decoded
  } catch (err) {
    throw fail(ERR_PNG_DECODE, 'PNG could not be decoded', err)
  }
  const { width, height } = header
  const pixels = width * height
  if (decoded.width !== width || decoded.height !== height || decoded.data.length !== pixels * 4) {
    throw fail(ERR_PNG_DECODE, 'PNG decoder output does not match the header')
  }
  return { width, height, data: normalise(decoded.data, header) }
}

/** To RGBA8 composited onto black (see the module comment). */
function normalise (src: Uint8Array | Uint16Array, h: PngHeader): Uint8Array {
  const n = h.width * h.height * 4
  const out = new Uint8Array(n)
  // Palette entries are already 8-bit; grey below 8 bits is scaled exactly; 16-bit keeps its high byte.
  const scale = h.colorType === 3 || h.bitDepth >= 8 ? 1 : 255 / ((1 << h.bitDepth) - 1)
  const shift = h.colorType !== 3 && h.bitDepth === 16 ? 8 : 0
  if (scale === 1 && shift === 0) {
    // 8-bit samples (or palette colours): copy, then composite only the pixels that are not opaque.
    out.set(src)
    for (let p = 0; p < n; p += 4) {
      const a = out[p + 3]!
      if (a === 255) continue
      out[p] = ((out[p]! * a + 127) / 255) | 0
      out[p + 1] = ((out[p + 1]! * a + 127) / 255) | 0
      out[p + 2] = ((out[p + 2]! * a + 127) / 255) | 0
      out[p + 3] = 255
    }
    return out
  }
  for (let p = 0; p < n; p += 4) {
    const a = (src[p + 3]! >> shift) * scale
    for (let c = 0; c < 3; c++) {
      const v = (src[p + c]! >> shift) * scale
      out[p + c] = a === 255 ? v : ((v * a + 127) / 255) | 0
    }
    out[p + 3] = 255
  }
  return out
}

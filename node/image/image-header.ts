/**
 * Reads what an image declares about itself (format and dimensions, and for
 * PNG the sample layout) from its first bytes, so that callers can refuse an
 * image before any decoder allocates pixel memory. Check order, which decides
 * the code for inputs that fail several checks: file size, signature, header
 * structure, dimensions against the limits, header CRC and remaining fields.
 */
import { crc32 } from 'node:zlib'
import { ERR_IMAGE_DECODE, ERR_IMAGE_FORMAT, ERR_IMAGE_TOO_LARGE, ERR_IMAGE_UNSUPPORTED, imageError } from './errors.ts'
import { DEFAULT_IMAGE_LIMITS, type ImageLimits } from './limits.ts'
import { type WebpImageHeader, isWebp, readWebpHeader } from './webp-header.ts'

export type { WebpImageHeader } from './webp-header.ts'

/** Image formats that are decoded. */
export type ImageFormat = 'image/png' | 'image/jpeg' | 'image/webp'

/**
 * The formats a scene texture may use: PNG and JPEG (glTF core) and WebP
 * (EXT_texture_webp). Measured frames stay PNG only (node/measure/png.ts).
 */
export const TEXTURE_IMAGE_FORMATS: readonly ImageFormat[] = Object.freeze(['image/png', 'image/jpeg', 'image/webp'] as const)

/** The sample layout an IHDR chunk declares. */
export interface PngLayout {
  width: number
  height: number
  /** 1, 2, 4, 8 or 16. */
  bitDepth: number
  /** 0 grey, 2 RGB, 3 palette, 4 grey + alpha, 6 RGBA. */
  colorType: number
  interlaced: boolean
}

/** What a PNG header declares. */
export interface PngImageHeader extends PngLayout {
  mimeType: 'image/png'
}

/** What a JPEG header (its first frame header) declares. */
export interface JpegImageHeader {
  mimeType: 'image/jpeg'
  width: number
  height: number
}

/** Format and dimensions of an image, as its header declares them. */
export type ImageHeader = PngImageHeader | JpegImageHeader | WebpImageHeader

/** Options of {@link readImageHeader}. */
export interface ReadImageOptions {
  /** Formats the caller accepts; any other is `ERR_IMAGE_FORMAT` before its header is parsed. */
  formats: readonly ImageFormat[]
  /** Limits checked against the file length and the declared dimensions. */
  limits: Partial<ImageLimits>
}

/** Default options: PNG and JPEG, the default limits (scene textures pass {@link TEXTURE_IMAGE_FORMATS}). */
export const DEFAULT_READ_IMAGE_OPTIONS: Readonly<ReadImageOptions> = Object.freeze({
  /** Both formats every node decodes identically (pure JavaScript, integer arithmetic). */
  formats: Object.freeze(['image/png', 'image/jpeg'] as const),
  /** See {@link DEFAULT_IMAGE_LIMITS}. */
  limits: DEFAULT_IMAGE_LIMITS
})

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] as const

/** Channels per PNG colour type, and the bit depths each allows (PNG spec, table 11.1). */
export const PNG_COLOR_TYPES: Readonly<Record<number, { channels: number, depths: readonly number[] }>> = {
  0: { channels: 1, depths: [1, 2, 4, 8, 16] },
  2: { channels: 3, depths: [8, 16] },
  3: { channels: 1, depths: [1, 2, 4, 8] },
  4: { channels: 2, depths: [8, 16] },
  6: { channels: 4, depths: [8, 16] }
}

/** Largest chunk length the PNG spec allows (2^31 − 1), also the largest PNG side. */
export const MAX_PNG_CHUNK_LENGTH = 0x7fffffff

/** Big-endian unsigned 32-bit read. */
export function readU32 (b: Uint8Array, o: number): number {
  return ((b[o]! << 24) >>> 0) + (b[o + 1]! << 16) + (b[o + 2]! << 8) + b[o + 3]!
}

/** True when the CRC of the chunk at `start` (over its type and data) matches. */
export function pngChunkCrcOk (bytes: Uint8Array, start: number, length: number): boolean {
  const crc = crc32(bytes.subarray(start + 4, start + 8 + length))
  return crc === readU32(bytes, start + 8 + length)
}

/** True when `bytes` start with the PNG signature. */
export function isPng (bytes: Uint8Array): boolean {
  return bytes.length >= 8 && PNG_SIGNATURE.every((b, i) => bytes[i] === b)
}

/** True when `bytes` start with the JPEG start-of-image marker. */
export function isJpeg (bytes: Uint8Array): boolean {
  return bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff
}

/**
 * Returns the format and dimensions an image declares, within `options`.
 * Throws `ERR_IMAGE_TOO_LARGE` (file or dimensions above the limits),
 * `ERR_IMAGE_FORMAT` (not an accepted format), `ERR_IMAGE_UNSUPPORTED` (a
 * recognised format that is not decoded) or `ERR_IMAGE_DECODE` (a malformed
 * header).
 */
export function readImageHeader (bytes: Uint8Array, options: Partial<ReadImageOptions> = {}): ImageHeader {
  const formats = options.formats ?? DEFAULT_READ_IMAGE_OPTIONS.formats
  const limits = { ...DEFAULT_IMAGE_LIMITS, ...options.limits }
  if (!(bytes instanceof Uint8Array)) throw imageError(ERR_IMAGE_DECODE, 'image input must be bytes')
  if (bytes.length > limits.maxFileBytes) throw imageError(ERR_IMAGE_TOO_LARGE, `image file of ${bytes.length} bytes exceeds ${limits.maxFileBytes}`, { bytes: bytes.length, maxFileBytes: limits.maxFileBytes })
  const format: ImageFormat | null = isPng(bytes) ? 'image/png' : isJpeg(bytes) ? 'image/jpeg' : isWebp(bytes) ? 'image/webp' : null
  if (format === null || !formats.includes(format)) {
    const unsupported = knownUnsupportedFormat(bytes)
    if (unsupported !== null) throw imageError(ERR_IMAGE_UNSUPPORTED, `${unsupported} images are not supported`, { format: unsupported })
    throw imageError(ERR_IMAGE_FORMAT, `not an image of an accepted format (${formats.join(', ')})`)
  }
  if (format === 'image/webp') return readWebpHeader(bytes, (w, h) => checkDimensions(w, h, limits))
  return format === 'image/png' ? readPngHeader(bytes, limits) : readJpegHeader(bytes, limits)
}

function checkDimensions (width: number, height: number, limits: ImageLimits): void {
  if (width > limits.maxDimension || height > limits.maxDimension || width * height > limits.maxPixels) {
    throw imageError(ERR_IMAGE_TOO_LARGE, `image of ${width}×${height} exceeds the limits (${limits.maxDimension} per side, ${limits.maxPixels} pixels)`,
      { width, height, maxDimension: limits.maxDimension, maxPixels: limits.maxPixels })
  }
}

/** Signature, IHDR chunk (length, type, CRC, fields), limits. */
function readPngHeader (bytes: Uint8Array, limits: ImageLimits): PngImageHeader {
  // Signature (8) + IHDR chunk: length (4), type (4), data (13), CRC (4).
  if (bytes.length < 8 + 25) throw imageError(ERR_IMAGE_DECODE, 'PNG truncated before the end of IHDR')
  if (readU32(bytes, 8) !== 13 || String.fromCharCode(bytes[12]!, bytes[13]!, bytes[14]!, bytes[15]!) !== 'IHDR') {
    throw imageError(ERR_IMAGE_DECODE, 'PNG does not start with a 13-byte IHDR chunk')
  }
  const width = readU32(bytes, 16)
  const height = readU32(bytes, 20)
  const bitDepth = bytes[24]!
  const colorType = bytes[25]!
  const [compression, filter, interlace] = [bytes[26]!, bytes[27]!, bytes[28]!]
  if (width === 0 || height === 0 || width > MAX_PNG_CHUNK_LENGTH || height > MAX_PNG_CHUNK_LENGTH) {
    throw imageError(ERR_IMAGE_DECODE, 'PNG dimensions must be in [1, 2^31 − 1]')
  }
  checkDimensions(width, height, limits)
  if (!pngChunkCrcOk(bytes, 8, 13)) throw imageError(ERR_IMAGE_DECODE, 'IHDR CRC mismatch')
  const ct = PNG_COLOR_TYPES[colorType]
  if (ct === undefined || !ct.depths.includes(bitDepth)) throw imageError(ERR_IMAGE_DECODE, `invalid colour type ${colorType} / bit depth ${bitDepth}`)
  if (compression !== 0 || filter !== 0 || (interlace !== 0 && interlace !== 1)) throw imageError(ERR_IMAGE_DECODE, 'invalid compression, filter or interlace method')
  return { mimeType: 'image/png', width, height, bitDepth, colorType, interlaced: interlace === 1 }
}

/** Walks the JPEG markers up to the first start-of-frame; limits. */
function readJpegHeader (bytes: Uint8Array, limits: ImageLimits): JpegImageHeader {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  let pos = 2
  while (pos + 4 <= bytes.length) {
    if (bytes[pos] !== 0xff) throw imageError(ERR_IMAGE_DECODE, 'JPEG marker expected')
    const marker = bytes[pos + 1]!
    if (marker === 0xff) { pos += 1; continue } // fill byte
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) { pos += 2; continue } // no length
    const length = view.getUint16(pos + 2)
    if (length < 2) throw imageError(ERR_IMAGE_DECODE, 'JPEG segment with a bad length')
    // SOF0..SOF15 carry the frame size, except DHT (C4), JPG (C8) and DAC (CC).
    const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc
    if (isSof) {
      if (pos + 9 > bytes.length) break
      const width = view.getUint16(pos + 7)
      const height = view.getUint16(pos + 5)
      if (width === 0 || height === 0) throw imageError(ERR_IMAGE_DECODE, 'JPEG declares a zero dimension')
      checkDimensions(width, height, limits)
      return { mimeType: 'image/jpeg', width, height }
    }
    if (marker === 0xda || marker === 0xd9) break // scan data or end before any frame header
    pos += 2 + length
  }
  throw imageError(ERR_IMAGE_DECODE, 'JPEG without a frame header')
}

/** Names image formats recognised by their signature but not decoded here (WebP where the caller does not accept it, KTX2, AVIF, GIF, BMP), or null. */
function knownUnsupportedFormat (bytes: Uint8Array): string | null {
  const ascii = (from: number, to: number): string => String.fromCharCode(...bytes.subarray(from, to))
  if (bytes.length >= 12 && ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'WebP'
  if (bytes.length >= 12 && bytes[0] === 0xab && ascii(1, 7) === 'KTX 20') return 'KTX2'
  if (bytes.length >= 12 && ascii(4, 8) === 'ftyp' && /^avi[fs]$/.test(ascii(8, 12))) return 'AVIF'
  if (bytes.length >= 6 && ascii(0, 4) === 'GIF8') return 'GIF'
  if (bytes.length >= 2 && ascii(0, 2) === 'BM') return 'BMP'
  return null
}

/**
 * Measured frames are decoded by the node's image decoder
 * (`node/image/decode-image.ts`) under measurement's contract:
 * - PNG only (a rendered frame is lossless), within {@link DEFAULT_PNG_LIMITS};
 * - alpha composited onto black and then set to 255, c' = round(c · a / 255),
 *   so a fully transparent pixel measures as black whatever its hidden colour
 *   and invisible differences do not count;
 * - 16-bit channels keep their high byte (v >> 8); 1/2/4-bit grey is scaled
 *   exactly; palettes and grey expand to RGB;
 * - failures carry measurement's public codes: `ERR_PNG_SIGNATURE` (not a
 *   PNG), `ERR_PNG_TOO_LARGE` (file, side or pixel count above the limits,
 *   refused before any pixel memory exists), `ERR_PNG_DECODE` (anything
 *   malformed, a compression bomb included).
 */
import { decodeImage } from '../image/decode-image.ts'
import { ERR_IMAGE_DECODE, ERR_IMAGE_FORMAT, ERR_IMAGE_TOO_LARGE, ERR_IMAGE_UNSUPPORTED, type ImageErrorCode, withImageCodes } from '../image/errors.ts'
import { type PngImageHeader, readImageHeader } from '../image/image-header.ts'
import { DEFAULT_IMAGE_LIMITS, type ImageLimits } from '../image/limits.ts'
import type { RgbaImage } from '../image/rgba-image.ts'
import { ERR_PNG_DECODE, ERR_PNG_SIGNATURE, ERR_PNG_TOO_LARGE } from './errors.ts'

export { inflatedSize } from '../image/png-decode.ts'

/** Limits applied to a frame before decoding. */
export type PngLimits = ImageLimits

/** Default frame limits (see {@link DEFAULT_IMAGE_LIMITS} for where each number comes from). */
export const DEFAULT_PNG_LIMITS: Readonly<PngLimits> = DEFAULT_IMAGE_LIMITS

/** What a frame's IHDR chunk says. */
export type PngHeader = PngImageHeader

/** Measurement's code for each image decoding code. */
const FRAME_CODES: Readonly<Record<ImageErrorCode, string>> = Object.freeze({
  [ERR_IMAGE_FORMAT]: ERR_PNG_SIGNATURE,
  [ERR_IMAGE_UNSUPPORTED]: ERR_PNG_SIGNATURE,
  [ERR_IMAGE_TOO_LARGE]: ERR_PNG_TOO_LARGE,
  [ERR_IMAGE_DECODE]: ERR_PNG_DECODE
})

/** Frames are PNG only. */
const FORMATS = ['image/png'] as const

/**
 * Reads and checks a frame's signature and IHDR (CRC, field values, limits)
 * without touching the rest of the file. Throws `ERR_PNG_TOO_LARGE`,
 * `ERR_PNG_SIGNATURE` or `ERR_PNG_DECODE`.
 */
export function readPngHeader (bytes: Uint8Array, limits: Partial<PngLimits> = {}): PngHeader {
  return withImageCodes(() => readImageHeader(bytes, { formats: FORMATS, limits }), FRAME_CODES) as PngHeader
}

/**
 * Decodes a frame to RGBA8 within `limits` (see the module comment). Throws
 * `ERR_PNG_SIGNATURE`, `ERR_PNG_TOO_LARGE` or `ERR_PNG_DECODE`; never any
 * other error for any input bytes.
 */
export function decodePng (bytes: Uint8Array, limits: Partial<PngLimits> = {}): RgbaImage {
  return withImageCodes(() => decodeImage(bytes, { formats: FORMATS, limits, alpha: 'over-black', sixteenBit: 'high-byte' }), FRAME_CODES)
}

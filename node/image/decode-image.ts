/**
 * The one image decoder of the node: measured frames, the optimizer's
 * texture pass and the renderer's textures all decode through
 * {@link decodeImage}, under one contract:
 * - untrusted bytes go through size check, header (format, dimensions against
 *   the limits) and only then pixel decoding, bounded by what the header
 *   declared; nothing large is allocated before the first two pass;
 * - PNG (png-decode.ts, png-unfilter.ts) is pure JavaScript with integer
 *   arithmetic; JPEG (libjpeg,
 *   integer IDCT, jpeg-decode.ts) and WebP (when the caller accepts it: scene
 *   textures; libwebp) run in WebAssembly, one build for every node, so every
 *   machine gets the same pixels; other formats are refused, since a verifier that cannot
 *   decode an image identically to its peers must not vote on it;
 * - failures are `ERR_IMAGE_*` codes (errors.ts), which each area translates
 *   to its public codes with `withImageCodes`;
 * - the output is {@link RgbaImage}, with alpha and 16-bit samples treated as
 *   the caller declares ({@link PixelOptions}).
 */
import { DEFAULT_READ_IMAGE_OPTIONS, type ReadImageOptions, readImageHeader } from './image-header.ts'
import { decodeJpegPixels } from './jpeg-decode.ts'
import { type PixelOptions, decodePngPixels } from './png-decode.ts'
import type { RgbaImage } from './rgba-image.ts'
import { decodeWebpPixels } from './webp-decode.ts'

/** Options of {@link decodeImage}. */
export interface DecodeImageOptions extends ReadImageOptions, PixelOptions {}

/** Default decoding options: PNG and JPEG within the default limits, alpha kept, 16-bit samples rounded. */
export const DEFAULT_DECODE_IMAGE_OPTIONS: Readonly<DecodeImageOptions> = Object.freeze({
  ...DEFAULT_READ_IMAGE_OPTIONS,
  /** Straight alpha: what a material samples. */
  alpha: 'straight' as const,
  /** pngjs's own rescaling, so a texture decodes as any pngjs consumer sees it. */
  sixteenBit: 'rounded' as const
})

/**
 * Decodes a PNG or JPEG to RGBA8 within `options`. Throws
 * `ERR_IMAGE_TOO_LARGE`, `ERR_IMAGE_FORMAT`, `ERR_IMAGE_UNSUPPORTED` or
 * `ERR_IMAGE_DECODE`; never any other error for any input bytes (a
 * WebAssembly codec whose instance cannot start is the node's own failure,
 * not the image's, and throws as such).
 *
 * @example
 * ```ts
 * const frame = decodeImage(bytes, { formats: ['image/png'], alpha: 'over-black', sixteenBit: 'high-byte' })
 * ```
 */
export function decodeImage (bytes: Uint8Array, options: Partial<DecodeImageOptions> = {}): RgbaImage {
  const o = { ...DEFAULT_DECODE_IMAGE_OPTIONS, ...options }
  const header = readImageHeader(bytes, o)
  if (header.mimeType === 'image/webp') return decodeWebpPixels(bytes, header)
  return header.mimeType === 'image/png' ? decodePngPixels(bytes, header, o) : decodeJpegPixels(bytes, header)
}

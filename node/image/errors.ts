/**
 * Error codes of image decoding (`node/image/`). Areas that expose images at
 * their own boundary (measurement, optimizer, renderer) keep their public
 * codes and translate these with {@link withImageCodes}; these codes never
 * leave the node under their own name.
 */
import { TrustEngineError, declareCode, isTrustEngineError } from '../../protocol/errors.ts'

/** The bytes are not an image of a format the caller accepts (bad signature). */
export const ERR_IMAGE_FORMAT = declareCode('ERR_IMAGE_FORMAT', { status: 400 })
/** The bytes are recognised by their signature (WebP, KTX2, AVIF, GIF, BMP) as a format that is not decoded. */
export const ERR_IMAGE_UNSUPPORTED = declareCode('ERR_IMAGE_UNSUPPORTED', { status: 400 })
/** The file, a side or the pixel count exceeds the caller's limits (refused before any pixel memory exists). */
export const ERR_IMAGE_TOO_LARGE = declareCode('ERR_IMAGE_TOO_LARGE', { status: 413 })
/** The image is malformed: truncated, bad CRC, bad header fields, wrong-sized image data, decoder failure. */
export const ERR_IMAGE_DECODE = declareCode('ERR_IMAGE_DECODE', { status: 400 })

/** The codes of this module, each of which a caller maps to one of its own. */
export type ImageErrorCode = typeof ERR_IMAGE_FORMAT | typeof ERR_IMAGE_UNSUPPORTED | typeof ERR_IMAGE_TOO_LARGE | typeof ERR_IMAGE_DECODE

/** Builds an image error. */
export function imageError (code: ImageErrorCode, message: string, details?: Record<string, unknown>, cause?: unknown): TrustEngineError {
  return new TrustEngineError(code, message, { details, cause })
}

/**
 * Runs `fn` and re-throws an image error under the caller's code for it
 * (same message, details and cause); other errors pass unchanged. `prefix`
 * names the image in the message (e.g. `texture "wood"`).
 *
 * @example
 * ```ts
 * const img = withImageCodes(() => decodeImage(bytes), PNG_CODES)
 * ```
 */
export function withImageCodes<T> (fn: () => T, codes: Readonly<Record<ImageErrorCode, string>>, prefix?: string): T {
  try {
    return fn()
  } catch (err) {
    if (!isTrustEngineError(err) || !Object.hasOwn(codes, err.code)) throw err
    const message = prefix === undefined ? err.message : `${prefix}: ${err.message}`
    throw new TrustEngineError(codes[err.code as ImageErrorCode], message, { details: err.details, cause: err.cause })
  }
}

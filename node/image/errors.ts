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

/**
 * The machine had no memory to decode an image that is within the limits (the
 * host refused to grow a WebAssembly codec's memory, or an allocation
 * failed). A failure of this node, not of the image: callers do not map it
 * to their image codes, so a measurement that meets it is a local failure
 * (no vote, the job is not called unmeasurable) while other nodes may
 * measure the same bytes.
 */
export const ERR_IMAGE_MEMORY = declareCode('ERR_IMAGE_MEMORY', { status: 503 })

/** The codes of this module, each of which a caller maps to one of its own. */
export type ImageErrorCode = typeof ERR_IMAGE_FORMAT | typeof ERR_IMAGE_UNSUPPORTED | typeof ERR_IMAGE_TOO_LARGE | typeof ERR_IMAGE_DECODE

/** Builds an image error. */
export function imageError (code: ImageErrorCode, message: string, details?: Record<string, unknown>, cause?: unknown): TrustEngineError {
  return new TrustEngineError(code, message, { details, cause })
}

/** Builds the local failure {@link ERR_IMAGE_MEMORY} for the image format `format`. */
export function imageMemoryError (format: string, cause?: unknown): TrustEngineError {
  return new TrustEngineError(ERR_IMAGE_MEMORY, `${format} image could not be decoded: this node has no memory for it`, { cause })
}

/**
 * Whether `err` is a failed allocation of memory by the JavaScript engine
 * (V8's `RangeError: Array buffer allocation failed`), which says nothing of
 * the bytes being decoded. Other range errors, such as zlib's output bound,
 * are the input's and are not matched.
 */
export function isAllocationFailure (err: unknown): boolean {
  return err instanceof RangeError && /allocation failed/i.test(err.message)
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

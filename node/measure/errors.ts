/**
 * Error codes of image decoding and measurement. Codes are stable: tests,
 * HTTP clients and metrics rely on them.
 */
import { declareCode } from '../../protocol/errors.ts'
export { ERR_IMAGE_TOO_SMALL } from '../../protocol/sampling/errors.ts'

/** The bytes do not start with the PNG signature (a frames job naming such a blob answers 400 at admission). */
export const ERR_PNG_SIGNATURE = declareCode('ERR_PNG_SIGNATURE', { status: 400 })

/** The file, its dimensions or its pixel count exceed the decoding limits (refused before allocating). */
export const ERR_PNG_TOO_LARGE = declareCode('ERR_PNG_TOO_LARGE', { status: 413 })

/** The PNG is malformed: truncated, bad CRC, bad header fields, bad or wrong-sized image data (400 at admission when its header is). */
export const ERR_PNG_DECODE = declareCode('ERR_PNG_DECODE', { status: 400 })

/** Two images (or frame sets) to compare do not have the same dimensions. */
export const ERR_PNG_SIZE_MISMATCH = declareCode('ERR_PNG_SIZE_MISMATCH', { status: 422 })

/** A crop rectangle that does not lie inside the image. */
export const ERR_RECT_OUT_OF_BOUNDS = declareCode('ERR_RECT_OUT_OF_BOUNDS', { status: 500 })

/** Frame sets that are empty, of different lengths, or longer than the limit. */
export const ERR_FRAME_COUNT = declareCode('ERR_FRAME_COUNT', { status: 422 })

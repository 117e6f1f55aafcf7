/**
 * Error codes of deterministic sampling. Codes are stable: tests, HTTP
 * clients and metrics rely on them.
 */
import { declareCode } from '../errors.ts'

/** A PRNG seed that is not lowercase hex of whole bytes (2 to 128 characters). */
export const ERR_SEED = declareCode('ERR_SEED', { status: 400 })

/** A {@link deriveSeed} part containing the NUL separator. */
export const ERR_SEED_PART = declareCode('ERR_SEED_PART', { status: 400 })

/** Sampling inputs or options out of range (frame count, dimensions, mix, Cochran numbers). */
export const ERR_SAMPLING_INPUT = declareCode('ERR_SAMPLING_INPUT', { status: 400 })

/** An image (or crop) smaller than the 11×11 SSIM window in some dimension. */
export const ERR_IMAGE_TOO_SMALL = declareCode('ERR_IMAGE_TOO_SMALL', { status: 422 })

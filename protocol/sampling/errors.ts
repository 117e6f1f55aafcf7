/**
 * Error codes of deterministic sampling. Codes are stable: tests, HTTP
 * clients and metrics rely on them.
 */

/** A PRNG seed that is not lowercase hex of whole bytes (2 to 128 characters). */
export const ERR_SEED = 'ERR_SEED'

/** A {@link deriveSeed} part containing the NUL separator. */
export const ERR_SEED_PART = 'ERR_SEED_PART'

/** Sampling inputs or options out of range (frame count, dimensions, mix, Cochran numbers). */
export const ERR_SAMPLING_INPUT = 'ERR_SAMPLING_INPUT'

/** An image (or crop) smaller than the 11×11 SSIM window in some dimension. */
export const ERR_IMAGE_TOO_SMALL = 'ERR_IMAGE_TOO_SMALL'

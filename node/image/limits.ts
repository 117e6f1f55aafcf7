/**
 * Size limits an image must meet before any pixel memory is allocated,
 * checked from the file length and the header alone.
 */

/** Limits applied before decoding. */
export interface ImageLimits {
  /** Largest accepted file, in bytes. */
  maxFileBytes: number
  /** Largest accepted width or height, in pixels. */
  maxDimension: number
  /** Largest accepted width · height. */
  maxPixels: number
}

/** Default limits (those of measured frames; other callers pass their own). */
export const DEFAULT_IMAGE_LIMITS: Readonly<ImageLimits> = Object.freeze({
  /** 64 MiB: an 8K UHD (7680×4320) rendered frame compresses far below this; larger files are refused unread. */
  maxFileBytes: 64 * 1024 * 1024,
  /** 8192 pixels per side: covers 8K UHD (7680 wide) and square 8K renders. */
  maxDimension: 8192,
  /** 40 Mpx: 8K UHD is 33.2 Mpx. At most 160 MB of RGBA8 output, beside the inflated data (320 MB for 16-bit RGBA). */
  maxPixels: 40_000_000
})

/** No limit at all: for callers whose own checks (e.g. a scene's image limits) ran on the same header before. */
export const UNBOUNDED_IMAGE_LIMITS: Readonly<ImageLimits> = Object.freeze({
  maxFileBytes: Infinity,
  maxDimension: Infinity,
  maxPixels: Infinity
})

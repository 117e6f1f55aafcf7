/**
 * Colour encoding. The renderer shades in linear light: sRGB-encoded inputs
 * (base colour and emissive textures, the background) are decoded with a
 * 256-entry table, and the linear result is encoded back to 8-bit sRGB by
 * comparing against the 255 decision thresholds between consecutive codes.
 * Both tables are built with deterministic arithmetic (see det-math.ts), so the
 * encoded bytes are identical on every machine.
 */
import { srgbToLinear } from './det-math.ts'

/** Linear value of each 8-bit sRGB code. */
export const SRGB8_TO_LINEAR: Float64Array = (() => {
  const t = new Float64Array(256)
  for (let i = 0; i < 256; i++) t[i] = srgbToLinear(i / 255)
  return t
})()

/** THRESHOLDS[k] is the linear value halfway (in sRGB code space) between codes k and k + 1 (exported for the WebAssembly resolve, pbr-kernel.ts). */
export const THRESHOLDS: Float64Array = (() => {
  const t = new Float64Array(255)
  for (let k = 0; k < 255; k++) t[k] = srgbToLinear((k + 0.5) / 255)
  return t
})()

/** Buckets of the encoding table: 2^14, fine enough that a bucket spans at most a few codes even near black. */
const BUCKETS = 16384

/** ENCODE_START[i] = the code of linear value i / BUCKETS (number of thresholds ≤ it): a lower bound for the bucket (exported for pbr-kernel.ts). */
export const ENCODE_START: Uint8Array = (() => {
  const t = new Uint8Array(BUCKETS + 1)
  let k = 0
  for (let i = 0; i <= BUCKETS; i++) {
    const v = i / BUCKETS
    while (k < 255 && THRESHOLDS[k]! <= v) k++
    t[i] = k
  }
  return t
})()

/**
 * Encodes a linear value to the nearest 8-bit sRGB code (values outside
 * [0, 1] clamp; NaN gives 0): the number of thresholds ≤ v, found from the
 * bucket's lower bound by stepping up, so the result equals an exhaustive
 * comparison with every threshold.
 */
export function linearToSrgb8 (v: number): number {
  if (!(v > 0)) return 0
  if (v >= 1) return 255
  let k = ENCODE_START[Math.floor(v * BUCKETS)]!
  while (k < 255 && THRESHOLDS[k]! <= v) k++
  return k
}

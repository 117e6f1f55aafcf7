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

/** THRESHOLDS[k] is the linear value halfway (in sRGB code space) between codes k and k + 1. */
const THRESHOLDS: Float64Array = (() => {
  const t = new Float64Array(255)
  for (let k = 0; k < 255; k++) t[k] = srgbToLinear((k + 0.5) / 255)
  return t
})()

/** Encodes a linear value to the nearest 8-bit sRGB code (values outside [0, 1] clamp; NaN gives 0). */
export function linearToSrgb8 (v: number): number {
  if (!(v > 0)) return 0
  if (v >= 1) return 255
  let lo = 0
  let hi = 255
  // smallest k with THRESHOLDS[k] > v; the code is k
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (THRESHOLDS[mid]! > v) hi = mid
    else lo = mid + 1
  }
  return lo
}

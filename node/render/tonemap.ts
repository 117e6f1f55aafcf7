/**
 * Tone mapping: Khronos PBR Neutral (Khronos 3D Commerce, 2024; three.js's
 * NeutralToneMapping), which keeps base colours of a surface lit at unit
 * intensity within a few percent of their value and compresses highlights
 * smoothly towards white. Only + − × ÷ and comparisons: deterministic.
 */

const START = 0.8 - 0.04
const DESATURATION = 0.15

/** Tone-maps linear (r, g, b) in place in `c` at offset `o` (non-finite or negative values become 0 first). */
export function neutralToneMap (c: Float64Array, o: number): void {
  let r = c[o]!; let g = c[o + 1]!; let b = c[o + 2]!
  if (!(r > 0)) r = 0; if (!(g > 0)) g = 0; if (!(b > 0)) b = 0
  if (r > 1e300) r = 1e300; if (g > 1e300) g = 1e300; if (b > 1e300) b = 1e300
  const x = r < g ? (r < b ? r : b) : (g < b ? g : b)
  const offset = x < 0.08 ? x - 6.25 * x * x : 0.04
  r -= offset; g -= offset; b -= offset
  const peak = r > g ? (r > b ? r : b) : (g > b ? g : b)
  if (peak < START) { c[o] = r; c[o + 1] = g; c[o + 2] = b; return }
  const d = 1 - START
  const newPeak = 1 - d * d / (peak + d - START)
  const s = newPeak / peak
  r *= s; g *= s; b *= s
  const t = 1 - 1 / (DESATURATION * (peak - newPeak) + 1)
  c[o] = r + (newPeak - r) * t
  c[o + 1] = g + (newPeak - g) * t
  c[o + 2] = b + (newPeak - b) * t
}

/**
 * The grey linear value v whose tone-mapped value is `t`, for t < 0.04 (the
 * toe, where the curve is v ↦ v − (v − 6.25·v²) = 6.25·v²): v = √(t / 6.25).
 * Used for the background so it still encodes to its sRGB code after tone mapping.
 */
export function inverseNeutralToe (t: number): number {
  return Math.sqrt(t / 6.25)
}

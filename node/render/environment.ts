/**
 * The fixed lighting environment of verification renders ("studio-q2", version
 * {@link ENVIRONMENT_VERSION}): a procedural sky whose radiance in a direction
 * d (unit vector in camera space: x right, y up, z towards the viewer) is a
 * quadratic form per colour channel,
 *
 *     L(d) = A + B·d + dᵀ Q d     (Q symmetric and traceless)
 *
 * which is exactly a spherical-harmonic expansion up to band 2 (A is band 0,
 * B band 1, Q band 2). Convolution with any rotationally symmetric lobe only
 * scales each band, so prefiltering is exact and computed, not sampled:
 *
 * - image-based diffuse: irradiance/π = A + ⅔ B·n + ¼ nᵀQn (the clamped
 *   cosine's band factors 1, 2/3, 1/4 — Ramamoorthi and Hanrahan 2001);
 * - prefiltered specular for a GGX lobe of roughness α (α = roughness²):
 *   A + g1(α) B·r + g2(α) rᵀQr with g_l = exp(−l(l+1)·α/4), the band factors of
 *   a spherical Gaussian of sharpness 2/α (the usual Gaussian fit of GGX).
 *   g1 and g2 are tabulated once at 1025 roughness steps (deterministic
 *   exp2) and interpolated linearly.
 *
 * The environment is fixed to the camera, like the key lights, so every
 * sampled view is lit alike. Changing any number here changes every render:
 * bump ENVIRONMENT_VERSION (and the golden hashes) with it.
 */
import { detExp2 } from './det-math.ts'

/** Version of the environment; part of what honest nodes must share. */
export const ENVIRONMENT_VERSION = 'studio-q2-1'

/** A band-limited (order 2) environment: per channel A, B (3) and Q (xx, yy, zz, xy, xz, yz). */
export interface QuadraticEnvironment {
  a: Float64Array
  /** 3 × 3: channel-major (r: bx, by, bz; g: …; b: …). */
  b: Float64Array
  /** 3 × 6: channel-major (xx, yy, zz, xy, xz, yz), traceless per channel. */
  q: Float64Array
}

/** Builds an environment from A, B, Q per channel, moving Q's trace into A so Q is traceless (needed for exact band scaling). */
export function quadraticEnvironment (a: number[], b: number[], q: number[]): QuadraticEnvironment {
  const aa = Float64Array.from(a); const bb = Float64Array.from(b); const qq = Float64Array.from(q)
  for (let c = 0; c < 3; c++) {
    const t = (qq[c * 6]! + qq[c * 6 + 1]! + qq[c * 6 + 2]!) / 3
    // on the unit sphere xx + yy + zz = 1, so t·(xx + yy + zz) is the constant t
    aa[c] = aa[c]! + t
    qq[c * 6] = qq[c * 6]! - t; qq[c * 6 + 1] = qq[c * 6 + 1]! - t; qq[c * 6 + 2] = qq[c * 6 + 2]! - t
  }
  return { a: aa, b: bb, q: qq }
}

/** A uniform environment of linear radiance (r, g, b): the "constant environment" of the independent check. */
export function constantEnvironment (r: number, g: number, b: number): QuadraticEnvironment {
  return quadraticEnvironment([r, g, b], new Array<number>(9).fill(0), new Array<number>(18).fill(0))
}

// A soft studio: brighter above (sky) than below (floor), a broad bright band along the
// key direction s = normalize(−0.45, 0.7, 0.55) (upper left, in front), slightly warm from above.
const S = ((): number[] => { const x = -0.45; const y = 0.7; const z = 0.55; const l = Math.sqrt(x * x + y * y + z * z); return [x / l, y / l, z / l] })()
const K = 0.35
const sq = (c: number): number[] => [K * c * S[0]! * S[0]!, K * c * S[1]! * S[1]!, K * c * S[2]! * S[2]!, 2 * K * c * S[0]! * S[1]!, 2 * K * c * S[0]! * S[2]!, 2 * K * c * S[1]! * S[2]!]

/**
 * The default environment: radiance 0.45 on average, from about 0.12 (below,
 * behind) to about 1.1 (above, along the key direction); the sky term
 * 0.3·y is slightly warmer (r) than cool (b) so metals pick up a visible tint
 * gradient. Minimum over the sphere > 0 (tested).
 */
export const STUDIO_ENVIRONMENT: QuadraticEnvironment = quadraticEnvironment(
  [0.45, 0.45, 0.45],
  [0, 0.32, 0, 0, 0.3, 0, 0, 0.27, 0],
  [...sq(1.0), ...sq(0.97), ...sq(0.92)]
)

const STEPS = 1024
/** g1(α), g2(α) tables over α in [0, 1] (STEPS + 1 entries each); exported for the WebAssembly shade (pbr-kernel.ts), which reads copies. */
export const G1 = new Float64Array(STEPS + 1)
/** See {@link G1}. */
export const G2 = new Float64Array(STEPS + 1)
const LOG2E = 1.4426950408889634
for (let i = 0; i <= STEPS; i++) {
  const alpha = i / STEPS
  G1[i] = detExp2(-0.5 * alpha * LOG2E)
  G2[i] = detExp2(-1.5 * alpha * LOG2E)
}

/** Band-1 and band-2 attenuation for GGX α in [0, 1], written to out[0], out[1]. */
export function lobeBands (alpha: number, out: Float64Array): void {
  const x = (alpha < 0 ? 0 : alpha > 1 ? 1 : alpha) * STEPS
  const i = Math.floor(x)
  if (i >= STEPS) { out[0] = G1[STEPS]!; out[1] = G2[STEPS]!; return }
  const f = x - i
  out[0] = G1[i]! + (G1[i + 1]! - G1[i]!) * f
  out[1] = G2[i]! + (G2[i + 1]! - G2[i]!) * f
}

/**
 * Evaluates the environment convolved with band factors (1, g1, g2) in
 * direction (x, y, z) (unit) into out[0..2] (linear RGB radiance).
 */
export function evalEnvironment (env: QuadraticEnvironment, x: number, y: number, z: number, g1: number, g2: number, out: Float64Array, offset: number): void {
  const a = env.a; const b = env.b; const q = env.q
  const xx = x * x; const yy = y * y; const zz = z * z; const xy = x * y; const xz = x * z; const yz = y * z
  for (let c = 0; c < 3; c++) {
    const o = c * 6
    const lin = b[c * 3]! * x + b[c * 3 + 1]! * y + b[c * 3 + 2]! * z
    const quad = q[o]! * xx + q[o + 1]! * yy + q[o + 2]! * zz + q[o + 3]! * xy + q[o + 4]! * xz + q[o + 5]! * yz
    const v = a[c]! + g1 * lin + g2 * quad
    out[offset + c] = v > 0 ? v : 0
  }
}

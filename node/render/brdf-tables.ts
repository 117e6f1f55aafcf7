/**
 * Tables of the image-based specular term: Karis's analytic fit of the
 * split-sum DFG integral ("Physically Based Shading on Mobile", 2014; the
 * same fit three.js uses as DFGApprox), whose only transcendental,
 * exp2(−9.28·n·v), is tabulated once with the deterministic exp2 at 1025
 * steps of n·v and interpolated linearly.
 */
import { detExp2 } from './det-math.ts'

const STEPS = 1024
/** exp2(−9.28·i/1024), i = 0…1024; exported for the WebAssembly shade (pbr-kernel.ts), which reads a copy. */
export const EXP = new Float64Array(STEPS + 1)
for (let i = 0; i <= STEPS; i++) EXP[i] = detExp2(-9.28 * i / STEPS)

/**
 * DFG scale and bias (F0·A + F90·B is the directional albedo of the specular
 * lobe) for perceptual roughness `r` and n·v, written to out[o], out[o + 1].
 */
export function dfgApprox (r: number, nv: number, out: Float64Array, o: number): void {
  // c0 = (−1, −0.0275, −0.572, 0.022), c1 = (1, 0.0425, 1.04, −0.04)
  const rx = -r + 1; const ry = -0.0275 * r + 0.0425; const rz = -0.572 * r + 1.04; const rw = 0.022 * r - 0.04
  const x = (nv < 0 ? 0 : nv > 1 ? 1 : nv) * STEPS
  const i = Math.floor(x)
  const e = i >= STEPS ? EXP[STEPS]! : EXP[i]! + (EXP[i + 1]! - EXP[i]!) * (x - i)
  const m = rx * rx < e ? rx * rx : e
  const a004 = m * rx + ry
  out[o] = -1.04 * a004 + rz
  out[o + 1] = 1.04 * a004 + rw
}

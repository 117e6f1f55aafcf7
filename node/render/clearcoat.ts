/**
 * KHR_materials_clearcoat's layer (shading.ts): a dielectric GGX lobe
 * (F0 0.04) on the geometric normal, lit by the directional lights and the
 * environment, over everything beneath it. Point and spot lights do not
 * reach the coat (docs/renderer.md). The same formulas and evaluation order
 * as the base layer's specular lobe, so its numbers are bit-identical on
 * every machine.
 */
import { dfgApprox } from './brdf-tables.ts'
import { evalEnvironment, lobeBands, type QuadraticEnvironment } from './environment.ts'
import { type CameraLight, LIGHT_DIRECTIONAL } from './lights.ts'

const INV_PI = 0.3183098861837907
const coatEnv = new Float64Array(3)
const coatBands = new Float64Array(2)
const coatDfg = new Float64Array(2)

/**
 * The coat's radiance before its weight, into `out` (r, g, b), for a coat of
 * strength `cc` and roughness `ccr` (both already clamped) on the geometric
 * normal g, seen along v; `aoEs` is the occlusion times the environment's
 * intensity. Returns the coat's Fresnel weight: the caller keeps
 * `(1 − weight)` of what lies beneath and adds `cc · out`.
 */
export function clearcoatLayer (
  cc: number, ccr: number, gx: number, gy: number, gz: number, vx: number, vy: number, vz: number,
  lights: readonly CameraLight[], env: QuadraticEnvironment, aoEs: number, out: Float64Array
): number {
  const ca2 = ccr * ccr * ccr * ccr
  let cnv = gx * vx + gy * vy + gz * vz
  if (!(cnv > 1e-4)) cnv = 1e-4
  if (cnv > 1) cnv = 1
  let cl = 0; let clg = 0; let clb = 0
  for (let k = 0; k < lights.length; k++) {
    const L = lights[k]!
    if (L.type !== LIGHT_DIRECTIONAL) continue
    const nl = gx * L.x + gy * L.y + gz * L.z
    if (!(nl > 0)) continue
    let hx = L.x + vx; let hy = L.y + vy; let hz = L.z + vz
    const hl = Math.sqrt(hx * hx + hy * hy + hz * hz)
    if (!(hl > 0)) continue
    hx /= hl; hy /= hl; hz /= hl
    let nh = gx * hx + gy * hy + gz * hz; if (nh < 0) nh = 0
    let vh = vx * hx + vy * hy + vz * hz; if (vh < 0) vh = 0
    const om = 1 - vh; const om2 = om * om
    const F = 0.04 + 0.96 * om2 * om2 * om
    const dd = nh * nh * (ca2 - 1) + 1
    const v = F * ca2 * INV_PI / (dd * dd) * 0.5 / (nl * Math.sqrt(cnv * cnv * (1 - ca2) + ca2) + cnv * Math.sqrt(nl * nl * (1 - ca2) + ca2)) * nl
    cl += L.r * v; clg += L.g * v; clb += L.b * v
  }
  const crx = 2 * cnv * gx - vx; const cry = 2 * cnv * gy - vy; const crz = 2 * cnv * gz - vz
  lobeBands(ccr * ccr, coatBands)
  evalEnvironment(env, crx, cry, crz, coatBands[0]!, coatBands[1]!, coatEnv, 0)
  dfgApprox(ccr, cnv, coatDfg, 0)
  const e = aoEs * (0.04 * coatDfg[0]! + coatDfg[1]!)
  out[0] = cl + e * coatEnv[0]!
  out[1] = clg + e * coatEnv[1]!
  out[2] = clb + e * coatEnv[2]!
  const om = 1 - cnv; const om2 = om * om
  return cc * (0.04 + 0.96 * om2 * om2 * om)
}

/**
 * The light a physically based surface reflects at one pixel (shading.ts):
 * the direct light of the key or scene lights and the image-based light of
 * the environment, as glTF's Appendix B and the split-sum formulation write
 * them (see shading.ts and docs/renderer.md for the model).
 *
 * The pixel's inputs and the results pass through one Float64Array of
 * registers (`SURFACE`) instead of arguments and
 * return values, so that no number is boxed on the way: a shade calls this
 * once per pixel, and boxed arguments made most of the renderer's garbage.
 * The arithmetic is the same expressions in the same order as before it was
 * moved here, so the numbers are bit-identical.
 */
import { dfgApprox } from './brdf-tables.ts'
import { lobeBands, type QuadraticEnvironment } from './environment.ts'
import { type CameraLight, LIGHT_DIRECTIONAL, LIGHT_SPOT } from './lights.ts'

/**
 * The registers of {@link lightSurface} (one set per thread: shading is
 * single-threaded within a render), at fixed indices (literal numbers in the
 * code: an imported or module constant is loaded from its cell at every use):
 *
 * - inputs: 0–2 camera-space position, 3–5 unit view vector, 6–8 shading
 *   normal, 9 clamped n·v, 10 perceptual roughness, 11 α, 12 α², 13–15 F0,
 *   16 F90, 17–19 diffuse colour c_diff, 20 occlusion, 21 environment
 *   intensity;
 * - outputs: 22–24 specular and 25–27 diffuse radiance, 28 the largest
 *   channel of the specular albedo (single plus multiple scattering).
 */
export const SURFACE = new Float64Array(29)

const bands = new Float64Array(2)
const dfg = new Float64Array(2)
const envOut = new Float64Array(6)

/** Direct and image-based light of the surface in the registers: writes the outputs (diffuse already × c_diff). */
export function lightSurface (lights: readonly CameraLight[], env: QuadraticEnvironment, R: Float64Array): void {
  const INV_PI = 0.3183098861837907 // a literal here, not a module constant loaded at every use
  const px = R[0]!; const py = R[1]!; const pz = R[2]!
  const vx = R[3]!; const vy = R[4]!; const vz = R[5]!
  const nx = R[6]!; const ny = R[7]!; const nz = R[8]!
  const nv = R[9]!; const a2 = R[12]!
  const f0r = R[13]!; const f0g = R[14]!; const f0b = R[15]!; const f90 = R[16]!
  const kr = R[17]!; const kg = R[18]!; const kb = R[19]!

  // direct light
  let sr = 0; let sg = 0; let sb = 0 // specular
  let qr = 0; let qg = 0; let qb = 0 // diffuse
  const gv = Math.sqrt(nv * nv * (1 - a2) + a2) // the view's visibility term, the same for every light
  for (let k = 0; k < lights.length; k++) {
    const L = lights[k]!
    let lx: number; let ly: number; let lz: number; let att = 1
    if (L.type === LIGHT_DIRECTIONAL) { lx = L.x; ly = L.y; lz = L.z } else {
      lx = L.x - px; ly = L.y - py; lz = L.z - pz
      const d2 = lx * lx + ly * ly + lz * lz
      const d = Math.sqrt(d2)
      if (!(d > 0)) continue
      lx /= d; ly /= d; lz /= d
      att = 1 / d2
      if (L.range < Infinity) { const q = d / L.range; const q2 = q * q; let win = 1 - q2 * q2; win = win < 0 ? 0 : win; att *= win * win }
      if (L.type === LIGHT_SPOT) {
        const cd = -(lx * L.dx + ly * L.dy + lz * L.dz)
        let t = cd * L.coneScale + L.coneOffset
        t = t < 0 ? 0 : t > 1 ? 1 : t
        att *= t * t
      }
      if (!(att > 0)) continue
    }
    const nl = nx * lx + ny * ly + nz * lz
    if (!(nl > 0)) continue
    let hx = lx + vx; let hy = ly + vy; let hz = lz + vz
    const hl = Math.sqrt(hx * hx + hy * hy + hz * hz)
    if (!(hl > 0)) continue
    hx /= hl; hy /= hl; hz /= hl
    let nh = nx * hx + ny * hy + nz * hz; if (nh < 0) nh = 0
    let vh = vx * hx + vy * hy + vz * hz; if (vh < 0) vh = 0
    const om = 1 - vh; const om2 = om * om; const fw = om2 * om2 * om
    const fr = f0r + (f90 - f0r) * fw; const fg = f0g + (f90 - f0g) * fw; const fb = f0b + (f90 - f0b) * fw
    const dd = nh * nh * (a2 - 1) + 1
    const D = a2 * INV_PI / (dd * dd)
    const vis = 0.5 / (nl * gv + nv * Math.sqrt(nl * nl * (1 - a2) + a2))
    const ds = D * vis * nl * att
    const dl = INV_PI * nl * att
    sr += L.r * fr * ds; sg += L.g * fg * ds; sb += L.b * fb * ds
    qr += L.r * (1 - fr) * dl; qg += L.g * (1 - fg) * dl; qb += L.b * (1 - fb) * dl
  }
  qr *= kr; qg *= kg; qb *= kb

  // image-based light: irradiance at N, prefiltered radiance at R = 2(N·V)N − V
  const es = R[21]!
  const rx = 2 * nv * nx - vx; const ry = 2 * nv * ny - vy; const rz = 2 * nv * nz - vz
  lobeBands(R[11]!, bands)
  const g1 = bands[0]!; const g2 = bands[1]!
  // the environment (environment.ts evalEnvironment's expressions, clamped at 0) convolved with the
  // clamped cosine's band factors at N (env[0..2]) and with the lobe's at R (env[3..5]), written out
  // here so that no call boxes its arguments
  const ea = env.a; const eb = env.b; const eq = env.q
  const nxx = nx * nx; const nyy = ny * ny; const nzz = nz * nz; const nxy = nx * ny; const nxz = nx * nz; const nyz = ny * nz
  const rxx = rx * rx; const ryy = ry * ry; const rzz = rz * rz; const rxy = rx * ry; const rxz = rx * rz; const ryz = ry * rz
  for (let c = 0; c < 3; c++) {
    const o = c * 6
    const b0 = eb[c * 3]!; const b1 = eb[c * 3 + 1]!; const b2 = eb[c * 3 + 2]!
    const q0 = eq[o]!; const q1 = eq[o + 1]!; const q2 = eq[o + 2]!; const q3 = eq[o + 3]!; const q4 = eq[o + 4]!; const q5 = eq[o + 5]!
    const dn = ea[c]! + 2 / 3 * (b0 * nx + b1 * ny + b2 * nz) + 0.25 * (q0 * nxx + q1 * nyy + q2 * nzz + q3 * nxy + q4 * nxz + q5 * nyz)
    envOut[c] = dn > 0 ? dn : 0
    const dr = ea[c]! + g1 * (b0 * rx + b1 * ry + b2 * rz) + g2 * (q0 * rxx + q1 * ryy + q2 * rzz + q3 * rxy + q4 * rxz + q5 * ryz)
    envOut[c + 3] = dr > 0 ? dr : 0
  }
  const e0 = envOut[0]!; const e1 = envOut[1]!; const e2 = envOut[2]!; const e3 = envOut[3]!; const e4 = envOut[4]!; const e5 = envOut[5]!
  dfgApprox(R[10]!, nv, dfg, 0)
  const fa = dfg[0]!; const fbias = dfg[1]!
  const ssr = f0r * fa + f90 * fbias; const ssg = f0g * fa + f90 * fbias; const ssb = f0b * fa + f90 * fbias
  const ems = 1 - (fa + fbias)
  const far = f0r + (1 - f0r) * 0.047619; const fag = f0g + (1 - f0g) * 0.047619; const fab = f0b + (1 - f0b) * 0.047619
  const msr = ssr * far / (1 - ems * far) * ems; const msg = ssg * fag / (1 - ems * fag) * ems; const msb = ssb * fab / (1 - ems * fab) * ems
  const tr = ssr + msr; const tg = ssg + msg; const tb = ssb + msb
  const tmax = tr > tg ? (tr > tb ? tr : tb) : (tg > tb ? tg : tb)
  const irr = es * e0; const irg = es * e1; const irb = es * e2
  const ao = R[20]!
  sr += ao * (es * e3 * ssr + msr * irr)
  sg += ao * (es * e4 * ssg + msg * irg)
  sb += ao * (es * e5 * ssb + msb * irb)
  const kd = ao * (1 - tmax)
  qr += kr * kd * irr; qg += kg * kd * irg; qb += kb * kd * irb
  R[22] = sr; R[23] = sg; R[24] = sb
  R[25] = qr; R[26] = qg; R[27] = qb
  R[28] = tmax
}

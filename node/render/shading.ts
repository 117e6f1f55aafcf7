/**
 * Physically based shading per the glTF 2.0 specification (Appendix B):
 * metallic-roughness with Lambert diffuse, Schlick Fresnel, the GGX
 * (Trowbridge-Reitz) distribution and the height-correlated Smith joint
 * visibility, mixed by metalness and Fresnel as the appendix writes it.
 *
 * Inputs per pixel: base colour (factor × COLOR_0 × texture), metallic and
 * roughness (factors × texture B and G), the normal (interpolated, or flat;
 * perturbed by the normal map in the tangent frame), occlusion (texture R,
 * with strength, on image-based light only, as the specification says),
 * emissive (factor × strength × texture), KHR_materials_ior and _specular
 * (dielectric F0 and F90), _clearcoat (a second GGX lobe on the geometric
 * normal, darkening the base by its Fresnel) and _transmission (approximated:
 * the transmitted part of the diffuse lobe shows what is behind, tinted by the
 * base colour, without refraction).
 *
 * Light: the scene's or the default key lights (lights.ts) and the fixed
 * environment (environment.ts) whose specular term is split-sum with Karis's
 * DFG fit and Fdez-Agüera's multiple-scattering energy compensation (the same
 * formulation three.js uses), all in camera space.
 *
 * Texture level of detail is per pixel: a planar triangle's texels per pixel
 * at depth w is K·w³ with K constant per triangle (K = texel density /
 * (s²·plane distance)), so lod = ½·log2 K + 1.5·log2 w, using the
 * deterministic log2 (det-math.ts); trilinear filtering (texture.ts).
 */
import { clearcoatLayer } from './clearcoat.ts'
import { dfgApprox } from './brdf-tables.ts'
import { lobeBands, type QuadraticEnvironment } from './environment.ts'
import { type CameraLight, LIGHT_DIRECTIONAL, LIGHT_SPOT } from './lights.ts'
import type { PbrLightingOptions } from './pbr-lighting.ts'
import type { PixelShader } from './rasterizer.ts'
import { PbrTriangle, type ShaderVertices, SLOT_BASE, SLOT_CC, SLOT_CCR, SLOT_EMIS, SLOT_MR, SLOT_NORMAL, SLOT_OCC, SLOT_SPEC, SLOT_SPECCOL, SLOT_TRANS, SLOTS } from './pbr-triangle.ts'
import type { PreparedPrimitive } from './scene-reader.ts'
import { slotsRead, TexelFetch } from './texel-fetch.ts'

/** Smallest perceptual roughness: keeps GGX's peak finite for point lights (three.js uses 0.0525, Filament 0.045). */
export const MIN_ROUGHNESS = 0.05

const bands = new Float64Array(2)
const dfg = new Float64Array(2)
const coat = new Float64Array(3)

/** Shades the pixels of one primitive with the glTF metallic-roughness model. */
export class PbrShader extends PbrTriangle implements PixelShader {
  protected readonly lights: CameraLight[]
  protected readonly env: QuadraticEnvironment
  protected readonly envScale: number
  /** Level-of-detail bias (see PixelShader.lodBias). */
  lodBias = 0
  /** The fused texture reads of the material's slots (texel-fetch.ts). */
  protected readonly fetcher: TexelFetch
  /** Per slot: its texels at the pixel being shaded (linear RGBA, the channels the shade reads). */
  private readonly texel = new Float64Array(SLOTS * 4)

  constructor (prim: PreparedPrimitive, v: ShaderVertices, lights: CameraLight[], lighting: PbrLightingOptions, pixelScale: number) {
    super(prim, v, pixelScale)
    this.lights = lights
    this.env = lighting.environment
    this.envScale = lighting.environmentIntensity
    this.fetcher = new TexelFetch(prim, this.slots, this.groups, slotsRead(prim.material, this.slots))
  }

  shade (frag: Float64Array, out: Float64Array): void {
    const b0 = frag[0]!; const b1 = frag[1]!; const b2 = frag[2]!
    const m = this.material
    const slots = this.slots
    const i0 = this.i0; const i1 = this.i1; const i2 = this.i2
    const tv = this.texel
    const fetcher = this.fetcher
    fetcher.lodBias = this.lodBias
    fetcher.fetch(i0, i1, i2, frag, this.lodBase, tv)

    // base colour
    const f = m.baseColorFactor
    let cr = f[0]!; let cg = f[1]!; let cb = f[2]!; let ca = f[3]!
    const vc = this.prim.colors
    if (vc !== null) {
      const o0 = i0 * 4; const o1 = i1 * 4; const o2 = i2 * 4
      cr *= vc[o0]! * b0 + vc[o1]! * b1 + vc[o2]! * b2
      cg *= vc[o0 + 1]! * b0 + vc[o1 + 1]! * b1 + vc[o2 + 1]! * b2
      cb *= vc[o0 + 2]! * b0 + vc[o1 + 2]! * b1 + vc[o2 + 2]! * b2
      ca *= vc[o0 + 3]! * b0 + vc[o1 + 3]! * b1 + vc[o2 + 3]! * b2
    }
    const bt = slots[SLOT_BASE] ?? null
    if (bt !== null) { cr *= tv[0]!; cg *= tv[1]!; cb *= tv[2]!; ca *= tv[3]! }
    if (m.unlit) { out[0] = cr; out[1] = cg; out[2] = cb; out[3] = ca; out[4] = 0; out[5] = 0; out[6] = 0; this.emit(out); return }

    // view vector (camera at the origin)
    const p = this.pos
    const px = p[i0 * 3]! * b0 + p[i1 * 3]! * b1 + p[i2 * 3]! * b2
    const py = p[i0 * 3 + 1]! * b0 + p[i1 * 3 + 1]! * b1 + p[i2 * 3 + 1]! * b2
    const pz = p[i0 * 3 + 2]! * b0 + p[i1 * 3 + 2]! * b1 + p[i2 * 3 + 2]! * b2
    const pl = Math.sqrt(px * px + py * py + pz * pz)
    const vx = -px / pl; const vy = -py / pl; const vz = -pz / pl

    // geometric (interpolated) normal, unflipped
    let gx = this.fnx; let gy = this.fny; let gz = this.fnz
    const n = this.nrm
    if (n !== null) {
      const o0 = i0 * 3; const o1 = i1 * 3; const o2 = i2 * 3
      const x = n[o0]! * b0 + n[o1]! * b1 + n[o2]! * b2
      const y = n[o0 + 1]! * b0 + n[o1 + 1]! * b1 + n[o2 + 1]! * b2
      const z = n[o0 + 2]! * b0 + n[o1 + 2]! * b1 + n[o2 + 2]! * b2
      const len = Math.sqrt(x * x + y * y + z * z)
      if (len > 0 && len < Infinity) { gx = x / len; gy = y / len; gz = z / len }
    }
    let nx = gx; let ny = gy; let nz = gz
    const nt = slots[SLOT_NORMAL] ?? null
    if (nt !== null) {
      let tx = this.ftx; let ty = this.fty; let tz = this.ftz; let tw = this.ftw
      const tg = this.tan
      if (tg !== null && n !== null) {
        const o0 = i0 * 4; const o1 = i1 * 4; const o2 = i2 * 4
        tx = tg[o0]! * b0 + tg[o1]! * b1 + tg[o2]! * b2
        ty = tg[o0 + 1]! * b0 + tg[o1 + 1]! * b1 + tg[o2 + 1]! * b2
        tz = tg[o0 + 2]! * b0 + tg[o1 + 2]! * b1 + tg[o2 + 2]! * b2
        tw = (tg[o0 + 3]! * b0 + tg[o1 + 3]! * b1 + tg[o2 + 3]! * b2) < 0 ? -1 : 1
      }
      // Gram-Schmidt against the normal; a tangent parallel to it (or NaN) leaves the normal unperturbed
      const d = tx * gx + ty * gy + tz * gz
      tx -= gx * d; ty -= gy * d; tz -= gz * d
      const tl = Math.sqrt(tx * tx + ty * ty + tz * tz)
      if (tl > 0 && tl < Infinity) {
        tx /= tl; ty /= tl; tz /= tl
        const bx = (gy * tz - gz * ty) * tw; const by = (gz * tx - gx * tz) * tw; const bz = (gx * ty - gy * tx) * tw
        const sx = (tv[SLOT_NORMAL * 4]! * 2 - 1) * m.normalScale; const sy = (tv[SLOT_NORMAL * 4 + 1]! * 2 - 1) * m.normalScale; const sz = tv[SLOT_NORMAL * 4 + 2]! * 2 - 1
        const x = tx * sx + bx * sy + gx * sz; const y = ty * sx + by * sy + gy * sz; const z = tz * sx + bz * sy + gz * sz
        const l = Math.sqrt(x * x + y * y + z * z)
        if (l > 0 && l < Infinity) { nx = x / l; ny = y / l; nz = z / l }
      }
    }
    const fl = this.flip
    nx *= fl; ny *= fl; nz *= fl
    gx *= fl; gy *= fl; gz *= fl

    // metallic, roughness
    let metal = m.metallicFactor; let rough = m.roughnessFactor
    const mr = slots[SLOT_MR] ?? null
    if (mr !== null) { rough *= tv[SLOT_MR * 4 + 1]!; metal *= tv[SLOT_MR * 4 + 2]! }
    metal = metal < 0 ? 0 : metal > 1 ? 1 : metal
    rough = rough < MIN_ROUGHNESS ? MIN_ROUGHNESS : rough > 1 ? 1 : rough
    if (!(rough >= 0)) rough = 1
    const alpha = rough * rough

    // specular colour (KHR_materials_ior / _specular): dielectric F0, F90; metals take the base colour
    let spec = m.specularFactor
    const st = slots[SLOT_SPEC] ?? null
    if (st !== null) { spec *= tv[SLOT_SPEC * 4 + 3]! }
    const sc = m.specularColorFactor
    let scr = sc[0]!; let scg = sc[1]!; let scb = sc[2]!
    const sct = slots[SLOT_SPECCOL] ?? null
    if (sct !== null) { scr *= tv[SLOT_SPECCOL * 4]!; scg *= tv[SLOT_SPECCOL * 4 + 1]!; scb *= tv[SLOT_SPECCOL * 4 + 2]! }
    const ir = (m.ior - 1) / (m.ior + 1)
    const f0d = ir * ir
    const dr = f0d * scr; const dg = f0d * scg; const db = f0d * scb
    const f0r = ((dr < 1 ? dr : 1) * spec) * (1 - metal) + cr * metal
    const f0g = ((dg < 1 ? dg : 1) * spec) * (1 - metal) + cg * metal
    const f0b = ((db < 1 ? db : 1) * spec) * (1 - metal) + cb * metal
    const f90 = spec * (1 - metal) + metal
    const kr = cr * (1 - metal); const kg = cg * (1 - metal); const kb = cb * (1 - metal)

    let nv = nx * vx + ny * vy + nz * vz
    if (!(nv > 1e-4)) nv = 1e-4
    if (nv > 1) nv = 1
    let ao = 1
    const ot = slots[SLOT_OCC] ?? null
    if (ot !== null) { ao = 1 + m.occlusionStrength * (tv[SLOT_OCC * 4]! - 1) }
    const es = this.envScale
    const a2 = alpha * alpha
    const lights = this.lights; const env = this.env
    const INV_PI = 0.3183098861837907 // a literal here, not a module constant loaded at every use

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
      const rx = 2 * nv * nx - vx; const ry = 2 * nv * ny - vy; const rz = 2 * nv * nz - vz
    lobeBands(alpha, bands)
    const g1 = bands[0]!; const g2 = bands[1]!
    // the environment (environment.ts evalEnvironment's expressions, clamped at 0) convolved with the
    // clamped cosine's band factors at N (env[0..2]) and with the lobe's at R (env[3..5]), written out
    // here so that no call boxes its arguments
    const ea = env.a; const eb = env.b; const eq = env.q
    const nxx = nx * nx; const nyy = ny * ny; const nzz = nz * nz; const nxy = nx * ny; const nxz = nx * nz; const nyz = ny * nz
    const rxx = rx * rx; const ryy = ry * ry; const rzz = rz * rz; const rxy = rx * ry; const rxz = rx * rz; const ryz = ry * rz
    // per colour channel c: dn at N, dr at R (unrolled, in locals)
    const b0x = eb[0]!; const b0y = eb[1]!; const b0z = eb[2]!
    const q00 = eq[0]!; const q01 = eq[1]!; const q02 = eq[2]!; const q03 = eq[3]!; const q04 = eq[4]!; const q05 = eq[5]!
    const dn0 = ea[0]! + 2 / 3 * (b0x * nx + b0y * ny + b0z * nz) + 0.25 * (q00 * nxx + q01 * nyy + q02 * nzz + q03 * nxy + q04 * nxz + q05 * nyz)
    const dr0 = ea[0]! + g1 * (b0x * rx + b0y * ry + b0z * rz) + g2 * (q00 * rxx + q01 * ryy + q02 * rzz + q03 * rxy + q04 * rxz + q05 * ryz)
    const b1x = eb[3]!; const b1y = eb[4]!; const b1z = eb[5]!
    const q10 = eq[6]!; const q11 = eq[7]!; const q12 = eq[8]!; const q13 = eq[9]!; const q14 = eq[10]!; const q15 = eq[11]!
    const dn1 = ea[1]! + 2 / 3 * (b1x * nx + b1y * ny + b1z * nz) + 0.25 * (q10 * nxx + q11 * nyy + q12 * nzz + q13 * nxy + q14 * nxz + q15 * nyz)
    const dr1 = ea[1]! + g1 * (b1x * rx + b1y * ry + b1z * rz) + g2 * (q10 * rxx + q11 * ryy + q12 * rzz + q13 * rxy + q14 * rxz + q15 * ryz)
    const b2x = eb[6]!; const b2y = eb[7]!; const b2z = eb[8]!
    const q20 = eq[12]!; const q21 = eq[13]!; const q22 = eq[14]!; const q23 = eq[15]!; const q24 = eq[16]!; const q25 = eq[17]!
    const dn2 = ea[2]! + 2 / 3 * (b2x * nx + b2y * ny + b2z * nz) + 0.25 * (q20 * nxx + q21 * nyy + q22 * nzz + q23 * nxy + q24 * nxz + q25 * nyz)
    const dr2 = ea[2]! + g1 * (b2x * rx + b2y * ry + b2z * rz) + g2 * (q20 * rxx + q21 * ryy + q22 * rzz + q23 * rxy + q24 * rxz + q25 * ryz)
    const e0 = dn0 > 0 ? dn0 : 0; const e1 = dn1 > 0 ? dn1 : 0; const e2 = dn2 > 0 ? dn2 : 0
    const e3 = dr0 > 0 ? dr0 : 0; const e4 = dr1 > 0 ? dr1 : 0; const e5 = dr2 > 0 ? dr2 : 0
    dfgApprox(rough, nv, dfg, 0)
    const fa = dfg[0]!; const fbias = dfg[1]!
    const ssr = f0r * fa + f90 * fbias; const ssg = f0g * fa + f90 * fbias; const ssb = f0b * fa + f90 * fbias
    const ems = 1 - (fa + fbias)
    const far = f0r + (1 - f0r) * 0.047619; const fag = f0g + (1 - f0g) * 0.047619; const fab = f0b + (1 - f0b) * 0.047619
    const msr = ssr * far / (1 - ems * far) * ems; const msg = ssg * fag / (1 - ems * fag) * ems; const msb = ssb * fab / (1 - ems * fab) * ems
    const tr = ssr + msr; const tg = ssg + msg; const tb = ssb + msb
    const tmax = tr > tg ? (tr > tb ? tr : tb) : (tg > tb ? tg : tb)
    const irr = es * e0; const irg = es * e1; const irb = es * e2
      sr += ao * (es * e3 * ssr + msr * irr)
    sg += ao * (es * e4 * ssg + msg * irg)
    sb += ao * (es * e5 * ssb + msb * irb)
    const kd = ao * (1 - tmax)
    qr += kr * kd * irr; qg += kg * kd * irg; qb += kb * kd * irb

    // transmission (approximated): the transmitted share of the diffuse lobe shows the background, tinted
    let tor = 0; let tog = 0; let tob = 0
    if (m.transmissionFactor > 0) {
      let t = m.transmissionFactor
      const tt = slots[SLOT_TRANS] ?? null
      if (tt !== null) { t *= tv[SLOT_TRANS * 4]! }
      t = (t < 0 ? 0 : t > 1 ? 1 : t) * (1 - metal)
      qr *= 1 - t; qg *= 1 - t; qb *= 1 - t
      tor = t * cr * (1 - tmax); tog = t * cg * (1 - tmax); tob = t * cb * (1 - tmax)
    }
    let or = qr + sr; let og = qg + sg; let ob = qb + sb

    // clearcoat: a dielectric GGX layer (F0 0.04) on the geometric normal over everything above
    if (m.clearcoatFactor > 0) {
      let cc = m.clearcoatFactor; let ccr = m.clearcoatRoughnessFactor
      const ct = slots[SLOT_CC] ?? null
      if (ct !== null) { cc *= tv[SLOT_CC * 4]! }
      const crt = slots[SLOT_CCR] ?? null
      if (crt !== null) { ccr *= tv[SLOT_CCR * 4 + 1]! }
      ccr = ccr < MIN_ROUGHNESS ? MIN_ROUGHNESS : ccr > 1 ? 1 : ccr
      cc = cc < 0 ? 0 : cc > 1 ? 1 : cc
      const fc = clearcoatLayer(cc, ccr, gx, gy, gz, vx, vy, vz, this.lights, this.env, ao * es, coat)
      or = or * (1 - fc) + cc * coat[0]!
      og = og * (1 - fc) + cc * coat[1]!
      ob = ob * (1 - fc) + cc * coat[2]!
      tor *= 1 - fc; tog *= 1 - fc; tob *= 1 - fc
    }
    out[0] = or; out[1] = og; out[2] = ob; out[3] = ca; out[4] = tor; out[5] = tog; out[6] = tob
    this.emit(out)
  }

  /**
   * Adds emissive to the fragment in `out` (colour, alpha, and the tint of
   * what lies behind in [4..6]) and writes it: colour, alpha, and for blended
   * materials premultiplied colour and the transmittance of what lies behind.
   */
  private emit (out: Float64Array): void {
    let r = out[0]!; let g = out[1]!; let b = out[2]!; const a = out[3]!; const tr = out[4]!; const tg = out[5]!; const tb = out[6]!
    const m = this.material
    const ef = m.emissiveFactor
    if (ef[0]! > 0 || ef[1]! > 0 || ef[2]! > 0) {
      let er = ef[0]!; let eg = ef[1]!; let eb = ef[2]!
      const et = this.slots[SLOT_EMIS] ?? null
      if (et !== null) {
        // read with the other maps at the start of the shade
        const tv = this.texel
        er *= tv[SLOT_EMIS * 4]!; eg *= tv[SLOT_EMIS * 4 + 1]!; eb *= tv[SLOT_EMIS * 4 + 2]!
      }
      r += er; g += eg; b += eb
    }
    out[3] = a
    if (m.blended) {
      let al = a < 0 ? 0 : a > 1 ? 1 : a
      if (m.alphaMode !== 2) al = 1
      out[0] = r * al; out[1] = g * al; out[2] = b * al
      out[4] = 1 - al + al * tr; out[5] = 1 - al + al * tg; out[6] = 1 - al + al * tb
    } else {
      out[0] = r; out[1] = g; out[2] = b
    }
  }

}

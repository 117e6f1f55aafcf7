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
import { dfgApprox } from './brdf-tables.ts'
import { detLog2 } from './det-math.ts'
import { clearcoatLayer } from './clearcoat.ts'
import { evalEnvironment, lobeBands, type QuadraticEnvironment } from './environment.ts'
import { type CameraLight, LIGHT_DIRECTIONAL, LIGHT_SPOT } from './lights.ts'
import type { PbrLightingOptions } from './pbr-lighting.ts'
import type { PixelShader } from './rasterizer.ts'
import type { PreparedMaterial, PreparedPrimitive, TextureBinding } from './scene-reader.ts'
import { groupSlots, type SlotGroups } from './texture-slots.ts'
import { newFootprint, readChannel, readChannelPair, readRgb, readRgba, type TextureFootprint, trilinearFootprint } from './texture.ts'
import { interpolateUv, vertexUv } from './uv.ts'

/** Smallest perceptual roughness: keeps GGX's peak finite for point lights (three.js uses 0.0525, Filament 0.045). */
export const MIN_ROUGHNESS = 0.05

const INV_PI = 0.3183098861837907
const tex4 = new Float64Array(4)
const env3 = new Float64Array(6)
const bands = new Float64Array(2)
const dfg = new Float64Array(2)
const coat = new Float64Array(3)
const uvA = new Float64Array(2)
const uvB = new Float64Array(2)
const uvC = new Float64Array(2)

/** Texture slots of a material, in a fixed order. */
const SLOT_BASE = 0; const SLOT_MR = 1; const SLOT_NORMAL = 2; const SLOT_OCC = 3; const SLOT_EMIS = 4
const SLOT_SPEC = 5; const SLOT_SPECCOL = 6; const SLOT_CC = 7; const SLOT_CCR = 8; const SLOT_TRANS = 9
const SLOTS = 10

function slotsOf (m: PreparedMaterial): Array<TextureBinding | null> {
  return [m.baseColorTexture, m.metallicRoughnessTexture, m.normalTexture, m.occlusionTexture, m.emissiveTexture,
    m.specularTexture, m.specularColorTexture, m.clearcoatTexture, m.clearcoatRoughnessTexture, m.transmissionTexture]
}

/**
 * A direct-mapped cache of triangle set-ups (vertex indices, face normal,
 * facing, face tangent frame, level-of-detail bases), shared by the shaders
 * of a thread and tagged with the shader's serial number and the triangle
 * index: the deferred resolve meets a triangle again in the next row of
 * pixels, and a restored set-up is the same numbers it computed.
 */
const TRI_CACHE = 4096
const TRI_STRIDE = 11 + SLOTS
const cacheOwner = new Int32Array(TRI_CACHE).fill(-1)
const cacheTri = new Int32Array(TRI_CACHE)
const cacheData = new Float64Array(TRI_CACHE * TRI_STRIDE)
let lastSerial = 0

/** The next shader serial number; when they wrap around, the cache forgets every entry. */
function nextSerial (): number {
  lastSerial = (lastSerial + 1) & 0x7fffffff
  if (lastSerial === 0) { cacheOwner.fill(-1); lastSerial = 1 }
  return lastSerial
}

/** Camera-space vertex data a shader reads. */
export interface ShaderVertices {
  positions: Float64Array
  normals: Float64Array | null
  tangents: Float64Array | null
}

/** Shades the pixels of one primitive with the glTF metallic-roughness model. */
export class PbrShader implements PixelShader {
  readonly material: PreparedMaterial
  private readonly prim: PreparedPrimitive
  private readonly pos: Float64Array
  private readonly nrm: Float64Array | null
  private readonly tan: Float64Array | null
  private readonly lights: CameraLight[]
  private readonly env: QuadraticEnvironment
  private readonly envScale: number
  private readonly s2: number
  private readonly slots: Array<TextureBinding | null>
  private readonly groups: SlotGroups
  private readonly anyMip: boolean
  /** Level-of-detail bias (see PixelShader.lodBias). */
  lodBias = 0
  /** ½·log2 K per slot group for the current triangle. */
  private readonly lodBase = new Float64Array(SLOTS)
  /** Per slot group: its footprint at the pixel being shaded, valid when its stamp equals `stamp`. */
  private readonly footprints: TextureFootprint[]
  private readonly fpStamp = new Int32Array(SLOTS)
  /** Per UV group: coordinates at the pixel being shaded (u, v pairs), valid when the stamp equals `stamp`. */
  private readonly uvs = new Float64Array(SLOTS * 2)
  private readonly uvStamp = new Int32Array(SLOTS)
  /** Counts shade calls; the cached footprints and coordinates belong to the current one. */
  private stamp = 0
  /** Tags this shader's entries in the triangle cache. */
  private readonly serial = nextSerial()
  private i0 = 0; private i1 = 0; private i2 = 0
  private fnx = 0; private fny = 0; private fnz = 1
  private flip = 1
  /** Per-triangle tangent frame (used when the primitive has no tangents): T and handedness. */
  private ftx = 1; private fty = 0; private ftz = 0; private ftw = 1

  constructor (prim: PreparedPrimitive, v: ShaderVertices, lights: CameraLight[], lighting: PbrLightingOptions, pixelScale: number) {
    this.prim = prim
    this.material = prim.material
    this.pos = v.positions
    this.nrm = v.normals
    this.tan = v.tangents
    this.lights = lights
    this.env = lighting.environment
    this.envScale = lighting.environmentIntensity
    this.s2 = pixelScale * pixelScale
    this.slots = slotsOf(prim.material)
    this.groups = groupSlots(prim, this.slots)
    this.footprints = this.groups.groupSlot.map(() => newFootprint())
    this.anyMip = this.slots.some((b) => b !== null && b.mipmaps)
  }

  setTriangle (i0: number, i1: number, i2: number, fnx: number, fny: number, fnz: number, backFacing: boolean, planeDist: number, area2: number): void {
    this.i0 = i0; this.i1 = i1; this.i2 = i2
    this.fnx = fnx; this.fny = fny; this.fnz = fnz
    this.flip = backFacing ? -1 : 1
    const slots = this.slots
    if (this.anyMip) {
      const k0 = 1 / (this.s2 * planeDist * area2)
      const { groupSlot, groupUv } = this.groups
      let lastUv = -1; let uvArea2 = 0
      for (let g = 0; g < groupSlot.length; g++) {
        const b = slots[groupSlot[g]!]!
        if (!b.mipmaps) continue
        if (groupUv[g] !== lastUv) {
          lastUv = groupUv[g]!
          vertexUv(this.prim, b, i0, uvA); vertexUv(this.prim, b, i1, uvB); vertexUv(this.prim, b, i2, uvC)
          uvArea2 = Math.abs((uvB[0]! - uvA[0]!) * (uvC[1]! - uvA[1]!) - (uvB[1]! - uvA[1]!) * (uvC[0]! - uvA[0]!))
        }
        const lv = b.texture.levels[0]!
        // degenerate UVs (zero area) give −Infinity: magnification, level 0
        this.lodBase[g] = 0.5 * detLog2(uvArea2 * lv.width * lv.height * k0)
      }
    }
    const nt = slots[SLOT_NORMAL]
    if (nt !== null && nt !== undefined && (this.tan === null || this.nrm === null)) this.faceTangent(nt)
  }

  /** Selects triangle `t` from the triangle cache when it holds it (as setTriangle left it); false otherwise. */
  restoreTriangle (t: number): boolean {
    const e = t & (TRI_CACHE - 1)
    if (cacheOwner[e] !== this.serial || cacheTri[e] !== t) return false
    const o = e * TRI_STRIDE
    const c = cacheData
    this.i0 = c[o]!; this.i1 = c[o + 1]!; this.i2 = c[o + 2]!
    this.fnx = c[o + 3]!; this.fny = c[o + 4]!; this.fnz = c[o + 5]!; this.flip = c[o + 6]!
    this.ftx = c[o + 7]!; this.fty = c[o + 8]!; this.ftz = c[o + 9]!; this.ftw = c[o + 10]!
    const lb = this.lodBase
    for (let g = 0; g < this.footprints.length; g++) lb[g] = c[o + 11 + g]!
    return true
  }

  /** Stores the current triangle's set-up in the triangle cache as triangle `t`. */
  rememberTriangle (t: number): void {
    const e = t & (TRI_CACHE - 1)
    cacheOwner[e] = this.serial; cacheTri[e] = t
    const o = e * TRI_STRIDE
    const c = cacheData
    c[o] = this.i0; c[o + 1] = this.i1; c[o + 2] = this.i2
    c[o + 3] = this.fnx; c[o + 4] = this.fny; c[o + 5] = this.fnz; c[o + 6] = this.flip
    c[o + 7] = this.ftx; c[o + 8] = this.fty; c[o + 9] = this.ftz; c[o + 10] = this.ftw
    const lb = this.lodBase
    for (let g = 0; g < this.footprints.length; g++) c[o + 11 + g] = lb[g]!
  }

  /** Tangent frame of the current triangle from its UV derivatives (T = ∂p/∂u; handedness from glTF's v-down bitangent). */
  private faceTangent (b: TextureBinding): void {
    const p = this.pos; const a = this.i0 * 3; const c1 = this.i1 * 3; const c2 = this.i2 * 3
    vertexUv(this.prim, b, this.i0, uvA); vertexUv(this.prim, b, this.i1, uvB); vertexUv(this.prim, b, this.i2, uvC)
    const du1 = uvB[0]! - uvA[0]!; const dv1 = uvB[1]! - uvA[1]!; const du2 = uvC[0]! - uvA[0]!; const dv2 = uvC[1]! - uvA[1]!
    const e1x = p[c1]! - p[a]!; const e1y = p[c1 + 1]! - p[a + 1]!; const e1z = p[c1 + 2]! - p[a + 2]!
    const e2x = p[c2]! - p[a]!; const e2y = p[c2 + 1]! - p[a + 1]!; const e2z = p[c2 + 2]! - p[a + 2]!
    const det = du1 * dv2 - du2 * dv1
    if (!(det !== 0) || !Number.isFinite(det)) { this.ftx = 1; this.fty = 0; this.ftz = 0; this.ftw = 1; return } // degenerate UVs: any frame
    const tx = (e1x * dv2 - e2x * dv1) / det; const ty = (e1y * dv2 - e2y * dv1) / det; const tz = (e1z * dv2 - e2z * dv1) / det
    const bx = (e2x * du1 - e1x * du2) / det; const by = (e2y * du1 - e1y * du2) / det; const bz = (e2z * du1 - e1z * du2) / det
    this.ftx = tx; this.fty = ty; this.ftz = tz
    // glTF bitangent = cross(N, T)·w points to decreasing v (up in the image), i.e. along −∂p/∂v
    const cx = this.fny * tz - this.fnz * ty; const cy = this.fnz * tx - this.fnx * tz; const cz = this.fnx * ty - this.fny * tx
    this.ftw = (cx * bx + cy * by + cz * bz) > 0 ? -1 : 1
  }

  /**
   * The footprint of slot `s` (binding `b`) at barycentrics (b0, b1, b2) of
   * the pixel being shaded; `lw` = 1.5·log2 w. Computed once per pixel for
   * each slot group (and the coordinates once per UV group).
   */
  private footprint (s: number, b: TextureBinding, b0: number, b1: number, b2: number, lw: number): TextureFootprint {
    const g = this.groups.slotGroup[s]!
    const fp = this.footprints[g]!
    if (this.fpStamp[g] === this.stamp) return fp
    this.fpStamp[g] = this.stamp
    const u = this.groups.groupUv[g]!
    const uvs = this.uvs
    if (this.uvStamp[u] !== this.stamp) {
      this.uvStamp[u] = this.stamp
      interpolateUv(this.prim, b, this.i0, this.i1, this.i2, b0, b1, b2, uvA)
      uvs[u * 2] = uvA[0]!; uvs[u * 2 + 1] = uvA[1]!
    }
    trilinearFootprint(b.texture, b.mipmaps ? this.lodBase[g]! + lw : 0, uvs[u * 2]!, uvs[u * 2 + 1]!, b.wrapS, b.wrapT, b.nearest, b.mipmaps, fp)
    return fp
  }

  /** Samples slot `s` (binding `b`) at barycentrics into tex4 (linear RGBA). */
  private sample (s: number, b: TextureBinding, b0: number, b1: number, b2: number, lw: number): void {
    readRgba(b.texture, this.footprint(s, b, b0, b1, b2, lw), tex4)
  }

  /** Slot `s` (binding `b`) at barycentrics into tex4[0..2] (linear RGB, no alpha). */
  private sampleRgb (s: number, b: TextureBinding, b0: number, b1: number, b2: number, lw: number): void {
    readRgb(b.texture, this.footprint(s, b, b0, b1, b2, lw), tex4)
  }

  /** Channel c of slot `s` (binding `b`) at barycentrics. */
  private sampleChannel (s: number, b: TextureBinding, b0: number, b1: number, b2: number, lw: number, c: number): number {
    return readChannel(b.texture, this.footprint(s, b, b0, b1, b2, lw), c)
  }

  shade (b0: number, b1: number, b2: number, w: number, out: Float64Array): void {
    const m = this.material
    const slots = this.slots
    const lw = this.anyMip ? 1.5 * detLog2(w) + this.lodBias : 0
    this.stamp = (this.stamp + 1) | 0
    this.lastB0 = b0; this.lastB1 = b1; this.lastB2 = b2; this.lastLw = lw
    const i0 = this.i0; const i1 = this.i1; const i2 = this.i2

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
    if (bt !== null) { this.sample(SLOT_BASE, bt, b0, b1, b2, lw); cr *= tex4[0]!; cg *= tex4[1]!; cb *= tex4[2]!; ca *= tex4[3]! }
    if (m.unlit) { this.emit(cr, cg, cb, ca, 0, 0, 0, out); return }

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
        this.sampleRgb(SLOT_NORMAL, nt, b0, b1, b2, lw)
        const sx = (tex4[0]! * 2 - 1) * m.normalScale; const sy = (tex4[1]! * 2 - 1) * m.normalScale; const sz = tex4[2]! * 2 - 1
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
    if (mr !== null) { readChannelPair(mr.texture, this.footprint(SLOT_MR, mr, b0, b1, b2, lw), 1, tex4); rough *= tex4[0]!; metal *= tex4[1]! }
    metal = metal < 0 ? 0 : metal > 1 ? 1 : metal
    rough = rough < MIN_ROUGHNESS ? MIN_ROUGHNESS : rough > 1 ? 1 : rough
    if (!(rough >= 0)) rough = 1
    const alpha = rough * rough
    const a2 = alpha * alpha

    // specular colour (KHR_materials_ior / _specular): dielectric F0, F90; metals take the base colour
    let spec = m.specularFactor
    const st = slots[SLOT_SPEC] ?? null
    if (st !== null) spec *= this.sampleChannel(SLOT_SPEC, st, b0, b1, b2, lw, 3)
    const sc = m.specularColorFactor
    let scr = sc[0]!; let scg = sc[1]!; let scb = sc[2]!
    const sct = slots[SLOT_SPECCOL] ?? null
    if (sct !== null) { this.sampleRgb(SLOT_SPECCOL, sct, b0, b1, b2, lw); scr *= tex4[0]!; scg *= tex4[1]!; scb *= tex4[2]! }
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

    // direct light
    let sr = 0; let sg = 0; let sb = 0 // specular
    let qr = 0; let qg = 0; let qb = 0 // diffuse
    const lights = this.lights
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
    const es = this.envScale
    evalEnvironment(this.env, nx, ny, nz, 2 / 3, 0.25, env3, 0)
    const rx = 2 * nv * nx - vx; const ry = 2 * nv * ny - vy; const rz = 2 * nv * nz - vz
    lobeBands(alpha, bands)
    evalEnvironment(this.env, rx, ry, rz, bands[0]!, bands[1]!, env3, 3)
    dfgApprox(rough, nv, dfg, 0)
    const fa = dfg[0]!; const fbias = dfg[1]!
    const ssr = f0r * fa + f90 * fbias; const ssg = f0g * fa + f90 * fbias; const ssb = f0b * fa + f90 * fbias
    const ems = 1 - (fa + fbias)
    const far = f0r + (1 - f0r) * 0.047619; const fag = f0g + (1 - f0g) * 0.047619; const fab = f0b + (1 - f0b) * 0.047619
    const msr = ssr * far / (1 - ems * far) * ems; const msg = ssg * fag / (1 - ems * fag) * ems; const msb = ssb * fab / (1 - ems * fab) * ems
    const tr = ssr + msr; const tg = ssg + msg; const tb = ssb + msb
    const tmax = tr > tg ? (tr > tb ? tr : tb) : (tg > tb ? tg : tb)
    const irr = es * env3[0]!; const irg = es * env3[1]!; const irb = es * env3[2]!
    let ao = 1
    const ot = slots[SLOT_OCC] ?? null
    if (ot !== null) ao = 1 + m.occlusionStrength * (this.sampleChannel(SLOT_OCC, ot, b0, b1, b2, lw, 0) - 1)
    sr += ao * (es * env3[3]! * ssr + msr * irr)
    sg += ao * (es * env3[4]! * ssg + msg * irg)
    sb += ao * (es * env3[5]! * ssb + msb * irb)
    const kd = ao * (1 - tmax)
    qr += kr * kd * irr; qg += kg * kd * irg; qb += kb * kd * irb

    // transmission (approximated): the transmitted share of the diffuse lobe shows the background, tinted
    let tor = 0; let tog = 0; let tob = 0
    if (m.transmissionFactor > 0) {
      let t = m.transmissionFactor
      const tt = slots[SLOT_TRANS] ?? null
      if (tt !== null) t *= this.sampleChannel(SLOT_TRANS, tt, b0, b1, b2, lw, 0)
      t = (t < 0 ? 0 : t > 1 ? 1 : t) * (1 - metal)
      qr *= 1 - t; qg *= 1 - t; qb *= 1 - t
      tor = t * cr * (1 - tmax); tog = t * cg * (1 - tmax); tob = t * cb * (1 - tmax)
    }
    let or = qr + sr; let og = qg + sg; let ob = qb + sb

    // clearcoat: a dielectric GGX layer (F0 0.04) on the geometric normal over everything above
    if (m.clearcoatFactor > 0) {
      let cc = m.clearcoatFactor; let ccr = m.clearcoatRoughnessFactor
      const ct = slots[SLOT_CC] ?? null
      if (ct !== null) cc *= this.sampleChannel(SLOT_CC, ct, b0, b1, b2, lw, 0)
      const crt = slots[SLOT_CCR] ?? null
      if (crt !== null) ccr *= this.sampleChannel(SLOT_CCR, crt, b0, b1, b2, lw, 1)
      ccr = ccr < MIN_ROUGHNESS ? MIN_ROUGHNESS : ccr > 1 ? 1 : ccr
      cc = cc < 0 ? 0 : cc > 1 ? 1 : cc
      const fc = clearcoatLayer(cc, ccr, gx, gy, gz, vx, vy, vz, lights, this.env, ao * es, coat)
      or = or * (1 - fc) + cc * coat[0]!
      og = og * (1 - fc) + cc * coat[1]!
      ob = ob * (1 - fc) + cc * coat[2]!
      tor *= 1 - fc; tog *= 1 - fc; tob *= 1 - fc
    }
    this.emit(or, og, ob, ca, tor, tog, tob, out)
  }

  /** Adds emissive and writes the fragment: colour, alpha, and for blended materials premultiplied colour and the transmittance of what lies behind. */
  private emit (r: number, g: number, b: number, a: number, tr: number, tg: number, tb: number, out: Float64Array): void {
    const m = this.material
    const ef = m.emissiveFactor
    if (ef[0]! > 0 || ef[1]! > 0 || ef[2]! > 0) {
      let er = ef[0]!; let eg = ef[1]!; let eb = ef[2]!
      const et = this.slots[SLOT_EMIS] ?? null
      if (et !== null) {
        // the barycentrics and lod term of the pixel being shaded
        this.sampleRgb(SLOT_EMIS, et, this.lastB0, this.lastB1, this.lastB2, this.lastLw)
        er *= tex4[0]!; eg *= tex4[1]!; eb *= tex4[2]!
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

  private lastB0 = 0; private lastB1 = 0; private lastB2 = 0; private lastLw = 0
}

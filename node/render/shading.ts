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
import { detLog2, lodLog2 } from './det-math.ts'
import { clearcoatLayer } from './clearcoat.ts'
import type { QuadraticEnvironment } from './environment.ts'
import type { CameraLight } from './lights.ts'
import { lightSurface, SURFACE } from './pbr-surface.ts'
import type { PbrLightingOptions } from './pbr-lighting.ts'
import type { PixelShader } from './rasterizer.ts'
import type { PreparedMaterial, PreparedPrimitive, TextureBinding } from './scene-reader.ts'
import { groupSlots, type SlotGroups } from './texture-slots.ts'
import { footprintAt, newFootprint, readChannelPair, readChannelTo, readRgb, readRgba, type TextureFootprint } from './texture-read.ts'
import { interpolateUvAt, vertexUv } from './uv.ts'

/** Smallest perceptual roughness: keeps GGX's peak finite for point lights (three.js uses 0.0525, Filament 0.045). */
export const MIN_ROUGHNESS = 0.05

const tex4 = new Float64Array(4)
const lodUv = new Float64Array(3)
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
  /** The pixel being shaded: barycentrics [0..2] and the lod term 1.5·log2 w + bias [3]. */
  private readonly bary = new Float64Array(4)
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

  setTriangle (i0: number, i1: number, i2: number, setup: Float64Array): void {
    const facing = setup[3]!; const planeDist = facing < 0 ? -facing : facing; const area2 = setup[4]!
    this.i0 = i0; this.i1 = i1; this.i2 = i2
    this.fnx = setup[0]!; this.fny = setup[1]!; this.fnz = setup[2]!
    this.flip = facing < 0 ? -1 : 1
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
   * The footprint of slot `s` (binding `b`) at the pixel being shaded (its
   * barycentrics and lod term are in `bary`). Computed once per pixel for
   * each slot group (and the coordinates once per UV group).
   */
  private footprint (s: number, b: TextureBinding): TextureFootprint {
    const g = this.groups.slotGroup[s]!
    const fp = this.footprints[g]!
    if (this.fpStamp[g] === this.stamp) return fp
    this.fpStamp[g] = this.stamp
    const u = this.groups.groupUv[g]!
    const uvs = this.uvs
    if (this.uvStamp[u] !== this.stamp) {
      this.uvStamp[u] = this.stamp
      interpolateUvAt(this.prim, b, this.i0, this.i1, this.i2, this.bary, uvA)
      uvs[u * 2] = uvA[0]!; uvs[u * 2 + 1] = uvA[1]!
    }
    const q = lodUv
    q[0] = b.mipmaps ? this.lodBase[g]! + this.bary[3]! : 0; q[1] = uvs[u * 2]!; q[2] = uvs[u * 2 + 1]!
    footprintAt(b.texture, q, b.wrapS, b.wrapT, b.nearest, b.mipmaps, fp)
    return fp
  }

  /** Samples slot `s` (binding `b`) at the pixel into tex4 (linear RGBA). */
  private sample (s: number, b: TextureBinding): void {
    readRgba(b.texture, this.footprint(s, b), tex4)
  }

  /** Slot `s` (binding `b`) at the pixel into tex4[0..2] (linear RGB, no alpha). */
  private sampleRgb (s: number, b: TextureBinding): void {
    readRgb(b.texture, this.footprint(s, b), tex4)
  }

  /** Channel c of slot `s` (binding `b`) at the pixel into tex4[0]. */
  private sampleChannel (s: number, b: TextureBinding, c: number): void {
    readChannelTo(b.texture, this.footprint(s, b), c, tex4)
  }

  shade (frag: Float64Array, out: Float64Array): void {
    const b0 = frag[0]!; const b1 = frag[1]!; const b2 = frag[2]!; const w = frag[3]!
    const m = this.material
    const slots = this.slots
    this.stamp = (this.stamp + 1) | 0
    this.bary[0] = b0; this.bary[1] = b1; this.bary[2] = b2; this.bary[3] = this.anyMip ? 1.5 * lodLog2(w) + this.lodBias : 0
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
    if (bt !== null) { this.sample(SLOT_BASE, bt); cr *= tex4[0]!; cg *= tex4[1]!; cb *= tex4[2]!; ca *= tex4[3]! }
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
        this.sampleRgb(SLOT_NORMAL, nt)
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
    if (mr !== null) { readChannelPair(mr.texture, this.footprint(SLOT_MR, mr), 1, tex4); rough *= tex4[0]!; metal *= tex4[1]! }
    metal = metal < 0 ? 0 : metal > 1 ? 1 : metal
    rough = rough < MIN_ROUGHNESS ? MIN_ROUGHNESS : rough > 1 ? 1 : rough
    if (!(rough >= 0)) rough = 1
    const alpha = rough * rough

    // specular colour (KHR_materials_ior / _specular): dielectric F0, F90; metals take the base colour
    let spec = m.specularFactor
    const st = slots[SLOT_SPEC] ?? null
    if (st !== null) { this.sampleChannel(SLOT_SPEC, st, 3); spec *= tex4[0]! }
    const sc = m.specularColorFactor
    let scr = sc[0]!; let scg = sc[1]!; let scb = sc[2]!
    const sct = slots[SLOT_SPECCOL] ?? null
    if (sct !== null) { this.sampleRgb(SLOT_SPECCOL, sct); scr *= tex4[0]!; scg *= tex4[1]!; scb *= tex4[2]! }
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
    if (ot !== null) { this.sampleChannel(SLOT_OCC, ot, 0); ao = 1 + m.occlusionStrength * (tex4[0]! - 1) }
    const es = this.envScale
    // lightSurface's registers (pbr-surface.ts): position, view, normal, n·v, roughness, α, α², F0, F90, c_diff, occlusion, intensity
    const R = SURFACE
    R[0] = px; R[1] = py; R[2] = pz; R[3] = vx; R[4] = vy; R[5] = vz; R[6] = nx; R[7] = ny; R[8] = nz
    R[9] = nv; R[10] = rough; R[11] = alpha; R[12] = alpha * alpha
    R[13] = f0r; R[14] = f0g; R[15] = f0b; R[16] = f90; R[17] = kr; R[18] = kg; R[19] = kb; R[20] = ao; R[21] = es
    lightSurface(this.lights, this.env, R)
    const sr = R[22]!; const sg = R[23]!; const sb = R[24]!; const tmax = R[28]!
    let qr = R[25]!; let qg = R[26]!; let qb = R[27]!

    // transmission (approximated): the transmitted share of the diffuse lobe shows the background, tinted
    let tor = 0; let tog = 0; let tob = 0
    if (m.transmissionFactor > 0) {
      let t = m.transmissionFactor
      const tt = slots[SLOT_TRANS] ?? null
      if (tt !== null) { this.sampleChannel(SLOT_TRANS, tt, 0); t *= tex4[0]! }
      t = (t < 0 ? 0 : t > 1 ? 1 : t) * (1 - metal)
      qr *= 1 - t; qg *= 1 - t; qb *= 1 - t
      tor = t * cr * (1 - tmax); tog = t * cg * (1 - tmax); tob = t * cb * (1 - tmax)
    }
    let or = qr + sr; let og = qg + sg; let ob = qb + sb

    // clearcoat: a dielectric GGX layer (F0 0.04) on the geometric normal over everything above
    if (m.clearcoatFactor > 0) {
      let cc = m.clearcoatFactor; let ccr = m.clearcoatRoughnessFactor
      const ct = slots[SLOT_CC] ?? null
      if (ct !== null) { this.sampleChannel(SLOT_CC, ct, 0); cc *= tex4[0]! }
      const crt = slots[SLOT_CCR] ?? null
      if (crt !== null) { this.sampleChannel(SLOT_CCR, crt, 1); ccr *= tex4[0]! }
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
        // the barycentrics and lod term of the pixel being shaded
        this.sampleRgb(SLOT_EMIS, et)
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

}

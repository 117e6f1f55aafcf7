/**
 * The per-triangle part of physically based shading (shading.ts): the
 * selected triangle's vertex indices, face normal and facing, its tangent
 * frame from UV derivatives when the primitive has no tangents, and the
 * level-of-detail base of each texture group (½·log2 K, see shading.ts),
 * with a per-thread cache of these set-ups for the deferred resolve.
 */
import { detLog2 } from './det-math.ts'
import type { PreparedMaterial, PreparedPrimitive, TextureBinding } from './scene-reader.ts'
import { groupSlots, type SlotGroups } from './texture-slots.ts'
import { vertexUv } from './uv.ts'

const uvA = new Float64Array(2)
const uvB = new Float64Array(2)
const uvC = new Float64Array(2)

/** Texture slots of a material, in a fixed order. */
export const SLOT_BASE = 0; export const SLOT_MR = 1; export const SLOT_NORMAL = 2; export const SLOT_OCC = 3; export const SLOT_EMIS = 4
export const SLOT_SPEC = 5; export const SLOT_SPECCOL = 6; export const SLOT_CC = 7; export const SLOT_CCR = 8; export const SLOT_TRANS = 9
/** Number of texture slots. */
export const SLOTS = 10

/** The texture bindings of a material's slots (null where it has none). */
export function slotsOf (m: PreparedMaterial): Array<TextureBinding | null> {
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

/** The triangle set-up of a physically based shader; PbrShader (shading.ts) adds the per-pixel shade. */
export class PbrTriangle {
  readonly material: PreparedMaterial
  protected readonly prim: PreparedPrimitive
  protected readonly pos: Float64Array
  protected readonly nrm: Float64Array | null
  protected readonly tan: Float64Array | null
  private readonly s2: number
  protected readonly slots: Array<TextureBinding | null>
  protected readonly groups: SlotGroups
  private readonly groupCount: number
  protected readonly anyMip: boolean
  /** ½·log2 K per slot group for the current triangle. */
  protected readonly lodBase = new Float64Array(SLOTS)
  /** Tags this shader's entries in the triangle cache. */
  private readonly serial = nextSerial()
  protected i0 = 0; protected i1 = 0; protected i2 = 0
  protected fnx = 0; protected fny = 0; protected fnz = 1
  protected flip = 1
  /** Per-triangle tangent frame (used when the primitive has no tangents): T and handedness. */
  protected ftx = 1; protected fty = 0; protected ftz = 0; protected ftw = 1

  constructor (prim: PreparedPrimitive, v: ShaderVertices, pixelScale: number) {
    this.prim = prim
    this.material = prim.material
    this.pos = v.positions
    this.nrm = v.normals
    this.tan = v.tangents
    this.s2 = pixelScale * pixelScale
    this.slots = slotsOf(prim.material)
    this.groups = groupSlots(prim, this.slots)
    this.groupCount = this.groups.groupSlot.length
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
    for (let g = 0; g < this.groupCount; g++) lb[g] = c[o + 11 + g]!
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
    for (let g = 0; g < this.groupCount; g++) c[o + 11 + g] = lb[g]!
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
}

/**
 * The texture reads of one physically based shade (shading.ts), fused: for
 * each slot group (texture-slots.ts: same coordinates, level-0 size, wrap
 * modes and filter) the texture footprint is computed once, in local
 * numbers, and applied to every channel the shade uses of every texture of
 * the group, with no call per read. The numbers are those of
 * `footprintAt` and `readRgba` (texture-read.ts), channel by channel: the
 * same operations in the same order, so the texels are bit-identical.
 */
import type { PreparedMaterial, PreparedPrimitive, TextureBinding } from './scene-reader.ts'
import type { SlotGroups } from './texture-slots.ts'
import type { LinearTexture, TextureLevel } from './texture.ts'
import { lodLog2 } from './det-math.ts'
import { wrap } from './texture-read.ts'

/** The channels [first, end) a shade reads of each slot (shading.ts slot order). */
const FIRST_CHANNEL = [0, 1, 0, 0, 0, 3, 0, 0, 1, 0]
const END_CHANNEL = [4, 3, 3, 1, 3, 4, 3, 1, 2, 1]

/**
 * Which slots of material `m` a shade reads (where it has a texture): base
 * colour always; the rest only when lit, emissive only with a non-zero
 * factor, clearcoat and transmission only with a non-zero factor.
 */
export function slotsRead (m: PreparedMaterial, slots: ReadonlyArray<TextureBinding | null>): boolean[] {
  const lit = !m.unlit
  const ef = m.emissiveFactor
  const use = [true, lit, lit, lit, lit && (ef[0]! > 0 || ef[1]! > 0 || ef[2]! > 0), lit, lit,
    lit && m.clearcoatFactor > 0, lit && m.clearcoatFactor > 0, lit && m.transmissionFactor > 0]
  return slots.map((b, s) => b !== null && use[s]!)
}

/** Identities of textures, for the keys of the packed-texture cache. */
const textureIds = new WeakMap<LinearTexture, number>()
let nextTextureId = 0
/** Packed mip chains by their first texture, then by the textures and channels they hold. */
const packedCache = new WeakMap<LinearTexture, Map<string, Uint16Array[]>>()

/**
 * The mip chain of the channels `c0[k]..c1[k]` of textures `tex[k]` (all of
 * the same size) interleaved texel by texel: texel t of a level holds those
 * channels at [t·C, (t + 1)·C), in order. Kept per texture set (a prepared
 * scene is rendered many times), so built once.
 */
function packedLevels (tex: readonly LinearTexture[], c0: readonly number[], c1: readonly number[]): Uint16Array[] {
  const key = tex.map((t, k) => {
    let id = textureIds.get(t)
    if (id === undefined) { id = nextTextureId++; textureIds.set(t, id) }
    return `${id}:${c0[k]!}-${c1[k]!}`
  }).join(' ')
  let byKey = packedCache.get(tex[0]!)
  if (byKey === undefined) { byKey = new Map(); packedCache.set(tex[0]!, byKey) }
  const held = byKey.get(key)
  if (held !== undefined) return held
  let C = 0
  for (let k = 0; k < tex.length; k++) C += c1[k]! - c0[k]!
  const levels = tex[0]!.levels.map((lv, l) => {
    const n = lv.width * lv.height
    const out = new Uint16Array(n * C)
    let j = 0
    for (let k = 0; k < tex.length; k++) {
      const d = tex[k]!.levels[l]!.data
      for (let c = c0[k]!; c < c1[k]!; c++, j++) for (let t = 0; t < n; t++) out[t * C + j] = d[t * 4 + c]!
    }
    return out
  })
  byKey.set(key, levels)
  return levels
}

/** Reads the texels of a primitive's slots at a pixel into `texel[s·4 + c]` (linear, [0, 1]). */
export class TexelFetch {
  readonly groupCount: number
  /** Per group: its UV group, filter, wrap modes, the level sizes of its textures. */
  readonly gUv: Int32Array
  readonly gMip: Uint8Array
  readonly gNearest: Uint8Array
  readonly gWrapS: Int32Array
  readonly gWrapT: Int32Array
  readonly gLevels: TextureLevel[][]
  /** Per group: the channels it reads, packed (packedLevels), C = gStart[g + 1] − gStart[g] per texel. */
  readonly gPacked: Uint16Array[][]
  readonly gStart: Int32Array
  /** Per packed channel: where its value goes in `texel` (slot·4 + channel). */
  readonly target: Int32Array
  /** Per UV group: the coordinate set (or null: (0, 0)) and transform. */
  readonly uvSet: Array<Float64Array | null>
  readonly uvTransform: Array<Float64Array | null>
  /** Per UV group after the first: the coordinates at the pixel (u, v pairs). */
  readonly uv: Float64Array
  /** Level-of-detail bias of the pixel being shaded (the shader's `lodBias`). */
  lodBias = 0

  constructor (prim: PreparedPrimitive, slots: ReadonlyArray<TextureBinding | null>, groups: SlotGroups, read: readonly boolean[]) {
    const G = groups.groupSlot.length
    this.groupCount = G
    this.gUv = Int32Array.from(groups.groupUv)
    this.gMip = new Uint8Array(G); this.gNearest = new Uint8Array(G); this.gWrapS = new Int32Array(G); this.gWrapT = new Int32Array(G)
    this.gLevels = []
    this.gPacked = []
    this.gStart = new Int32Array(G + 1)
    const target: number[] = []
    for (let g = 0; g < G; g++) {
      const b = slots[groups.groupSlot[g]!]!
      this.gMip[g] = b.mipmaps ? 1 : 0; this.gNearest[g] = b.nearest ? 1 : 0; this.gWrapS[g] = b.wrapS; this.gWrapT[g] = b.wrapT
      this.gLevels.push(b.texture.levels)
      this.gStart[g] = target.length
      const tex: LinearTexture[] = []; const c0: number[] = []; const c1: number[] = []
      for (let s = 0; s < slots.length; s++) {
        if (groups.slotGroup[s] !== g || !read[s]!) continue
        tex.push(slots[s]!.texture); c0.push(FIRST_CHANNEL[s]!); c1.push(END_CHANNEL[s]!)
        for (let c = FIRST_CHANNEL[s]!; c < END_CHANNEL[s]!; c++) target.push(s * 4 + c)
      }
      this.gPacked.push(tex.length === 0 ? [] : packedLevels(tex, c0, c1))
    }
    this.gStart[G] = target.length
    this.target = Int32Array.from(target)
    this.uvSet = groups.uvSlot.map((s) => { const b = slots[s]!; return b.texCoord === 1 && prim.uv1 !== null ? prim.uv1 : prim.uv0 })
    this.uvTransform = groups.uvSlot.map((s) => slots[s]!.transform)
    this.uv = new Float64Array(groups.uvSlot.length * 2)
  }

  /**
   * The texels of every slot read at barycentrics q[0..2] of triangle
   * (i0, i1, i2), at view depth w = q[3] with level-of-detail bias
   * `lodBias`, into texel[s·4 + c]. A mipmapped group's level of detail is
   * lodBase[g] + 1.5·log2 w + bias (shading.ts).
   */
  fetch (i0: number, i1: number, i2: number, q: Float64Array, lodBase: Float64Array, texel: Float64Array): void {
    const b0 = q[0]!; const b1 = q[1]!; const b2 = q[2]!
    let u0 = 0; let v0 = 0 // UV group 0's coordinates (most materials have no other), kept out of `uvs`
    const uvs = this.uv
    const uvSet = this.uvSet; const uvTransform = this.uvTransform
    const gStart = this.gStart; const gUv = this.gUv; const gMip = this.gMip; const gNearest = this.gNearest
    const target = this.target
    let lodTerm = NaN // computed at the first mipmapped group
    for (let k = 0; k < uvSet.length; k++) {
      // uv.ts interpolateUvAt
      const set = uvSet[k]!
      let u = 0; let v = 0
      if (set !== null) {
        u = set[i0 * 2]! * b0 + set[i1 * 2]! * b1 + set[i2 * 2]! * b2
        v = set[i0 * 2 + 1]! * b0 + set[i1 * 2 + 1]! * b1 + set[i2 * 2 + 1]! * b2
      }
      const t = uvTransform[k]!
      if (t !== null) { const tu = t[0]! * u + t[1]! * v + t[2]!; v = t[3]! * u + t[4]! * v + t[5]!; u = tu }
      if (k === 0) { u0 = u; v0 = v } else { uvs[k * 2] = u; uvs[k * 2 + 1] = v }
    }
    for (let g = 0; g < this.groupCount; g++) {
      const start = gStart[g]!; const end = gStart[g + 1]!
      if (start === end) continue
      const ug = gUv[g]!
      let u = ug === 0 ? u0 : uvs[ug * 2]!; let v = ug === 0 ? v0 : uvs[ug * 2 + 1]!
      if (!Number.isFinite(u)) u = 0
      if (!Number.isFinite(v)) v = 0
      const mip = gMip[g] === 1
      if (mip && lodTerm !== lodTerm) lodTerm = 1.5 * lodLog2(q[3]!) + this.lodBias
      const lod = mip ? lodBase[g]! + lodTerm : 0
      const levels = this.gLevels[g]!
      const wrapS = this.gWrapS[g]!; const wrapT = this.gWrapT[g]!
      // texture-read.ts footprintAt: mode 0 one texel, 1 one bilinear level, 2 two levels blended by f
      let mode = 1; let la = 0; let lb = 0; let f = 0
      if (!(lod > 0) || !mip) {
        if (!(lod > 0) && gNearest[g] === 1) mode = 0
      } else {
        const top = levels.length - 1
        if (lod >= top) la = top
        else {
          la = Math.floor(lod); f = lod - la
          if (f !== 0) { mode = 2; lb = la + 1 }
        }
      }
      const lv = levels[la]!
      const w = lv.width; const h = lv.height
      const C = end - start // channels per packed texel
      let a00 = 0; let a10 = 0; let a01 = 0; let a11 = 0; let w00 = 0; let w10 = 0; let w01 = 0; let w11 = 0
      if (mode === 0) {
        a00 = (wrap(Math.floor(v * h), h, wrapT) * w + wrap(Math.floor(u * w), w, wrapS)) * C
      } else {
        const x = u * w - 0.5; const y = v * h - 0.5
        const fx0 = Math.floor(x); const fy0 = Math.floor(y)
        const fx = x - fx0; const fy = y - fy0
        const x0 = wrap(fx0, w, wrapS); const x1 = wrap(fx0 + 1, w, wrapS)
        const y0 = wrap(fy0, h, wrapT); const y1 = wrap(fy0 + 1, h, wrapT)
        a00 = (y0 * w + x0) * C; a10 = (y0 * w + x1) * C; a01 = (y1 * w + x0) * C; a11 = (y1 * w + x1) * C
        w00 = (1 - fx) * (1 - fy); w10 = fx * (1 - fy); w01 = (1 - fx) * fy; w11 = fx * fy
      }
      let e00 = 0; let e10 = 0; let e01 = 0; let e11 = 0; let v00 = 0; let v10 = 0; let v01 = 0; let v11 = 0
      if (mode === 2) {
        const lv2 = levels[lb]!
        const w2 = lv2.width; const h2 = lv2.height
        const x = u * w2 - 0.5; const y = v * h2 - 0.5
        const fx0 = Math.floor(x); const fy0 = Math.floor(y)
        const fx = x - fx0; const fy = y - fy0
        const x0 = wrap(fx0, w2, wrapS); const x1 = wrap(fx0 + 1, w2, wrapS)
        const y0 = wrap(fy0, h2, wrapT); const y1 = wrap(fy0 + 1, h2, wrapT)
        e00 = (y0 * w2 + x0) * C; e10 = (y0 * w2 + x1) * C; e01 = (y1 * w2 + x0) * C; e11 = (y1 * w2 + x1) * C
        v00 = (1 - fx) * (1 - fy); v10 = fx * (1 - fy); v01 = (1 - fx) * fy; v11 = fx * fy
      }
      // the packed channels of the group's textures, texel by texel (the same texel values as their RGBA levels)
      const packed = this.gPacked[g]!
      const d = packed[la]!
      if (mode === 0) {
        for (let j = 0; j < C; j++) texel[target[start + j]!] = d[a00 + j]! / 65535
      } else if (mode === 1) {
        for (let j = 0; j < C; j++) texel[target[start + j]!] = (d[a00 + j]! * w00 + d[a10 + j]! * w10 + d[a01 + j]! * w01 + d[a11 + j]! * w11) / 65535
      } else {
        const e = packed[lb]!
        for (let j = 0; j < C; j++) {
          const x = (d[a00 + j]! * w00 + d[a10 + j]! * w10 + d[a01 + j]! * w01 + d[a11 + j]! * w11) / 65535
          texel[target[start + j]!] = x + ((e[e00 + j]! * v00 + e[e10 + j]! * v10 + e[e01 + j]! * v01 + e[e11 + j]! * v11) / 65535 - x) * f
        }
      }
    }
  }
}

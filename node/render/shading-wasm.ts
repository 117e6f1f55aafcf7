/**
 * PbrShader with its shade run by the WebAssembly kernel (pbr-kernel.ts):
 * the same set-up (PbrTriangle), the same fragment bits. The shader's block
 * in the kernel's memory is written once when the shader is made; the
 * selected triangle is written before the first shade after it changes.
 */
import type { CameraLight } from './lights.ts'
import { type PbrKernel, pbrKernel } from './pbr-kernel.ts'
import type { PbrLightingOptions } from './pbr-lighting.ts'
import { SLOTS, type ShaderVertices } from './pbr-triangle.ts'
import type { PreparedPrimitive } from './scene-reader.ts'
import { PbrShader } from './shading.ts'

// block fields (kernel/pbr-shade.as.ts)
const F_BASE = 0; const F_UNLIT = 4; const F_NSCALE = 5; const F_METAL = 6; const F_ROUGH = 7; const F_SPEC = 8; const F_SPECCOL = 9
const F_IOR = 12; const F_OCCS = 13; const F_TRANS = 14; const F_CC = 15; const F_CCR = 16; const F_EMIS = 17; const F_BLENDED = 20
const F_ALPHAMODE = 21; const F_ENVSCALE = 22; const F_ENVA = 23; const F_ENVB = 26; const F_ENVQ = 35; const F_NLIGHTS = 53
const F_LIGHTS = 54; const F_POS = 55; const F_NRM = 56; const F_TAN = 57; const F_COL = 58; const F_SLOTS = 59; const F_FETCH = 60
const F_I0 = 61; const F_FN = 64; const F_FLIP = 67; const F_FT = 68; const F_LODBASE = 72
const BLOCK = F_LODBASE + SLOTS

/** A PbrShader whose `shade` runs in WebAssembly. */
export class WasmPbrShader extends PbrShader {
  private readonly k: PbrKernel
  /** The block's offset in f64 elements, and in bytes. */
  private readonly bi: number
  private readonly sp: number
  private dirty = true

  constructor (prim: PreparedPrimitive, v: ShaderVertices, lights: CameraLight[], lighting: PbrLightingOptions, pixelScale: number) {
    super(prim, v, lights, lighting, pixelScale)
    const k = pbrKernel()
    this.k = k
    const m = this.material
    // arrays first (allocation may grow the memory), then the block
    const lightsAt = k.alloc(lights.length * 13 * 8)
    const posAt = k.copyF64(this.pos)
    const nrmAt = this.nrm === null ? 0 : k.copyF64(this.nrm)
    const tanAt = this.tan === null ? 0 : k.copyF64(this.tan)
    const colAt = prim.colors === null ? 0 : k.placeF64(prim.colors)
    const fetchAt = this.writeFetch()
    const sp = k.alloc(BLOCK * 8)
    this.sp = sp
    const bi = sp / 8
    this.bi = bi
    const f = k.f64
    for (let i = 0; i < lights.length; i++) {
      const L = lights[i]!; const o = lightsAt / 8 + i * 13
      f[o] = L.type; f[o + 1] = L.x; f[o + 2] = L.y; f[o + 3] = L.z; f[o + 4] = L.dx; f[o + 5] = L.dy; f[o + 6] = L.dz
      f[o + 7] = L.r; f[o + 8] = L.g; f[o + 9] = L.b; f[o + 10] = L.range; f[o + 11] = L.coneScale; f[o + 12] = L.coneOffset
    }
    f.set(m.baseColorFactor.subarray(0, 4), bi + F_BASE)
    f[bi + F_UNLIT] = m.unlit ? 1 : 0; f[bi + F_NSCALE] = m.normalScale; f[bi + F_METAL] = m.metallicFactor; f[bi + F_ROUGH] = m.roughnessFactor
    f[bi + F_SPEC] = m.specularFactor; f.set(m.specularColorFactor.subarray(0, 3), bi + F_SPECCOL)
    f[bi + F_IOR] = m.ior; f[bi + F_OCCS] = m.occlusionStrength; f[bi + F_TRANS] = m.transmissionFactor
    f[bi + F_CC] = m.clearcoatFactor; f[bi + F_CCR] = m.clearcoatRoughnessFactor; f.set(m.emissiveFactor.subarray(0, 3), bi + F_EMIS)
    f[bi + F_BLENDED] = m.blended ? 1 : 0; f[bi + F_ALPHAMODE] = m.alphaMode
    f[bi + F_ENVSCALE] = this.envScale; f.set(this.env.a, bi + F_ENVA); f.set(this.env.b, bi + F_ENVB); f.set(this.env.q, bi + F_ENVQ)
    f[bi + F_NLIGHTS] = lights.length; f[bi + F_LIGHTS] = lightsAt
    f[bi + F_POS] = posAt; f[bi + F_NRM] = nrmAt; f[bi + F_TAN] = tanAt; f[bi + F_COL] = colAt
    let mask = 0
    for (let s = 0; s < SLOTS; s++) if (this.slots[s] !== null && this.slots[s] !== undefined) mask |= 1 << s
    f[bi + F_SLOTS] = mask; f[bi + F_FETCH] = fetchAt
  }

  /** Writes the fetch description (kernel's fetch()) and returns its offset. */
  private writeFetch (): number {
    const k = this.k; const fe = this.fetcher
    const uvCount = fe.uvSet.length; const G = fe.groupCount
    const targetAt = k.alloc(fe.target.length * 8)
    const uvSetAt = fe.uvSet.map((s) => (s === null ? 0 : k.placeF64(s)))
    const levelsAt: number[] = []
    for (let g = 0; g < G; g++) {
      const packed = fe.gPacked[g]!; const levels = fe.gLevels[g]!
      const dataAt = packed.map((d) => k.placeU16(d))
      const at = k.alloc(levels.length * 3 * 8)
      const f = k.f64; const o = at / 8
      for (let l = 0; l < levels.length; l++) { f[o + l * 3] = levels[l]!.width; f[o + l * 3 + 1] = levels[l]!.height; f[o + l * 3 + 2] = dataAt[l] ?? 0 }
      levelsAt.push(at)
    }
    const at = k.alloc((3 + uvCount * 8 + G * 9) * 8)
    const f = k.f64; const o = at / 8
    for (let j = 0; j < fe.target.length; j++) f[targetAt / 8 + j] = fe.target[j]!
    f[o] = uvCount; f[o + 1] = G; f[o + 2] = targetAt
    for (let u = 0; u < uvCount; u++) {
      const p = o + 3 + u * 8
      f[p] = uvSetAt[u]!
      const t = fe.uvTransform[u]!
      f[p + 1] = t === null ? 0 : 1
      if (t !== null) for (let j = 0; j < 6; j++) f[p + 2 + j] = t[j]!
    }
    for (let g = 0; g < G; g++) {
      const p = o + 3 + uvCount * 8 + g * 9
      f[p] = fe.gStart[g]!; f[p + 1] = fe.gStart[g + 1]!; f[p + 2] = fe.gUv[g]!; f[p + 3] = fe.gMip[g]!; f[p + 4] = fe.gNearest[g]!
      f[p + 5] = fe.gWrapS[g]!; f[p + 6] = fe.gWrapT[g]!; f[p + 7] = fe.gLevels[g]!.length; f[p + 8] = levelsAt[g]!
    }
    return at
  }

  override setTriangle (i0: number, i1: number, i2: number, setup: Float64Array): void {
    super.setTriangle(i0, i1, i2, setup)
    this.dirty = true
  }

  override restoreTriangle (t: number): boolean {
    const r = super.restoreTriangle(t)
    if (r) this.dirty = true
    return r
  }

  /** Writes the selected triangle into the block (when it changed since) and returns the block's offset. */
  sync (): number {
    if (this.dirty) {
      const f = this.k.f64; const bi = this.bi
      f[bi + F_I0] = this.i0; f[bi + F_I0 + 1] = this.i1; f[bi + F_I0 + 2] = this.i2
      f[bi + F_FN] = this.fnx; f[bi + F_FN + 1] = this.fny; f[bi + F_FN + 2] = this.fnz; f[bi + F_FLIP] = this.flip
      f[bi + F_FT] = this.ftx; f[bi + F_FT + 1] = this.fty; f[bi + F_FT + 2] = this.ftz; f[bi + F_FT + 3] = this.ftw
      f.set(this.lodBase, bi + F_LODBASE)
      this.dirty = false
    }
    return this.sp
  }

  override shade (frag: Float64Array, out: Float64Array): void {
    const k = this.k
    this.sync()
    k.exports.shade(this.sp, frag[0]!, frag[1]!, frag[2]!, frag[3]!, this.lodBias)
    const f = k.f64; const o = k.outIndex
    out[0] = f[o]!; out[1] = f[o + 1]!; out[2] = f[o + 2]!; out[3] = f[o + 3]!; out[4] = f[o + 4]!; out[5] = f[o + 5]!; out[6] = f[o + 6]!
  }
}

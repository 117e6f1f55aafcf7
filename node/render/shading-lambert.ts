/**
 * The previous shading model, kept callable as the baseline of the render
 * benchmark and for comparisons (`RenderOptions.shading = 'lambert'`).
 *
 * Per-pixel shading: base colour (factor × vertex colour × texture), a fixed
 * directional light plus ambient with Lambert's cosine on the interpolated
 * normal (renormalized with a square root), emissive added on top; unlit
 * materials (KHR_materials_unlit) output their base colour. All in linear
 * light; the light is fixed in camera space so every sampled view is lit the
 * same way whatever its direction.
 */
import type { PreparedMaterial, PreparedPrimitive, TextureBinding } from './scene-reader.ts'
import type { PixelShader } from './rasterizer.ts'
import { mipLevelFor, sampleTexture } from './texture.ts'
import { interpolateUv, vertexUv } from './uv.ts'

/** Light settings of the fixed lighting model. */
export interface LightingOptions {
  /** Direction towards the light in camera space (x right, y up, z towards the viewer); normalized internally. */
  direction: [number, number, number]
  /** Ambient term added to every lit surface. */
  ambient: number
  /** Intensity of the directional light. */
  diffuse: number
}

/**
 * Default lighting: a key light from above right and in front of the viewer
 * (like a photographer's 45° key light), 0.3 ambient + 0.7 diffuse so a
 * surface facing the light reaches full base colour and one facing away keeps
 * 30% (shapes stay readable in every view).
 */
export const DEFAULT_LIGHTING_OPTIONS: LightingOptions = {
  direction: [0.4, 0.6, 0.7],
  ambient: 0.3,
  diffuse: 0.7
}

const tmp = new Float64Array(4)
const uvA = new Float64Array(2)
const uvB = new Float64Array(2)
const uvC = new Float64Array(2)

/** Shades pixels of one primitive; set up per triangle with `setTriangle`, then `shade` per pixel. */
export class LambertShader implements PixelShader {
  readonly material: PreparedMaterial
  readonly prim: PreparedPrimitive
  /** Camera-space normals (3 per vertex) or null to use the flat face normal. */
  readonly normals: Float64Array | null
  private readonly lx: number
  private readonly ly: number
  private readonly lz: number
  private readonly ambient: number
  private readonly diffuse: number
  private i0 = 0
  private i1 = 0
  private i2 = 0
  private fnx = 0
  private fny = 0
  private fnz = 1
  private flip = 1
  private baseLevel = 0
  private emissiveLevel = 0

  private readonly positions: Float64Array
  private readonly pixelScale: number
  /** Unused: the Lambert model is never deferred. */
  lodBias = 0

  constructor (prim: PreparedPrimitive, positions: Float64Array, normals: Float64Array | null, lighting: LightingOptions, pixelScale: number) {
    this.prim = prim
    this.positions = positions
    this.pixelScale = pixelScale
    this.material = prim.material
    this.normals = normals
    const [x, y, z] = lighting.direction
    const l = Math.sqrt(x * x + y * y + z * z)
    this.lx = x / l; this.ly = y / l; this.lz = z / l
    this.ambient = lighting.ambient
    this.diffuse = lighting.diffuse
  }

  /**
   * Selects the triangle: vertex indices and its set-up (PixelShader.setTriangle:
   * unit face normal in camera space, facing, twice its area). Mip levels are chosen once per triangle at its centroid's depth.
   */
  setTriangle (i0: number, i1: number, i2: number, setup: Float64Array): void {
    const facing = setup[3]!; const planeDist = facing < 0 ? -facing : facing; const area2 = setup[4]!
    this.i0 = i0; this.i1 = i1; this.i2 = i2
    this.fnx = setup[0]!; this.fny = setup[1]!; this.fnz = setup[2]!
    this.flip = facing < 0 ? -1 : 1
    const p = this.positions
    const w = -(p[i0 * 3 + 2]! + p[i1 * 3 + 2]! + p[i2 * 3 + 2]!) / 3
    // world area of one pixel at depth w on this plane: w³ / (s² · planeDist); texels per pixel = that × texel density
    const pixelWorld = w * w * w / (this.pixelScale * this.pixelScale * planeDist)
    const m = this.material
    this.baseLevel = m.baseColorTexture !== null && m.baseColorTexture.mipmaps ? this.level(m.baseColorTexture, area2, pixelWorld) : 0
    this.emissiveLevel = m.emissiveTexture !== null && m.emissiveTexture.mipmaps ? this.level(m.emissiveTexture, area2, pixelWorld) : 0
  }

  private level (b: TextureBinding, area2: number, pixelWorld: number): number {
    this.vertexUv(b, this.i0, uvA); this.vertexUv(b, this.i1, uvB); this.vertexUv(b, this.i2, uvC)
    const lv = b.texture.levels[0]!
    const uvArea2 = Math.abs((uvB[0]! - uvA[0]!) * (uvC[1]! - uvA[1]!) - (uvB[1]! - uvA[1]!) * (uvC[0]! - uvA[0]!))
    const levels = b.texture.levels.length
    return mipLevelFor(uvArea2 * lv.width * lv.height * pixelWorld, area2, levels)
  }

  /** UV of texture binding `b` at barycentrics (b0, b1, b2), after KHR_texture_transform; written to tmp[0..1]. */
  private uv (b: TextureBinding, b0: number, b1: number, b2: number): void {
    interpolateUv(this.prim, b, this.i0, this.i1, this.i2, b0, b1, b2, tmp)
  }

  /** Transformed UV at a vertex, for mip selection (writes out[0..1]). */
  vertexUv (b: TextureBinding, i: number, out: Float64Array): void {
    vertexUv(this.prim, b, i, out)
  }

  /** Shades barycentrics frag[0..2] of the current triangle into out = linear [r, g, b, alpha]. */
  shade (frag: Float64Array, out: Float64Array): void {
    const b0 = frag[0]!; const b1 = frag[1]!; const b2 = frag[2]!
    const m = this.material
    const f = m.baseColorFactor
    let r = f[0]!; let g = f[1]!; let bl = f[2]!; let a = f[3]!
    const c = this.prim.colors
    if (c !== null) {
      const o0 = this.i0 * 4; const o1 = this.i1 * 4; const o2 = this.i2 * 4
      r *= c[o0]! * b0 + c[o1]! * b1 + c[o2]! * b2
      g *= c[o0 + 1]! * b0 + c[o1 + 1]! * b1 + c[o2 + 1]! * b2
      bl *= c[o0 + 2]! * b0 + c[o1 + 2]! * b1 + c[o2 + 2]! * b2
      a *= c[o0 + 3]! * b0 + c[o1 + 3]! * b1 + c[o2 + 3]! * b2
    }
    const bt = m.baseColorTexture
    if (bt !== null) {
      this.uv(bt, b0, b1, b2)
      sampleTexture(bt.texture, bt.mipmaps ? this.baseLevel : 0, tmp[0]!, tmp[1]!, bt.wrapS, bt.wrapT, bt.nearest && this.baseLevel === 0, tmp)
      r *= tmp[0]!; g *= tmp[1]!; bl *= tmp[2]!; a *= tmp[3]!
    }
    if (!m.unlit) {
      let nx: number; let ny: number; let nz: number
      const n = this.normals
      if (n !== null) {
        const o0 = this.i0 * 3; const o1 = this.i1 * 3; const o2 = this.i2 * 3
        nx = n[o0]! * b0 + n[o1]! * b1 + n[o2]! * b2
        ny = n[o0 + 1]! * b0 + n[o1 + 1]! * b1 + n[o2 + 1]! * b2
        nz = n[o0 + 2]! * b0 + n[o1 + 2]! * b1 + n[o2 + 2]! * b2
        const len = Math.sqrt(nx * nx + ny * ny + nz * nz)
        if (len > 0) { nx /= len; ny /= len; nz /= len } else { nx = this.fnx; ny = this.fny; nz = this.fnz }
      } else {
        nx = this.fnx; ny = this.fny; nz = this.fnz
      }
      const ndl = this.flip * (nx * this.lx + ny * this.ly + nz * this.lz)
      const k = this.ambient + this.diffuse * (ndl > 0 ? ndl : 0)
      r *= k; g *= k; bl *= k
    }
    const ef = m.emissiveFactor
    if (ef[0]! > 0 || ef[1]! > 0 || ef[2]! > 0) {
      let er = ef[0]!; let eg = ef[1]!; let eb = ef[2]!
      const et = m.emissiveTexture
      if (et !== null) {
        this.uv(et, b0, b1, b2)
        sampleTexture(et.texture, et.mipmaps ? this.emissiveLevel : 0, tmp[0]!, tmp[1]!, et.wrapS, et.wrapT, et.nearest && this.emissiveLevel === 0, tmp)
        er *= tmp[0]!; eg *= tmp[1]!; eb *= tmp[2]!
      }
      r += er; g += eg; bl += eb
    }
    out[0] = r; out[1] = g; out[2] = bl; out[3] = a
    if (m.blended) {
      const al = a < 0 ? 0 : a > 1 ? 1 : a
      out[0] = r * al; out[1] = g * al; out[2] = bl * al
      out[4] = 1 - al; out[5] = 1 - al; out[6] = 1 - al
    }
  }
}

/**
 * Resolution of deferred opaque shading. Opaque fragments only record the
 * visible draw item, triangle and barycentrics per sample while drawing
 * (rasterizer.ts), so no fragment that is later hidden is shaded. Then, per
 * output pixel of the supersampled buffer:
 *
 * - when all its samples see the same triangle of the same item, the
 *   surface is shaded once, at the mean of the samples' barycentrics and
 *   depths (summed in sample order), with textures filtered for the whole
 *   pixel's footprint (lod + log2 ss), and that colour goes to every sample —
 *   what a GPU's multisampling does (one shade per pixel and triangle,
 *   coverage per sample);
 * - otherwise (edges, where triangles or the background meet) each recorded
 *   sample is shaded on its own.
 *
 * `resolveDeferred` writes the colours into the framebuffer (blended
 * primitives are drawn over them next); `resolveToRgba8`, for a render with
 * nothing left to draw, tone-maps and encodes each output pixel as it is
 * resolved, with the same numbers in the same order as
 * `Framebuffer.toRgba8`, without writing or reading the colour planes.
 *
 * The triangle set-up is recomputed with the rasterizer's own function, so it
 * is bit-identical to what forward shading would have used.
 */
import { detLog2 } from './det-math.ts'
import { linearToSrgb8 } from './color.ts'
import type { Framebuffer, RgbaPixels } from './framebuffer.ts'
import { type PixelShader, triangleSetup } from './rasterizer.ts'
import { neutralToneMap } from './tonemap.ts'

/** What the resolve needs of each draw item: its shader and camera-space triangles. */
export interface DeferredItem {
  shader: PixelShader
  positions: Float64Array
  indices: Uint32Array
  mirrored: boolean
}

const out = new Float64Array(8)
const setup = new Float64Array(5)
const frag = new Float64Array(4)

/** A function that selects triangle t of item it in the item's shader (restored from its cache, or set up) and returns the shader. */
type Select = (it: number, t: number) => PixelShader

function selector (items: DeferredItem[]): Select {
  let curItem = -1; let curTri = -1
  return (it: number, t: number): PixelShader => {
    const di = items[it]!
    if ((it !== curItem || t !== curTri) && !(di.shader.restoreTriangle?.(t) ?? false)) {
      const i0 = di.indices[t * 3]!; const i1 = di.indices[t * 3 + 1]!; const i2 = di.indices[t * 3 + 2]!
      triangleSetup(di.positions, i0, i1, i2, di.mirrored, setup)
      di.shader.setTriangle(i0, i1, i2, setup)
      di.shader.rememberTriangle?.(t)
    }
    curItem = it; curTri = t
    return di.shader
  }
}

/**
 * Shades output pixel (x, y) when all its samples (sample indices in `idx`)
 * see the same triangle: its colour into `out` and true; false otherwise.
 */
function shadeUniform (fb: Framebuffer, idx: Int32Array, n: number, bias: number, select: Select): boolean {
  const { item, tri, bary } = fb.deferred!
  const depth = fb.depth
  const p0 = idx[0]!
  const it0 = item[p0]!; const t0 = tri[p0]!
  if (it0 < 0) return false
  for (let m = 1; m < n; m++) if (item[idx[m]!] !== it0 || tri[idx[m]!] !== t0) return false
  let b0 = 0; let b1 = 0; let b2 = 0; let z = 0
  for (let m = 0; m < n; m++) { const p = idx[m]!; b0 += bary[p * 3]!; b1 += bary[p * 3 + 1]!; b2 += bary[p * 3 + 2]!; z += depth[p]! }
  const sh = select(it0, t0)
  sh.lodBias = bias
  frag[0] = b0 / n; frag[1] = b1 / n; frag[2] = b2 / n; frag[3] = n / z
  sh.shade(frag, out)
  sh.lodBias = 0
  return true
}

/** Writes the sample indices of output pixel (x, y) into idx, rows of samples in order. */
function sampleIndices (idx: Int32Array, x: number, y: number, ss: number, W: number): void {
  let k = 0
  for (let j = 0; j < ss; j++) for (let i = 0; i < ss; i++) idx[k++] = (y * ss + j) * W + x * ss + i
}

/** Shades the recorded samples of `fb` (ss × ss per output pixel) and marks them final. */
export function resolveDeferred (fb: Framebuffer, ss: number, items: DeferredItem[]): void {
  const d = fb.deferred
  if (d === null) return
  const { item, tri, bary } = d
  const red = fb.red; const green = fb.green; const blue = fb.blue; const depth = fb.depth
  const W = fb.width
  const ow = Math.floor(fb.width / ss); const oh = Math.floor(fb.height / ss)
  const n = ss * ss
  const idx = new Int32Array(n)
  // one shade for a whole pixel samples textures at the pixel's footprint: log2(ss) levels coarser than a sample's
  const bias = detLog2(ss)
  const select = selector(items)
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      sampleIndices(idx, x, y, ss, W)
      if (shadeUniform(fb, idx, n, bias, select)) {
        for (let m = 0; m < n; m++) { const p = idx[m]!; red[p] = out[0]!; green[p] = out[1]!; blue[p] = out[2]!; item[p] = -1 }
        continue
      }
      for (let m = 0; m < n; m++) {
        const p = idx[m]!
        const it = item[p]!
        if (it < 0) continue
        frag[0] = bary[p * 3]!; frag[1] = bary[p * 3 + 1]!; frag[2] = bary[p * 3 + 2]!; frag[3] = 1 / depth[p]!
            select(it, tri[p]!).shade(frag, out)
        red[p] = out[0]!; green[p] = out[1]!; blue[p] = out[2]!; item[p] = -1
      }
    }
  }
}

/**
 * Resolves the deferred samples of a tone-mapped `fb` and encodes the
 * window to RGBA8 sRGB, as `resolveDeferred` then `fb.toRgba8(ss)` would:
 * each sample's colour (shaded, forward-shaded into the colour planes, or
 * the background where nothing was drawn) tone-mapped, the samples of a
 * pixel summed row by row from 0 and divided by their count, then encoded.
 * The framebuffer's deferred and colour buffers are left as they are.
 */
export function resolveToRgba8 (fb: Framebuffer, ss: number, items: DeferredItem[]): RgbaPixels {
  const { item, tri, bary } = fb.deferred!
  const red = fb.red; const green = fb.green; const blue = fb.blue; const depth = fb.depth
  const planes = fb.colourFilled
  const W = fb.width
  const ow = Math.floor(fb.width / ss); const oh = Math.floor(fb.height / ss)
  const data = new Uint8Array(ow * oh * 4)
  const n = ss * ss
  const inv = 1 / n
  const idx = new Int32Array(n)
  const bias = detLog2(ss)
  const select = selector(items)
  const c = new Float64Array(3)
  c[0] = fb.background[0]; c[1] = fb.background[1]; c[2] = fb.background[2]
  neutralToneMap(c, 0)
  const bgr = c[0]!; const bgg = c[1]!; const bgb = c[2]!
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      sampleIndices(idx, x, y, ss, W)
      let sr = 0; let sg = 0; let sb = 0
      if (shadeUniform(fb, idx, n, bias, select)) {
        c[0] = out[0]!; c[1] = out[1]!; c[2] = out[2]!
        neutralToneMap(c, 0)
        const tr = c[0]!; const tg = c[1]!; const tb = c[2]!
        for (let m = 0; m < n; m++) { sr += tr; sg += tg; sb += tb }
      } else {
        for (let m = 0; m < n; m++) {
          const p = idx[m]!
          const it = item[p]!
          if (it >= 0) {
            frag[0] = bary[p * 3]!; frag[1] = bary[p * 3 + 1]!; frag[2] = bary[p * 3 + 2]!; frag[3] = 1 / depth[p]!
            select(it, tri[p]!).shade(frag, out)
            c[0] = out[0]!; c[1] = out[1]!; c[2] = out[2]!
          } else if (planes) {
            c[0] = red[p]!; c[1] = green[p]!; c[2] = blue[p]!
          } else {
            sr += bgr; sg += bgg; sb += bgb
            continue
          }
          neutralToneMap(c, 0)
          sr += c[0]!; sg += c[1]!; sb += c[2]!
        }
      }
      const o = (y * ow + x) * 4
      data[o] = linearToSrgb8(sr * inv); data[o + 1] = linearToSrgb8(sg * inv); data[o + 2] = linearToSrgb8(sb * inv); data[o + 3] = 255
    }
  }
  return { width: ow, height: oh, data }
}

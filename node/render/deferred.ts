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
 * The triangle set-up is recomputed with the rasterizer's own function, so it
 * is bit-identical to what forward shading would have used.
 */
import { detLog2 } from './det-math.ts'
import type { Framebuffer } from './framebuffer.ts'
import { type PixelShader, triangleSetup } from './rasterizer.ts'

/** What the resolve needs of each draw item: its shader and camera-space triangles. */
export interface DeferredItem {
  shader: PixelShader
  positions: Float64Array
  indices: Uint32Array
  mirrored: boolean
}

const out = new Float64Array(8)
const setup = new Float64Array(5)

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
  let curItem = -1; let curTri = -1
  const select = (it: number, t: number): PixelShader => {
    const di = items[it]!
    if ((it !== curItem || t !== curTri) && !(di.shader.restoreTriangle?.(t) ?? false)) {
      const i0 = di.indices[t * 3]!; const i1 = di.indices[t * 3 + 1]!; const i2 = di.indices[t * 3 + 2]!
      triangleSetup(di.positions, i0, i1, i2, di.mirrored, setup)
      const facing = setup[3]!
      di.shader.setTriangle(i0, i1, i2, setup[0]!, setup[1]!, setup[2]!, facing < 0, facing < 0 ? -facing : facing, setup[4]!)
      di.shader.rememberTriangle?.(t)
    }
    curItem = it; curTri = t
    return di.shader
  }
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      let k = 0
      for (let j = 0; j < ss; j++) for (let i = 0; i < ss; i++) idx[k++] = (y * ss + j) * W + x * ss + i
      const p0 = idx[0]!
      const it0 = item[p0]!; const t0 = tri[p0]!
      let uniform = it0 >= 0
      for (let m = 1; m < n && uniform; m++) uniform = item[idx[m]!] === it0 && tri[idx[m]!] === t0
      if (uniform) {
        let b0 = 0; let b1 = 0; let b2 = 0; let z = 0
        for (let m = 0; m < n; m++) { const p = idx[m]!; b0 += bary[p * 3]!; b1 += bary[p * 3 + 1]!; b2 += bary[p * 3 + 2]!; z += depth[p]! }
        const sh = select(it0, t0)
        sh.lodBias = bias
        sh.shade(b0 / n, b1 / n, b2 / n, n / z, out)
        sh.lodBias = 0
        for (let m = 0; m < n; m++) { const p = idx[m]!; red[p] = out[0]!; green[p] = out[1]!; blue[p] = out[2]!; item[p] = -1 }
        continue
      }
      for (let m = 0; m < n; m++) {
        const p = idx[m]!
        const it = item[p]!
        if (it < 0) continue
        select(it, tri[p]!).shade(bary[p * 3]!, bary[p * 3 + 1]!, bary[p * 3 + 2]!, 1 / depth[p]!, out)
        red[p] = out[0]!; green[p] = out[1]!; blue[p] = out[2]!; item[p] = -1
      }
    }
  }
}

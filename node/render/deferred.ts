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
export type Select = (it: number, t: number) => PixelShader

/** The triangle selector of a resolve of `items` (also the WebAssembly resolve's, deferred-wasm.ts). */
export function selector (items: DeferredItem[]): Select {
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

/** Most samples per output pixel (4 × 4). */
const MAX_SAMPLES = 16
/** Per sample of the pixel being resolved: its group (−1: nothing deferred there). */
const grp = new Int32Array(MAX_SAMPLES)
/** Per group: its first sample (index into the pixel's samples). */
const gFirst = new Int32Array(MAX_SAMPLES)
/** Per group: its shaded linear colour (r, g, b). */
const gcol = new Float64Array(MAX_SAMPLES * 3)

/**
 * Level-of-detail biases by the number of samples a shade stands for (index
 * k, 1 to n): ½·log2 k levels coarser than one sample's footprint, log2 ss
 * for the whole pixel (k = n = ss²), 0 for one sample.
 */
export function biasTable (ss: number): Float64Array {
  const n = ss * ss
  const t = new Float64Array(n + 1)
  for (let k = 2; k < n; k++) t[k] = 0.5 * detLog2(k)
  t[n] = detLog2(ss)
  return t
}

/**
 * Shades the deferred samples of one output pixel (sample indices in
 * `idx`), once per triangle the pixel's samples see: the samples of a
 * triangle form a group (groups numbered in order of their first sample),
 * shaded at the mean of their barycentrics and depths (summed in sample
 * order) with textures filtered for the group's footprint (`bias`), or, for
 * a group of one sample, at that sample. Writes each sample's group to `grp`
 * (−1 where nothing deferred is) and each group's colour to `gcol`; returns
 * the number of groups, or −1 when every sample sees the same triangle (one
 * group, in `gcol[0..2]`; `grp` is then not written).
 */
function shadeGroups (fb: Framebuffer, idx: Int32Array, n: number, bias: Float64Array, select: Select): number {
  const { item, tri, bary } = fb.deferred!
  const depth = fb.depth
  const q0 = idx[0]!
  const it0 = item[q0]!; const t0 = tri[q0]!
  let same = it0 >= 0
  for (let m = 1; m < n && same; m++) { const p = idx[m]!; same = item[p] === it0 && tri[p] === t0 }
  if (same) {
    // the common case: every sample sees one triangle
    let b0 = 0; let b1 = 0; let b2 = 0; let z = 0
    for (let m = 0; m < n; m++) { const p = idx[m]!; b0 += bary[p * 3]!; b1 += bary[p * 3 + 1]!; b2 += bary[p * 3 + 2]!; z += depth[p]! }
    const sh = select(it0, t0)
    sh.lodBias = bias[n]!
    frag[0] = b0 / n; frag[1] = b1 / n; frag[2] = b2 / n; frag[3] = n / z
    sh.shade(frag, out)
    sh.lodBias = 0
    gcol[0] = out[0]!; gcol[1] = out[1]!; gcol[2] = out[2]!
    return -1
  }
  let groups = 0
  for (let m = 0; m < n; m++) {
    const p = idx[m]!
    const it = item[p]!
    if (it < 0) { grp[m] = -1; continue }
    const t = tri[p]!
    let g = 0
    while (g < groups) { const q = idx[gFirst[g]!]!; if (item[q] === it && tri[q] === t) break; g++ }
    if (g === groups) { gFirst[g] = m; groups++ }
    grp[m] = g
  }
  for (let g = 0; g < groups; g++) {
    const m0 = gFirst[g]!
    const p0 = idx[m0]!
    let k = 0; let b0 = 0; let b1 = 0; let b2 = 0; let z = 0
    for (let m = m0; m < n; m++) {
      if (grp[m] !== g) continue
      const p = idx[m]!
      b0 += bary[p * 3]!; b1 += bary[p * 3 + 1]!; b2 += bary[p * 3 + 2]!; z += depth[p]!; k++
    }
    const sh = select(item[p0]!, tri[p0]!)
    if (k === 1) {
      frag[0] = bary[p0 * 3]!; frag[1] = bary[p0 * 3 + 1]!; frag[2] = bary[p0 * 3 + 2]!; frag[3] = 1 / depth[p0]!
      sh.shade(frag, out)
    } else {
      sh.lodBias = bias[k]!
      frag[0] = b0 / k; frag[1] = b1 / k; frag[2] = b2 / k; frag[3] = k / z
      sh.shade(frag, out)
      sh.lodBias = 0
    }
    gcol[g * 3] = out[0]!; gcol[g * 3 + 1] = out[1]!; gcol[g * 3 + 2] = out[2]!
  }
  return groups
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
  const item = d.item
  const red = fb.red; const green = fb.green; const blue = fb.blue
  const W = fb.width
  const ow = Math.floor(fb.width / ss); const oh = Math.floor(fb.height / ss)
  const n = ss * ss
  const idx = new Int32Array(n)
  const bias = biasTable(ss)
  const select = selector(items)
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      sampleIndices(idx, x, y, ss, W)
      const groups = shadeGroups(fb, idx, n, bias, select)
      if (groups === 0) continue
      for (let m = 0; m < n; m++) {
        const g = groups < 0 ? 0 : grp[m]!
        if (g < 0) continue
        const p = idx[m]!
        red[p] = gcol[g * 3]!; green[p] = gcol[g * 3 + 1]!; blue[p] = gcol[g * 3 + 2]!; item[p] = -1
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
  const red = fb.red; const green = fb.green; const blue = fb.blue
  const planes = fb.colourFilled
  const d = fb.deferred!
  const item = d.item; const tri = d.tri; const bary = d.bary; const depth = fb.depth
  const W = fb.width
  const ow = Math.floor(fb.width / ss); const oh = Math.floor(fb.height / ss)
  const data = new Uint8Array(ow * oh * 4)
  const n = ss * ss
  const inv = 1 / n
  const idx = new Int32Array(n)
  const bias = biasTable(ss)
  const biasAll = bias[n]!
  const select = selector(items)
  const c = toneMappedBackground(fb)
  const bgr = c[0]!; const bgg = c[1]!; const bgb = c[2]!
  // a pixel none of whose samples was drawn: the background's sum over the samples, in sample order
  let bsr = 0; let bsg = 0; let bsb = 0
  for (let m = 0; m < n; m++) { bsr += bgr; bsg += bgg; bsb += bgb }
  let lr = NaN; let lg = NaN; let lb = NaN; let er = 0; let eg = 0; let eb = 0
  // the triangle the last uniform pixel selected (select is called only when it changes)
  let curIt = -1; let curT = -1; let sh: PixelShader | null = null
  const two = ss === 2
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      const p0 = y * ss * W + x * ss
      const it0 = item[p0]!; const t0 = tri[p0]!
      // whether every sample records what the first does (the same triangle, or nothing deferred)
      let uniform = true
      if (two) {
        // 2 × 2 samples (the default), written out: the same tests in the same order
        const p2 = p0 + W
        uniform = item[p0 + 1] === it0 && item[p2] === it0 && item[p2 + 1] === it0 &&
          (it0 < 0 || (tri[p0 + 1] === t0 && tri[p2] === t0 && tri[p2 + 1] === t0))
      } else {
        for (let j = 0; j < ss && uniform; j++) {
          for (let i = 0, p = p0 + j * W; i < ss; i++, p++) {
            if (item[p] !== it0 || (it0 >= 0 && tri[p] !== t0)) { uniform = false; break }
          }
        }
      }
      let sr = 0; let sg = 0; let sb = 0
      if (uniform && it0 >= 0) {
        // every sample sees one triangle (shadeGroups' common case, inline): one shade at the mean of
        // the samples' barycentrics and depths, summed in sample order; its colour added once per sample
        let b0 = 0; let b1 = 0; let b2 = 0; let z = 0
        if (two) {
          const q0 = p0 * 3; const q1 = q0 + 3; const p2 = p0 + W; const q2 = p2 * 3; const q3 = q2 + 3
          b0 = 0 + bary[q0]! + bary[q1]! + bary[q2]! + bary[q3]!
          b1 = 0 + bary[q0 + 1]! + bary[q1 + 1]! + bary[q2 + 1]! + bary[q3 + 1]!
          b2 = 0 + bary[q0 + 2]! + bary[q1 + 2]! + bary[q2 + 2]! + bary[q3 + 2]!
          z = 0 + depth[p0]! + depth[p0 + 1]! + depth[p2]! + depth[p2 + 1]!
        } else {
          for (let j = 0; j < ss; j++) {
            for (let i = 0, p = p0 + j * W; i < ss; i++, p++) { b0 += bary[p * 3]!; b1 += bary[p * 3 + 1]!; b2 += bary[p * 3 + 2]!; z += depth[p]! }
          }
        }
        if (it0 !== curIt || t0 !== curT || sh === null) { sh = select(it0, t0); curIt = it0; curT = t0 }
        sh.lodBias = biasAll
        frag[0] = b0 / n; frag[1] = b1 / n; frag[2] = b2 / n; frag[3] = n / z
        sh.shade(frag, out)
        sh.lodBias = 0
        neutralToneMap(out, 0)
        const tr = out[0]!; const tg = out[1]!; const tb = out[2]!
        for (let m = 0; m < n; m++) { sr += tr; sg += tg; sb += tb }
      } else if (uniform && !planes) {
        sr = bsr; sg = bsg; sb = bsb
      } else {
        sampleIndices(idx, x, y, ss, W)
        const groups = shadeGroups(fb, idx, n, bias, select)
        curIt = -1 // shadeGroups may have selected other triangles
        for (let g = 0; g < groups; g++) neutralToneMap(gcol, g * 3)
        for (let m = 0; m < n; m++) {
          const g = grp[m]! // groups ≥ 0 here: a pixel whose samples all see one triangle is shaded above
          if (g >= 0) { sr += gcol[g * 3]!; sg += gcol[g * 3 + 1]!; sb += gcol[g * 3 + 2]!; continue }
          if (!planes) { sr += bgr; sg += bgg; sb += bgb; continue }
          const p = idx[m]!
          c[0] = red[p]!; c[1] = green[p]!; c[2] = blue[p]!
          neutralToneMap(c, 0)
          sr += c[0]!; sg += c[1]!; sb += c[2]!
        }
      }
      const o = (y * ow + x) * 4
      const vr = sr * inv; const vg = sg * inv; const vb = sb * inv
      // runs of equal values (the background, flat surfaces) are encoded once
      if (vr !== lr) { lr = vr; er = linearToSrgb8(vr) }
      if (vg !== lg) { lg = vg; eg = linearToSrgb8(vg) }
      if (vb !== lb) { lb = vb; eb = linearToSrgb8(vb) }
      data[o] = er; data[o + 1] = eg; data[o + 2] = eb; data[o + 3] = 255
    }
  }
  return { width: ow, height: oh, data }
}

/** The framebuffer's background, tone-mapped (linear): what a pixel none of whose samples was drawn resolves to. */
export function toneMappedBackground (fb: Framebuffer): Float64Array {
  const c = new Float64Array(3)
  c[0] = fb.background[0]; c[1] = fb.background[1]; c[2] = fb.background[2]
  neutralToneMap(c, 0)
  return c
}

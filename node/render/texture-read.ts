/**
 * Sampling of linear textures (texture.ts): wrap modes, and the footprint of
 * a filtered read (which texels, with which weights: nearest, bilinear, or
 * trilinear between two mip levels), computed once per pixel and coordinate
 * and read from every texture of the same size, wrap modes and filter.
 */
import type { LinearTexture, TextureLevel } from './texture.ts'

/** glTF sampler wrap mode REPEAT. */
export const WRAP_REPEAT = 10497
/** glTF sampler wrap mode CLAMP_TO_EDGE. */
export const WRAP_CLAMP = 33071
/** glTF sampler wrap mode MIRRORED_REPEAT. */
export const WRAP_MIRROR = 33648

/** Maps an integer texel coordinate into [0, n) by the wrap mode. */
export function wrap (i: number, n: number, mode: number): number {
  if (i >= 0 && i < n) return i // inside: every mode maps i to itself (the reductions below give i exactly)
  if (mode === WRAP_CLAMP) return i < 0 ? 0 : (i >= n ? n - 1 : i)
  if (mode === WRAP_MIRROR) {
    const p = 2 * n
    let m = i - Math.floor(i / p) * p
    if (m >= n) m = p - 1 - m
    return m
  }
  return i - Math.floor(i / n) * n
}

/**
 * Where a filtered texture read takes its texels and with which weights,
 * computed once per coordinate and level of detail and applied to every
 * texture of the same size, wrap modes and filter (a material's maps usually
 * share all of them). Reading through a footprint is bit-identical to
 * filtering each texture on its own.
 */
export class TextureFootprint {
  /** 0: one texel (nearest); 1: one bilinear level; 2: two bilinear levels blended by `f`. */
  mode = 0
  /** First level: its index, the offsets of its four texels (x0y0, x1y0, x0y1, x1y1) and their weights. */
  la = 0; a00 = 0; a10 = 0; a01 = 0; a11 = 0
  wa00 = 0.5; wa10 = 0.5; wa01 = 0.5; wa11 = 0.5
  /** Second level (mode 2). */
  lb = 0; b00 = 0; b10 = 0; b01 = 0; b11 = 0
  wb00 = 0.5; wb10 = 0.5; wb01 = 0.5; wb11 = 0.5
  /** Weight of the second level. */
  f = 0.5
}

/** A zeroed footprint. */
export function newFootprint (): TextureFootprint {
  return new TextureFootprint()
}

/**
 * The first level's part of `fp`: level `li` at (u, v) (non-finite
 * coordinates read at 0), one texel (`nearest`) or the four texels of a
 * bilinear read and their weights.
 */
export function firstLevel (lv: TextureLevel, li: number, u: number, v: number, wrapS: number, wrapT: number, nearest: boolean, fp: TextureFootprint): void {
  const w = lv.width; const h = lv.height
  if (!Number.isFinite(u)) u = 0
  if (!Number.isFinite(v)) v = 0
  fp.la = li
  if (nearest) {
    const cx = wrap(Math.floor(u * w), w, wrapS); const cy = wrap(Math.floor(v * h), h, wrapT)
    fp.a00 = (cy * w + cx) * 4
    return
  }
  const x = u * w - 0.5; const y = v * h - 0.5
  const fx0 = Math.floor(x); const fy0 = Math.floor(y)
  const fx = x - fx0; const fy = y - fy0
  const x0 = wrap(fx0, w, wrapS); const x1 = wrap(fx0 + 1, w, wrapS)
  const y0 = wrap(fy0, h, wrapT); const y1 = wrap(fy0 + 1, h, wrapT)
  fp.a00 = (y0 * w + x0) * 4; fp.a10 = (y0 * w + x1) * 4; fp.a01 = (y1 * w + x0) * 4; fp.a11 = (y1 * w + x1) * 4
  fp.wa00 = (1 - fx) * (1 - fy); fp.wa10 = fx * (1 - fy); fp.wa01 = (1 - fx) * fy; fp.wa11 = fx * fy
}

/** The second level's part of `fp` (bilinear), as firstLevel computes the first's. */
function secondLevel (lv: TextureLevel, li: number, u: number, v: number, wrapS: number, wrapT: number, fp: TextureFootprint): void {
  const w = lv.width; const h = lv.height
  if (!Number.isFinite(u)) u = 0
  if (!Number.isFinite(v)) v = 0
  fp.lb = li
  const x = u * w - 0.5; const y = v * h - 0.5
  const fx0 = Math.floor(x); const fy0 = Math.floor(y)
  const fx = x - fx0; const fy = y - fy0
  const x0 = wrap(fx0, w, wrapS); const x1 = wrap(fx0 + 1, w, wrapS)
  const y0 = wrap(fy0, h, wrapT); const y1 = wrap(fy0 + 1, h, wrapT)
  fp.b00 = (y0 * w + x0) * 4; fp.b10 = (y0 * w + x1) * 4; fp.b01 = (y1 * w + x0) * 4; fp.b11 = (y1 * w + x1) * 4
  fp.wb00 = (1 - fx) * (1 - fy); fp.wb10 = fx * (1 - fy); fp.wb01 = (1 - fx) * fy; fp.wb11 = fx * fy
}

/**
 * The footprint of a trilinear read of `tex` (or any texture of the same
 * size) at level of detail `lod` (log2 of texels per pixel along a side):
 * magnification (lod ≤ 0, or NaN) reads level 0, nearest or bilinear by
 * `nearestMag`; minification blends bilinear reads of the two levels around
 * lod (the GPU's LINEAR_MIPMAP_LINEAR), or reads level 0 bilinearly when the
 * sampler has no mipmaps.
 */
export function trilinearFootprint (tex: LinearTexture, lod: number, u: number, v: number, wrapS: number, wrapT: number, nearestMag: boolean, mipmaps: boolean, fp: TextureFootprint): void {
  lodUv[0] = lod; lodUv[1] = u; lodUv[2] = v
  footprintAt(tex, lodUv, wrapS, wrapT, nearestMag, mipmaps, fp)
}

const lodUv = new Float64Array(3)

/**
 * {@link trilinearFootprint} with the level of detail and coordinates in
 * q[0], q[1], q[2] (so that a caller's numbers are not boxed as arguments).
 */
export function footprintAt (tex: LinearTexture, q: Float64Array, wrapS: number, wrapT: number, nearestMag: boolean, mipmaps: boolean, fp: TextureFootprint): void {
  const lod = q[0]!; const u = q[1]!; const v = q[2]!
  const levels = tex.levels
  if (!(lod > 0) || !mipmaps) {
    const nearest = !(lod > 0) && nearestMag
    firstLevel(levels[0]!, 0, u, v, wrapS, wrapT, nearest, fp)
    fp.mode = nearest ? 0 : 1
    return
  }
  const top = levels.length - 1
  if (lod >= top) { firstLevel(levels[top]!, top, u, v, wrapS, wrapT, false, fp); fp.mode = 1; return }
  const l0 = Math.floor(lod)
  const f = lod - l0
  firstLevel(levels[l0]!, l0, u, v, wrapS, wrapT, false, fp)
  if (f === 0) { fp.mode = 1; return }
  secondLevel(levels[l0 + 1]!, l0 + 1, u, v, wrapS, wrapT, fp)
  fp.f = f
  fp.mode = 2
}

/** Linear RGBA of `tex` read through footprint `fp`, written to out[0..3]. */
export function readRgba (tex: LinearTexture, fp: TextureFootprint, out: Float64Array): void {
  const levels = tex.levels
  const d = levels[fp.la]!.data
  if (fp.mode === 0) {
    const o = fp.a00
    out[0] = d[o]! / 65535; out[1] = d[o + 1]! / 65535; out[2] = d[o + 2]! / 65535; out[3] = d[o + 3]! / 65535
    return
  }
  const a00 = fp.a00; const a10 = fp.a10; const a01 = fp.a01; const a11 = fp.a11
  const w00 = fp.wa00; const w10 = fp.wa10; const w01 = fp.wa01; const w11 = fp.wa11
  const r = (d[a00]! * w00 + d[a10]! * w10 + d[a01]! * w01 + d[a11]! * w11) / 65535
  const g = (d[a00 + 1]! * w00 + d[a10 + 1]! * w10 + d[a01 + 1]! * w01 + d[a11 + 1]! * w11) / 65535
  const b = (d[a00 + 2]! * w00 + d[a10 + 2]! * w10 + d[a01 + 2]! * w01 + d[a11 + 2]! * w11) / 65535
  const a = (d[a00 + 3]! * w00 + d[a10 + 3]! * w10 + d[a01 + 3]! * w01 + d[a11 + 3]! * w11) / 65535
  if (fp.mode === 1) { out[0] = r; out[1] = g; out[2] = b; out[3] = a; return }
  const e = levels[fp.lb]!.data
  const b00 = fp.b00; const b10 = fp.b10; const b01 = fp.b01; const b11 = fp.b11
  const v00 = fp.wb00; const v10 = fp.wb10; const v01 = fp.wb01; const v11 = fp.wb11
  const f = fp.f
  out[0] = r + ((e[b00]! * v00 + e[b10]! * v10 + e[b01]! * v01 + e[b11]! * v11) / 65535 - r) * f
  out[1] = g + ((e[b00 + 1]! * v00 + e[b10 + 1]! * v10 + e[b01 + 1]! * v01 + e[b11 + 1]! * v11) / 65535 - g) * f
  out[2] = b + ((e[b00 + 2]! * v00 + e[b10 + 2]! * v10 + e[b01 + 2]! * v01 + e[b11 + 2]! * v11) / 65535 - b) * f
  out[3] = a + ((e[b00 + 3]! * v00 + e[b10 + 3]! * v10 + e[b01 + 3]! * v01 + e[b11 + 3]! * v11) / 65535 - a) * f
}

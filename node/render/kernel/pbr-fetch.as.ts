// AssemblyScript: the texel fetch of the WebAssembly kernel's shade (pbr-shade.as.ts), a transcription
// of TexelFetch.fetch (texel-fetch.ts) with lodLog2 (det-math.ts) and wrap (texture-read.ts): the same
// float64 operations in the same order. The fetch description it reads is written by shading-wasm.ts.

// tables and scratch, set by initFetch()
let LOG2T: usize = 0
let TV: usize = 0
let UVS: usize = 0

export function initFetch (log2t: usize, tv: usize, uvs: usize): void {
  LOG2T = log2t; TV = tv; UVS = uvs
}

const WRAP_CLAMP: f64 = 33071
const WRAP_MIRROR: f64 = 33648

@inline function at (p: usize, i: i32): f64 { return load<f64>(p + (<usize>i << 3)) }
/** The fetched texel value at slot·4 + channel. */
@inline export function tvAt (i: i32): f64 { return load<f64>(TV + (<usize>i << 3)) }

/** texture-read.ts wrap, in float64 as the JavaScript computes it. */
@inline function wrap (i: f64, n: f64, mode: f64): f64 {
  if (i >= 0 && i < n) return i
  if (mode == WRAP_CLAMP) return i < 0 ? 0 : (i >= n ? n - 1 : i)
  if (mode == WRAP_MIRROR) {
    const p = 2 * n
    let m = i - Math.floor(i / p) * p
    if (m >= n) m = p - 1 - m
    return m
  }
  return i - Math.floor(i / n) * n
}

/** det-math.ts lodLog2. */
function lodLog2 (x0: f64): f64 {
  let x = x0
  if (!(x > 0)) return x == 0 ? -Infinity : NaN
  if (x == Infinity) return Infinity
  let e: f64 = 0
  if (x < 2.2250738585072014e-308) { x *= 18014398509481984; e = -54 }
  const bits = reinterpret<u64>(x)
  const hi = <u32>(bits >> 32)
  e += <f64>(<i32>((hi >>> 20) & 0x7ff) - 1023)
  const mb = (<u64>((hi & 0x000fffff) | 0x3ff00000) << 32) | (bits & 0xffffffff)
  const t = (reinterpret<f64>(mb) - 1) * 256
  const fi = Math.floor(t)
  const i = <i32>fi
  const a = at(LOG2T, i)
  return e + (a + (at(LOG2T, i + 1) - a) * (t - fi))
}

/** texel-fetch.ts TexelFetch.fetch: the texels of every read slot into TV. */
export function fetch (fp: usize, i0: i32, i1: i32, i2: i32, b0: f64, b1: f64, b2: f64, w: f64, lodBase: usize, lodBias: f64): void {
  // fetch block: [uvCount, groupCount, target ptr, then per UV group 8: set ptr (0 none), has transform, t0..t5,
  // then per group 9: start, end, uv, mip, nearest, wrapS, wrapT, level count, levels ptr (3 per level: w, h, data ptr)]
  const uvCount = <i32>at(fp, 0); const groupCount = <i32>at(fp, 1); const target = <usize><u32>at(fp, 2)
  let u0: f64 = 0; let v0: f64 = 0
  for (let k = 0; k < uvCount; k++) {
    const o = fp + 24 + (<usize>k) * 64
    const set = <usize><u32>at(o, 0)
    let u: f64 = 0; let v: f64 = 0
    if (set != 0) {
      u = at(set, i0 * 2) * b0 + at(set, i1 * 2) * b1 + at(set, i2 * 2) * b2
      v = at(set, i0 * 2 + 1) * b0 + at(set, i1 * 2 + 1) * b1 + at(set, i2 * 2 + 1) * b2
    }
    if (at(o, 1) != 0) { const tu = at(o, 2) * u + at(o, 3) * v + at(o, 4); v = at(o, 5) * u + at(o, 6) * v + at(o, 7); u = tu }
    if (k == 0) { u0 = u; v0 = v } else { store<f64>(UVS + (<usize>k << 4), u); store<f64>(UVS + (<usize>k << 4) + 8, v) }
  }
  let lodTerm: f64 = NaN
  const gbase = fp + 24 + (<usize>uvCount) * 64
  for (let g = 0; g < groupCount; g++) {
    const gp = gbase + (<usize>g) * 72
    const start = <i32>at(gp, 0); const end = <i32>at(gp, 1)
    if (start == end) continue
    const ug = <i32>at(gp, 2)
    let u = ug == 0 ? u0 : load<f64>(UVS + (<usize>ug << 4)); let v = ug == 0 ? v0 : load<f64>(UVS + (<usize>ug << 4) + 8)
    if (!isFinite(u)) u = 0
    if (!isFinite(v)) v = 0
    const mip = at(gp, 3) == 1
    if (mip && lodTerm != lodTerm) lodTerm = 1.5 * lodLog2(w) + lodBias
    const lod = mip ? at(lodBase, g) + lodTerm : 0
    const nLevels = <i32>at(gp, 7); const levels = <usize><u32>at(gp, 8)
    const wrapS = at(gp, 5); const wrapT = at(gp, 6)
    let mode = 1; let la = 0; let lb = 0; let f: f64 = 0
    if (!(lod > 0) || !mip) {
      if (!(lod > 0) && at(gp, 4) == 1) mode = 0
    } else {
      const top = nLevels - 1
      if (lod >= <f64>top) la = top
      else {
        const fl = Math.floor(lod)
        la = <i32>fl; f = lod - fl
        if (f != 0) { mode = 2; lb = la + 1 }
      }
    }
    const lw = at(levels, la * 3); const lh = at(levels, la * 3 + 1)
    const C = end - start
    const Cf = <f64>C
    let a00: f64 = 0; let a10: f64 = 0; let a01: f64 = 0; let a11: f64 = 0; let w00: f64 = 0; let w10: f64 = 0; let w01: f64 = 0; let w11: f64 = 0
    if (mode == 0) {
      a00 = (wrap(Math.floor(v * lh), lh, wrapT) * lw + wrap(Math.floor(u * lw), lw, wrapS)) * Cf
    } else {
      const x = u * lw - 0.5; const y = v * lh - 0.5
      const fx0 = Math.floor(x); const fy0 = Math.floor(y)
      const fx = x - fx0; const fy = y - fy0
      const x0 = wrap(fx0, lw, wrapS); const x1 = wrap(fx0 + 1, lw, wrapS)
      const y0 = wrap(fy0, lh, wrapT); const y1 = wrap(fy0 + 1, lh, wrapT)
      a00 = (y0 * lw + x0) * Cf; a10 = (y0 * lw + x1) * Cf; a01 = (y1 * lw + x0) * Cf; a11 = (y1 * lw + x1) * Cf
      w00 = (1 - fx) * (1 - fy); w10 = fx * (1 - fy); w01 = (1 - fx) * fy; w11 = fx * fy
    }
    let e00: f64 = 0; let e10: f64 = 0; let e01: f64 = 0; let e11: f64 = 0; let v00: f64 = 0; let v10: f64 = 0; let v01: f64 = 0; let v11: f64 = 0
    if (mode == 2) {
      const w2 = at(levels, lb * 3); const h2 = at(levels, lb * 3 + 1)
      const x = u * w2 - 0.5; const y = v * h2 - 0.5
      const fx0 = Math.floor(x); const fy0 = Math.floor(y)
      const fx = x - fx0; const fy = y - fy0
      const x0 = wrap(fx0, w2, wrapS); const x1 = wrap(fx0 + 1, w2, wrapS)
      const y0 = wrap(fy0, h2, wrapT); const y1 = wrap(fy0 + 1, h2, wrapT)
      e00 = (y0 * w2 + x0) * Cf; e10 = (y0 * w2 + x1) * Cf; e01 = (y1 * w2 + x0) * Cf; e11 = (y1 * w2 + x1) * Cf
      v00 = (1 - fx) * (1 - fy); v10 = fx * (1 - fy); v01 = (1 - fx) * fy; v11 = fx * fy
    }
    const d = <usize><u32>at(levels, la * 3 + 2)
    const p00 = d + (<usize><u32>a00 << 1); const p10 = d + (<usize><u32>a10 << 1); const p01 = d + (<usize><u32>a01 << 1); const p11 = d + (<usize><u32>a11 << 1)
    if (mode == 0) {
      for (let j = 0; j < C; j++) {
        const tgt = <usize><i32>at(target, start + j)
        store<f64>(TV + (tgt << 3), <f64>load<u16>(p00 + (<usize>j << 1)) / 65535)
      }
    } else if (mode == 1) {
      for (let j = 0; j < C; j++) {
        const jo = <usize>j << 1
        const tgt = <usize><i32>at(target, start + j)
        store<f64>(TV + (tgt << 3), (<f64>load<u16>(p00 + jo) * w00 + <f64>load<u16>(p10 + jo) * w10 + <f64>load<u16>(p01 + jo) * w01 + <f64>load<u16>(p11 + jo) * w11) / 65535)
      }
    } else {
      const e = <usize><u32>at(levels, lb * 3 + 2)
      const q00 = e + (<usize><u32>e00 << 1); const q10 = e + (<usize><u32>e10 << 1); const q01 = e + (<usize><u32>e01 << 1); const q11 = e + (<usize><u32>e11 << 1)
      for (let j = 0; j < C; j++) {
        const jo = <usize>j << 1
        const tgt = <usize><i32>at(target, start + j)
        const x = (<f64>load<u16>(p00 + jo) * w00 + <f64>load<u16>(p10 + jo) * w10 + <f64>load<u16>(p01 + jo) * w01 + <f64>load<u16>(p11 + jo) * w11) / 65535
        store<f64>(TV + (tgt << 3), x + ((<f64>load<u16>(q00 + jo) * v00 + <f64>load<u16>(q10 + jo) * v10 + <f64>load<u16>(q01 + jo) * v01 + <f64>load<u16>(q11 + jo) * v11) / 65535 - x) * f)
      }
    }
  }
}


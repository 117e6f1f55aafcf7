// AssemblyScript: the deferred resolve of the WebAssembly kernel (pbr-kernel.ts), the entry of
// pbr-kernel.wasm (scripts/build-pbr-kernel.ts). A transcription of resolveToRgba8 for a framebuffer
// without colour planes and of shadeGroups (deferred.ts), neutralToneMap (tonemap.ts) and linearToSrgb8
// (color.ts): the same float64 operations in the same order.
import { at, OUT, shade } from './pbr-shade.as'
export { init, shade } from './pbr-shade.as'

let THR: usize = 0 // color.ts THRESHOLDS, 255 f64
let ENC: usize = 0 // color.ts ENCODE_START, 16385 u8

export function initEncode (thr: usize, enc: usize): void { THR = thr; ENC = enc }

/** JavaScript selects triangle t of draw item it (restored or set up), writes it into the item's block and returns the block. */
@external('kernel', 'select')
declare function selectTriangle (it: i32, t: i32): usize

/** color.ts linearToSrgb8. */
function linearToSrgb8 (v: f64): i32 {
  if (!(v > 0)) return 0
  if (v >= 1) return 255
  let k = <i32>load<u8>(ENC + <usize><i32>Math.floor(v * 16384))
  while (k < 255 && load<f64>(THR + (<usize>k << 3)) <= v) k++
  return k
}

let tmR: f64 = 0
let tmG: f64 = 0
let tmB: f64 = 0

/** tonemap.ts neutralToneMap, into tmR/G/B. */
function neutralToneMap (r0: f64, g0: f64, b0: f64): void {
  let r = r0; let g = g0; let b = b0
  if (!(r > 0)) r = 0; if (!(g > 0)) g = 0; if (!(b > 0)) b = 0
  if (r > 1e300) r = 1e300; if (g > 1e300) g = 1e300; if (b > 1e300) b = 1e300
  const x = r < g ? (r < b ? r : b) : (g < b ? g : b)
  const offset = x < 0.08 ? x - 6.25 * x * x : 0.04
  r -= offset; g -= offset; b -= offset
  const peak = r > g ? (r > b ? r : b) : (g > b ? g : b)
  const START: f64 = 0.8 - 0.04
  if (peak < START) { tmR = r; tmG = g; tmB = b; return }
  const d = 1 - START
  const newPeak = 1 - d * d / (peak + d - START)
  const s = newPeak / peak
  r *= s; g *= s; b *= s
  const t = 1 - 1 / (0.15 * (peak - newPeak) + 1)
  tmR = r + (newPeak - r) * t
  tmG = g + (newPeak - g) * t
  tmB = b + (newPeak - b) * t
}

// the selected triangle: its draw item and index, and the item's block
let curIt: i32 = -1
let curT: i32 = -1
let curSp: usize = 0

@inline function select (it: i32, t: i32): usize {
  if (it != curIt || t != curT) { curSp = selectTriangle(it, t); curIt = it; curT = t }
  return curSp
}

// per sample of the pixel (at most 16): its index, group; per group its first sample and colour
let IDX: usize = 0 // 16 i32
let GRP: usize = 0 // 16 i32
let GFIRST: usize = 0 // 16 i32
let GCOL: usize = 0 // 48 f64

/**
 * deferred.ts resolveToRgba8 for a framebuffer without colour planes: W × H samples (ss × ss per output
 * pixel) with item, tri (i32), bary (3 f64), depth (f64) at the given offsets, output rows y0 to y1 − 1
 * (called row by row, so that a render already runs the optimized code once the engine has made it:
 * WebAssembly replaces a function's code only between its calls); bias: the level-of-detail
 * bias table (n + 1 f64); bg: the tone-mapped background (3 f64); scratch: 512 bytes; RGBA8 to `data`.
 */
export function resolve (y0: i32, y1: i32, W: i32, ow: i32, ss: i32, item: usize, tri: usize, bary: usize, depth: usize, bias: usize, bg: usize, scratch: usize, data: usize): void {
  IDX = scratch; GRP = scratch + 64; GFIRST = scratch + 128; GCOL = scratch + 192
  if (y0 == 0) { curIt = -1; curT = -1 }
  const n = ss * ss
  const nf = <f64>n
  const inv = 1 / nf
  const biasAll = at(bias, n)
  const bgr = at(bg, 0); const bgg = at(bg, 1); const bgb = at(bg, 2)
  let bsr: f64 = 0; let bsg: f64 = 0; let bsb: f64 = 0
  for (let m = 0; m < n; m++) { bsr += bgr; bsg += bgg; bsb += bgb }
  let lr: f64 = NaN; let lg: f64 = NaN; let lb: f64 = NaN; let er = 0; let eg = 0; let eb = 0
  for (let y = y0; y < y1; y++) {
    for (let x = 0; x < ow; x++) {
      const p0 = y * ss * W + x * ss
      const it0 = load<i32>(item + (<usize>p0 << 2)); const t0 = load<i32>(tri + (<usize>p0 << 2))
      let uniform = true
      for (let j = 0; j < ss && uniform; j++) {
        for (let i = 0, p = p0 + j * W; i < ss; i++, p++) {
          if (load<i32>(item + (<usize>p << 2)) != it0 || (it0 >= 0 && load<i32>(tri + (<usize>p << 2)) != t0)) { uniform = false; break }
        }
      }
      let sr: f64 = 0; let sg: f64 = 0; let sb: f64 = 0
      if (uniform && it0 >= 0) {
        let b0: f64 = 0; let b1: f64 = 0; let b2: f64 = 0; let z: f64 = 0
        for (let j = 0; j < ss; j++) {
          for (let i = 0, p = p0 + j * W; i < ss; i++, p++) {
            const q = bary + (<usize>p) * 24
            b0 += load<f64>(q); b1 += load<f64>(q + 8); b2 += load<f64>(q + 16); z += load<f64>(depth + (<usize>p << 3))
          }
        }
        const sp = select(it0, t0)
        shade(sp, b0 / nf, b1 / nf, b2 / nf, nf / z, biasAll)
        neutralToneMap(load<f64>(OUT), load<f64>(OUT + 8), load<f64>(OUT + 16))
        const tr = tmR; const tg = tmG; const tb = tmB
        for (let m = 0; m < n; m++) { sr += tr; sg += tg; sb += tb }
      } else if (uniform) {
        sr = bsr; sg = bsg; sb = bsb
      } else {
        let k = 0
        for (let j = 0; j < ss; j++) for (let i = 0; i < ss; i++) { store<i32>(IDX + (<usize>k << 2), (y * ss + j) * W + x * ss + i); k++ }
        const groups = shadeGroups(n, item, tri, bary, depth, bias)
        for (let g = 0; g < groups; g++) {
          const o = GCOL + (<usize>g) * 24
          neutralToneMap(load<f64>(o), load<f64>(o + 8), load<f64>(o + 16))
          store<f64>(o, tmR); store<f64>(o + 8, tmG); store<f64>(o + 16, tmB)
        }
        for (let m = 0; m < n; m++) {
          const g = load<i32>(GRP + (<usize>m << 2))
          if (g >= 0) { const o = GCOL + (<usize>g) * 24; sr += load<f64>(o); sg += load<f64>(o + 8); sb += load<f64>(o + 16); continue }
          sr += bgr; sg += bgg; sb += bgb
        }
      }
      const o = data + (<usize>(y * ow + x) << 2)
      const vr = sr * inv; const vg = sg * inv; const vb = sb * inv
      if (vr != lr) { lr = vr; er = linearToSrgb8(vr) }
      if (vg != lg) { lg = vg; eg = linearToSrgb8(vg) }
      if (vb != lb) { lb = vb; eb = linearToSrgb8(vb) }
      store<u8>(o, <u8>er); store<u8>(o + 1, <u8>eg); store<u8>(o + 2, <u8>eb); store<u8>(o + 3, 255)
    }
  }
}

/** deferred.ts shadeGroups for a pixel whose samples (IDX) do not all see one triangle; returns the number of groups. */
function shadeGroups (n: i32, item: usize, tri: usize, bary: usize, depth: usize, bias: usize): i32 {
  let groups = 0
  for (let m = 0; m < n; m++) {
    const p = load<i32>(IDX + (<usize>m << 2))
    const it = load<i32>(item + (<usize>p << 2))
    if (it < 0) { store<i32>(GRP + (<usize>m << 2), -1); continue }
    const t = load<i32>(tri + (<usize>p << 2))
    let g = 0
    while (g < groups) {
      const q = load<i32>(IDX + (<usize>load<i32>(GFIRST + (<usize>g << 2)) << 2))
      if (load<i32>(item + (<usize>q << 2)) == it && load<i32>(tri + (<usize>q << 2)) == t) break
      g++
    }
    if (g == groups) { store<i32>(GFIRST + (<usize>g << 2), m); groups++ }
    store<i32>(GRP + (<usize>m << 2), g)
  }
  for (let g = 0; g < groups; g++) {
    const m0 = load<i32>(GFIRST + (<usize>g << 2))
    const p0 = load<i32>(IDX + (<usize>m0 << 2))
    let k = 0; let b0: f64 = 0; let b1: f64 = 0; let b2: f64 = 0; let z: f64 = 0
    for (let m = m0; m < n; m++) {
      if (load<i32>(GRP + (<usize>m << 2)) != g) continue
      const p = load<i32>(IDX + (<usize>m << 2))
      const q = bary + (<usize>p) * 24
      b0 += load<f64>(q); b1 += load<f64>(q + 8); b2 += load<f64>(q + 16); z += load<f64>(depth + (<usize>p << 3)); k++
    }
    const sp = select(load<i32>(item + (<usize>p0 << 2)), load<i32>(tri + (<usize>p0 << 2)))
    const q0 = bary + (<usize>p0) * 24
    if (k == 1) {
      shade(sp, load<f64>(q0), load<f64>(q0 + 8), load<f64>(q0 + 16), 1 / load<f64>(depth + (<usize>p0 << 3)), 0)
    } else {
      const kf = <f64>k
      shade(sp, b0 / kf, b1 / kf, b2 / kf, kf / z, at(bias, k))
    }
    const o = GCOL + (<usize>g) * 24
    store<f64>(o, load<f64>(OUT)); store<f64>(o + 8, load<f64>(OUT + 8)); store<f64>(o + 16, load<f64>(OUT + 16))
  }
  return groups
}

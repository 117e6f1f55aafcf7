// AssemblyScript: the physically based shade of the WebAssembly kernel (pbr-kernel.ts; built with
// pbr-fetch.as.ts and pbr-resolve.as.ts, the entry, into pbr-kernel.wasm by scripts/build-pbr-kernel.ts).
// A transcription of PbrShader.shade and emit (shading.ts), clearcoatLayer (clearcoat.ts), dfgApprox
// (brdf-tables.ts), lobeBands and evalEnvironment (environment.ts): the same float64 operations in the
// same order, no fused multiply-add, so every number is the one the JavaScript computes. The layout of
// the shader block it reads is written by shading-wasm.ts.

import { fetch, initFetch, tvAt } from './pbr-fetch.as'

// tables and scratch, set by init()
let G1: usize = 0
let G2: usize = 0
let EXPT: usize = 0
export let OUT: usize = 0

export function init (g1: usize, g2: usize, expt: usize, log2t: usize, out: usize, tv: usize, uvs: usize): void {
  G1 = g1; G2 = g2; EXPT = expt; OUT = out
  initFetch(log2t, tv, uvs)
}

// shader block: f64 fields at these indices
const F_BASE = 0 // 4
const F_UNLIT = 4
const F_NSCALE = 5
const F_METAL = 6
const F_ROUGH = 7
const F_SPEC = 8
const F_SPECCOL = 9 // 3
const F_IOR = 12
const F_OCCS = 13
const F_TRANS = 14
const F_CC = 15
const F_CCR = 16
const F_EMIS = 17 // 3
const F_BLENDED = 20
const F_ALPHAMODE = 21
const F_ENVSCALE = 22
const F_ENVA = 23 // 3
const F_ENVB = 26 // 9
const F_ENVQ = 35 // 18
const F_NLIGHTS = 53
const F_LIGHTS = 54
const F_POS = 55
const F_NRM = 56
const F_TAN = 57
const F_COL = 58
const F_SLOTS = 59
const F_FETCH = 60
// triangle state
const F_I0 = 61
const F_I1 = 62
const F_I2 = 63
const F_FN = 64 // 3
const F_FLIP = 67
const F_FT = 68 // 4
const F_LODBASE = 72 // 10

// light: 13 f64
const L_TYPE = 0; const L_X = 1; const L_Y = 2; const L_Z = 3; const L_DX = 4; const L_DY = 5; const L_DZ = 6
const L_R = 7; const L_G = 8; const L_B = 9; const L_RANGE = 10; const L_CSCALE = 11; const L_COFFSET = 12
const L_STRIDE = 13

const SLOT_BASE = 0; const SLOT_MR = 1; const SLOT_NORMAL = 2; const SLOT_OCC = 3; const SLOT_EMIS = 4
const SLOT_SPEC = 5; const SLOT_SPECCOL = 6; const SLOT_CC = 7; const SLOT_CCR = 8; const SLOT_TRANS = 9

const MIN_ROUGHNESS: f64 = 0.05
const INV_PI: f64 = 0.3183098861837907
const STEPS: f64 = 1024

@inline function fld (sp: usize, i: i32): f64 { return load<f64>(sp + (<usize>i << 3)) }
@inline function ptr (sp: usize, i: i32): usize { return <usize><u32>load<f64>(sp + (<usize>i << 3)) }
@inline export function at (p: usize, i: i32): f64 { return load<f64>(p + (<usize>i << 3)) }
@inline function hasSlot (mask: i32, s: i32): bool { return ((mask >> s) & 1) != 0 }

// results of the small table functions (globals instead of an array)
let bandG1: f64 = 0
let bandG2: f64 = 0
let dfgA: f64 = 0
let dfgB: f64 = 0

/** environment.ts lobeBands. */
@inline function lobeBands (alpha: f64): void {
  const x = (alpha < 0 ? 0 : alpha > 1 ? 1 : alpha) * STEPS
  const fi = Math.floor(x)
  if (fi >= STEPS) { bandG1 = at(G1, 1024); bandG2 = at(G2, 1024); return }
  const i = <i32>fi
  const f = x - fi
  bandG1 = at(G1, i) + (at(G1, i + 1) - at(G1, i)) * f
  bandG2 = at(G2, i) + (at(G2, i + 1) - at(G2, i)) * f
}

/** brdf-tables.ts dfgApprox. */
@inline function dfgApprox (r: f64, nv: f64): void {
  const rx = -r + 1; const ry = -0.0275 * r + 0.0425; const rz = -0.572 * r + 1.04; const rw = 0.022 * r - 0.04
  const x = (nv < 0 ? 0 : nv > 1 ? 1 : nv) * STEPS
  const fi = Math.floor(x)
  const i = <i32>fi
  const e = fi >= STEPS ? at(EXPT, 1024) : at(EXPT, i) + (at(EXPT, i + 1) - at(EXPT, i)) * (x - fi)
  const m = rx * rx < e ? rx * rx : e
  const a004 = m * rx + ry
  dfgA = -1.04 * a004 + rz
  dfgB = 1.04 * a004 + rw
}

let coatR: f64 = 0
let coatG: f64 = 0
let coatB: f64 = 0

/** clearcoat.ts clearcoatLayer (with evalEnvironment written out); the coat's radiance in coatR/G/B. */
function clearcoatLayer (sp: usize, cc: f64, ccr: f64, gx: f64, gy: f64, gz: f64, vx: f64, vy: f64, vz: f64, aoEs: f64): f64 {
  const ca2 = ccr * ccr * ccr * ccr
  let cnv = gx * vx + gy * vy + gz * vz
  if (!(cnv > 1e-4)) cnv = 1e-4
  if (cnv > 1) cnv = 1
  let cl: f64 = 0; let clg: f64 = 0; let clb: f64 = 0
  const nL = <i32>fld(sp, F_NLIGHTS); const lp = ptr(sp, F_LIGHTS)
  for (let k = 0; k < nL; k++) {
    const L = lp + (<usize>k) * (L_STRIDE * 8)
    if (at(L, L_TYPE) != 0) continue
    const Lx = at(L, L_X); const Ly = at(L, L_Y); const Lz = at(L, L_Z)
    const nl = gx * Lx + gy * Ly + gz * Lz
    if (!(nl > 0)) continue
    let hx = Lx + vx; let hy = Ly + vy; let hz = Lz + vz
    const hl = Math.sqrt(hx * hx + hy * hy + hz * hz)
    if (!(hl > 0)) continue
    hx /= hl; hy /= hl; hz /= hl
    let nh = gx * hx + gy * hy + gz * hz; if (nh < 0) nh = 0
    let vh = vx * hx + vy * hy + vz * hz; if (vh < 0) vh = 0
    const om = 1 - vh; const om2 = om * om
    const F = 0.04 + 0.96 * om2 * om2 * om
    const dd = nh * nh * (ca2 - 1) + 1
    const v = F * ca2 * INV_PI / (dd * dd) * 0.5 / (nl * Math.sqrt(cnv * cnv * (1 - ca2) + ca2) + cnv * Math.sqrt(nl * nl * (1 - ca2) + ca2)) * nl
    cl += at(L, L_R) * v; clg += at(L, L_G) * v; clb += at(L, L_B) * v
  }
  const crx = 2 * cnv * gx - vx; const cry = 2 * cnv * gy - vy; const crz = 2 * cnv * gz - vz
  lobeBands(ccr * ccr)
  const g1 = bandG1; const g2 = bandG2
  // evalEnvironment
  const xx = crx * crx; const yy = cry * cry; const zz = crz * crz; const xy = crx * cry; const xz = crx * crz; const yz = cry * crz
  let env0: f64 = 0; let env1: f64 = 0; let env2: f64 = 0
  for (let c = 0; c < 3; c++) {
    const o = F_ENVQ + c * 6
    const lin = fld(sp, F_ENVB + c * 3) * crx + fld(sp, F_ENVB + c * 3 + 1) * cry + fld(sp, F_ENVB + c * 3 + 2) * crz
    const quad = fld(sp, o) * xx + fld(sp, o + 1) * yy + fld(sp, o + 2) * zz + fld(sp, o + 3) * xy + fld(sp, o + 4) * xz + fld(sp, o + 5) * yz
    const v = fld(sp, F_ENVA + c) + g1 * lin + g2 * quad
    const r = v > 0 ? v : 0
    if (c == 0) env0 = r; else if (c == 1) env1 = r; else env2 = r
  }
  dfgApprox(ccr, cnv)
  const e = aoEs * (0.04 * dfgA + dfgB)
  coatR = cl + e * env0
  coatG = clg + e * env1
  coatB = clb + e * env2
  const om = 1 - cnv; const om2 = om * om
  return cc * (0.04 + 0.96 * om2 * om2 * om)
}

/** shading.ts PbrShader.emit: emissive added, the fragment written to OUT. */
function emit (sp: usize, mask: i32, r0: f64, g0: f64, b0: f64, a: f64, tr: f64, tg: f64, tb: f64): void {
  let r = r0; let g = g0; let b = b0
  const ef0 = fld(sp, F_EMIS); const ef1 = fld(sp, F_EMIS + 1); const ef2 = fld(sp, F_EMIS + 2)
  if (ef0 > 0 || ef1 > 0 || ef2 > 0) {
    let er = ef0; let eg = ef1; let eb = ef2
    if (hasSlot(mask, SLOT_EMIS)) { er *= tvAt(SLOT_EMIS * 4); eg *= tvAt(SLOT_EMIS * 4 + 1); eb *= tvAt(SLOT_EMIS * 4 + 2) }
    r += er; g += eg; b += eb
  }
  store<f64>(OUT + 24, a)
  if (fld(sp, F_BLENDED) != 0) {
    let al = a < 0 ? 0 : a > 1 ? 1 : a
    if (fld(sp, F_ALPHAMODE) != 2) al = 1
    store<f64>(OUT, r * al); store<f64>(OUT + 8, g * al); store<f64>(OUT + 16, b * al)
    store<f64>(OUT + 32, 1 - al + al * tr); store<f64>(OUT + 40, 1 - al + al * tg); store<f64>(OUT + 48, 1 - al + al * tb)
  } else {
    store<f64>(OUT, r); store<f64>(OUT + 8, g); store<f64>(OUT + 16, b)
    store<f64>(OUT + 32, tr); store<f64>(OUT + 40, tg); store<f64>(OUT + 48, tb)
  }
}

/**
 * shading.ts PbrShader.shade at barycentrics (b0, b1, b2) and view depth w of the triangle selected in
 * shader block `sp`, with level-of-detail bias `lodBias`; the fragment (r, g, b, a, tr, tg, tb) to OUT.
 */
export function shade (sp: usize, b0: f64, b1: f64, b2: f64, w: f64, lodBias: f64): void {
  const i0 = <i32>fld(sp, F_I0); const i1 = <i32>fld(sp, F_I1); const i2 = <i32>fld(sp, F_I2)
  const mask = <i32>fld(sp, F_SLOTS)
  fetch(ptr(sp, F_FETCH), i0, i1, i2, b0, b1, b2, w, sp + (F_LODBASE << 3), lodBias)

  // base colour
  let cr = fld(sp, F_BASE); let cg = fld(sp, F_BASE + 1); let cb = fld(sp, F_BASE + 2); let ca = fld(sp, F_BASE + 3)
  const vc = ptr(sp, F_COL)
  if (vc != 0) {
    const o0 = i0 * 4; const o1 = i1 * 4; const o2 = i2 * 4
    cr *= at(vc, o0) * b0 + at(vc, o1) * b1 + at(vc, o2) * b2
    cg *= at(vc, o0 + 1) * b0 + at(vc, o1 + 1) * b1 + at(vc, o2 + 1) * b2
    cb *= at(vc, o0 + 2) * b0 + at(vc, o1 + 2) * b1 + at(vc, o2 + 2) * b2
    ca *= at(vc, o0 + 3) * b0 + at(vc, o1 + 3) * b1 + at(vc, o2 + 3) * b2
  }
  if (hasSlot(mask, SLOT_BASE)) { cr *= tvAt(0); cg *= tvAt(1); cb *= tvAt(2); ca *= tvAt(3) }
  if (fld(sp, F_UNLIT) != 0) { emit(sp, mask, cr, cg, cb, ca, 0, 0, 0); return }

  // view vector (camera at the origin)
  const p = ptr(sp, F_POS)
  const px = at(p, i0 * 3) * b0 + at(p, i1 * 3) * b1 + at(p, i2 * 3) * b2
  const py = at(p, i0 * 3 + 1) * b0 + at(p, i1 * 3 + 1) * b1 + at(p, i2 * 3 + 1) * b2
  const pz = at(p, i0 * 3 + 2) * b0 + at(p, i1 * 3 + 2) * b1 + at(p, i2 * 3 + 2) * b2
  const pl = Math.sqrt(px * px + py * py + pz * pz)
  const vx = -px / pl; const vy = -py / pl; const vz = -pz / pl

  // geometric (interpolated) normal, unflipped
  let gx = fld(sp, F_FN); let gy = fld(sp, F_FN + 1); let gz = fld(sp, F_FN + 2)
  const n = ptr(sp, F_NRM)
  if (n != 0) {
    const o0 = i0 * 3; const o1 = i1 * 3; const o2 = i2 * 3
    const x = at(n, o0) * b0 + at(n, o1) * b1 + at(n, o2) * b2
    const y = at(n, o0 + 1) * b0 + at(n, o1 + 1) * b1 + at(n, o2 + 1) * b2
    const z = at(n, o0 + 2) * b0 + at(n, o1 + 2) * b1 + at(n, o2 + 2) * b2
    const len = Math.sqrt(x * x + y * y + z * z)
    if (len > 0 && len < Infinity) { gx = x / len; gy = y / len; gz = z / len }
  }
  let nx = gx; let ny = gy; let nz = gz
  if (hasSlot(mask, SLOT_NORMAL)) {
    let tx = fld(sp, F_FT); let ty = fld(sp, F_FT + 1); let tz = fld(sp, F_FT + 2); let tw = fld(sp, F_FT + 3)
    const tg = ptr(sp, F_TAN)
    if (tg != 0 && n != 0) {
      const o0 = i0 * 4; const o1 = i1 * 4; const o2 = i2 * 4
      tx = at(tg, o0) * b0 + at(tg, o1) * b1 + at(tg, o2) * b2
      ty = at(tg, o0 + 1) * b0 + at(tg, o1 + 1) * b1 + at(tg, o2 + 1) * b2
      tz = at(tg, o0 + 2) * b0 + at(tg, o1 + 2) * b1 + at(tg, o2 + 2) * b2
      tw = (at(tg, o0 + 3) * b0 + at(tg, o1 + 3) * b1 + at(tg, o2 + 3) * b2) < 0 ? -1 : 1
    }
    const d = tx * gx + ty * gy + tz * gz
    tx -= gx * d; ty -= gy * d; tz -= gz * d
    const tl = Math.sqrt(tx * tx + ty * ty + tz * tz)
    if (tl > 0 && tl < Infinity) {
      tx /= tl; ty /= tl; tz /= tl
      const bx = (gy * tz - gz * ty) * tw; const by = (gz * tx - gx * tz) * tw; const bz = (gx * ty - gy * tx) * tw
      const ns = fld(sp, F_NSCALE)
      const sx = (tvAt(SLOT_NORMAL * 4) * 2 - 1) * ns; const sy = (tvAt(SLOT_NORMAL * 4 + 1) * 2 - 1) * ns; const sz = tvAt(SLOT_NORMAL * 4 + 2) * 2 - 1
      const x = tx * sx + bx * sy + gx * sz; const y = ty * sx + by * sy + gy * sz; const z = tz * sx + bz * sy + gz * sz
      const l = Math.sqrt(x * x + y * y + z * z)
      if (l > 0 && l < Infinity) { nx = x / l; ny = y / l; nz = z / l }
    }
  }
  const fl = fld(sp, F_FLIP)
  nx *= fl; ny *= fl; nz *= fl
  gx *= fl; gy *= fl; gz *= fl

  // metallic, roughness
  let metal = fld(sp, F_METAL); let rough = fld(sp, F_ROUGH)
  if (hasSlot(mask, SLOT_MR)) { rough *= tvAt(SLOT_MR * 4 + 1); metal *= tvAt(SLOT_MR * 4 + 2) }
  metal = metal < 0 ? 0 : metal > 1 ? 1 : metal
  rough = rough < MIN_ROUGHNESS ? MIN_ROUGHNESS : rough > 1 ? 1 : rough
  if (!(rough >= 0)) rough = 1
  const alpha = rough * rough

  // specular colour
  let spec = fld(sp, F_SPEC)
  if (hasSlot(mask, SLOT_SPEC)) { spec *= tvAt(SLOT_SPEC * 4 + 3) }
  let scr = fld(sp, F_SPECCOL); let scg = fld(sp, F_SPECCOL + 1); let scb = fld(sp, F_SPECCOL + 2)
  if (hasSlot(mask, SLOT_SPECCOL)) { scr *= tvAt(SLOT_SPECCOL * 4); scg *= tvAt(SLOT_SPECCOL * 4 + 1); scb *= tvAt(SLOT_SPECCOL * 4 + 2) }
  const ior = fld(sp, F_IOR)
  const ir = (ior - 1) / (ior + 1)
  const f0d = ir * ir
  const dr = f0d * scr; const dg = f0d * scg; const db = f0d * scb
  const f0r = ((dr < 1 ? dr : 1) * spec) * (1 - metal) + cr * metal
  const f0g = ((dg < 1 ? dg : 1) * spec) * (1 - metal) + cg * metal
  const f0b = ((db < 1 ? db : 1) * spec) * (1 - metal) + cb * metal
  const f90 = spec * (1 - metal) + metal
  const kr = cr * (1 - metal); const kg = cg * (1 - metal); const kb = cb * (1 - metal)

  let nv = nx * vx + ny * vy + nz * vz
  if (!(nv > 1e-4)) nv = 1e-4
  if (nv > 1) nv = 1
  let ao: f64 = 1
  if (hasSlot(mask, SLOT_OCC)) { ao = 1 + fld(sp, F_OCCS) * (tvAt(SLOT_OCC * 4) - 1) }
  const es = fld(sp, F_ENVSCALE)
  const a2 = alpha * alpha

  // direct light
  let sr: f64 = 0; let sg: f64 = 0; let sb: f64 = 0
  let qr: f64 = 0; let qg: f64 = 0; let qb: f64 = 0
  const gv = Math.sqrt(nv * nv * (1 - a2) + a2)
  const nL = <i32>fld(sp, F_NLIGHTS); const lp = ptr(sp, F_LIGHTS)
  for (let k = 0; k < nL; k++) {
    const L = lp + (<usize>k) * (L_STRIDE * 8)
    const type = at(L, L_TYPE)
    let lx: f64; let ly: f64; let lz: f64; let att: f64 = 1
    if (type == 0) { lx = at(L, L_X); ly = at(L, L_Y); lz = at(L, L_Z) } else {
      lx = at(L, L_X) - px; ly = at(L, L_Y) - py; lz = at(L, L_Z) - pz
      const d2 = lx * lx + ly * ly + lz * lz
      const d = Math.sqrt(d2)
      if (!(d > 0)) continue
      lx /= d; ly /= d; lz /= d
      att = 1 / d2
      const range = at(L, L_RANGE)
      if (range < Infinity) { const q = d / range; const q2 = q * q; let win = 1 - q2 * q2; win = win < 0 ? 0 : win; att *= win * win }
      if (type == 2) {
        const cd = -(lx * at(L, L_DX) + ly * at(L, L_DY) + lz * at(L, L_DZ))
        let t = cd * at(L, L_CSCALE) + at(L, L_COFFSET)
        t = t < 0 ? 0 : t > 1 ? 1 : t
        att *= t * t
      }
      if (!(att > 0)) continue
    }
    const nl = nx * lx + ny * ly + nz * lz
    if (!(nl > 0)) continue
    let hx = lx + vx; let hy = ly + vy; let hz = lz + vz
    const hl = Math.sqrt(hx * hx + hy * hy + hz * hz)
    if (!(hl > 0)) continue
    hx /= hl; hy /= hl; hz /= hl
    let nh = nx * hx + ny * hy + nz * hz; if (nh < 0) nh = 0
    let vh = vx * hx + vy * hy + vz * hz; if (vh < 0) vh = 0
    const om = 1 - vh; const om2 = om * om; const fw = om2 * om2 * om
    const fr = f0r + (f90 - f0r) * fw; const fg = f0g + (f90 - f0g) * fw; const fb = f0b + (f90 - f0b) * fw
    const dd = nh * nh * (a2 - 1) + 1
    const D = a2 * INV_PI / (dd * dd)
    const vis = 0.5 / (nl * gv + nv * Math.sqrt(nl * nl * (1 - a2) + a2))
    const ds = D * vis * nl * att
    const dl = INV_PI * nl * att
    const Lr = at(L, L_R); const Lg = at(L, L_G); const Lb = at(L, L_B)
    sr += Lr * fr * ds; sg += Lg * fg * ds; sb += Lb * fb * ds
    qr += Lr * (1 - fr) * dl; qg += Lg * (1 - fg) * dl; qb += Lb * (1 - fb) * dl
  }
  qr *= kr; qg *= kg; qb *= kb

  // image-based light
  const rx = 2 * nv * nx - vx; const ry = 2 * nv * ny - vy; const rz = 2 * nv * nz - vz
  lobeBands(alpha)
  const g1 = bandG1; const g2 = bandG2
  const nxx = nx * nx; const nyy = ny * ny; const nzz = nz * nz; const nxy = nx * ny; const nxz = nx * nz; const nyz = ny * nz
  const rxx = rx * rx; const ryy = ry * ry; const rzz = rz * rz; const rxy = rx * ry; const rxz = rx * rz; const ryz = ry * rz
  const b0x = fld(sp, F_ENVB); const b0y = fld(sp, F_ENVB + 1); const b0z = fld(sp, F_ENVB + 2)
  const q00 = fld(sp, F_ENVQ); const q01 = fld(sp, F_ENVQ + 1); const q02 = fld(sp, F_ENVQ + 2); const q03 = fld(sp, F_ENVQ + 3); const q04 = fld(sp, F_ENVQ + 4); const q05 = fld(sp, F_ENVQ + 5)
  const TWO_THIRDS: f64 = 2.0 / 3.0
  const dn0 = fld(sp, F_ENVA) + TWO_THIRDS * (b0x * nx + b0y * ny + b0z * nz) + 0.25 * (q00 * nxx + q01 * nyy + q02 * nzz + q03 * nxy + q04 * nxz + q05 * nyz)
  const dr0 = fld(sp, F_ENVA) + g1 * (b0x * rx + b0y * ry + b0z * rz) + g2 * (q00 * rxx + q01 * ryy + q02 * rzz + q03 * rxy + q04 * rxz + q05 * ryz)
  const b1x = fld(sp, F_ENVB + 3); const b1y = fld(sp, F_ENVB + 4); const b1z = fld(sp, F_ENVB + 5)
  const q10 = fld(sp, F_ENVQ + 6); const q11 = fld(sp, F_ENVQ + 7); const q12 = fld(sp, F_ENVQ + 8); const q13 = fld(sp, F_ENVQ + 9); const q14 = fld(sp, F_ENVQ + 10); const q15 = fld(sp, F_ENVQ + 11)
  const dn1 = fld(sp, F_ENVA + 1) + TWO_THIRDS * (b1x * nx + b1y * ny + b1z * nz) + 0.25 * (q10 * nxx + q11 * nyy + q12 * nzz + q13 * nxy + q14 * nxz + q15 * nyz)
  const dr1 = fld(sp, F_ENVA + 1) + g1 * (b1x * rx + b1y * ry + b1z * rz) + g2 * (q10 * rxx + q11 * ryy + q12 * rzz + q13 * rxy + q14 * rxz + q15 * ryz)
  const b2x = fld(sp, F_ENVB + 6); const b2y = fld(sp, F_ENVB + 7); const b2z = fld(sp, F_ENVB + 8)
  const q20 = fld(sp, F_ENVQ + 12); const q21 = fld(sp, F_ENVQ + 13); const q22 = fld(sp, F_ENVQ + 14); const q23 = fld(sp, F_ENVQ + 15); const q24 = fld(sp, F_ENVQ + 16); const q25 = fld(sp, F_ENVQ + 17)
  const dn2 = fld(sp, F_ENVA + 2) + TWO_THIRDS * (b2x * nx + b2y * ny + b2z * nz) + 0.25 * (q20 * nxx + q21 * nyy + q22 * nzz + q23 * nxy + q24 * nxz + q25 * nyz)
  const dr2 = fld(sp, F_ENVA + 2) + g1 * (b2x * rx + b2y * ry + b2z * rz) + g2 * (q20 * rxx + q21 * ryy + q22 * rzz + q23 * rxy + q24 * rxz + q25 * ryz)
  const e0 = dn0 > 0 ? dn0 : 0; const e1 = dn1 > 0 ? dn1 : 0; const e2 = dn2 > 0 ? dn2 : 0
  const e3 = dr0 > 0 ? dr0 : 0; const e4 = dr1 > 0 ? dr1 : 0; const e5 = dr2 > 0 ? dr2 : 0
  dfgApprox(rough, nv)
  const fa = dfgA; const fbias = dfgB
  const ssr = f0r * fa + f90 * fbias; const ssg = f0g * fa + f90 * fbias; const ssb = f0b * fa + f90 * fbias
  const ems = 1 - (fa + fbias)
  const far = f0r + (1 - f0r) * 0.047619; const fag = f0g + (1 - f0g) * 0.047619; const fab = f0b + (1 - f0b) * 0.047619
  const msr = ssr * far / (1 - ems * far) * ems; const msg = ssg * fag / (1 - ems * fag) * ems; const msb = ssb * fab / (1 - ems * fab) * ems
  const tr = ssr + msr; const tgg = ssg + msg; const tb = ssb + msb
  const tmax = tr > tgg ? (tr > tb ? tr : tb) : (tgg > tb ? tgg : tb)
  const irr = es * e0; const irg = es * e1; const irb = es * e2
  sr += ao * (es * e3 * ssr + msr * irr)
  sg += ao * (es * e4 * ssg + msg * irg)
  sb += ao * (es * e5 * ssb + msb * irb)
  const kd = ao * (1 - tmax)
  qr += kr * kd * irr; qg += kg * kd * irg; qb += kb * kd * irb

  // transmission (approximated)
  let tor: f64 = 0; let tog: f64 = 0; let tob: f64 = 0
  const tf = fld(sp, F_TRANS)
  if (tf > 0) {
    let t = tf
    if (hasSlot(mask, SLOT_TRANS)) { t *= tvAt(SLOT_TRANS * 4) }
    t = (t < 0 ? 0 : t > 1 ? 1 : t) * (1 - metal)
    qr *= 1 - t; qg *= 1 - t; qb *= 1 - t
    tor = t * cr * (1 - tmax); tog = t * cg * (1 - tmax); tob = t * cb * (1 - tmax)
  }
  let or = qr + sr; let og = qg + sg; let ob = qb + sb

  // clearcoat
  const ccf = fld(sp, F_CC)
  if (ccf > 0) {
    let cc = ccf; let ccr = fld(sp, F_CCR)
    if (hasSlot(mask, SLOT_CC)) { cc *= tvAt(SLOT_CC * 4) }
    if (hasSlot(mask, SLOT_CCR)) { ccr *= tvAt(SLOT_CCR * 4 + 1) }
    ccr = ccr < MIN_ROUGHNESS ? MIN_ROUGHNESS : ccr > 1 ? 1 : ccr
    cc = cc < 0 ? 0 : cc > 1 ? 1 : cc
    const fc = clearcoatLayer(sp, cc, ccr, gx, gy, gz, vx, vy, vz, ao * es)
    or = or * (1 - fc) + cc * coatR
    og = og * (1 - fc) + cc * coatG
    ob = ob * (1 - fc) + cc * coatB
    tor *= 1 - fc; tog *= 1 - fc; tob *= 1 - fc
  }
  emit(sp, mask, or, og, ob, ca, tor, tog, tob)
}


/**
 * Colour-aware local SSIM of one sample: the sample's SSIM stays the mean of
 * the LUMA SSIM map (ssim.ts, unchanged bits), while its worst tile is the
 * smallest worst tile over three planes, luma and the two chroma planes Cb
 * and Cr (BT.601 full range, as JPEG/JFIF defines them).
 *
 * Why: SSIM on luma alone does not see a change of hue at equal brightness.
 * A base colour texture shrunk from 256 to 16 texels blurs red into blue and
 * yellow into green along every tile border while the luma of the border
 * barely moves; the luma worst tile of such a view stays above 0.95, its
 * chroma worst tile drops to 0.75 (docs/measurement.md, "Local SSIM").
 *
 * Determinism: the chroma planes are sums in one fixed order of products
 * taken from tables (as lumaPlane), each plane's SSIM pass is the same
 * deterministic pass (ssim.ts), and the minimum is taken in the fixed order
 * luma, Cb, Cr (the first smallest wins), so honest nodes agree to the bit.
 */
import type { LumaPlane, RgbaImage } from './image.ts'
import { changeLuma, lumaPlane } from './image.ts'
import { DEFAULT_LOCAL_SSIM_OPTIONS, type LocalSsimOptions, type SampleSsim, sampleSsim } from './local-ssim.ts'

/** The three planes a colour-aware sample is measured on. */
export interface ColourPlanes {
  /** BT.601 luma (lumaPlane). */
  y: LumaPlane
  /** Blue-difference chroma, 128 − 0.168736·R − 0.331264·G + 0.5·B. */
  cb: LumaPlane
  /** Red-difference chroma, 128 + 0.5·R − 0.418688·G − 0.081312·B. */
  cr: LumaPlane
}

const CB_R = new Float64Array(256); const CB_G = new Float64Array(256); const CB_B = new Float64Array(256)
const CR_R = new Float64Array(256); const CR_G = new Float64Array(256); const CR_B = new Float64Array(256)
for (let v = 0; v < 256; v++) {
  CB_R[v] = -0.168736 * v; CB_G[v] = -0.331264 * v; CB_B[v] = 0.5 * v
  CR_R[v] = 0.5 * v; CR_G[v] = -0.418688 * v; CR_B[v] = -0.081312 * v
}

/** Luma, Cb and Cr planes of an image in float64: each chroma value is ((R term + G term) + B term) + 128, alpha ignored. */
export function colourPlanes (img: RgbaImage): ColourPlanes {
  const n = img.width * img.height
  const cb = new Float64Array(n); const cr = new Float64Array(n)
  const d = img.data
  for (let i = 0, p = 0; i < n; i++, p += 4) {
    const r = d[p]!; const g = d[p + 1]!; const b = d[p + 2]!
    cb[i] = ((CB_R[r]! + CB_G[g]!) + CB_B[b]!) + 128
    cr[i] = ((CR_R[r]! + CR_G[g]!) + CR_B[b]!) + 128
  }
  return { y: lumaPlane(img), cb: { width: img.width, height: img.height, data: cb }, cr: { width: img.width, height: img.height, data: cr } }
}

/** The planes of the change image between two frames, (next − current + 255) / 2 per plane (changeLuma on each). */
export function changePlanes (current: ColourPlanes, next: ColourPlanes): ColourPlanes {
  return { y: changeLuma(current.y, next.y), cb: changeLuma(current.cb, next.cb), cr: changeLuma(current.cr, next.cr) }
}

/**
 * SSIM (of luma) and the colour-aware worst tile of two images' planes: the
 * smallest of the three planes' worst tiles, with that tile's rectangle. With
 * `wantMap`, the map is the per-position minimum of the three SSIM maps, so
 * the evidence shows where any plane differs.
 */
export function colourSampleSsim (a: ColourPlanes, b: ColourPlanes, options: LocalSsimOptions = DEFAULT_LOCAL_SSIM_OPTIONS, wantMap = false): SampleSsim {
  const y = sampleSsim(a.y, b.y, options, wantMap)
  let worst = y
  for (const s of [sampleSsim(a.cb, b.cb, options, wantMap), sampleSsim(a.cr, b.cr, options, wantMap)]) {
    if (s.worstTile < worst.worstTile) worst = s
    if (wantMap) {
      const m = y.map!.data; const o = s.map!.data
      for (let i = 0; i < m.length; i++) if (o[i]! < m[i]!) m[i] = o[i]!
    }
  }
  const out: SampleSsim = { ssim: y.ssim, worstTile: worst.worstTile, worstRect: worst.worstRect }
  if (wantMap) out.map = y.map!
  return out
}

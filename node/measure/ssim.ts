/**
 * SSIM as defined by Wang, Bovik, Sheikh and Simoncelli (IEEE TIP 2004):
 * an 11×11 Gaussian window with σ = 1.5 (normalized to sum 1), K1 = 0.01,
 * K2 = 0.03, L = 255, on BT.601 luma; only windows fully inside the image
 * ('valid', no padding); the result is the mean of the SSIM map.
 *
 *   SSIM = (2μxμy + C1)(2σxy + C2) / ((μx² + μy² + C1)(σx² + σy² + C2)),
 *   C1 = (K1·L)², C2 = (K2·L)², σ² = E[x²] − μ².
 *
 * The window is separable, so the five local moments (μx, μy, E[x²], E[y²],
 * E[xy]) are filtered by rows then by columns, with a ring of 11 filtered rows
 * (memory O(11 · width), not O(pixels)). Every sum runs in one fixed order in
 * float64, so the result is bit-identical in every process. For identical
 * inputs each window gives exactly 1, hence SSIM exactly 1.
 */
import { TrustEngineError } from '../../protocol/errors.ts'
import { MIN_MEASURABLE_SIZE } from '../../protocol/sampling/plan.ts'
import { ERR_IMAGE_TOO_SMALL, ERR_PNG_SIZE_MISMATCH } from './errors.ts'
import { lumaPlane } from './image.ts'
import type { LumaPlane, RgbaImage } from './image.ts'

/** Constants of the SSIM index. */
export interface SsimOptions {
  /** Stabilizer of the luminance term, C1 = (k1·L)². */
  k1: number
  /** Stabilizer of the contrast-structure term, C2 = (k2·L)². */
  k2: number
  /** Dynamic range L of the pixel values. */
  dynamicRange: number
}

/** Defaults of Wang et al. 2004. */
export const DEFAULT_SSIM_OPTIONS: Readonly<SsimOptions> = Object.freeze({
  /** K1 = 0.01, Wang et al. 2004, section III-C. */
  k1: 0.01,
  /** K2 = 0.03, Wang et al. 2004, section III-C. */
  k2: 0.03,
  /** L = 255 for 8-bit values. */
  dynamicRange: 255
})

/** Window side: 11 (Wang et al. 2004). */
export const SSIM_WINDOW_SIZE = MIN_MEASURABLE_SIZE

/** Window standard deviation: 1.5 pixels (Wang et al. 2004). */
export const SSIM_SIGMA = 1.5

/**
 * exp(−k² / (2σ²)) for k = 0…5 and σ = 1.5, written as exact double literals
 * so the weights never depend on a platform's Math.exp (a test checks them).
 */
export const GAUSSIAN_TAPS = [
  1, 0.8007374029168081, 0.41111229050718745, 0.1353352832366127,
  0.028565500784550377, 0.0038659201394728076
] as const

const TAP_SUM = GAUSSIAN_TAPS[0] + 2 * (GAUSSIAN_TAPS[1] + GAUSSIAN_TAPS[2] + GAUSSIAN_TAPS[3] + GAUSSIAN_TAPS[4] + GAUSSIAN_TAPS[5])

/**
 * Normalized 1-D window (11 weights, sum 1). The 2-D window is its outer
 * product, which is the normalized 11×11 Gaussian.
 */
export const SSIM_WEIGHTS: Float64Array = Float64Array.from({ length: SSIM_WINDOW_SIZE }, (_, i) => GAUSSIAN_TAPS[Math.abs(i - 5)]! / TAP_SUM)

const W0 = SSIM_WEIGHTS[0]!
const W1 = SSIM_WEIGHTS[1]!
const W2 = SSIM_WEIGHTS[2]!
const W3 = SSIM_WEIGHTS[3]!
const W4 = SSIM_WEIGHTS[4]!
const W5 = SSIM_WEIGHTS[5]!

/** Row filter: out[o + i] = Σ_k w_k · src[s + i + k] for i < n (symmetric taps paired first). */
function filterRow (src: Float64Array, s: number, out: Float64Array, o: number, n: number): void {
  for (let i = 0; i < n; i++) {
    const p = s + i
    out[o + i] = W0 * (src[p]! + src[p + 10]!) + W1 * (src[p + 1]! + src[p + 9]!) + W2 * (src[p + 2]! + src[p + 8]!) +
      W3 * (src[p + 3]! + src[p + 7]!) + W4 * (src[p + 4]! + src[p + 6]!) + W5 * src[p + 5]!
  }
}

/** Column filter over the ring: out[i] = Σ_k w_k · ring[slot_k + i], slots in window order. */
function filterColumn (ring: Float64Array, s: Int32Array, out: Float64Array, n: number): void {
  const s0 = s[0]!; const s1 = s[1]!; const s2 = s[2]!; const s3 = s[3]!; const s4 = s[4]!; const s5 = s[5]!
  const s6 = s[6]!; const s7 = s[7]!; const s8 = s[8]!; const s9 = s[9]!; const s10 = s[10]!
  for (let i = 0; i < n; i++) {
    out[i] = W0 * (ring[s0 + i]! + ring[s10 + i]!) + W1 * (ring[s1 + i]! + ring[s9 + i]!) + W2 * (ring[s2 + i]! + ring[s8 + i]!) +
      W3 * (ring[s3 + i]! + ring[s7 + i]!) + W4 * (ring[s4 + i]! + ring[s6 + i]!) + W5 * ring[s5 + i]!
  }
}

/**
 * Mean SSIM of two luma planes of one size (`ERR_PNG_SIZE_MISMATCH`
 * otherwise); both dimensions must be at least 11 (`ERR_IMAGE_TOO_SMALL`).
 */
export function ssimLuma (a: LumaPlane, b: LumaPlane, options: Partial<SsimOptions> = {}): number {
  return ssimCore(a, b, options, null)
}

/**
 * What {@link ssimCore} may also produce while it computes the mean: the sum
 * of the map over square tiles (for local SSIM) and the map itself (for
 * evidence images). Neither changes the mean's bits: the mean is summed in
 * the same order either way.
 */
export interface SsimExtras {
  /** Tile side in map positions (window positions); 0 for none. */
  tile: number
  /** Filled with the mean of the map over each tile, row-major (tilesX × tilesY). */
  tileMeans?: Float64Array
  tilesX?: number
  tilesY?: number
  /** When true, `map` receives the SSIM map ((width − 10) × (height − 10), row-major). */
  wantMap: boolean
  map?: Float32Array
}

/**
 * The tile grid over a map of `ow` × `oh` positions: `max(1, floor(ow / tile))`
 * tiles across; position c belongs to tile `min(floor(c / tile), tilesX − 1)`,
 * so the last tile also takes the remainder (it is at most 2·tile − 1 wide).
 */
export function tileGrid (ow: number, oh: number, tile: number): { tilesX: number, tilesY: number } {
  return { tilesX: Math.max(1, Math.floor(ow / tile)), tilesY: Math.max(1, Math.floor(oh / tile)) }
}

/** The mean SSIM, and what `extras` asks for (see {@link SsimExtras}). */
export function ssimCore (a: LumaPlane, b: LumaPlane, options: Partial<SsimOptions>, extras: SsimExtras | null): number {
  if (a.width !== b.width || a.height !== b.height) {
    throw new TrustEngineError(ERR_PNG_SIZE_MISMATCH, `image sizes differ: ${a.width}×${a.height} and ${b.width}×${b.height}`)
  }
  const { width, height } = a
  if (width < SSIM_WINDOW_SIZE || height < SSIM_WINDOW_SIZE) {
    throw new TrustEngineError(ERR_IMAGE_TOO_SMALL, `SSIM needs at least ${SSIM_WINDOW_SIZE}×${SSIM_WINDOW_SIZE} pixels, got ${width}×${height}`)
  }
  const o = { ...DEFAULT_SSIM_OPTIONS, ...options }
  const c1 = (o.k1 * o.dynamicRange) ** 2
  const c2 = (o.k2 * o.dynamicRange) ** 2
  const x = a.data
  const y = b.data
  const ow = width - SSIM_WINDOW_SIZE + 1
  const oh = height - SSIM_WINDOW_SIZE + 1

  // Ring of the last 11 row-filtered rows of each moment.
  const ringX = new Float64Array(SSIM_WINDOW_SIZE * ow)
  const ringY = new Float64Array(SSIM_WINDOW_SIZE * ow)
  const ringXX = new Float64Array(SSIM_WINDOW_SIZE * ow)
  const ringYY = new Float64Array(SSIM_WINDOW_SIZE * ow)
  const ringXY = new Float64Array(SSIM_WINDOW_SIZE * ow)
  const rowXX = new Float64Array(width)
  const rowYY = new Float64Array(width)
  const rowXY = new Float64Array(width)
  const mx = new Float64Array(ow)
  const my = new Float64Array(ow)
  const exx = new Float64Array(ow)
  const eyy = new Float64Array(ow)
  const exy = new Float64Array(ow)
  const slots = new Int32Array(SSIM_WINDOW_SIZE)
  const tile = extras !== null && extras.tile > 0 ? extras.tile : 0
  const grid = tile > 0 ? tileGrid(ow, oh, tile) : { tilesX: 0, tilesY: 0 }
  const tileSums = new Float64Array(grid.tilesX * grid.tilesY)
  const tileOf = new Int32Array(tile > 0 ? ow : 0)
  for (let i = 0; i < tileOf.length; i++) tileOf[i] = Math.min(Math.floor(i / tile), grid.tilesX - 1)
  const map = extras?.wantMap === true ? new Float32Array(ow * oh) : null

  let total = 0
  for (let r = 0; r < height; r++) {
    const base = r * width
    for (let i = 0; i < width; i++) {
      const xv = x[base + i]!
      const yv = y[base + i]!
      rowXX[i] = xv * xv
      rowYY[i] = yv * yv
      rowXY[i] = xv * yv
    }
    const slot = (r % SSIM_WINDOW_SIZE) * ow
    filterRow(x, base, ringX, slot, ow)
    filterRow(y, base, ringY, slot, ow)
    filterRow(rowXX, 0, ringXX, slot, ow)
    filterRow(rowYY, 0, ringYY, slot, ow)
    filterRow(rowXY, 0, ringXY, slot, ow)
    if (r < SSIM_WINDOW_SIZE - 1) continue

    const top = r - SSIM_WINDOW_SIZE + 1
    for (let k = 0; k < SSIM_WINDOW_SIZE; k++) slots[k] = ((top + k) % SSIM_WINDOW_SIZE) * ow
    filterColumn(ringX, slots, mx, ow)
    filterColumn(ringY, slots, my, ow)
    filterColumn(ringXX, slots, exx, ow)
    filterColumn(ringYY, slots, eyy, ow)
    filterColumn(ringXY, slots, exy, ow)
    let rowSum = 0
    const tileRow = tile > 0 ? Math.min(Math.floor(top / tile), grid.tilesY - 1) * grid.tilesX : 0
    for (let i = 0; i < ow; i++) {
      const ux = mx[i]!
      const uy = my[i]!
      const uxx = ux * ux
      const uyy = uy * uy
      const uxy = ux * uy
      const vx = exx[i]! - uxx
      const vy = eyy[i]! - uyy
      const cxy = exy[i]! - uxy
      const v = ((2 * uxy + c1) * (2 * cxy + c2)) / ((uxx + uyy + c1) * (vx + vy + c2))
      rowSum += v
      if (tile > 0) tileSums[tileRow + tileOf[i]!]! += v
      if (map !== null) map[top * ow + i] = v
    }
    total += rowSum
  }
  if (extras !== null) {
    if (tile > 0) {
      // positions per tile: tile × tile, the last column and row of tiles wider by the remainder
      const means = new Float64Array(tileSums.length)
      for (let ty = 0; ty < grid.tilesY; ty++) {
        const h = ty === grid.tilesY - 1 ? oh - ty * tile : tile
        for (let tx = 0; tx < grid.tilesX; tx++) {
          const w = tx === grid.tilesX - 1 ? ow - tx * tile : tile
          means[ty * grid.tilesX + tx] = tileSums[ty * grid.tilesX + tx]! / (w * h)
        }
      }
      extras.tileMeans = means
      extras.tilesX = grid.tilesX
      extras.tilesY = grid.tilesY
    }
    if (map !== null) extras.map = map
  }
  return total / (ow * oh)
}

/** Mean SSIM of two RGBA images of one size, on their BT.601 luma (alpha ignored). */
export function ssim (a: RgbaImage, b: RgbaImage, options: Partial<SsimOptions> = {}): number {
  if (a.width !== b.width || a.height !== b.height) {
    throw new TrustEngineError(ERR_PNG_SIZE_MISMATCH, `image sizes differ: ${a.width}×${a.height} and ${b.width}×${b.height}`)
  }
  return ssimLuma(lumaPlane(a), lumaPlane(b), options)
}

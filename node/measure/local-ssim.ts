/**
 * Local SSIM: a measure that fails on a bad region even when the mean SSIM
 * is fine.
 *
 * Per sample, the SSIM map (one value per 11×11 window position) is cut into
 * square tiles of {@link LocalSsimOptions.tile} positions and averaged per
 * tile; the sample's local value is its WORST tile. Over the samples, the
 * measurement's local SSIM is a LOW PERCENTILE of those worst tiles (nearest
 * rank: the ⌈n · percent / 100⌉-th smallest), not their minimum, so one
 * unlucky sample cannot fail a job on its own, while damage that shows in
 * more than `percent`% of the samples does.
 *
 * Why this shape: a wrong triangle through a small feature, a missing small
 * object or a smeared texture patch covers a few hundred pixels of a view;
 * averaged over the whole view it moves SSIM by a few thousandths, while the
 * tile that holds it drops far below 0.9. The mean stays the statistic of the
 * whole picture; local SSIM is the statistic of its worst part.
 *
 * Determinism: tile sums are accumulated in map order (rows top to bottom,
 * positions left to right) in float64 inside the SSIM pass itself
 * (ssim.ts's `ssimCore`), the percentile is a selection from sorted doubles
 * (exact), and the interval's ranks use only integer arithmetic, one square
 * root and the Student t quantile (both deterministic, see
 * docs/measurement.md), so honest nodes agree to the last bit.
 */
import { clampToRange } from '../../protocol/metrics.ts'
import { studentTQuantile } from '../../protocol/stats/student-t.ts'
import type { LumaPlane } from './image.ts'
import { ssimCore, type SsimExtras } from './ssim.ts'

/** Options of local SSIM. Every honest node must use the same values: they are part of the measurement rule. */
export interface LocalSsimOptions {
  /** Tile side in SSIM-map positions (≈ pixels of the measured image). */
  tile: number
  /** The percentile (integer percent) of the samples' worst tiles that is reported. */
  percent: number
}

/** The rule's values (changing them changes every measurement: docs/measurement.md). */
export const DEFAULT_LOCAL_SSIM_OPTIONS: Readonly<LocalSsimOptions> = Object.freeze({
  /**
   * 16 positions: at the scene defaults (512 × 512 renders) a tile is 1/16 of
   * an analysis frame's side, 1/32 of a full render's and 1/8 of a region's;
   * small enough that one damaged feature dominates its tile, large enough
   * (256 windows) that an edge moved by a fraction of a pixel does not.
   */
  tile: 16,
  /** 10th percentile: with 97 samples the 10th worst, so damage seen in about a tenth of the samples fails (frame sets). */
  percent: 10
})

/**
 * The percentile of a SCENE measurement's local SSIM: 1, so up to 100 samples
 * (every first-round plan) it is the worst sample, and the 4th worst of a
 * 400-sample grey-zone round. Scene renders are deterministic and free of
 * noise, so the worst sample is not an unlucky draw but the view where damage
 * shows best, and a small feature (a spike, a face) is visible in a few views
 * only: with the 10th percentile, three collapsed triangles of a small spike
 * passed at 0.97 although its worst view fell to 0.81 (docs/measurement.md).
 */
export const SCENE_LOCAL_SSIM_PERCENT = 1

/** One sample's SSIM and local (worst-tile) SSIM, with the tile where it lies. */
export interface SampleSsim {
  ssim: number
  /** Mean SSIM of the sample's worst tile. */
  worstTile: number
  /** Worst tile, in map positions of the measured image: x, y, width, height. */
  worstRect: { x: number, y: number, width: number, height: number }
  /** The SSIM map when asked for (evidence). */
  map?: { width: number, height: number, data: Float32Array }
}

/**
 * SSIM and worst-tile SSIM of two luma planes of one size, in one pass. The
 * `ssim` value has exactly the bits of `ssimLuma(a, b)`.
 */
export function sampleSsim (a: LumaPlane, b: LumaPlane, options: LocalSsimOptions = DEFAULT_LOCAL_SSIM_OPTIONS, wantMap = false): SampleSsim {
  const extras: SsimExtras = { tile: options.tile, wantMap }
  const ssim = ssimCore(a, b, {}, extras)
  const means = extras.tileMeans!
  const tilesX = extras.tilesX!
  const tilesY = extras.tilesY!
  let worst = 0
  // first smallest in row-major order
  for (let i = 1; i < means.length; i++) if (means[i]! < means[worst]!) worst = i
  const ow = a.width - 10
  const oh = a.height - 10
  const tx = worst % tilesX
  const ty = (worst - tx) / tilesX
  const t = options.tile
  const out: SampleSsim = {
    ssim,
    worstTile: means[worst]!,
    worstRect: {
      x: tx * t,
      y: ty * t,
      width: tx === tilesX - 1 ? ow - tx * t : Math.min(t, ow),
      height: ty === tilesY - 1 ? oh - ty * t : Math.min(t, oh)
    }
  }
  if (wantMap) out.map = { width: ow, height: oh, data: extras.map! }
  return out
}

/** The local SSIM of a measurement and its confidence interval. */
export interface LocalSsimSummary {
  value: number
  interval: [number, number]
}

/**
 * The `percent`-th percentile (nearest rank) of the samples' worst tiles and
 * a distribution-free interval for it: the order statistics at ranks
 * `⌊np − t·√(np(1−p))⌋` and `⌈np + t·√(np(1−p))⌉` (clamped to [1, n]), with
 * t the Student t quantile of n − 1 degrees of freedom at `confidence` (the
 * normal approximation of the binomial count below the percentile).
 */
export function localSsimOf (worstTiles: readonly number[], confidence: number, percent: number = DEFAULT_LOCAL_SSIM_OPTIONS.percent): LocalSsimSummary {
  const n = worstTiles.length
  const sorted = Float64Array.from(worstTiles).sort()
  // nearest rank ⌈n·percent/100⌉ in integers
  const rank = Math.max(1, Math.ceil((n * percent) / 100))
  const value = sorted[Math.min(n, rank) - 1]!
  if (n < 2) return { value, interval: [-1, 1] }
  const np = (n * percent) / 100
  const half = studentTQuantile(n - 1, confidence) * Math.sqrt(np * (1 - percent / 100))
  const lo = Math.min(n, Math.max(1, Math.floor(np - half)))
  const hi = Math.min(n, Math.max(1, Math.ceil(np + half)))
  return { value, interval: [clampToRange('ssimLocal', sorted[lo - 1]!), clampToRange('ssimLocal', sorted[hi - 1]!)] }
}

/**
 * The sampling plan of a frame-set measurement: which frames, crops and frame
 * pairs a verifier measures. It depends only on the seed, the frame count, the
 * frame size and the scene complexity, so every honest node computes the same
 * plan, and a plan found in a job result can be checked by recomputing it.
 *
 * Sample kinds (the original verifier's mix: frame 40%, region 30%, full 20%,
 * temporal the rest):
 * - `frame`: a whole frame at the analysis resolution ({@link analysisSize}:
 *   downscaled by 2 with a 2×2 box filter when both dimensions are ≥ 22,
 *   otherwise the full resolution).
 * - `full`: a whole frame at full resolution.
 * - `region`: a crop `rect` of a frame at full resolution, 1/4 of each
 *   dimension (at least the 11×11 SSIM window, at most the frame), placed
 *   uniformly at random inside the frame.
 * - `temporal`: the change between frames `frame` and `frame + 1`, at the
 *   analysis resolution. The change image of a pair is (next − current + 255)/2
 *   per channel, which maps every possible difference onto [0, 255] without
 *   clipping (mid-grey = no change); the sample compares the candidate's change
 *   image with the reference's (SSIM on its luma, PSNR on its RGB). So flicker
 *   or motion the reference does not have lowers the score even when each
 *   frame alone looks close. With a single frame there is no pair: temporal
 *   samples become `frame` samples (the counts say so).
 *
 * Counts per kind come from the mix by largest-remainder rounding (ties to the
 * kind listed first), so they always add up to the Cochran sample size.
 * Repeated samples (same kind, frame and rect) are allowed; a measurer may
 * compute them once and reuse the value.
 */
import { z } from 'zod'
import { TrustEngineError } from '../errors.ts'
import { cochranSampleSize, DEFAULT_COCHRAN_OPTIONS } from './cochran.ts'
import type { CochranOptions } from './cochran.ts'
import { ERR_IMAGE_TOO_SMALL, ERR_SAMPLING_INPUT, ERR_SEED } from './errors.ts'
import { deriveSeed, isSeed, SeededPrng } from './prng.ts'

/** Side of the SSIM window: the smallest image (or crop) that can be measured. */
export const MIN_MEASURABLE_SIZE = 11

/** Kinds of sample, in the order the plan lists them. */
export const SAMPLE_KINDS = ['frame', 'region', 'full', 'temporal'] as const

/** One kind of sample (see the module comment). */
export type SampleKind = typeof SAMPLE_KINDS[number]

/** A crop rectangle in full-resolution pixel coordinates. */
export interface SampleRect {
  x: number
  y: number
  width: number
  height: number
}

/** One planned sample. `frame` is the frame index (temporal: the first of the pair `frame`, `frame + 1`). */
export interface FrameSample {
  kind: SampleKind
  frame: number
  /** Present for `region` samples only. */
  rect?: SampleRect
}

/** Share of each kind in integer percent; the four add up to 100. */
export type SampleMix = Record<SampleKind, number>

/** Options of {@link planFrameSamples}. */
export interface PlanOptions {
  /** Sample size parameters. */
  cochran: CochranOptions
  /** Share of each sample kind, integer percent adding up to 100. */
  mix: SampleMix
  /** A region crop is 1/regionDivisor of each frame dimension. */
  regionDivisor: number
}

/** Defaults of {@link planFrameSamples}. */
export const DEFAULT_PLAN_OPTIONS: Readonly<PlanOptions> = Object.freeze({
  /** The original verifier's Cochran numbers (see cochran.ts). */
  cochran: DEFAULT_COCHRAN_OPTIONS,
  /** The original verifier's mix: frame 40%, region 30%, full 20%, temporal the rest (10%). */
  mix: Object.freeze({ frame: 40, region: 30, full: 20, temporal: 10 }),
  /** A quarter of each dimension (1/16 of the area): local detail, still many SSIM windows. */
  regionDivisor: 4
})

/** Version of the plan construction; bumped whenever any rule here changes. */
export const PLAN_VERSION = 2

/** A complete sampling plan; it is part of a job result. */
export interface FrameSamplePlan {
  /** Construction version ({@link PLAN_VERSION}). */
  version: number
  /** The seed the plan was drawn from (lowercase hex). */
  seed: string
  frameCount: number
  /** Full-resolution frame size. */
  width: number
  height: number
  /** Scene complexity used for the sample size, clamped to [0, 1]. */
  complexity: number
  /** Size of `frame` and `temporal` samples and the downscale factor (1 or 2). */
  analysis: { width: number, height: number, factor: number }
  /** Samples per kind, after the single-frame temporal fallback. */
  counts: SampleMix
  /** The samples, grouped by kind in {@link SAMPLE_KINDS} order. */
  samples: FrameSample[]
}

/** Input of {@link planFrameSamples}. */
export interface PlanFrameSamplesInput {
  /** Lowercase hex seed, e.g. from {@link deriveSeed}(jobId, …). */
  seed: string
  /** Number of frames in each set (≥ 1). */
  frameCount: number
  /** Full-resolution frame width and height (each ≥ 11). */
  width: number
  height: number
  /** Scene complexity in [0, 1] (clamped); default 0. */
  complexity?: number
  options?: Partial<PlanOptions>
}

/** Largest frame count and dimension a plan accepts (far above any real limit; keeps integers exact). */
const MAX_PLAN_INTEGER = 1_000_000_000

/**
 * The analysis resolution of a frame: halved (2×2 box filter, odd last
 * row/column dropped) when both dimensions are at least 22, so the result
 * still holds an 11×11 SSIM window; otherwise the full resolution.
 */
export function analysisSize (width: number, height: number): { width: number, height: number, factor: number } {
  if (width >= 2 * MIN_MEASURABLE_SIZE && height >= 2 * MIN_MEASURABLE_SIZE) {
    return { width: Math.floor(width / 2), height: Math.floor(height / 2), factor: 2 }
  }
  return { width, height, factor: 1 }
}

/**
 * Splits `total` into parts proportional to integer `weights` by largest
 * remainder: floors first, then one more to the largest remainders, ties to
 * the lower index. Exact integer arithmetic.
 */
export function splitByLargestRemainder (total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0)
  if (!Number.isSafeInteger(total) || total < 0 || sum <= 0 || weights.some((w) => !Number.isSafeInteger(w) || w < 0) || !Number.isSafeInteger(total * sum)) {
    throw new TrustEngineError(ERR_SAMPLING_INPUT, 'largest remainder needs non-negative integers and a positive weight sum')
  }
  const parts = weights.map((w) => Math.floor((total * w) / sum))
  const rema = weights.map((w, i) => ({ i, r: (total * w) % sum }))
  let left = total - parts.reduce((a, b) => a + b, 0)
  rema.sort((a, b) => (b.r - a.r) || (a.i - b.i))
  for (const { i } of rema) {
    if (left === 0) break
    parts[i]! += 1
    left -= 1
  }
  return parts
}

function checkDimension (name: string, v: number): void {
  if (!Number.isSafeInteger(v) || v < 1 || v > MAX_PLAN_INTEGER) throw new TrustEngineError(ERR_SAMPLING_INPUT, `${name} must be an integer in [1, ${MAX_PLAN_INTEGER}]`)
}

/**
 * Draws the sampling plan. Deterministic: the same input gives the same plan
 * (deep-equal, same canonical bytes) in every process.
 *
 * Throws `ERR_SEED` for a bad seed, `ERR_SAMPLING_INPUT` for bad counts or
 * options, `ERR_IMAGE_TOO_SMALL` when a frame is smaller than 11×11.
 */
export function planFrameSamples (input: PlanFrameSamplesInput): FrameSamplePlan {
  const { seed, frameCount, width, height } = input
  if (!isSeed(seed)) throw new TrustEngineError(ERR_SEED, 'seed must be lowercase hex of 1 to 64 bytes')
  checkDimension('frameCount', frameCount)
  checkDimension('width', width)
  checkDimension('height', height)
  if (width < MIN_MEASURABLE_SIZE || height < MIN_MEASURABLE_SIZE) {
    throw new TrustEngineError(ERR_IMAGE_TOO_SMALL, `frames must be at least ${MIN_MEASURABLE_SIZE}×${MIN_MEASURABLE_SIZE}`)
  }
  const options: PlanOptions = { ...DEFAULT_PLAN_OPTIONS, ...input.options }
  const weights = SAMPLE_KINDS.map((k) => options.mix[k])
  if (weights.some((w) => !Number.isSafeInteger(w) || w < 0) || weights.reduce((a, b) => a + b, 0) !== 100) {
    throw new TrustEngineError(ERR_SAMPLING_INPUT, 'the sample mix must be integer percentages adding up to 100')
  }
  if (!Number.isSafeInteger(options.regionDivisor) || options.regionDivisor < 1) {
    throw new TrustEngineError(ERR_SAMPLING_INPUT, 'regionDivisor must be a positive integer')
  }
  const rawComplexity = input.complexity ?? 0
  if (typeof rawComplexity !== 'number' || Number.isNaN(rawComplexity)) throw new TrustEngineError(ERR_SAMPLING_INPUT, 'complexity must be a number')
  const complexity = Math.min(1, Math.max(0, rawComplexity))
  const n = cochranSampleSize(complexity, options.cochran)

  const [frameN, regionN, fullN, temporalN] = splitByLargestRemainder(n, weights) as [number, number, number, number]
  const rw = Math.min(width, Math.max(MIN_MEASURABLE_SIZE, Math.floor(width / options.regionDivisor)))
  const rh = Math.min(height, Math.max(MIN_MEASURABLE_SIZE, Math.floor(height / options.regionDivisor)))
  const xs = width - rw + 1
  const ys = height - rh + 1
  // Finite populations: a kind has only so many distinct samples (frameCount
  // whole frames, frameCount − 1 consecutive pairs, frameCount·xs·ys crops).
  // Each kind is drawn without replacement up to its population; what does
  // not fit goes to the next kind that still has room (temporal → frame →
  // full → region, then once more in that order), so repeated samples never
  // make an interval look tighter than the information it holds. A single
  // frame thus gets one frame sample, one full sample and the rest as
  // distinct regions.
  const population: SampleMix = { frame: frameCount, region: frameCount * xs * ys, full: frameCount, temporal: frameCount - 1 }
  const wanted: SampleMix = { frame: frameN, region: regionN, full: fullN, temporal: temporalN }
  const counts: SampleMix = { frame: 0, region: 0, full: 0, temporal: 0 }
  let excess = 0
  for (const kind of SPILL_ORDER) {
    const take = Math.min(population[kind], wanted[kind] + excess)
    excess = wanted[kind] + excess - take
    counts[kind] = take
  }
  // What still did not fit goes, in the same order, to any kind with room left
  // (an earlier kind may have had room it did not need in the first pass).
  for (const kind of SPILL_ORDER) {
    const take = Math.min(population[kind] - counts[kind], excess)
    counts[kind] += take
    excess -= take
  }

  const prng = new SeededPrng(deriveSeed('trust-engine/frame-samples/v1', seed))
  const samples: FrameSample[] = []
  for (const f of distinctIndices(prng, frameCount, counts.frame)) samples.push({ kind: 'frame', frame: f })
  for (const i of distinctIndices(prng, population.region, counts.region)) {
    const frame = Math.floor(i / (xs * ys))
    const rest = i - frame * xs * ys
    const y = Math.floor(rest / xs)
    const x = rest - y * xs
    samples.push({ kind: 'region', frame, rect: { x, y, width: rw, height: rh } })
  }
  for (const f of distinctIndices(prng, frameCount, counts.full)) samples.push({ kind: 'full', frame: f })
  for (const f of distinctIndices(prng, frameCount - 1, counts.temporal)) samples.push({ kind: 'temporal', frame: f })

  return {
    version: PLAN_VERSION,
    seed,
    frameCount,
    width,
    height,
    complexity,
    analysis: analysisSize(width, height),
    counts,
    samples
  }
}

/** Where a kind's samples go when its population is too small: in this order, each to the next. */
const SPILL_ORDER: readonly SampleKind[] = ['temporal', 'frame', 'full', 'region']

/**
 * `k` distinct integers in [0, n), drawn by the PRNG in a fixed way: a
 * partial Fisher–Yates shuffle when n is small, rejection against the ones
 * drawn so far when n is large (k ≤ n is guaranteed by the caller).
 */
function distinctIndices (prng: SeededPrng, n: number, k: number): number[] {
  if (k <= 0) return []
  if (n <= 4 * k || n <= 4096) {
    const pool = Array.from({ length: n }, (_, i) => i)
    for (let i = 0; i < k; i++) {
      const j = i + prng.nextInt(n - i)
      const t = pool[i]!
      pool[i] = pool[j]!
      pool[j] = t
    }
    return pool.slice(0, k)
  }
  const seen = new Set<number>()
  const out: number[] = []
  while (out.length < k) {
    const v = n <= 2 ** 32 ? prng.nextInt(n) : Math.floor(prng.nextFloat() * n)
    if (!seen.has(v)) {
      seen.add(v)
      out.push(v)
    }
  }
  return out
}

/** Key identifying a sample's content: equal keys measure the same thing. */
export function sampleKey (s: FrameSample): string {
  return s.rect === undefined
    ? `${s.kind}:${s.frame}`
    : `${s.kind}:${s.frame}:${s.rect.x},${s.rect.y},${s.rect.width},${s.rect.height}`
}

const nonNegativeInt = z.number().int().min(0).max(MAX_PLAN_INTEGER)
const positiveInt = z.number().int().min(1).max(MAX_PLAN_INTEGER)

/** Schema of a {@link FrameSamplePlan} as found in a job result (shape only; recompute to check content). */
export const FRAME_SAMPLE_PLAN_SCHEMA = z.object({
  version: z.literal(PLAN_VERSION),
  seed: z.string().regex(/^(?:[0-9a-f]{2}){1,64}$/),
  frameCount: positiveInt,
  width: positiveInt,
  height: positiveInt,
  complexity: z.number().min(0).max(1),
  analysis: z.object({ width: positiveInt, height: positiveInt, factor: z.union([z.literal(1), z.literal(2)]) }).strict(),
  counts: z.object({ frame: nonNegativeInt, region: nonNegativeInt, full: nonNegativeInt, temporal: nonNegativeInt }).strict(),
  samples: z.array(z.object({
    kind: z.enum(SAMPLE_KINDS),
    frame: nonNegativeInt,
    rect: z.object({ x: nonNegativeInt, y: nonNegativeInt, width: positiveInt, height: positiveInt }).strict().optional()
  }).strict()).max(10_000)
}).strict()

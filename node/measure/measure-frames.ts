/**
 * Measurement of a candidate frame set against a reference frame set (PNG
 * bytes): the sampling plan of protocol/sampling/plan.ts, SSIM and PSNR per
 * sample, and the mean with a Student t confidence interval per metric.
 *
 * Statistics (documented choices):
 * - SSIM: the mean of the per-sample SSIMs; interval mean ± t·stderr clamped
 *   to [−1, 1].
 * - PSNR: pooled over samples as 10·log10(255² / mean MSE), the usual
 *   sequence PSNR, so it is Infinity exactly when every sample is identical.
 *   Its interval is the t interval of the mean MSE, clamped to [0, 255²] and
 *   mapped through the (decreasing) PSNR function: [PSNR(mse_hi),
 *   PSNR(mse_lo)]. It always contains the pooled PSNR, needs no cap for
 *   identical samples, and its upper end is Infinity when a zero mean MSE
 *   cannot be ruled out.
 * - Every sample weighs the same, whatever its kind and pixel count.
 *
 * Memory: all headers are read first (counts, sizes, limits); frames are then
 * decoded lazily in ascending frame order and dropped once no later sample
 * needs them, so at most two frames per side are held when every frame is
 * different. Frames that no sample touches are never decoded. Samples with
 * the same key are measured once.
 *
 * Repeated frames: with `frameIds` (names of the frames' bytes, e.g. their
 * sha256, equal names meaning equal bytes), a frame named several times is
 * decoded once and held until its last use, and samples of the same kind and
 * region on the same frame pair (for a temporal sample, the same two pairs)
 * are measured once. The numbers are those of measuring every occurrence: the
 * same pixels give the same values.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises'
import { TrustEngineError } from '../../protocol/errors.ts'
import { planFrameSamples } from '../../protocol/sampling/plan.ts'
import type { FrameSample, FrameSamplePlan, PlanOptions } from '../../protocol/sampling/plan.ts'
import { DEFAULT_CONFIDENCE } from '../../protocol/stats/student-t.ts'
import { type MeasurementSummary, summarizeSamples } from './summary.ts'
import { ERR_FRAME_COUNT, ERR_PNG_SIZE_MISMATCH } from './errors.ts'
import { changeLuma, cropImage, downscale2x, lumaPlane } from './image.ts'
import type { LumaPlane, RgbaImage } from './image.ts'
import { decodePng, readPngHeader } from './png.ts'
import type { PngLimits } from './png.ts'
import { changeMseRgb, mseRgb, psnrFromMse } from './psnr.ts'
import { type MeasuredSample, type SampleValues, ssimPair } from './sample-values.ts'

/** Options of {@link measureFrames}. */
export interface MeasureFramesOptions {
  /** Lowercase hex seed of the sampling plan (e.g. derived from the job id). */
  seed: string
  /** Scene complexity in [0, 1] for the sample size; default 0. */
  complexity?: number
  /** PNG decoding limits. */
  limits?: Partial<PngLimits>
  /** Sampling plan options. */
  plan?: Partial<PlanOptions>
  /** Two-sided confidence level of the intervals. */
  confidence?: number
  /** Most frames per set. */
  maxFrames?: number
  /** Names of the frames' bytes (equal names: equal bytes), so repeated frames are decoded and measured once; by default every frame is its own. */
  frameIds?: { reference: readonly string[], candidate: readonly string[] }
}

/** Defaults of {@link measureFrames}. */
export const DEFAULT_MEASURE_FRAMES_OPTIONS = Object.freeze({
  /** Complexity 0 (a simple scene) when the caller knows none: the Cochran minimum for that, 97 samples. */
  complexity: 0,
  /** 95%, the original verifier's level. */
  confidence: DEFAULT_CONFIDENCE,
  /** 256 frames per set, the job limit on blobs per side (MAX_JOB_BLOBS in protocol/constants.ts). */
  maxFrames: 256
})

/** One measured sample: the planned sample and its values. */
export interface SampleMeasurement extends MeasuredSample {
  frame: number
}

/** The result of {@link measureFrames}. In memory an infinite PSNR is `Infinity`. */
export interface FrameMeasurement extends MeasurementSummary {
  /** Number of samples. */
  samples: number
  /** The sampling plan that was measured. */
  plan: FrameSamplePlan
  /** Values per sample, in plan order. */
  perSample: SampleMeasurement[]
  /** Frames decoded, both sides together (each repeated frame once with `frameIds`). */
  decodedFrames: number
}

interface Frame {
  full: RgbaImage
  analysis?: RgbaImage
  analysisLuma?: LumaPlane
}

/** Lazily decoded frames of one set, by name, dropped once no later sample needs them. */
class FrameSet {
  readonly #bytes: readonly Uint8Array[]
  readonly #ids: readonly string[]
  readonly #limits: Partial<PngLimits>
  readonly #factor: number
  readonly #frames = new Map<string, Frame>()
  /** Per name, the frame position of the last sample that reads it. */
  readonly #lastNeed = new Map<string, number>()
  decoded = 0

  constructor (bytes: readonly Uint8Array[], ids: readonly string[], limits: Partial<PngLimits>, factor: number) {
    this.#bytes = bytes
    this.#ids = ids
    this.#limits = limits
    this.#factor = factor
  }

  /** Records that the sample at frame position `at` reads frame `i`. */
  need (i: number, at: number): void {
    const id = this.#ids[i]!
    this.#lastNeed.set(id, Math.max(at, this.#lastNeed.get(id) ?? at))
  }

  full (i: number): RgbaImage {
    return this.#frame(i).full
  }

  analysis (i: number): RgbaImage {
    const f = this.#frame(i)
    f.analysis ??= this.#factor === 2 ? downscale2x(f.full) : f.full
    return f.analysis
  }

  analysisLuma (i: number): LumaPlane {
    const img = this.analysis(i)
    const f = this.#frame(i)
    f.analysisLuma ??= lumaPlane(img)
    return f.analysisLuma
  }

  /** Drops every frame no sample at position `at` or later reads. */
  dropBefore (at: number): void {
    for (const id of [...this.#frames.keys()]) if ((this.#lastNeed.get(id) ?? -1) < at) this.#frames.delete(id)
  }

  #frame (i: number): Frame {
    const id = this.#ids[i]!
    let f = this.#frames.get(id)
    if (f === undefined) {
      f = { full: decodePng(this.#bytes[i]!, this.#limits) }
      this.decoded++
      this.#frames.set(id, f)
    }
    return f
  }
}

/** The frames a sample reads (a temporal sample: its frame and the next). */
function framesOf (s: FrameSample): number[] {
  return s.kind === 'temporal' ? [s.frame, s.frame + 1] : [s.frame]
}

/** A key naming what a sample compares: its kind, region and the names of the frames it reads on both sides. */
function contentKey (s: FrameSample, ids: { reference: readonly string[], candidate: readonly string[] }): string {
  const frames = framesOf(s)
  const rect = s.rect === undefined ? '' : `${s.rect.x},${s.rect.y},${s.rect.width},${s.rect.height}`
  return JSON.stringify([s.kind, rect, frames.map((i) => ids.reference[i]), frames.map((i) => ids.candidate[i])])
}

function measureOne (s: FrameSample, ref: FrameSet, cand: FrameSet): SampleValues {
  switch (s.kind) {
    case 'frame':
      return { ...ssimPair(ref.analysisLuma(s.frame), cand.analysisLuma(s.frame)), mse: mseRgb(ref.analysis(s.frame), cand.analysis(s.frame)) }
    case 'full': {
      const a = ref.full(s.frame)
      const b = cand.full(s.frame)
      return { ...ssimPair(lumaPlane(a), lumaPlane(b)), mse: mseRgb(a, b) }
    }
    case 'region': {
      const a = cropImage(ref.full(s.frame), s.rect!)
      const b = cropImage(cand.full(s.frame), s.rect!)
      return { ...ssimPair(lumaPlane(a), lumaPlane(b)), mse: mseRgb(a, b) }
    }
    case 'temporal': {
      const i = s.frame
      return {
        ...ssimPair(changeLuma(ref.analysisLuma(i), ref.analysisLuma(i + 1)), changeLuma(cand.analysisLuma(i), cand.analysisLuma(i + 1))),
        mse: changeMseRgb(ref.analysis(i), ref.analysis(i + 1), cand.analysis(i), cand.analysis(i + 1))
      }
    }
  }
}

/**
 * The checks {@link measureFrames} makes on the frames' PNG headers before
 * any pixel is decoded, so that a job can be refused from its headers with
 * the very rule its measurement applies: equal-length, non-empty lists of at
 * most `maxFrames` (`ERR_FRAME_COUNT`), headers within the decoding limits
 * (the decoder's codes), every frame of one size (`ERR_PNG_SIZE_MISMATCH`).
 * Returns that size.
 */
export function checkFrameHeaders (reference: readonly Uint8Array[], candidate: readonly Uint8Array[], options: { limits?: Partial<PngLimits>, maxFrames?: number } = {}): { width: number, height: number } {
  const maxFrames = options.maxFrames ?? DEFAULT_MEASURE_FRAMES_OPTIONS.maxFrames
  const limits = options.limits ?? {}
  if (!Array.isArray(reference) || !Array.isArray(candidate) || reference.length === 0 || reference.length !== candidate.length) {
    throw new TrustEngineError(ERR_FRAME_COUNT, 'reference and candidate must be non-empty frame lists of equal length')
  }
  if (reference.length > maxFrames) throw new TrustEngineError(ERR_FRAME_COUNT, `more than ${maxFrames} frames per set`)
  const first = readPngHeader(reference[0]!, limits)
  for (const bytes of [...reference, ...candidate]) {
    const h = readPngHeader(bytes, limits)
    if (h.width !== first.width || h.height !== first.height) {
      throw new TrustEngineError(ERR_PNG_SIZE_MISMATCH, `frame sizes differ: ${first.width}×${first.height} and ${h.width}×${h.height}`)
    }
  }
  return { width: first.width, height: first.height }
}

/**
 * Measures `candidate` against `reference`, two equal-length lists of PNG
 * frames of one size. Throws `ERR_FRAME_COUNT` (empty, unequal lengths, too
 * many), `ERR_PNG_SIZE_MISMATCH` (frames of different sizes), the decoder's
 * codes (`ERR_PNG_SIGNATURE`, `ERR_PNG_TOO_LARGE`, `ERR_PNG_DECODE`), the
 * plan's (`ERR_SEED`, `ERR_IMAGE_TOO_SMALL`, `ERR_SAMPLING_INPUT`).
 * Deterministic: the same inputs give bit-identical numbers in every process.
 * Yields to the event loop between samples.
 */
export async function measureFrames (reference: readonly Uint8Array[], candidate: readonly Uint8Array[], options: MeasureFramesOptions): Promise<FrameMeasurement> {
  const o = { ...DEFAULT_MEASURE_FRAMES_OPTIONS, ...options }
  const limits = options.limits ?? {}
  // Every header first: limits and sizes are checked before any pixel is decoded.
  const first = checkFrameHeaders(reference, candidate, { limits, maxFrames: o.maxFrames })

  const plan = planFrameSamples({
    seed: o.seed,
    frameCount: reference.length,
    width: first.width,
    height: first.height,
    complexity: o.complexity,
    ...(options.plan === undefined ? {} : { options: options.plan })
  })
  const ids = frameIdsOf(options.frameIds, reference.length)
  const ref = new FrameSet(reference, ids.reference, limits, plan.analysis.factor)
  const cand = new FrameSet(candidate, ids.candidate, limits, plan.analysis.factor)

  // Distinct comparisons in ascending frame order (ties in plan order), so frames can be dropped once no later one reads them.
  const distinct = new Map<string, FrameSample>()
  for (const s of plan.samples) {
    const key = contentKey(s, ids)
    if (!distinct.has(key)) distinct.set(key, s)
  }
  const order = [...distinct.entries()].sort((a, b) => a[1].frame - b[1].frame)
  for (const [, s] of order) for (const i of framesOf(s)) { ref.need(i, s.frame); cand.need(i, s.frame) }
  const values = new Map<string, SampleValues>()
  for (const [key, s] of order) {
    ref.dropBefore(s.frame)
    cand.dropBefore(s.frame)
    values.set(key, measureOne(s, ref, cand))
    await yieldToEventLoop()
  }

  const perSample: SampleMeasurement[] = plan.samples.map((s) => {
    const v = values.get(contentKey(s, ids))!
    const m: SampleMeasurement = { kind: s.kind, frame: s.frame, ssim: v.ssim, worstTile: v.worstTile, psnr: psnrFromMse(v.mse), mse: v.mse }
    if (s.rect !== undefined) m.rect = { ...s.rect }
    return m
  })
  return {
    ...summarizeSamples(perSample, o.confidence),
    samples: perSample.length,
    plan,
    perSample,
    decodedFrames: ref.decoded + cand.decoded
  }
}

/** The frames' names: the given ones (one per frame on each side, `ERR_FRAME_COUNT` otherwise), or each frame its own. */
function frameIdsOf (given: MeasureFramesOptions['frameIds'], count: number): { reference: readonly string[], candidate: readonly string[] } {
  if (given === undefined) {
    const own = Array.from({ length: count }, (_, i) => `#${i}`)
    return { reference: own, candidate: own }
  }
  if (given.reference.length !== count || given.candidate.length !== count) throw new TrustEngineError(ERR_FRAME_COUNT, 'one frame name per frame on each side')
  return given
}

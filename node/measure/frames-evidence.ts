/**
 * Evidence of a frames measurement (evidence.ts): the images of the worst and
 * a few seeded random samples, exactly as `measureFrames` compared them —
 * `frame` and `temporal` samples at the analysis resolution (temporal ones as
 * change images), `full` frames whole, `region` samples cropped from the full
 * frame. Only the chosen samples' frames are decoded (each once per set, however
 * many of its samples are shown), after the measurement,
 * so evidence never changes a measured number.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises'
import type { FrameSamplePlan } from '../../protocol/sampling/plan.ts'
import { type EvidenceChoice, type EvidenceImages, type EvidenceOptions, evidenceImages, selectEvidence } from './evidence.ts'
import { changeImage, cropImage, downscale2x, type RgbaImage } from './image.ts'
import type { SampleMeasurement } from './measure-frames.ts'
import { decodePng, type PngLimits } from './png.ts'

/** One sample of a frames measurement's evidence: which sample, and its images as measured. */
export interface FramesEvidence {
  choice: EvidenceChoice
  images: EvidenceImages
}

/**
 * The evidence of a frames measurement of `candidate` against `reference`
 * (the PNG frames `measureFrames` measured, with its plan and per-sample
 * values, and the seed that drew the plan).
 */
export async function framesEvidence (
  reference: readonly Uint8Array[],
  candidate: readonly Uint8Array[],
  measured: { plan: FrameSamplePlan, perSample: readonly SampleMeasurement[] },
  seed: string,
  options: EvidenceOptions,
  limits: Partial<PngLimits> = {}
): Promise<FramesEvidence[]> {
  const factor = measured.plan.analysis.factor
  const analysis = (img: RgbaImage): RgbaImage => (factor === 2 ? downscale2x(img) : img)
  const choices = selectEvidence(measured.perSample, seed, options)
  const decoded = { reference: new RecentFrames(reference, limits), candidate: new RecentFrames(candidate, limits) }
  const out: FramesEvidence[] = new Array(choices.length)
  // Visited in frame order, so each frame of a set is decoded once (the samples of one frame are together);
  // the result keeps the choices' order.
  const order = choices.map((_, i) => i).sort((a, b) => (measured.perSample[choices[a]!.index]!.frame - measured.perSample[choices[b]!.index]!.frame) || (a - b))
  for (const at of order) {
    const choice = choices[at]!
    const s = measured.perSample[choice.index]!
    const pairOf = (f: (set: RecentFrames) => RgbaImage): [RgbaImage, RgbaImage] => [f(decoded.reference), f(decoded.candidate)]
    let pair: [RgbaImage, RgbaImage]
    if (s.kind === 'frame') pair = pairOf((set) => analysis(set.get(s.frame)))
    else if (s.kind === 'full') pair = pairOf((set) => set.get(s.frame))
    else if (s.kind === 'region') pair = pairOf((set) => cropImage(set.get(s.frame), s.rect!))
    else pair = pairOf((set) => changeImage(analysis(set.get(s.frame)), analysis(set.get(s.frame + 1))))
    out[at] = { choice, images: evidenceImages(pair[0], pair[1]) }
    await yieldToEventLoop()
  }
  return out
}

/**
 * The frames of one set, decoded on demand; the last two decoded are kept
 * (a temporal sample reads two neighbours), so memory stays at two frames
 * while a frame shown by several samples is decoded once.
 */
export class RecentFrames {
  readonly #set: readonly Uint8Array[]
  readonly #limits: Partial<PngLimits>
  readonly #kept = new Map<number, RgbaImage>()

  /** Frames of `set`, decoded within `limits`. */
  constructor (set: readonly Uint8Array[], limits: Partial<PngLimits>) {
    this.#set = set
    this.#limits = limits
  }

  /** Frame `i`, decoded (the same image object while it is kept; callers do not modify it). */
  get (i: number): RgbaImage {
    const kept = this.#kept.get(i)
    if (kept !== undefined) return kept
    const img = decodePng(this.#set[i]!, this.#limits)
    if (this.#kept.size >= 2) this.#kept.delete(this.#kept.keys().next().value!)
    this.#kept.set(i, img)
    return img
  }
}

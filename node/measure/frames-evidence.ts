/**
 * Evidence of a frames measurement (evidence.ts): the images of the worst and
 * a few seeded random samples, exactly as `measureFrames` compared them —
 * `frame` and `temporal` samples at the analysis resolution (temporal ones as
 * change images), `full` frames whole, `region` samples cropped from the full
 * frame. Only the chosen samples' frames are decoded, after the measurement,
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
  const out: FramesEvidence[] = []
  for (const choice of selectEvidence(measured.perSample, seed, options)) {
    const s = measured.perSample[choice.index]!
    const full = (set: readonly Uint8Array[], i: number): RgbaImage => decodePng(set[i]!, limits)
    let pair: [RgbaImage, RgbaImage]
    if (s.kind === 'frame') pair = [analysis(full(reference, s.frame)), analysis(full(candidate, s.frame))]
    else if (s.kind === 'full') pair = [full(reference, s.frame), full(candidate, s.frame)]
    else if (s.kind === 'region') pair = [cropImage(full(reference, s.frame), s.rect!), cropImage(full(candidate, s.frame), s.rect!)]
    else {
      const change = (set: readonly Uint8Array[]): RgbaImage => changeImage(analysis(full(set, s.frame)), analysis(full(set, s.frame + 1)))
      pair = [change(reference), change(candidate)]
    }
    out.push({ choice, images: evidenceImages(pair[0], pair[1]) })
    await yieldToEventLoop()
  }
  return out
}

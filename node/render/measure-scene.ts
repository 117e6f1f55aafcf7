/**
 * Scene measurement: renders an original and a candidate scene from the same
 * seeded views and measures SSIM and PSNR over the sampling plan of
 * protocol/sampling (frame, region, full, temporal), with a mean and Student t
 * confidence interval per metric.
 *
 * - The plan is `planFrameSamples` with one "frame" per view: `frame` samples
 *   compare a view at the analysis resolution (the full render downscaled 2×2),
 *   `full` the full render, `region` a crop of the full render; `temporal`
 *   samples compare the change between a view at its time t and at
 *   t + temporalStep (same camera) in original and candidate. A scene without
 *   animation has no change to compare: its temporal samples are measured as
 *   `frame` samples of the same view (reported with kind `frame`).
 * - Statistics as node/measure/measure-frames.ts: mean SSIM, PSNR pooled over
 *   the samples' MSE, intervals from the Student t interval (SSIM clamped to
 *   [−1, 1]; PSNR mapped from the MSE interval).
 * - Before any render, the work (renders × triangles of both scenes, image
 *   size) is checked against the budget: `ERR_RENDER_BUDGET`.
 * - An empty or non-finite ORIGINAL is refused (`ERR_RENDER_EMPTY_SCENE`,
 *   `ERR_RENDER_BAD_BOUNDS`); an empty candidate renders as background and
 *   simply measures badly.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises'
import type { FrameSamplePlan, PlanOptions, SampleRect } from '../../protocol/sampling/plan.ts'
import { sampleKey } from '../../protocol/sampling/plan.ts'
import { type MeasurementSummary, summarizeSamples } from '../measure/summary.ts'
import { changeImage, cropImage, downscale2x, type RgbaImage } from '../measure/image.ts'
import { changePlanes, colourPlanes } from '../measure/colour-ssim.ts'
import { SCENE_LOCAL_SSIM_PERCENT } from '../measure/local-ssim.ts'
import { changeMseRgb, mseRgb, psnrFromMse } from '../measure/psnr.ts'
import { type EvidenceChoice, type EvidenceImages, type EvidenceOptions, evidenceImages, selectEvidence } from '../measure/evidence.ts'
import { colourSsimPair, type MeasuredSample, type SampleValues } from '../measure/sample-values.ts'
import type { SceneLimits } from '../scene/load-scene.ts'
import type { RenderBudgetOptions } from './budget.ts'
import { checkBudget } from './budget.ts'
import { loadRenderScene } from './load.ts'
import { emptyStats, type RasterStats } from './rasterizer.ts'
import type { PreparedScene } from './scene-reader.ts'
import {
  DEFAULT_MEASURE_SCENES_OPTIONS, loadOriginal, type ReferenceRender, renderView, resolveMeasureOptions, SceneReference
} from './scene-reference.ts'
import type { SceneView, ViewOptions } from './views.ts'

export { DEFAULT_MEASURE_SCENES_OPTIONS }

/** Options of {@link measureScenes}. */
export interface MeasureScenesOptions {
  /** Lowercase hex seed shared by both sides (e.g. derived from the job id). */
  seed: string
  /** Full render width (default 256). */
  width?: number
  /** Full render height (default 256). */
  height?: number
  /** Scene complexity in [0, 1]; default: the complexity rule on the original (node/scene/complexity.ts, as the optimizer's analysis has it). */
  complexity?: number
  /** Work budget (merged over the defaults). */
  budget?: Partial<RenderBudgetOptions>
  /** Number of seeded views the samples are drawn from. */
  views?: number
  /** View construction options. */
  viewOptions?: Partial<ViewOptions>
  /** Sampling plan options. */
  plan?: Partial<PlanOptions>
  /** Loader limits for both scenes. */
  limits?: Partial<SceneLimits>
  /** Two-sided confidence level of the intervals. */
  confidence?: number
  /**
   * Receives the time spent in each phase, once per phase (`prepare`, then
   * `render`, then `metrics`) after a successful measurement, in cumulative
   * milliseconds. The phases do not overlap, so their sum is at most the
   * call's wall time. Clocks are read only when this is given; timings never
   * affect the result.
   */
  onTiming?: (phase: MeasurePhase, ms: number) => void
  /**
   * When given, the result also holds the images of the worst and a few
   * seeded random samples (node/measure/evidence.ts), rendered again after
   * the measurement (never changing its numbers).
   */
  evidence?: EvidenceOptions
  /**
   * Zoom of region samples (integer 1–4, default 2): a region sample's crop is
   * rendered as a window of a view `regionZoom` times larger, so it shows
   * texture detail and small features at that resolution.
   */
  regionZoom?: number
}

/** One sample of a scene measurement's evidence: which sample, and its images as measured. */
export interface SceneEvidence {
  choice: EvidenceChoice
  images: EvidenceImages
}

/**
 * A phase of {@link measureScenes}: `prepare` (meshopt unpacking, loading both
 * scenes, the complexity analysis, views and plan), `render` (every render of
 * both scenes), `metrics` (downscaling, cropping, luma, SSIM, MSE and the
 * statistics).
 */
export type MeasurePhase = 'prepare' | 'render' | 'metrics'

/** One measured sample. */
export interface SceneSampleMeasurement extends MeasuredSample {
  /** View index. */
  view: number
}

/** The plan of a scene measurement: the frame-sample plan over views, and the views. */
export interface ScenePlan {
  samplePlan: FrameSamplePlan
  views: SceneView[]
  /** The original scene is animated (temporal samples compare changes). */
  animated: boolean
  /** Animation time between the two renders of a temporal sample. */
  temporalStep: number
}

/** Counters of the renders. */
export interface SceneRenderStats {
  /** Renders per scene. */
  renders: number
  /** Triangles per render of the original and the candidate. */
  triangles: { original: number, candidate: number }
  /** Raster counters summed over all renders of each scene. */
  original: RasterStats
  candidate: RasterStats
  /** Declared extensions that do not affect rendering, per scene. */
  extensionsIgnored: { original: string[], candidate: string[] }
  /**
   * What changes a scene's look but is not rendered (PreparedScene.appearanceIgnored),
   * per scene. Non-empty for the original: the verdict holds for what the
   * renderer shows, and must be certified with this list as a caveat (docs/renderer.md).
   */
  appearanceIgnored: { original: string[], candidate: string[] }
}

/** The result of {@link measureScenes}. */
export interface SceneMeasurement extends MeasurementSummary {
  samples: number
  plan: ScenePlan
  perSample: SceneSampleMeasurement[]
  renderStats: SceneRenderStats
  /** Present when `options.evidence` was given. */
  evidence?: SceneEvidence[]
}

interface ViewRenders { full: RgbaImage, analysis?: RgbaImage, next?: RgbaImage }

/** Milliseconds since the `process.hrtime.bigint()` reading `t0`. */
function msSince (t0: bigint): number {
  return Number(process.hrtime.bigint() - t0) / 1e6
}

function addStats (into: RasterStats, s: RasterStats): void {
  into.triangles += s.triangles; into.culled += s.culled; into.degenerate += s.degenerate; into.clippedAway += s.clippedAway; into.fragments += s.fragments
}

/** Options of one measurement against a prepared reference: the reference fixes every other option. */
export type MeasureAgainstOptions = Pick<MeasureScenesOptions, 'onTiming' | 'evidence' | 'confidence'>

/**
 * Measures `candidateBytes` against `originalBytes` (.glb or .gltf). Throws
 * the loader's `ERR_SCENE_*`, the renderer's `ERR_RENDER_*` (budget, empty
 * original, textures), the plan's `ERR_SEED` / `ERR_SAMPLING_INPUT`.
 * Deterministic: the same bytes and options give bit-identical results in
 * every process.
 */
export async function measureScenes (originalBytes: Uint8Array, candidateBytes: Uint8Array, options: MeasureScenesOptions): Promise<SceneMeasurement> {
  const start = options.onTiming === undefined ? 0n : process.hrtime.bigint()
  const resolved = resolveMeasureOptions(options)
  const original = await loadOriginal(originalBytes, options, resolved)
  const candidate = await loadRenderScene(candidateBytes, resolved.loadOptions)
  const reference = await SceneReference.of(original.plain, original.scene, options, resolved, false)
  return await measureLoaded(reference, candidate, options, start)
}

/**
 * Measures `candidateBytes` against a reference prepared by
 * `prepareSceneReference` (node/render/scene-reference.ts), with the
 * reference's options: the same result, to the bit, as `measureScenes` on the
 * reference's original bytes and options, without rendering again what the
 * reference kept. Timings (`onTiming`) count only this call's work: the
 * original's preparation and its kept renders are not in them. Throws what
 * `measureScenes` throws for the candidate.
 */
export async function measureAgainstReference (reference: SceneReference, candidateBytes: Uint8Array, options: MeasureAgainstOptions = {}): Promise<SceneMeasurement> {
  const start = options.onTiming === undefined ? 0n : process.hrtime.bigint()
  const candidate = await loadRenderScene(candidateBytes, reference.resolved.loadOptions)
  return await measureLoaded(reference, candidate, options, start)
}

/** The measurement of a loaded candidate against a reference; `start` is the hrtime the measurement started at (read only with `onTiming`). */
async function measureLoaded (reference: SceneReference, candidate: PreparedScene, options: MeasureAgainstOptions, start: bigint): Promise<SceneMeasurement> {
  const onTiming = options.onTiming
  const spent = { prepare: 0, render: 0, metrics: 0 }
  const confidence = options.confidence ?? DEFAULT_MEASURE_SCENES_OPTIONS.confidence
  const { width, height, zoom, budget, viewOptions } = reference.resolved
  const { samplePlan, samples, views, animated } = reference
  const original = reference.scene

  const renders = reference.renderCount()
  checkBudget({ triangleViews: renders * (original.triangleCount + candidate.triangleCount), largestView: width * height }, budget)
  if (onTiming !== undefined) spent.prepare = msSince(start)

  const stats: SceneRenderStats = {
    renders,
    triangles: { original: original.triangleCount, candidate: candidate.triangleCount },
    original: emptyStats(),
    candidate: emptyStats(),
    extensionsIgnored: { original: original.extensionsIgnored, candidate: candidate.extensionsIgnored },
    appearanceIgnored: { original: original.appearanceIgnored, candidate: candidate.appearanceIgnored }
  }
  // a render counted in the render phase and the raster counters; a kept render of the original only in the counters
  const timed = (render: () => ReferenceRender): ReferenceRender => {
    const t0 = onTiming === undefined ? 0n : process.hrtime.bigint()
    const r = render()
    if (onTiming !== undefined) spent.render += msSince(t0)
    return r
  }
  const originalView = (frame: number, time: number, rect?: SampleRect): RgbaImage => {
    const r = reference.render(frame, time, rect, timed)
    addStats(stats.original, r.stats)
    return r.image
  }
  const candidateView = (frame: number, time: number, rect?: SampleRect): RgbaImage => {
    const r = timed(() => renderView(candidate, views[frame]!, reference.resolved, time, rect))
    addStats(stats.candidate, r.stats)
    return r.image
  }
  const factor = samplePlan.analysis.factor
  const analysisOf = (v: ViewRenders): RgbaImage => { v.analysis ??= factor === 2 ? downscale2x(v.full) : v.full; return v.analysis }

  // Distinct samples by view, so each view is rendered once per scene and dropped afterwards.
  const distinct = new Map<string, (typeof samples)[number]>()
  for (const s of samples) if (!distinct.has(sampleKey(s))) distinct.set(sampleKey(s), s)
  const order = [...distinct.entries()].sort((a, b) => a[1].frame - b[1].frame)
  const values = new Map<string, SampleValues>()
  let current = -1
  let ref: ViewRenders = { full: { width: 0, height: 0, data: new Uint8Array(0) } }
  let cand: ViewRenders = ref
  for (const [key, s] of order) {
    const view = views[s.frame]!
    if (s.frame !== current) {
      current = s.frame
      ref = { full: originalView(s.frame, view.time) }
      cand = { full: candidateView(s.frame, view.time) }
      await yieldToEventLoop()
    }
    // metrics time is this sample's time less the renders it triggers (temporal samples render t + step)
    const m0 = onTiming === undefined ? 0n : process.hrtime.bigint()
    const r0 = spent.render
    let v: SampleValues
    if (s.kind === 'frame') {
      const a = analysisOf(ref); const b = analysisOf(cand)
      v = { ...colourSsimPair(colourPlanes(a), colourPlanes(b)), mse: mseRgb(a, b) }
    } else if (s.kind === 'full') {
      v = { ...colourSsimPair(colourPlanes(ref.full), colourPlanes(cand.full)), mse: mseRgb(ref.full, cand.full) }
    } else if (s.kind === 'region') {
      const a = zoom === 1 ? cropImage(ref.full, s.rect!) : originalView(s.frame, view.time, s.rect!)
      const b = zoom === 1 ? cropImage(cand.full, s.rect!) : candidateView(s.frame, view.time, s.rect!)
      v = { ...colourSsimPair(colourPlanes(a), colourPlanes(b)), mse: mseRgb(a, b) }
    } else {
      const t1 = view.time + viewOptions.temporalStep
      ref.next ??= originalView(s.frame, t1)
      cand.next ??= candidateView(s.frame, t1)
      const rn = factor === 2 ? downscale2x(ref.next) : ref.next
      const cn = factor === 2 ? downscale2x(cand.next) : cand.next
      const r0 = analysisOf(ref); const c0 = analysisOf(cand)
      v = {
        ...colourSsimPair(changePlanes(colourPlanes(r0), colourPlanes(rn)), changePlanes(colourPlanes(c0), colourPlanes(cn))),
        mse: changeMseRgb(r0, rn, c0, cn)
      }
    }
    values.set(key, v)
    if (onTiming !== undefined) spent.metrics += msSince(m0) - (spent.render - r0)
  }
  const s0 = onTiming === undefined ? 0n : process.hrtime.bigint()

  const perSample: SceneSampleMeasurement[] = samples.map((s) => {
    const v = values.get(sampleKey(s))!
    const m: SceneSampleMeasurement = { kind: s.kind, view: s.frame, ssim: v.ssim, worstTile: v.worstTile, psnr: psnrFromMse(v.mse), mse: v.mse }
    if (s.rect !== undefined) m.rect = { ...s.rect }
    return m
  })
  const summary = summarizeSamples(perSample, confidence, SCENE_LOCAL_SSIM_PERCENT)
  if (onTiming !== undefined) {
    spent.metrics += msSince(s0)
    onTiming('prepare', spent.prepare)
    onTiming('render', spent.render)
    onTiming('metrics', spent.metrics)
  }
  const result: SceneMeasurement = {
    ...summary,
    samples: perSample.length,
    plan: { samplePlan, views, animated, temporalStep: viewOptions.temporalStep },
    perSample,
    renderStats: stats
  }
  if (options.evidence !== undefined) {
    result.evidence = []
    const chosen = selectEvidence(perSample.map((p) => ({ ...p, frame: p.view })), reference.options.seed, options.evidence)
    const untimed = (render: () => ReferenceRender): ReferenceRender => render()
    for (const choice of chosen) {
      const s = samples[choice.index]!
      const view = views[s.frame]!
      const at = (scene: 'original' | 'candidate', time: number, rect?: SampleRect): RgbaImage =>
        (scene === 'original' ? reference.render(s.frame, time, rect, untimed) : renderView(candidate, view, reference.resolved, time, rect)).image
      const r = at('original', view.time); const c = at('candidate', view.time)
      const half = (img: RgbaImage): RgbaImage => (factor === 2 ? downscale2x(img) : img)
      let pair: [RgbaImage, RgbaImage]
      if (s.kind === 'frame') pair = [half(r), half(c)]
      else if (s.kind === 'full') pair = [r, c]
      else if (s.kind === 'region') pair = zoom === 1 ? [cropImage(r, s.rect!), cropImage(c, s.rect!)] : [at('original', view.time, s.rect!), at('candidate', view.time, s.rect!)]
      else {
        const t1 = view.time + viewOptions.temporalStep
        pair = [changeImage(half(r), half(at('original', t1))), changeImage(half(c), half(at('candidate', t1)))]
      }
      result.evidence.push({ choice, images: evidenceImages(pair[0], pair[1], true) })
      await yieldToEventLoop()
    }
  }
  return result
}

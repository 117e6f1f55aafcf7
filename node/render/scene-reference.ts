/**
 * The original side of a scene measurement, prepared once: the loaded scene,
 * its seeded views and sampling plan, and (for a reference made by
 * {@link prepareSceneReference}) the original's renders kept after their
 * first use.
 *
 * Every candidate measured against one original with one seed and one set of
 * options renders the original from the same cameras at the same sizes, so a
 * caller measuring several candidates (the optimizer's search to a quality
 * target, the measurement table of docs/measurement.md) renders the original
 * once for all of them with `measureAgainstReference`
 * (node/render/measure-scene.ts). A render is a pure function of the prepared
 * scene, the camera and the render options, so a kept render is the same
 * pixels and raster counters as rendering again: measurements against a
 * reference are bit-identical to `measureScenes` on the original's bytes.
 *
 * Memory: a kept render is width × height × 4 bytes (a region window zoom² ×
 * its crop), 256 KiB at the default size, so the default 64 views, their
 * temporal renders and the zoomed regions keep a few tens of MiB for as long
 * as the reference is held. `measureScenes` keeps none (each view is dropped
 * after its samples, as before).
 */
import { DEFAULT_CONFIDENCE } from '../../protocol/stats/student-t.ts'
import { type FrameSamplePlan, planFrameSamples, type SampleRect, sampleKey } from '../../protocol/sampling/plan.ts'
import type { RgbaImage } from '../measure/image.ts'
import { sceneComplexity } from '../scene/complexity.ts'
import { resolveSceneLimits } from '../scene/load-scene.ts'
import { boundsOf, worldPositions } from './bounds.ts'
import { checkBudget, DEFAULT_RENDER_BUDGET_OPTIONS, type RenderBudgetOptions } from './budget.ts'
import { ERR_RENDER_OPTIONS, renderError } from './errors.ts'
import { loadRenderScene, type LoadRenderSceneOptions } from './load.ts'
import type { MeasureScenesOptions } from './measure-scene.ts'
import { unpackMeshopt } from './meshopt-unpack.ts'
import type { RasterStats } from './rasterizer.ts'
import { renderScene } from './render.ts'
import type { PreparedScene } from './scene-reader.ts'
import { DEFAULT_VIEW_OPTIONS, drawViews, type SceneView, type ViewOptions } from './views.ts'

/** The options a reference fixes for every measurement against it (all but the per-measurement `onTiming`, `evidence` and `confidence`). */
export type SceneReferenceOptions = Omit<MeasureScenesOptions, 'onTiming' | 'evidence' | 'confidence'>

/** A sample of a reference's plan; a static original's temporal samples are measured as `frame` samples of their view. */
export type ReferenceSample = FrameSamplePlan['samples'][number]

/** A render of the original with its raster counters. */
export interface ReferenceRender { image: RgbaImage, stats: RasterStats }

/** Full render size, region zoom, budget and loader options of a measurement, defaults applied. */
interface Resolved {
  width: number
  height: number
  zoom: number
  budget: RenderBudgetOptions
  viewOptions: ViewOptions
  loadOptions: LoadRenderSceneOptions
}

/** Defaults of `measureScenes` (node/render/measure-scene.ts) and of a reference. */
export const DEFAULT_MEASURE_SCENES_OPTIONS = Object.freeze({
  /** 256 × 256 full renders: 128 × 128 analysis frames and 64 × 64 regions, each well above the 11 × 11 SSIM window, and quick to render. */
  width: 256,
  height: 256,
  /** 64 views: a 100-sample plan touches about 50 distinct views, so samples rarely repeat one, while renders stay bounded at 2 × 64 per scene. */
  views: 64,
  /**
   * 2: region samples see each view as a 512 × 512 render would (128 × 128
   * pixels per region); 4 also made an accepted simplification's pole fail
   * (docs/measurement.md, "Resolution").
   */
  regionZoom: 2,
  /** 95%, the original verifier's level. */
  confidence: DEFAULT_CONFIDENCE
})


/** Options with their defaults, checked (`ERR_RENDER_OPTIONS`, `ERR_RENDER_BUDGET`) before anything is loaded. */
export function resolveMeasureOptions (options: SceneReferenceOptions): Resolved {
  const width = options.width ?? DEFAULT_MEASURE_SCENES_OPTIONS.width
  const height = options.height ?? DEFAULT_MEASURE_SCENES_OPTIONS.height
  const zoom = options.regionZoom ?? DEFAULT_MEASURE_SCENES_OPTIONS.regionZoom
  if (!Number.isSafeInteger(zoom) || zoom < 1 || zoom > 4) throw renderError(ERR_RENDER_OPTIONS, 'region zoom must be an integer from 1 to 4')
  const budget = { ...DEFAULT_RENDER_BUDGET_OPTIONS, ...options.budget }
  checkBudget({ triangleViews: 0, largestView: width * height }, budget)
  // each scene is rendered at least once, so one with more triangles than the whole budget is refused while loading
  const loadOptions = { maxTexturePixels: budget.maxTexturePixels, maxTriangles: budget.maxTriangleViews, ...(options.limits === undefined ? {} : { limits: options.limits }) }
  return { width, height, zoom, budget, viewOptions: { ...DEFAULT_VIEW_OPTIONS, ...options.viewOptions }, loadOptions }
}

/** The original scene's bytes with meshopt unpacked (the complexity rule's loader does not decode meshopt), and the scene loaded from them. */
export async function loadOriginal (originalBytes: Uint8Array, options: SceneReferenceOptions, resolved: Resolved): Promise<{ plain: Uint8Array, scene: PreparedScene }> {
  const plain = await unpackMeshopt(originalBytes, resolveSceneLimits(options.limits))
  return { plain, scene: await loadRenderScene(plain, resolved.loadOptions) }
}

/**
 * The original of a scene measurement, its views and plan; see the module
 * comment. Made by {@link prepareSceneReference} (renders kept) or by
 * `measureScenes` for one measurement (renders not kept).
 */
export class SceneReference {
  /** The options every measurement against this reference uses. */
  readonly options: Readonly<SceneReferenceOptions>
  /** Full render width and height, region zoom, budget, view and loader options, defaults applied. */
  readonly resolved: Readonly<Resolved>
  /** The loaded original. */
  readonly scene: PreparedScene
  /** The frame-sample plan over the views. */
  readonly samplePlan: FrameSamplePlan
  /** The plan's samples as measured (a static original's temporal samples as frames). */
  readonly samples: readonly ReferenceSample[]
  /** The seeded views. */
  readonly views: SceneView[]
  /** The original is animated (temporal samples compare changes). */
  readonly animated: boolean
  /** Renders of the original by view, time and window, when kept. */
  readonly #kept: Map<string, ReferenceRender> | undefined

  /** Views and plan of a loaded original (`plain` its meshopt-free bytes, for the complexity rule); `keep` keeps its renders. */
  static async of (plain: Uint8Array, scene: PreparedScene, options: SceneReferenceOptions, resolved: Resolved, keep: boolean): Promise<SceneReference> {
    const complexity = options.complexity ?? await sceneComplexity(plain)
    const viewCount = options.views ?? DEFAULT_MEASURE_SCENES_OPTIONS.views
    const world = worldPositions(scene, 0)
    const sphere = boundsOf(world)
    const animated = scene.duration > 0
    // framed on the original's vertices (framing.ts); an animated scene moves away from its time-0 pose, so it keeps the sphere views
    const views = drawViews(options.seed, viewCount, sphere, scene.duration, resolved.viewOptions, animated ? undefined : world.positions)
    const samplePlan = planFrameSamples({
      seed: options.seed,
      frameCount: viewCount,
      width: resolved.width,
      height: resolved.height,
      complexity,
      ...(options.plan === undefined ? {} : { options: options.plan })
    })
    return new SceneReference(options, resolved, scene, samplePlan, views, animated, keep)
  }

  private constructor (options: SceneReferenceOptions, resolved: Resolved, scene: PreparedScene, samplePlan: FrameSamplePlan, views: SceneView[], animated: boolean, keep: boolean) {
    this.options = Object.freeze({ ...options })
    this.resolved = resolved
    this.scene = scene
    this.samplePlan = samplePlan
    this.samples = samplePlan.samples.map((s) => (s.kind === 'temporal' && !animated ? { kind: 'frame' as const, frame: s.frame } : s))
    this.views = views
    this.animated = animated
    this.#kept = keep ? new Map() : undefined
  }

  /** The number of renders per scene: one full render per distinct view, one at t + step per view with a temporal sample, one per distinct zoomed region. */
  renderCount (): number {
    const used = new Set<number>(); const nextUsed = new Set<number>(); const regions = new Set<string>()
    for (const s of this.samples) { used.add(s.frame); if (s.kind === 'temporal') nextUsed.add(s.frame); if (s.kind === 'region' && this.resolved.zoom > 1) regions.add(sampleKey(s)) }
    return used.size + nextUsed.size + regions.size
  }

  /** How many renders of the original are kept (0 for a reference that keeps none). */
  get keptRenders (): number {
    return this.#kept?.size ?? 0
  }

  /**
   * The original rendered from view `frame` at `time` (full size), or the
   * zoomed `window` of that view at its own time; taken from the kept renders
   * when there, and `rendered` is called only when it really renders.
   */
  render (frame: number, time: number, window: SampleRect | undefined, rendered: (render: () => ReferenceRender) => ReferenceRender): ReferenceRender {
    const key = window === undefined ? `${frame}@${time}` : `${frame}#${window.x},${window.y},${window.width},${window.height}`
    const kept = this.#kept?.get(key)
    if (kept !== undefined) return kept
    const r = rendered(() => renderView(this.scene, this.views[frame]!, this.resolved, time, window))
    this.#kept?.set(key, r)
    return r
  }
}

/** `scene` rendered from `view` at `time` at the measurement's size, or only the zoomed `window` of the view. */
export function renderView (scene: PreparedScene, view: SceneView, r: Readonly<Resolved>, time: number, window?: SampleRect): ReferenceRender {
  if (window === undefined) return renderScene(scene, view.camera, { width: r.width, height: r.height, time })
  const z = r.zoom
  return renderScene(scene, view.camera, { width: r.width * z, height: r.height * z, time, window: { x: window.x * z, y: window.y * z, width: window.width * z, height: window.height * z } })
}

/**
 * Prepares `originalBytes` (.glb or .gltf) as the original of measurements
 * with `options`, keeping its renders: measure candidates against it with
 * `measureAgainstReference`. Throws what `measureScenes` throws for the
 * original and the options.
 */
export async function prepareSceneReference (originalBytes: Uint8Array, options: SceneReferenceOptions): Promise<SceneReference> {
  const resolved = resolveMeasureOptions(options)
  const { plain, scene } = await loadOriginal(originalBytes, options, resolved)
  return await SceneReference.of(plain, scene, options, resolved, true)
}

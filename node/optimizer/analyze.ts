/**
 * Scene analysis of real glTF/GLB bytes: load through the bounded loader,
 * measure ({@link measureScene}), then apply the seed's rules (complexity,
 * LOD and baking potential, routing, hints, estimates). Results for the same
 * bytes and options are cached by content hash in a bounded LRU.
 */
import { z } from 'zod'
import { sha256Hex } from '../../protocol/hash.ts'
import {
  DEFAULT_ANALYSIS_RULES, PROFILES, bakingPotential, complexityClass, complexityScore, estimate, featureScores,
  lodPotential, realtimeRequirement, routePipeline, sceneHints,
  type AnalysisRules, type ComplexityClass, type Estimates, type FeatureScores, type Profile, type Routing, type SceneFeatures
} from './analysis-rules.ts'
import { ERR_OPTIMIZER_OPTIONS_INVALID, fail } from './errors.ts'
import { loadSceneSafely, type LoadedScene } from '../scene/load-scene.ts'
import { LruCache } from './lru-cache.ts'
import type { SceneLimits } from '../scene/scene-limits.ts'
import { measureScene, type SceneStats } from '../scene/scene-stats.ts'
import { featuresOf } from '../scene/complexity.ts'

export { featuresOf }

/** Options of {@link analyzeScene}. */
export interface AnalysisOptions {
  /** Profile whose override the routing applies. */
  profile: Profile
  /** Target render resolution [width, height] for the cost estimate. */
  resolution: [number, number]
  /** Loader limits (merged over the defaults). */
  limits: Partial<SceneLimits>
}

/** Default analysis options. */
export const DEFAULT_ANALYSIS_OPTIONS: Readonly<AnalysisOptions> = Object.freeze<AnalysisOptions>({
  // The seed's default profile for a request without one.
  profile: 'balanced',
  // 1920 x 1080: the seed's reference resolution, at which the resolution cost factor is 1.
  resolution: [1920, 1080],
  limits: {}
})

/** Options of a {@link SceneAnalyzer}. */
export interface SceneAnalyzerOptions {
  /** Analyses kept in the LRU cache. */
  cacheSize: number
  /** Rule numbers (the seed's by default). */
  rules: AnalysisRules
}

/** Default analyzer options. */
export const DEFAULT_SCENE_ANALYZER_OPTIONS: Readonly<SceneAnalyzerOptions> = Object.freeze({
  // 1000 entries: the original SceneAnalyzer's cache size; an entry is a few KB.
  cacheSize: 1000,
  rules: DEFAULT_ANALYSIS_RULES
})

/** Everything the analysis finds in a scene. */
export interface SceneAnalysis {
  /** sha256 of the scene bytes. */
  contentHash: string
  format: 'glb' | 'gltf'
  stats: SceneStats
  /** Complexity score in [0, 1] (the verifier's sampling uses it). */
  complexity: number
  complexityClass: ComplexityClass
  featureScores: FeatureScores
  lodPotential: number
  bakingPotential: number
  dynamicRatio: number
  realtimeRequirement: number
  routing: Routing
  hints: string[]
  estimates: Estimates
}

const optionsSchema = z.object({
  profile: z.enum(PROFILES),
  resolution: z.tuple([z.number().int().min(1).max(65536), z.number().int().min(1).max(65536)]),
  limits: z.record(z.string(), z.number())
}).strict()

/** Validates and completes analysis options. */
export function resolveAnalysisOptions (options: Partial<AnalysisOptions> = {}): AnalysisOptions {
  const parsed = optionsSchema.safeParse({ ...DEFAULT_ANALYSIS_OPTIONS, ...options })
  if (!parsed.success) fail(ERR_OPTIMIZER_OPTIONS_INVALID, `invalid analysis options: ${parsed.error.issues[0]?.message ?? ''}`)
  return parsed.data as AnalysisOptions
}

/** Applies the rules to measured stats. */
export function analyzeStats (stats: SceneStats, contentHash: string, format: SceneAnalysis['format'], options: AnalysisOptions, rules: AnalysisRules = DEFAULT_ANALYSIS_RULES): SceneAnalysis {
  const f = featuresOf(stats)
  return {
    contentHash,
    format,
    stats,
    complexity: complexityScore(f, rules),
    complexityClass: complexityClass(f.triangles, rules),
    featureScores: featureScores(f, rules),
    lodPotential: lodPotential(f.triangles, rules),
    bakingPotential: bakingPotential(f, rules),
    dynamicRatio: f.dynamicRatio,
    realtimeRequirement: realtimeRequirement(f, rules),
    routing: routePipeline(f, options.profile, rules),
    hints: sceneHints(f, rules),
    estimates: estimate(f, options.resolution[0] * options.resolution[1], rules)
  }
}

/** Scene analysis with an LRU cache keyed by content hash and options. */
export class SceneAnalyzer {
  readonly #cache: LruCache<string, SceneAnalysis>
  readonly #rules: AnalysisRules
  /** Analyses served from the cache. */
  hits = 0
  /** Analyses computed. */
  misses = 0

  constructor (options: Partial<SceneAnalyzerOptions> = {}) {
    const o = { ...DEFAULT_SCENE_ANALYZER_OPTIONS, ...options }
    this.#cache = new LruCache(o.cacheSize)
    this.#rules = o.rules
  }

  /** Analyzes scene bytes (see {@link analyzeScene}). */
  async analyze (bytes: Uint8Array, options: Partial<AnalysisOptions> = {}): Promise<SceneAnalysis> {
    const o = resolveAnalysisOptions(options)
    const contentHash = sha256Hex(bytes)
    const key = `${contentHash}/${o.profile}/${o.resolution.join('x')}/${JSON.stringify(Object.entries(o.limits).sort())}`
    const cached = this.#cache.get(key)
    if (cached !== undefined) {
      this.hits++
      return structuredClone(cached)
    }
    this.misses++
    const loaded = await loadSceneSafely(bytes, o.limits)
    const analysis = this.analyzeLoaded(loaded, bytes.byteLength, contentHash, o)
    this.#cache.set(key, analysis)
    return structuredClone(analysis)
  }

  /** Analyzes an already loaded scene (no cache). */
  analyzeLoaded (loaded: LoadedScene, fileBytes: number, contentHash: string, options: AnalysisOptions): SceneAnalysis {
    return analyzeStats(measureScene(loaded.document, fileBytes), contentHash, loaded.format, options, this.#rules)
  }

  /** Number of cached analyses. */
  get cacheSize (): number { return this.#cache.size }
}

/** The process-wide analyzer behind {@link analyzeScene}. */
export const defaultSceneAnalyzer = new SceneAnalyzer()

/**
 * Analyzes glTF/GLB bytes: measured stats, complexity score and class,
 * feature scores, LOD and baking potential, routing with the profile's
 * override, hints, time and cost estimates. Cached by content hash.
 * Throws `ERR_SCENE_*` for bad input, `ERR_OPTIMIZER_OPTIONS_INVALID` for bad options.
 */
export async function analyzeScene (bytes: Uint8Array, options: Partial<AnalysisOptions> = {}): Promise<SceneAnalysis> {
  return defaultSceneAnalyzer.analyze(bytes, options)
}

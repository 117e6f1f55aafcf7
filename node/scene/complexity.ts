/**
 * A scene's complexity score in [0, 1], the number scene measurement feeds to
 * the sampling plan (more samples for a more complex scene) and the first
 * figure of the optimizer's analysis. Every node computes it from the same
 * bytes with the same arithmetic, so it lives here, below both the renderer
 * and the optimizer (docs/architecture.md, "Layers").
 *
 * Score = weighted sum of feature scores: triangles, materials, lights and
 * textures each over its saturation count (capped at 1), and a special term
 * for transparency, volumetrics and animation (the seed digest's rule).
 */
import { sha256Hex } from '../../protocol/hash.ts'
import type { LoadedScene } from './load-scene.ts'
import type { SceneLimits } from './scene-limits.ts'
import { measureScene, type SceneStats } from './scene-stats.ts'

/** The facts the complexity rule (and the optimizer's other rules) read; built from measured {@link SceneStats} or by hand in tests. */
export interface SceneFeatures {
  triangles: number
  materials: number
  lights: number
  textures: number
  transparency: boolean
  volumetrics: boolean
  dynamic: boolean
  /** Share of triangles on animated, skinned or morphed geometry, in [0, 1]. */
  dynamicRatio: number
  /** Keyframes of the longest animation sampler. */
  animationFrames: number
}

/** The numbers of the complexity rule. */
export interface ComplexityRules {
  /** Weights of the complexity score's terms (sum 1). */
  weights: { geometry: number, materials: number, lights: number, textures: number, special: number }
  /** Counts at which each term saturates at 1. */
  saturation: { triangles: number, materials: number, lights: number, textures: number }
  /** Contributions to the special-features term. */
  special: { transparency: number, volumetrics: number, dynamic: number }
}

/** The complexity rule with the seed digest's numbers. */
export const DEFAULT_COMPLEXITY_RULES: Readonly<ComplexityRules> = Object.freeze({
  // Seed digest, "Complexity score": 0.3 geometry, 0.2 materials, 0.15 lights, 0.15 textures, 0.2 special.
  weights: { geometry: 0.3, materials: 0.2, lights: 0.15, textures: 0.15, special: 0.2 },
  // Seed digest: min(1, polys/10M), materials/1000, lights/100, textures/500.
  saturation: { triangles: 10_000_000, materials: 1000, lights: 100, textures: 500 },
  // Seed digest: special = 0.3 transparency + 0.4 volumetrics + 0.3 dynamic.
  special: { transparency: 0.3, volumetrics: 0.4, dynamic: 0.3 }
})

/** The complexity score's terms, each in [0, 1] before weighting. */
export interface FeatureScores { geometry: number, materials: number, lights: number, textures: number, special: number }

const clamp01 = (x: number): number => Math.min(1, Math.max(0, x))

/** The feature record the rules read, from measured stats. */
export function featuresOf (stats: SceneStats): SceneFeatures {
  return {
    triangles: stats.triangles,
    materials: stats.materials,
    lights: stats.lights,
    textures: stats.textures,
    transparency: stats.transparency,
    volumetrics: stats.volumetrics,
    dynamic: stats.dynamic,
    dynamicRatio: stats.dynamicRatio,
    animationFrames: stats.animationFrames
  }
}

/** Unweighted feature scores: each count over its saturation (capped at 1), and the special-features sum. */
export function featureScores (f: SceneFeatures, rules: ComplexityRules = DEFAULT_COMPLEXITY_RULES): FeatureScores {
  const s = rules.saturation
  return {
    geometry: Math.min(1, f.triangles / s.triangles),
    materials: Math.min(1, f.materials / s.materials),
    lights: Math.min(1, f.lights / s.lights),
    textures: Math.min(1, f.textures / s.textures),
    special: (f.transparency ? rules.special.transparency : 0) + (f.volumetrics ? rules.special.volumetrics : 0) + (f.dynamic ? rules.special.dynamic : 0)
  }
}

/** Complexity score in [0, 1]: the weighted sum of the feature scores. */
export function complexityScore (f: SceneFeatures, rules: ComplexityRules = DEFAULT_COMPLEXITY_RULES): number {
  const s = featureScores(f, rules)
  const w = rules.weights
  return clamp01(w.geometry * s.geometry + w.materials * s.materials + w.lights * s.lights + w.textures * s.textures + w.special * s.special)
}

/** The complexity score of a loaded scene (its measured stats through {@link complexityScore}). */
export function loadedSceneComplexity (loaded: LoadedScene, fileBytes: number, rules: ComplexityRules = DEFAULT_COMPLEXITY_RULES): number {
  return complexityScore(featuresOf(measureScene(loaded.document, fileBytes)), rules)
}

// Scores of recent scenes by content hash, limits and rules: a grey-zone round or a quality-target
// search measures one original several times (the optimizer's analysis cache served this before).
const RECENT_SCORES = 64
const recent = new Map<string, number>()

/**
 * The complexity score of glTF/GLB bytes: loaded through the bounded loader
 * (`ERR_SCENE_*` for what it refuses), measured, scored; the same number as
 * the optimizer's analysis of the same bytes (`analyzeScene(bytes).complexity`).
 * The scores of the last 64 scenes are kept by content hash.
 */
export async function sceneComplexity (bytes: Uint8Array, limits: Partial<SceneLimits> = {}, rules: ComplexityRules = DEFAULT_COMPLEXITY_RULES): Promise<number> {
  const key = `${sha256Hex(bytes)}/${JSON.stringify(Object.entries(limits).sort())}/${JSON.stringify(rules)}`
  const known = recent.get(key)
  if (known !== undefined) return known
  // The loader (glTF-Transform and its extensions) is loaded here, on first use: the rule's users that only score features never need it.
  const { loadSceneSafely } = await import('./load-scene.ts')
  const score = loadedSceneComplexity(await loadSceneSafely(bytes, limits), bytes.byteLength, rules)
  if (recent.size >= RECENT_SCORES) recent.delete(recent.keys().next().value!)
  recent.set(key, score)
  return score
}

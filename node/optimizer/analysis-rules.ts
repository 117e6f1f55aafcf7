/**
 * The scene analysis rules carried over from the original system (see the
 * seed digest): complexity class, LOD and baking potential,
 * pipeline routing with profile overrides, hints, and time and cost
 * estimates. Pure functions of a {@link SceneFeatures} record, so each rule is
 * testable at its boundaries without building huge meshes. The complexity
 * score itself is node/scene/complexity.ts (scene measurement needs it too),
 * re-exported here.
 */
import { ERR_OPTIMIZER_OPTIONS_INVALID, fail } from './errors.ts'
import { DEFAULT_COMPLEXITY_RULES, complexityScore, type ComplexityRules, type SceneFeatures } from '../scene/complexity.ts'

// The complexity rule lives below the renderer and the optimizer, which both need it; the optimizer's rules re-export it.
export { complexityScore, featureScores, type FeatureScores, type SceneFeatures } from '../scene/complexity.ts'

/** Optimization profiles. */
export const PROFILES = ['quality', 'balanced', 'economy', 'realtime', 'archviz', 'gaming', 'ai_training'] as const
/** An optimization profile. */
export type Profile = typeof PROFILES[number]

/** True when `name` is one of {@link PROFILES}: the one check that turns a profile name from outside (flags, job fields) into a {@link Profile}. */
export function isProfile (name: string): name is Profile {
  return (PROFILES as readonly string[]).includes(name)
}

/** `name` as a {@link Profile}; an unknown name is `ERR_OPTIMIZER_OPTIONS_INVALID` (a job pinning a profile this node does not know). */
export function parseProfile (name: string): Profile {
  if (!isProfile(name)) fail(ERR_OPTIMIZER_OPTIONS_INVALID, `unknown optimizer profile ${name}`)
  return name
}
/** Target pipelines: light baking, 3D Gaussian splatting, or both. */
export type Pipeline = 'baking' | '3dgs' | 'hybrid'
/** Complexity classes by triangle count. */
export type ComplexityClass = 'simple' | 'moderate' | 'complex' | 'extreme'

/** Every number of the rules, named. */
export interface AnalysisRules extends ComplexityRules {
  /** Lower triangle bounds of the classes above simple. */
  classes: { moderate: number, complex: number, extreme: number }
  /** LOD potential below each class bound, and above all. */
  lod: { simple: number, moderate: number, complex: number, extreme: number }
  baking: { base: number, staticBonus: number, lightsMin: number, lightsMax: number, lightsBonus: number, manyLights: number, manyLightsPenalty: number, transparencyPenalty: number, volumetricsPenalty: number }
  routing: {
    bakingMin: number, bakingDynamicMax: number, dynamicMin: number,
    secondary3dgsComplexity: number, secondaryBakingPotential: number,
    realtimeDynamic: number, realtimeStatic: number, realtimeMin: number,
    costReductionBase: number, costReductionPerBaking: number, economyCostReductionMin: number
  }
  hints: { decimationTriangles: number, atlasMaterials: number, streamingTextures: number, bakeLights: number, motionVectorsTriangles: number }
  estimates: {
    baseSeconds: number, complexityFactor: number, perMillionTriangles: number,
    volumetricsTime: number, transparencyTime: number, timePer100Frames: number,
    classCost: Record<ComplexityClass, number>, volumetricsCost: number, transparencyCost: number,
    costPer1000Frames: number, referencePixels: number, resolutionCostWeight: number
  }
}

/** The rules with the seed digest's numbers (every figure below is from the seed digest or the original SceneAnalyzer it summarises). */
export const DEFAULT_ANALYSIS_RULES: Readonly<AnalysisRules> = Object.freeze({
  // The complexity rule's weights, saturations and special terms (node/scene/complexity.ts, from the seed digest).
  ...DEFAULT_COMPLEXITY_RULES,
  // Seed digest classes: simple < 100K <= moderate < 1M <= complex <= 10M < extreme.
  classes: { moderate: 100_000, complex: 1_000_000, extreme: 10_000_000 },
  // Seed digest LOD potential: 0.2 (< 100K), 0.6 (< 1M), 0.85 (< 10M), 0.95 otherwise.
  lod: { simple: 0.2, moderate: 0.6, complex: 0.85, extreme: 0.95 },
  // Seed digest baking potential: 0.5, +0.35 static, +0.15 for 5..30 lights, -0.2 above 50, -0.1 transparency, -0.15 volumetrics.
  baking: { base: 0.5, staticBonus: 0.35, lightsMin: 5, lightsMax: 30, lightsBonus: 0.15, manyLights: 50, manyLightsPenalty: 0.2, transparencyPenalty: 0.1, volumetricsPenalty: 0.15 },
  routing: {
    // Seed digest: baking if baking potential > 0.7 and dynamic ratio < 0.3; 3dgs if dynamic ratio > 0.7 or volumetrics.
    bakingMin: 0.7,
    bakingDynamicMax: 0.3,
    dynamicMin: 0.7,
    // Original SceneAnalyzer: secondary 3dgs beside baking when complexity > 0.6; secondary baking beside 3dgs when baking potential > 0.5.
    secondary3dgsComplexity: 0.6,
    secondaryBakingPotential: 0.5,
    // Original SceneAnalyzer: realtime requirement 0.8 for dynamic scenes, 0.2 for static; seed digest: realtime -> 3dgs above 0.5.
    realtimeDynamic: 0.8,
    realtimeStatic: 0.2,
    realtimeMin: 0.5,
    // Original SceneAnalyzer: cost reduction of the primary = 0.5 + 0.25 x baking potential; seed digest: economy keeps the primary above 0.6.
    costReductionBase: 0.5,
    costReductionPerBaking: 0.25,
    economyCostReductionMin: 0.6
  },
  // Seed digest hints: decimation above 5M polys, atlas above 100 materials, streaming above 50 textures;
  // original SceneAnalyzer: full baking above 20 static lights, motion vectors for animated scenes above 1M polys.
  hints: { decimationTriangles: 5_000_000, atlasMaterials: 100, streamingTextures: 50, bakeLights: 20, motionVectorsTriangles: 1_000_000 },
  estimates: {
    // Seed digest: time = 60 s x (1 + 3 x complexity) x (1 + 0.5 x polys/1M) x feature factors.
    baseSeconds: 60,
    complexityFactor: 3,
    perMillionTriangles: 0.5,
    // Original SceneAnalyzer feature factors: volumetrics x1.5, transparency x1.2, animation x(1 + frames/100 x 0.1).
    volumetricsTime: 1.5,
    transparencyTime: 1.2,
    timePer100Frames: 0.1,
    // Seed digest: cost by class 0.5 / 1.5 / 3.0 / 6.0 USD, volumetrics x1.4, transparency x1.15.
    classCost: { simple: 0.5, moderate: 1.5, complex: 3.0, extreme: 6.0 },
    volumetricsCost: 1.4,
    transparencyCost: 1.15,
    // Original SceneAnalyzer: animation x(1 + frames/1000 x 0.2); resolution x(1 + (pixels/1080p - 1) x 0.3).
    costPer1000Frames: 0.2,
    referencePixels: 1920 * 1080,
    resolutionCostWeight: 0.3
  }
})

const clamp01 = (x: number): number => Math.min(1, Math.max(0, x))

/** Complexity class of a triangle count: simple < 100K <= moderate < 1M <= complex <= 10M < extreme. */
export function complexityClass (triangles: number, rules: AnalysisRules = DEFAULT_ANALYSIS_RULES): ComplexityClass {
  if (triangles < rules.classes.moderate) return 'simple'
  if (triangles < rules.classes.complex) return 'moderate'
  if (triangles <= rules.classes.extreme) return 'complex'
  return 'extreme'
}

/** LOD potential by triangle count: 0.2 (< 100K), 0.6 (< 1M), 0.85 (< 10M), 0.95 otherwise. */
export function lodPotential (triangles: number, rules: AnalysisRules = DEFAULT_ANALYSIS_RULES): number {
  if (triangles < rules.classes.moderate) return rules.lod.simple
  if (triangles < rules.classes.complex) return rules.lod.moderate
  if (triangles < rules.classes.extreme) return rules.lod.complex
  return rules.lod.extreme
}

/** Baking potential in [0, 1]: high for static scenes with a moderate number of lights. */
export function bakingPotential (f: SceneFeatures, rules: AnalysisRules = DEFAULT_ANALYSIS_RULES): number {
  const b = rules.baking
  let p = b.base
  if (!f.dynamic) p += b.staticBonus
  if (f.lights >= b.lightsMin && f.lights <= b.lightsMax) p += b.lightsBonus
  else if (f.lights > b.manyLights) p -= b.manyLightsPenalty
  if (f.transparency) p -= b.transparencyPenalty
  if (f.volumetrics) p -= b.volumetricsPenalty
  return clamp01(p)
}

/** Realtime requirement: 0.8 for dynamic scenes, 0.2 for static ones. */
export function realtimeRequirement (f: SceneFeatures, rules: AnalysisRules = DEFAULT_ANALYSIS_RULES): number {
  return f.dynamic ? rules.routing.realtimeDynamic : rules.routing.realtimeStatic
}

/** The routing decision: the recommended pipelines, the one chosen for the profile, and why. */
export interface Routing {
  primary: Pipeline
  secondary: Pipeline | null
  /** Expected cost reduction of the primary pipeline (0.5 + 0.25 x baking potential). */
  costReduction: number
  profile: Profile
  /** The pipeline after the profile's override. */
  pipeline: Pipeline
  reasons: string[]
}

const f2 = (x: number): string => x.toFixed(2)

/** Routes a scene: primary/secondary pipeline from the matrix, then the profile's override. */
export function routePipeline (f: SceneFeatures, profile: Profile, rules: AnalysisRules = DEFAULT_ANALYSIS_RULES): Routing {
  const r = rules.routing
  const complexity = complexityScore(f, rules)
  const baking = bakingPotential(f, rules)
  const reasons: string[] = []
  let primary: Pipeline
  let secondary: Pipeline | null = null
  if (baking > r.bakingMin && f.dynamicRatio < r.bakingDynamicMax) {
    primary = 'baking'
    reasons.push(`baking: baking potential ${f2(baking)} > ${r.bakingMin} and dynamic ratio ${f2(f.dynamicRatio)} < ${r.bakingDynamicMax}`)
    if (complexity > r.secondary3dgsComplexity) secondary = '3dgs'
  } else if (f.dynamicRatio > r.dynamicMin || f.volumetrics) {
    primary = '3dgs'
    reasons.push(f.volumetrics ? '3dgs: volumetric materials' : `3dgs: dynamic ratio ${f2(f.dynamicRatio)} > ${r.dynamicMin}`)
    if (baking > r.secondaryBakingPotential) secondary = 'baking'
  } else {
    primary = 'hybrid'
    reasons.push(`hybrid: baking potential ${f2(baking)}, dynamic ratio ${f2(f.dynamicRatio)}, no volumetrics`)
  }
  if (secondary !== null) reasons.push(`secondary pipeline: ${secondary}`)
  const costReduction = r.costReductionBase + r.costReductionPerBaking * baking
  let pipeline = primary
  if (profile === 'quality' && secondary !== null) {
    pipeline = 'hybrid'
    reasons.push('profile quality: hybrid, since a secondary pipeline exists')
  } else if (profile === 'realtime' && realtimeRequirement(f, rules) > r.realtimeMin) {
    pipeline = '3dgs'
    reasons.push(`profile realtime: 3dgs, realtime requirement ${f2(realtimeRequirement(f, rules))} > ${r.realtimeMin}`)
  } else if (profile === 'economy' && !(costReduction > r.economyCostReductionMin)) {
    pipeline = 'baking'
    reasons.push(`profile economy: baking, cost reduction of ${primary} ${f2(costReduction)} <= ${r.economyCostReductionMin}`)
  }
  return { primary, secondary, costReduction, profile, pipeline, reasons }
}

/** Optimization hints for the scene. */
export function sceneHints (f: SceneFeatures, rules: AnalysisRules = DEFAULT_ANALYSIS_RULES): string[] {
  const h = rules.hints
  const hints: string[] = []
  if (f.triangles > h.decimationTriangles) hints.push('consider mesh decimation for distant objects')
  if (f.materials > h.atlasMaterials) hints.push('a material atlas would reduce draw calls')
  if (f.transparency && f.volumetrics) hints.push('transparency combined with volumetrics is expensive to render')
  if (f.lights > h.bakeLights && !f.dynamic) hints.push('static lighting: full light baking applies')
  if (f.textures > h.streamingTextures) hints.push('texture streaming would reduce memory use')
  if (f.animationFrames > 0 && f.triangles > h.motionVectorsTriangles) hints.push('consider motion vectors for temporal optimization')
  return hints
}

/** Estimated processing time and cost. */
export interface Estimates {
  /** Seconds: 60 x (1 + 3c) x (1 + 0.5 x triangles/1M) x feature factors. */
  processingSeconds: number
  /** USD, rounded to cents: class cost x feature factors x resolution factor. */
  costUsd: number
}

/** Time and cost estimates of the seed's model for a scene rendered at `pixels` (width x height). */
export function estimate (f: SceneFeatures, pixels: number, rules: AnalysisRules = DEFAULT_ANALYSIS_RULES): Estimates {
  const e = rules.estimates
  const c = complexityScore(f, rules)
  let size = 1 + e.perMillionTriangles * f.triangles / 1_000_000
  if (f.volumetrics) size *= e.volumetricsTime
  if (f.transparency) size *= e.transparencyTime
  if (f.animationFrames > 0) size *= 1 + (f.animationFrames / 100) * e.timePer100Frames
  const processingSeconds = e.baseSeconds * (1 + e.complexityFactor * c) * size
  let cost = e.classCost[complexityClass(f.triangles, rules)]
  if (f.volumetrics) cost *= e.volumetricsCost
  if (f.transparency) cost *= e.transparencyCost
  if (f.animationFrames > 0) cost *= 1 + (f.animationFrames / 1000) * e.costPer1000Frames
  cost *= 1 + (pixels / e.referencePixels - 1) * e.resolutionCostWeight
  return { processingSeconds: Math.round(processingSeconds * 1000) / 1000, costUsd: Math.round(cost * 100) / 100 }
}

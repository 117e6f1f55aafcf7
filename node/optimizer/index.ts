/**
 * Public API of the optimizer: bounded scene loading, scene analysis,
 * deterministic optimization with its report, and economy scheduling.
 *
 * @example
 * const analysis = await analyzeScene(bytes)            // analysis.complexity in [0, 1]
 * const { bytes: out, report } = await optimizeScene(bytes, { profile: 'economy', ratio: 0.5 })
 * const plan = scheduleJob({ id, computeHours: 2, deadline }, Date.now())
 */
export * from './errors.ts'
export {
  readSceneSafely, loadSceneSafely, resolveSceneLimits, createSceneIO, decompressScene, DECODED_EXTENSIONS,
  DEFAULT_SCENE_LIMITS, SUPPORTED_EXTENSIONS, type SceneLimits, type LoadedScene
} from '../scene/load-scene.ts'
export { readSceneImageHeader, type ImageHeader } from '../scene/scene-image.ts'
export { measureScene, type SceneStats, type AlphaModes } from '../scene/scene-stats.ts'
export {
  PROFILES, DEFAULT_ANALYSIS_RULES, complexityScore, complexityClass, featureScores, lodPotential, bakingPotential,
  realtimeRequirement, routePipeline, sceneHints, estimate,
  type Profile, type Pipeline, type ComplexityClass, type SceneFeatures, type AnalysisRules, type FeatureScores, type Routing, type Estimates
} from './analysis-rules.ts'
export {
  analyzeScene, SceneAnalyzer, defaultSceneAnalyzer, DEFAULT_ANALYSIS_OPTIONS, DEFAULT_SCENE_ANALYZER_OPTIONS, featuresOf,
  type SceneAnalysis, type AnalysisOptions, type SceneAnalyzerOptions
} from './analyze.ts'
export {
  optimizeScene, resolveOptimizeOptions, DEFAULT_OPTIMIZE_OPTIONS, OPTIMIZER_FORMAT_VERSION, OPTIMIZER_GENERATOR,
  type OptimizeOptions, type ResolvedOptimizeOptions, type OptimizeResult
} from './optimize.ts'
export {
  optimizeToTarget, TARGET_LADDER, DEFAULT_TARGET_OPTIONS,
  type QualityTarget, type TargetRung, type TargetOptions, type TargetStep, type TargetSearch, type TargetResult
} from './optimize-to-target.ts'
export { PROFILE_PASSES, type ProfilePasses, type QuantizeBits } from './profiles.ts'
export type { OptimizationReport, ReportFigures, Operation } from './report.ts'
export {
  PRICING_TIERS, DEFAULT_PRICING_CALENDAR, pricingCalendarSchema, resolvePricingCalendar, tierAt, localWeekdayHour, checkTimeZone,
  type PricingTier, type PricingCalendar
} from './economy/pricing-calendar.ts'
export {
  RESOURCE_KINDS, DEFAULT_RESOURCE_PROFILES, resourceProfileSchema, resolveResourceProfile,
  type ResourceKind, type ResourceProfile
} from './economy/resource-profile.ts'
export { scheduleJob, DEFAULT_SCHEDULE_OPTIONS, type EconomyJob, type ScheduleOptions, type ScheduleOptionsInput, type ScheduleReport, type TierHours } from './economy/scheduler.ts'
export { systemClock, ManualClock, type Clock } from './economy/clock.ts'

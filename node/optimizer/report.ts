/**
 * The optimization report: before/after figures (triangles, draw calls,
 * materials, texture memory, file size and more), the operations applied,
 * the route and its reasons, and the seed model's time and cost estimates.
 * Contains no wall-clock figures, so it is as deterministic as the output.
 */
import type { Estimates, Profile, Routing } from './analysis-rules.ts'
import type { SceneAnalysis } from './analyze.ts'
import type { QuantizeBits } from './profiles.ts'
import type { SceneStats } from '../scene/scene-stats.ts'
import { type ReportFigures, figureRatios, figures } from '../scene/scene-figures.ts'

export { type ReportFigures, figureRatios, figures }

/** One pass that ran. */
export interface Operation { name: string, detail: string }

/** The report of one optimization. */
export interface OptimizationReport {
  profile: Profile
  options: { ratio: number, error: number, maxTextureSize: number, quantize: QuantizeBits | null, instancing: number | null }
  inputHash: string
  outputHash: string
  before: ReportFigures
  after: ReportFigures
  /** after / before for each figure (1 when before is 0). */
  ratios: ReportFigures
  operations: Operation[]
  /** Share of triangles requested and achieved by simplification (the error bound may stop it first); null when it did not run. */
  simplification: { requested: number, achieved: number } | null
  routing: Routing
  complexity: number
  complexityClass: SceneAnalysis['complexityClass']
  estimates: Estimates
}

/** Assembles the report from the input analysis, the output's stats and the operations. */
export function buildReport (input: {
  options: OptimizationReport['options'] & { profile: Profile }
  analysis: SceneAnalysis
  after: SceneStats
  outputHash: string
  operations: Operation[]
  simplification?: { requested: number, achieved: number } | null
}): OptimizationReport {
  const before = figures(input.analysis.stats)
  const after = figures(input.after)
  const ratios = figureRatios(before, after)
  const { profile, ratio, error, maxTextureSize, quantize, instancing } = input.options
  return {
    profile,
    options: { ratio, error, maxTextureSize, quantize, instancing },
    inputHash: input.analysis.contentHash,
    outputHash: input.outputHash,
    before,
    after,
    ratios,
    operations: input.operations,
    simplification: input.simplification ?? null,
    routing: input.analysis.routing,
    complexity: input.analysis.complexity,
    complexityClass: input.analysis.complexityClass,
    estimates: input.analysis.estimates
  }
}

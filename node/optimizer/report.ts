/**
 * The optimization report: before/after figures (triangles, draw calls,
 * materials, texture memory, file size and more), the operations applied,
 * the route and its reasons, and the seed model's time and cost estimates.
 * Contains no wall-clock figures, so it is as deterministic as the output.
 */
import type { Estimates, Profile, Routing } from './analysis-rules.ts'
import type { SceneAnalysis } from './analyze.ts'
import type { QuantizeBits } from './profiles.ts'
import type { SceneStats } from './scene-stats.ts'

/** One pass that ran. */
export interface Operation { name: string, detail: string }

/** The figures compared before and after. */
export interface ReportFigures {
  triangles: number
  vertices: number
  drawCalls: number
  materials: number
  textures: number
  textureMemoryBytes: number
  geometryBytes: number
  fileBytes: number
}

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

/** The report's figures of one scene's stats. */
export function figures (s: SceneStats): ReportFigures {
  return {
    triangles: s.triangles,
    vertices: s.vertices,
    drawCalls: s.drawCalls,
    materials: s.materials,
    textures: s.textures,
    textureMemoryBytes: s.textureMemoryBytes,
    geometryBytes: s.geometryBytes,
    fileBytes: s.fileBytes
  }
}

/** after / before for every figure (1 where before is 0). */
export function figureRatios (before: ReportFigures, after: ReportFigures): ReportFigures {
  return Object.fromEntries(Object.keys(before).map((k) => {
    const key = k as keyof ReportFigures
    return [k, before[key] === 0 ? 1 : after[key] / before[key]]
  })) as unknown as ReportFigures
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

/**
 * The zod schema of an {@link OptimizationReport}, for reports read back from
 * a store or a file: every field checked, every list and text bounded, so a
 * stored report that is not one the optimizer wrote is refused rather than
 * shown.
 */
import { z } from 'zod'
import { PROFILES } from './analysis-rules.ts'
import type { OptimizationReport } from './report.ts'

/** Operations a report lists at most (optimizeScene runs about a dozen passes). */
export const MAX_REPORT_OPERATIONS = 64
/** Routing reasons a report lists at most (the routing rules give a handful). */
export const MAX_REPORT_REASONS = 32
/** Characters of one operation's detail or one reason at most (the longest the optimizer writes is about 200). */
export const MAX_REPORT_TEXT = 1024

const count = z.number().finite().min(0)
const text = z.string().max(MAX_REPORT_TEXT)
const sha256 = z.string().regex(/^[0-9a-f]{64}$/)
const pipeline = z.enum(['baking', '3dgs', 'hybrid'])

const figuresSchema = z.strictObject({
  triangles: count,
  vertices: count,
  drawCalls: count,
  materials: count,
  textures: count,
  textureMemoryBytes: count,
  geometryBytes: count,
  fileBytes: count
})

/** Schema of an {@link OptimizationReport} (node/optimizer/report.ts). */
export const optimizationReportSchema: z.ZodType<OptimizationReport> = z.strictObject({
  profile: z.enum(PROFILES),
  options: z.strictObject({
    ratio: z.number().gt(0).max(1),
    error: z.number().min(0).max(1),
    maxTextureSize: z.int().min(1).max(8192),
    quantize: z.strictObject({ position: z.int().min(1).max(32), normal: z.int().min(1).max(32), texcoord: z.int().min(1).max(32) }).nullable(),
    instancing: z.int().min(2).nullable()
  }),
  inputHash: sha256,
  outputHash: sha256,
  before: figuresSchema,
  after: figuresSchema,
  ratios: figuresSchema,
  operations: z.array(z.strictObject({ name: z.string().max(64), detail: text })).max(MAX_REPORT_OPERATIONS),
  simplification: z.strictObject({ requested: z.number().finite(), achieved: z.number().finite() }).nullable(),
  routing: z.strictObject({
    primary: pipeline,
    secondary: pipeline.nullable(),
    costReduction: z.number().finite(),
    profile: z.enum(PROFILES),
    pipeline,
    reasons: z.array(text).max(MAX_REPORT_REASONS)
  }),
  complexity: z.number().min(0).max(1),
  complexityClass: z.enum(['simple', 'moderate', 'complex', 'extreme']),
  estimates: z.strictObject({ processingSeconds: count, costUsd: count })
})

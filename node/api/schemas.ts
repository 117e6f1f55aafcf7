/**
 * zod schemas of what clients send to the HTTP API: the job request body,
 * path parameters and query strings. Objects are strict: an unknown field is
 * an error rather than silently ignored, so a misspelt option never turns
 * into a default.
 */
import { z } from 'zod'
import type { SubmitJobRequest } from '../types.ts'
import { ERR_BAD_REQUEST, apiError, type ApiIssue } from './errors.ts'

/**
 * Most blob hashes in one job, reference and candidate together: the job
 * announcement must fit a gossip message (MAX_MESSAGE_BYTES in
 * protocol/constants.ts is sized for 256 hashes).
 */
export const MAX_JOB_BLOBS = 256

/** Longest optimizer profile name (the known profiles are under 16 characters). */
const MAX_PROFILE_LENGTH = 32

/** A blob or job id: 64 lowercase hex characters. */
export const sha256Schema = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex characters')

/** Body of `POST /v1/jobs`. */
export const submitJobRequestSchema = z.strictObject({
  kind: z.enum(['frames', 'scene']),
  reference: z.array(sha256Schema).min(1).max(MAX_JOB_BLOBS),
  candidate: z.array(sha256Schema).max(MAX_JOB_BLOBS),
  thresholds: z.strictObject({
    // SSIM is at most 1; a threshold above it could never pass.
    ssimMin: z.number().min(0).max(1).optional(),
    // PSNR of 8-bit images beyond ~150 dB only happens for identical images
    // (Infinity); 1000 bounds the field without refusing any sensible value.
    psnrMin: z.number().min(0).max(1000).optional()
  }).optional(),
  // One day at most: a vote deadline beyond that is a typo, not a plan.
  deadlineMs: z.number().int().positive().max(86_400_000).optional(),
  profile: z.string().min(1).max(MAX_PROFILE_LENGTH).regex(/^[a-z0-9_-]+$/, 'lowercase letters, digits, _ and -').optional()
}).superRefine((req, ctx) => {
  if (req.reference.length + req.candidate.length > MAX_JOB_BLOBS) {
    ctx.addIssue({ code: 'custom', path: ['candidate'], message: `at most ${MAX_JOB_BLOBS} blobs in one job` })
  }
  if (req.kind === 'frames' && req.candidate.length !== req.reference.length) {
    ctx.addIssue({ code: 'custom', path: ['candidate'], message: 'a frames job has one candidate frame per reference frame' })
  }
  if (req.kind === 'scene') {
    if (req.reference.length !== 1) ctx.addIssue({ code: 'custom', path: ['reference'], message: 'a scene job has exactly one reference scene' })
    if (req.candidate.length > 1) ctx.addIssue({ code: 'custom', path: ['candidate'], message: 'a scene job has at most one candidate scene' })
  }
})

/** Path parameters of `/v1/jobs/:id` routes. */
export const jobIdParamsSchema = z.strictObject({ id: sha256Schema })

/** A non-negative decimal integer in a query string, without sign, exponent or leading zeros. */
const queryInt = z.string().regex(/^(0|[1-9][0-9]{0,15})$/, 'must be a non-negative integer').transform(Number)

/** Query of `GET /v1/jobs`. */
export const listJobsQuerySchema = z.strictObject({ limit: queryInt.optional() })

/** Query of `GET /v1/audit`. */
export const auditQuerySchema = z.strictObject({ from: queryInt.optional(), limit: queryInt.optional() })

/**
 * Parses `value` with `schema`; on failure throws `ERR_BAD_REQUEST` carrying
 * each zod issue's dotted path (`where` prefixes it: `body`, `params`, `query`).
 */
export function parseRequest<S extends z.ZodType> (schema: S, value: unknown, where: string): z.output<S> {
  const r = schema.safeParse(value)
  if (r.success) return r.data
  const issues: ApiIssue[] = r.error.issues.map(i => ({ path: [where, ...i.path.map(String)].join('.'), message: i.message }))
  throw apiError(ERR_BAD_REQUEST, `invalid ${where}: ${issues.map(i => `${i.path}: ${i.message}`).join('; ')}`, issues)
}

/** Type check: the schema's output is a {@link SubmitJobRequest}. */
export type ParsedSubmitJobRequest = z.output<typeof submitJobRequestSchema> & SubmitJobRequest

/**
 * zod schemas of what clients send to the HTTP API: the job request body,
 * path parameters and query strings. Objects are strict: an unknown field is
 * an error rather than silently ignored, so a misspelt option never turns
 * into a default.
 */
import { z } from 'zod'
import { MAX_JOB_BLOBS } from '../../protocol/constants.ts'
import { epochMsSchema } from '../../protocol/fields.ts'
import { ERR_BAD_REQUEST, apiError, type ApiIssue } from './errors.ts'

/** A blob or job id: 64 lowercase hex characters. */
export const sha256Schema = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex characters')

/**
 * A point in time as `POST /v1/jobs` takes it: epoch milliseconds, or an ISO
 * 8601 date-time with `Z` or an offset (a bare local time would depend on the
 * node's zone). Output: epoch milliseconds. Epoch milliseconds stop at
 * MAX_EPOCH_MS, the last instant a `Date` holds (the date-time's four-digit
 * year stops well before it).
 */
export const instantSchema = z.union([
  epochMsSchema,
  z.string()
    .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/, 'an ISO 8601 date-time with Z or an offset, or epoch milliseconds')
    .refine((s) => !Number.isNaN(Date.parse(s)), 'not a valid date-time')
    .transform((s) => Date.parse(s))
])

/** Body of `POST /v1/jobs` (at most MAX_JOB_BLOBS hashes on each side, as in protocol/job.ts). */
export const submitJobRequestSchema = z.strictObject({
  kind: z.enum(['frames', 'scene']),
  reference: z.array(sha256Schema).min(1).max(MAX_JOB_BLOBS),
  candidate: z.array(sha256Schema).max(MAX_JOB_BLOBS),
  // The same ranges as the protocol's job schema (protocol/metrics.ts), so a
  // request the API accepts never fails the protocol's own check. The
  // network file's floor (minThresholds) is checked by the node (ERR_JOB_THRESHOLDS).
  thresholds: z.strictObject({
    ssimMin: z.number().min(-1).max(1).optional(),
    psnrMin: z.number().min(0).optional(),
    ssimLocalMin: z.number().min(-1).max(1).optional()
  }).optional(),
  // Positive safe integer; the network file's minVoteMs..maxVoteMs bounds are
  // checked by the node (ERR_JOB_DEADLINE).
  deadlineMs: z.int().positive().optional(),
  profile: z.string().regex(/^[a-z0-9_-]{1,64}$/, '1 to 64 lowercase letters, digits, _ and -').optional(),
  // Scene jobs the network optimizes: share of triangles to keep, in (0, 1].
  ratio: z.number().gt(0).max(1).optional(),
  // Economy scene jobs the node defers: latest end of the optimization, and its most cost in USD.
  optimizeBy: instantSchema.optional(),
  budgetUsd: z.number().min(0).max(1e9).optional()
}).superRefine((req, ctx) => {
  if (req.kind === 'frames' && req.candidate.length !== req.reference.length) {
    ctx.addIssue({ code: 'custom', path: ['candidate'], message: 'a frames job has one candidate frame per reference frame' })
  }
  // A profile names how a scene is optimized; a frames job has nothing to optimize, so it would be carried and ignored.
  if (req.kind === 'frames' && req.profile !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['profile'], message: 'profile applies only to scene jobs' })
  }
  if (req.kind === 'scene') {
    if (req.reference.length !== 1) ctx.addIssue({ code: 'custom', path: ['reference'], message: 'a scene job has exactly one reference scene' })
    if (req.candidate.length > 1) ctx.addIssue({ code: 'custom', path: ['candidate'], message: 'a scene job has at most one candidate scene' })
  }
  if (req.ratio !== undefined && !(req.kind === 'scene' && req.candidate.length === 0)) {
    ctx.addIssue({ code: 'custom', path: ['ratio'], message: 'ratio applies only to scene jobs the network optimizes (no candidate given)' })
  }
  const economy = req.kind === 'scene' && req.candidate.length === 0 && req.profile === 'economy'
  for (const field of ['optimizeBy', 'budgetUsd'] as const) {
    if (req[field] !== undefined && !economy) {
      ctx.addIssue({ code: 'custom', path: [field], message: `${field} applies only to scene jobs without a candidate and with profile economy` })
    }
  }
})

/** Path parameters of `/v1/jobs/:id` routes. */
export const jobIdParamsSchema = z.strictObject({ id: sha256Schema })

/** A non-negative decimal integer in a query string, without sign, exponent or leading zeros. */
// At most 2^53-1 (a safe integer): `9999999999999999` would round and reach the store as a bad key.
const queryInt = z.string().regex(/^(0|[1-9][0-9]{0,15})$/, 'must be a non-negative integer').transform(Number).refine(Number.isSafeInteger, 'must be at most 2^53-1')

/** Path parameters of `/v1/schedules/:id`: 32 lowercase hex characters. */
export const scheduleIdParamsSchema = z.strictObject({ id: z.string().regex(/^[0-9a-f]{32}$/, 'must be 32 lowercase hex characters') })

/** Query of `GET /v1/schedules`. */
export const listSchedulesQuerySchema = z.strictObject({ limit: queryInt.optional() })

/** Query of `GET /v1/jobs`. */
export const listJobsQuerySchema = z.strictObject({
  limit: queryInt.optional(),
  /** Only jobs of this status. */
  status: z.enum(['pending', 'validated', 'rejected', 'disputed']).optional(),
  /** The job id of the previous page's last job: this page starts after it. */
  before: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex characters').optional()
})

/** Query of `GET /v1/reputation/history`: `before` pages one validator's points, so it needs `validator`. */
export const reputationHistoryQuerySchema = z.strictObject({
  /** Only this validator's points (its public key). */
  validator: sha256Schema.optional(),
  limit: queryInt.optional(),
  /** The seq of the previous page's last point: this page holds older ones. */
  before: queryInt.optional()
}).refine((q) => q.before === undefined || q.validator !== undefined, { message: 'before pages one validator: give validator too', path: ['before'] })

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

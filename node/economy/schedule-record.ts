/**
 * The stored form of a deferred economy scene job. The record is the
 * {@link ScheduleView} clients see; its schema checks it on every write and
 * read back (`ERR_STORE_CORRUPT` for anything else on disk).
 */
import { z } from 'zod'
import { MAX_JOB_BLOBS } from '../../protocol/constants.ts'
import { PRICING_TIERS } from '../optimizer/economy/pricing-calendar.ts'
import { resourceProfileSchema } from '../optimizer/economy/resource-profile.ts'
import { SCHEDULE_ID_PATTERN } from '../store/repositories/schedules.ts'
import type { ScheduleView, SubmitJobRequest } from '../types.ts'

/** The profile whose scene jobs without a candidate a node defers to a cheap slot. */
export const ECONOMY_PROFILE = 'economy'

/** True when `request` is a scene job the network optimizes with profile `economy`: the requests a node defers. */
export function isEconomyDeferral (request: Pick<SubmitJobRequest, 'kind' | 'candidate' | 'profile'>): boolean {
  return request.kind === 'scene' && request.candidate.length === 0 && request.profile === ECONOMY_PROFILE
}

const hex64 = z.string().regex(/^[0-9a-f]{64}$/)
const time = z.int().min(0)
const usd = z.number().min(0).max(1e12)

/** Schema of the job request a schedule runs (a subset of `SubmitJobRequest`). */
export const scheduledRequestSchema = z.strictObject({
  kind: z.literal('scene'),
  reference: z.array(hex64).length(1),
  candidate: z.array(hex64).max(MAX_JOB_BLOBS).length(0),
  thresholds: z.strictObject({ ssimMin: z.number().min(-1).max(1).optional(), psnrMin: z.number().min(0).optional(), ssimLocalMin: z.number().min(-1).max(1).optional() }).optional(),
  deadlineMs: z.int().positive().optional(),
  profile: z.literal(ECONOMY_PROFILE),
  ratio: z.number().gt(0).max(1).optional()
})

/** Schema of a schedule's cost report. */
export const scheduleCostReportSchema = z.strictObject({
  computeHours: z.number().gt(0),
  baselineCostUsd: usd,
  scheduledCostUsd: usd,
  savingsUsd: z.number().max(1e12),
  savingsPercent: z.number().max(100),
  hoursShifted: z.number().min(0),
  carbonKg: z.number().min(0),
  tiers: z.array(z.strictObject({ tier: z.enum(PRICING_TIERS), hours: z.number().min(0) })).max(PRICING_TIERS.length),
  resource: resourceProfileSchema,
  timeZone: z.string().min(1).max(64)
})

/** Schema of a stored schedule (= {@link ScheduleView}). */
export const scheduleRecordSchema = z.strictObject({
  scheduleId: z.string().regex(SCHEDULE_ID_PATTERN),
  status: z.enum(['scheduled', 'started', 'failed', 'cancelled']),
  request: scheduledRequestSchema,
  createdAt: time,
  optimizeBy: time,
  budgetUsd: usd.nullable(),
  slotStart: time,
  slotEnd: time,
  report: scheduleCostReportSchema,
  jobId: hex64.nullable(),
  startedAt: time.nullable(),
  error: z.strictObject({ code: z.string().max(128), message: z.string().max(4096) }).nullable(),
  // Absent on records stored before attempts were recorded.
  attempt: z.strictObject({ createdAt: time, nonce: z.string().regex(/^[0-9a-f]{32}$/) }).nullable().optional()
})

/** A stored schedule; assignable to {@link ScheduleView}. */
export type ScheduleRecord = z.output<typeof scheduleRecordSchema>

/** The client view of a stored schedule (the record itself, typed as the public view). */
export function scheduleView (record: ScheduleRecord): ScheduleView {
  return record
}

/**
 * The economy scheduler: the cheapest start for a job of known compute hours
 * before its deadline, within a one-week horizon and the job's budget, priced
 * by the node's calendar and resource, with the cost report (baseline, cost,
 * savings, hours shifted, carbon). Pure: time comes in as `now`.
 *
 * Prices are integrated exactly over 15-minute steps (every time zone's
 * offset is a multiple of 15 minutes, so a tier never changes inside a step),
 * in integer milliseconds x milli-multipliers, so equal costs compare equal
 * and the earliest of equally cheap starts wins on every node.
 */
import { z } from 'zod'
import { ERR_SCHEDULE_DEADLINE_UNREACHABLE, ERR_SCHEDULE_INVALID, ERR_SCHEDULE_OVER_BUDGET, fail } from '../errors.ts'
import { resolvePricingCalendar, tierAt, type PricingCalendar, type PricingTier } from './pricing-calendar.ts'
import { resolveResourceProfile, type ResourceProfile } from './resource-profile.ts'

const HOUR_MS = 3_600_000
const STEP_MS = 15 * 60_000

/** A job to schedule. */
export interface EconomyJob {
  /** Identifier, echoed in the report. */
  id: string
  /** Compute hours the job needs (it runs without interruption). */
  computeHours: number
  /** Latest completion time, epoch milliseconds. */
  deadline: number
  /** Most the job may cost, USD; no limit when absent. */
  budgetUsd?: number
}

/** Scheduler options. */
export interface ScheduleOptions {
  calendar: PricingCalendar
  resource: ResourceProfile
  /** How far ahead a job may be shifted, hours. */
  horizonHours: number
}

/** Default scheduler options. */
export const DEFAULT_SCHEDULE_OPTIONS: Readonly<ScheduleOptions> = Object.freeze({
  calendar: resolvePricingCalendar(),
  resource: resolveResourceProfile(),
  // Seed digest: one-week horizon.
  horizonHours: 168
})

/** Scheduler options as callers give them: calendar and resource fields not given come from the defaults. */
export interface ScheduleOptionsInput {
  calendar?: Partial<PricingCalendar>
  resource?: Partial<ResourceProfile>
  horizonHours?: number
}

/** Hours of one tier inside the scheduled run. */
export interface TierHours { tier: PricingTier, hours: number }

/** The schedule of one job and its cost report. */
export interface ScheduleReport {
  jobId: string
  /** Scheduled start and end, epoch milliseconds. */
  start: number
  end: number
  computeHours: number
  /** Cost when started at `now`, USD. */
  baselineCostUsd: number
  /** Cost at the scheduled start, USD. */
  scheduledCostUsd: number
  savingsUsd: number
  /** savings / baseline x 100 (0 when the baseline is 0). */
  savingsPercent: number
  /** Hours between `now` and the scheduled start. */
  hoursShifted: number
  /** compute hours x power x grid intensity, kg CO2. */
  carbonKg: number
  /** Hours spent in each tier, in order of first appearance. */
  tiers: TierHours[]
  resource: ResourceProfile
  timeZone: string
}

const jobSchema = z.object({
  id: z.string().min(1).max(200),
  computeHours: z.number().gt(0).max(24 * 365),
  deadline: z.number().int(),
  budgetUsd: z.number().min(0).optional()
}).strict()

const round = (x: number, digits: number): number => Math.round(x * 10 ** digits) / 10 ** digits

/**
 * Picks the cheapest start of `job` at or after `now`: `now` itself or any
 * 15-minute boundary such that the job ends by its deadline and starts within
 * the horizon. Ties go to the earliest start. Throws
 * `ERR_SCHEDULE_DEADLINE_UNREACHABLE` when the job cannot finish in time even
 * starting now, `ERR_SCHEDULE_OVER_BUDGET` when the cheapest start costs more
 * than the budget, `ERR_SCHEDULE_INVALID` for bad input.
 */
export function scheduleJob (job: EconomyJob, now: number, options: ScheduleOptionsInput = {}): ScheduleReport {
  const parsed = jobSchema.safeParse(job)
  if (!parsed.success) fail(ERR_SCHEDULE_INVALID, `invalid job: ${parsed.error.issues[0]?.path.join('.') ?? ''} ${parsed.error.issues[0]?.message ?? ''}`)
  if (!Number.isSafeInteger(now)) fail(ERR_SCHEDULE_INVALID, 'now must be an integer epoch time in milliseconds')
  const calendar = options.calendar === undefined ? DEFAULT_SCHEDULE_OPTIONS.calendar : resolvePricingCalendar(options.calendar)
  const resource = options.resource === undefined ? DEFAULT_SCHEDULE_OPTIONS.resource : resolveResourceProfile(options.resource)
  const horizonHours = options.horizonHours ?? DEFAULT_SCHEDULE_OPTIONS.horizonHours
  if (!(horizonHours >= 0 && horizonHours <= 24 * 366)) fail(ERR_SCHEDULE_INVALID, 'horizon must be between 0 and 366 days')

  const durationMs = Math.round(job.computeHours * HOUR_MS)
  const latestStart = Math.min(job.deadline - durationMs, now + Math.round(horizonHours * HOUR_MS))
  if (job.deadline - durationMs < now) {
    fail(ERR_SCHEDULE_DEADLINE_UNREACHABLE, `a ${job.computeHours} h job started now ends after its deadline`, { jobId: job.id })
  }

  // Milli-multiplier of every 15-minute step from the step containing `now` to the end of the latest run.
  const t0 = Math.floor(now / STEP_MS) * STEP_MS
  const steps = Math.ceil((latestStart + durationMs - t0) / STEP_MS) + 1
  const milli = new Array<number>(steps)
  const tiers = new Array<PricingTier>(steps)
  for (let i = 0; i < steps; i++) {
    tiers[i] = tierAt(calendar, t0 + i * STEP_MS)
    milli[i] = Math.round(calendar.multipliers[tiers[i]!] * 1000)
  }
  const prefix = new Array<number>(steps + 1)
  prefix[0] = 0
  for (let i = 0; i < steps; i++) prefix[i + 1] = prefix[i]! + milli[i]! * STEP_MS
  // Integral of the milli-multiplier from t0 to t, in ms x milli.
  const integral = (t: number): number => {
    const k = Math.min(steps - 1, Math.floor((t - t0) / STEP_MS))
    return prefix[k]! + (t - (t0 + k * STEP_MS)) * milli[k]!
  }
  const costOf = (start: number): number => integral(start + durationMs) - integral(start)

  const baseline = costOf(now)
  let bestStart = now
  let best = baseline
  for (let s = t0 + STEP_MS; s <= latestStart; s += STEP_MS) {
    const c = costOf(s)
    if (c < best) { best = c; bestStart = s }
  }
  const toUsd = (units: number): number => units / 1000 / HOUR_MS * resource.costPerHour
  const scheduledCostUsd = round(toUsd(best), 6)
  if (job.budgetUsd !== undefined && scheduledCostUsd > job.budgetUsd) {
    fail(ERR_SCHEDULE_OVER_BUDGET, `cheapest slot costs ${scheduledCostUsd} USD, budget is ${job.budgetUsd} USD`, { jobId: job.id, cheapestUsd: scheduledCostUsd })
  }
  const baselineCostUsd = round(toUsd(baseline), 6)
  const savingsUsd = round(baselineCostUsd - scheduledCostUsd, 6)

  // Hours per tier inside [bestStart, bestStart + duration), in order of first appearance.
  const perTier = new Map<PricingTier, number>()
  const end = bestStart + durationMs
  for (let k = Math.floor((bestStart - t0) / STEP_MS); k < steps && t0 + k * STEP_MS < end; k++) {
    const a = Math.max(bestStart, t0 + k * STEP_MS)
    const b = Math.min(end, t0 + (k + 1) * STEP_MS)
    if (b > a) perTier.set(tiers[k]!, (perTier.get(tiers[k]!) ?? 0) + (b - a))
  }
  return {
    jobId: job.id,
    start: bestStart,
    end,
    computeHours: job.computeHours,
    baselineCostUsd,
    scheduledCostUsd,
    savingsUsd,
    savingsPercent: baselineCostUsd === 0 ? 0 : round(savingsUsd / baselineCostUsd * 100, 4),
    hoursShifted: round((bestStart - now) / HOUR_MS, 6),
    carbonKg: round(job.computeHours * resource.powerKw * resource.gridKgPerKwh, 6),
    tiers: [...perTier].map(([tier, ms]) => ({ tier, hours: round(ms / HOUR_MS, 6) })),
    resource,
    timeZone: calendar.timeZone
  }
}

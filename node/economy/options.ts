/**
 * Options of a node's economy deferral: the pricing calendar and resource
 * profile its slots are priced with, the default deadline, the search
 * horizon and the bound on waiting schedules. Validated once, when the node
 * starts (`ERR_SCHEDULE_INVALID`).
 */
import { z } from 'zod'
import { ERR_SCHEDULE_INVALID, fail } from '../optimizer/errors.ts'
import { resolvePricingCalendar, type PricingCalendar } from '../optimizer/economy/pricing-calendar.ts'
import { resolveResourceProfile, type ResourceProfile } from '../optimizer/economy/resource-profile.ts'
import { DEFAULT_SCHEDULE_OPTIONS } from '../optimizer/economy/scheduler.ts'

/** Economy options as a node's caller gives them. */
export interface EconomyNodeOptions {
  /** Pricing calendar; fields not given come from the seed's calendar (UTC). */
  calendar: Partial<PricingCalendar>
  /** Compute resource; fields not given come from the default of its kind (consumer if none). */
  resource: Partial<ResourceProfile>
  /** Deadline of a request without `optimizeBy`, in hours from now. */
  defaultWindowHours: number
  /** How far ahead a slot may start, hours. */
  horizonHours: number
  /** Most schedules waiting for their slot at once; more are refused with `ERR_SCHEDULE_QUEUE_FULL`. */
  maxPending: number
}

/** Defaults of {@link EconomyNodeOptions}. */
export const DEFAULT_ECONOMY_NODE_OPTIONS: Readonly<EconomyNodeOptions> = Object.freeze({
  // The seed's calendar and the consumer resource (node/optimizer/economy/): a node sets its own zone and hardware.
  calendar: {},
  resource: {},
  // 24 h: covers one full daily cycle of the calendar, so a request without a deadline always reaches a night economy tier.
  defaultWindowHours: 24,
  // Seed digest: a one-week horizon (the scheduler's own default).
  horizonHours: DEFAULT_SCHEDULE_OPTIONS.horizonHours,
  // 1000 records of about 1 KiB each in memory; a node optimizes one scene at a time, so more would wait for days anyway.
  maxPending: 1000
})

/** Economy options after validation. */
export interface ResolvedEconomyNodeOptions {
  calendar: PricingCalendar
  resource: ResourceProfile
  defaultWindowHours: number
  horizonHours: number
  maxPending: number
}

const numbersSchema = z.strictObject({
  defaultWindowHours: z.number().gt(0).max(24 * 366),
  horizonHours: z.number().min(0).max(24 * 366),
  maxPending: z.int().min(1).max(1_000_000)
})

/** Validates `options` merged over the defaults; throws `ERR_SCHEDULE_INVALID` naming the bad field. */
export function resolveEconomyNodeOptions (options: Partial<EconomyNodeOptions> = {}): ResolvedEconomyNodeOptions {
  const merged = { ...DEFAULT_ECONOMY_NODE_OPTIONS, ...stripUndefined(options) }
  const parsed = numbersSchema.safeParse({ defaultWindowHours: merged.defaultWindowHours, horizonHours: merged.horizonHours, maxPending: merged.maxPending })
  if (!parsed.success) fail(ERR_SCHEDULE_INVALID, `invalid economy options: ${parsed.error.issues[0]?.path.join('.') ?? ''} ${parsed.error.issues[0]?.message ?? ''}`)
  return { calendar: resolvePricingCalendar(merged.calendar), resource: resolveResourceProfile(merged.resource), ...parsed.data }
}

function stripUndefined<T extends object> (o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>
}

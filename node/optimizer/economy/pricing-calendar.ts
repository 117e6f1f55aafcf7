/**
 * The pricing calendar: a pricing tier for every hour of the week in a node's
 * local time zone, and a cost multiplier per tier. Defaults are the seed's
 * tiers and multipliers; each node may configure its own calendar.
 */
import { z } from 'zod'
import { ERR_SCHEDULE_INVALID, fail } from '../errors.ts'

/** Pricing tiers. */
export const PRICING_TIERS = ['peak', 'standard', 'off_peak', 'economy', 'spot'] as const
/** A pricing tier. */
export type PricingTier = typeof PRICING_TIERS[number]

/** A weekly pricing calendar. */
export interface PricingCalendar {
  /** IANA time zone whose local time the tiers follow, e.g. `Europe/Paris`. */
  timeZone: string
  /** Tier of every hour of Saturday and Sunday, or null to use `hourTiers` on weekends too. */
  weekendTier: PricingTier | null
  /** Tier of each local hour 0..23 on weekdays. */
  hourTiers: PricingTier[]
  /** Cost multiplier of each tier, applied to the resource's cost per hour. */
  multipliers: Record<PricingTier, number>
}

const hours = (tier: PricingTier, n: number): PricingTier[] => Array.from({ length: n }, () => tier)

/** The seed's calendar, in UTC unless a node sets its time zone. */
export const DEFAULT_PRICING_CALENDAR: Readonly<PricingCalendar> = Object.freeze({
  // UTC: a neutral default; nodes set their own zone (`--tz`, node config).
  timeZone: 'UTC',
  // Seed digest: weekends are economy.
  weekendTier: 'economy',
  // Seed digest: 00-06 economy; 06-09 off-peak; 09-17 peak; 17-20 standard; 20-24 off-peak.
  hourTiers: [...hours('economy', 6), ...hours('off_peak', 3), ...hours('peak', 8), ...hours('standard', 3), ...hours('off_peak', 4)],
  // Seed digest: peak 2.0, standard 1.0, off-peak 0.6, economy 0.4, spot 0.3.
  multipliers: { peak: 2.0, standard: 1.0, off_peak: 0.6, economy: 0.4, spot: 0.3 }
})

const tier = z.enum(PRICING_TIERS)

/** zod schema of a calendar in a node's configuration. */
export const pricingCalendarSchema = z.object({
  timeZone: z.string().min(1).max(64),
  weekendTier: tier.nullable(),
  hourTiers: z.array(tier).length(24),
  multipliers: z.object({ peak: z.number().min(0).max(100), standard: z.number().min(0).max(100), off_peak: z.number().min(0).max(100), economy: z.number().min(0).max(100), spot: z.number().min(0).max(100) }).strict()
}).strict()

/** Throws `ERR_SCHEDULE_INVALID` unless `timeZone` is a time zone this runtime knows. */
export function checkTimeZone (timeZone: string): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone })
  } catch {
    fail(ERR_SCHEDULE_INVALID, `unknown time zone ${timeZone}`)
  }
}

/** Validates a calendar (merged over the default), including its time zone. */
export function resolvePricingCalendar (calendar: Partial<PricingCalendar> = {}): PricingCalendar {
  const parsed = pricingCalendarSchema.safeParse({ ...DEFAULT_PRICING_CALENDAR, ...calendar })
  if (!parsed.success) fail(ERR_SCHEDULE_INVALID, `invalid pricing calendar: ${parsed.error.issues[0]?.path.join('.') ?? ''} ${parsed.error.issues[0]?.message ?? ''}`)
  checkTimeZone(parsed.data.timeZone)
  return parsed.data
}

const formatters = new Map<string, Intl.DateTimeFormat>()
const WEEKDAYS: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 0 }

/** Local weekday (0 = Sunday) and hour (0..23) of an instant in a time zone. */
export function localWeekdayHour (epochMs: number, timeZone: string): { weekday: number, hour: number } {
  let f = formatters.get(timeZone)
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: 'numeric', hourCycle: 'h23' })
    formatters.set(timeZone, f)
  }
  let weekday = 0; let hour = 0
  for (const part of f.formatToParts(epochMs)) {
    if (part.type === 'weekday') weekday = WEEKDAYS[part.value] ?? 0
    else if (part.type === 'hour') hour = Number(part.value) % 24
  }
  return { weekday, hour }
}

/** The tier in force at an instant. */
export function tierAt (calendar: PricingCalendar, epochMs: number): PricingTier {
  const { weekday, hour } = localWeekdayHour(epochMs, calendar.timeZone)
  if (calendar.weekendTier !== null && (weekday === 0 || weekday === 6)) return calendar.weekendTier
  return calendar.hourTiers[hour]!
}

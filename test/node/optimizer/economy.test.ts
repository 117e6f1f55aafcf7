import { describe, expect, it } from 'vitest'
import { ManualClock } from '../../../node/optimizer/economy/clock.ts'
import { DEFAULT_PRICING_CALENDAR, tierAt } from '../../../node/optimizer/economy/pricing-calendar.ts'
import { scheduleJob } from '../../../node/optimizer/economy/scheduler.ts'
import { ERR_SCHEDULE_DEADLINE_UNREACHABLE, ERR_SCHEDULE_INVALID, ERR_SCHEDULE_OVER_BUDGET } from '../../../node/optimizer/errors.ts'

const H = 3_600_000
const at = (iso: string): number => Date.parse(iso)
// 2026-01-07 is a Wednesday; 2026-01-10 a Saturday.
const WED_10 = at('2026-01-07T10:00:00Z')
const codeOf = (fn: () => unknown): string | undefined => {
  try { fn(); return undefined } catch (err) { return (err as { code?: string }).code }
}

describe('pricing calendar (seed tiers)', () => {
  it.each([
    ['2026-01-07T00:00:00Z', 'economy'], ['2026-01-07T05:59:00Z', 'economy'], ['2026-01-07T06:00:00Z', 'off_peak'],
    ['2026-01-07T08:59:00Z', 'off_peak'], ['2026-01-07T09:00:00Z', 'peak'], ['2026-01-07T16:59:00Z', 'peak'],
    ['2026-01-07T17:00:00Z', 'standard'], ['2026-01-07T19:59:00Z', 'standard'], ['2026-01-07T20:00:00Z', 'off_peak'],
    ['2026-01-10T12:00:00Z', 'economy'], ['2026-01-11T23:00:00Z', 'economy'], ['2026-01-12T10:00:00Z', 'peak']
  ])('%s is %s in UTC', (iso, tier) => {
    expect(tierAt(DEFAULT_PRICING_CALENDAR, at(iso))).toBe(tier)
  })
  it('follows the node\'s local time zone', () => {
    const paris = { ...DEFAULT_PRICING_CALENDAR, timeZone: 'Europe/Paris' }
    // 08:30 UTC is 09:30 in Paris in winter: peak there, off-peak in UTC.
    expect(tierAt(paris, at('2026-01-07T08:30:00Z'))).toBe('peak')
    expect(tierAt(DEFAULT_PRICING_CALENDAR, at('2026-01-07T08:30:00Z'))).toBe('off_peak')
    // Friday 23:30 UTC is already Saturday in Tokyo: weekend economy.
    expect(tierAt({ ...DEFAULT_PRICING_CALENDAR, timeZone: 'Asia/Tokyo' }, at('2026-01-09T23:30:00Z'))).toBe('economy')
  })
})

describe('scheduleJob', () => {
  it('shifts a peak-hour job to the night economy tier and reports the savings', () => {
    const r = scheduleJob({ id: 'j', computeHours: 2, deadline: WED_10 + 48 * H }, WED_10)
    expect(r.start).toBe(at('2026-01-08T00:00:00Z'))
    expect(r.end).toBe(at('2026-01-08T02:00:00Z'))
    // Consumer resource at 0.5 USD/h: baseline 2 h x 2.0 x 0.5 = 2.0 USD; scheduled 2 h x 0.4 x 0.5 = 0.4 USD.
    expect(r).toMatchObject({ baselineCostUsd: 2, scheduledCostUsd: 0.4, savingsUsd: 1.6, savingsPercent: 80, hoursShifted: 14, tiers: [{ tier: 'economy', hours: 2 }] })
    // Carbon = 2 h x 0.3 kW x 0.5 kg/kWh.
    expect(r.carbonKg).toBeCloseTo(0.3, 12)
  })
  it('uses the weekend tier on a Friday evening', () => {
    const fri18 = at('2026-01-09T18:00:00Z')
    const r = scheduleJob({ id: 'w', computeHours: 10, deadline: fri18 + 40 * H }, fri18)
    // Friday 20-24 is off-peak; the first all-economy 10 h window starts Saturday 00:00.
    expect(r.tiers).toEqual([{ tier: 'economy', hours: 10 }])
    expect(r.start).toBe(at('2026-01-10T00:00:00Z'))
  })
  it('keeps the job at now when the deadline leaves no cheaper slot', () => {
    const r = scheduleJob({ id: 'n', computeHours: 2, deadline: WED_10 + 2 * H }, WED_10)
    expect([r.start, r.savingsUsd, r.hoursShifted]).toEqual([WED_10, 0, 0])
  })
  it('prefers the earliest of equally cheap slots', () => {
    const mon01 = at('2026-01-05T01:00:00Z')
    const r = scheduleJob({ id: 'e', computeHours: 1, deadline: mon01 + 100 * H }, mon01)
    expect(r.start).toBe(mon01)
  })
  it('prices a start between boundaries exactly (partial hours in two tiers)', () => {
    const r = scheduleJob({ id: 'p', computeHours: 1, deadline: at('2026-01-07T09:30:00Z') }, at('2026-01-07T08:30:00Z'))
    expect(r.tiers).toEqual([{ tier: 'off_peak', hours: 0.5 }, { tier: 'peak', hours: 0.5 }])
    expect(r.scheduledCostUsd).toBeCloseTo(0.5 * (0.5 * 0.6 + 0.5 * 2), 9)
  })
  it('throws ERR_SCHEDULE_OVER_BUDGET when even the cheapest slot is too expensive', () => {
    expect(codeOf(() => scheduleJob({ id: 'b', computeHours: 2, deadline: WED_10 + 48 * H, budgetUsd: 0.39 }, WED_10))).toBe(ERR_SCHEDULE_OVER_BUDGET)
    expect(scheduleJob({ id: 'b', computeHours: 2, deadline: WED_10 + 48 * H, budgetUsd: 0.4 }, WED_10).scheduledCostUsd).toBe(0.4)
  })
  it('throws ERR_SCHEDULE_DEADLINE_UNREACHABLE when the job cannot finish in time', () => {
    expect(codeOf(() => scheduleJob({ id: 'd', computeHours: 3, deadline: WED_10 + 2 * H }, WED_10))).toBe(ERR_SCHEDULE_DEADLINE_UNREACHABLE)
  })
  it('stays within the one-week horizon', () => {
    const r = scheduleJob({ id: 'h', computeHours: 1, deadline: WED_10 + 1000 * H }, WED_10, { horizonHours: 5 })
    expect(r.start - WED_10).toBeLessThanOrEqual(5 * H)
  })
  it('prices the configured resource', () => {
    const r = scheduleJob({ id: 'r', computeHours: 1, deadline: WED_10 + H }, WED_10, { resource: { kind: 'datacenter' } })
    // Datacenter: 2.5 USD/h at peak x2 = 5 USD; 0.5 kW x 0.5 kg/kWh.
    expect([r.scheduledCostUsd, r.carbonKg]).toEqual([5, 0.25])
  })
  it('rejects bad input with ERR_SCHEDULE_INVALID', () => {
    const ok = { id: 'x', computeHours: 1, deadline: WED_10 + 10 * H }
    expect(codeOf(() => scheduleJob({ ...ok, computeHours: 0 }, WED_10))).toBe(ERR_SCHEDULE_INVALID)
    expect(codeOf(() => scheduleJob({ ...ok, id: '' }, WED_10))).toBe(ERR_SCHEDULE_INVALID)
    expect(codeOf(() => scheduleJob(ok, WED_10, { calendar: { timeZone: 'Mars/Olympus' } }))).toBe(ERR_SCHEDULE_INVALID)
    expect(codeOf(() => scheduleJob(ok, WED_10, { calendar: { hourTiers: ['peak'] } }))).toBe(ERR_SCHEDULE_INVALID)
    expect(codeOf(() => scheduleJob(ok, WED_10, { resource: { costPerHour: -1 } }))).toBe(ERR_SCHEDULE_INVALID)
    expect(codeOf(() => scheduleJob(ok, Number.NaN))).toBe(ERR_SCHEDULE_INVALID)
  })
})

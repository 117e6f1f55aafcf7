/**
 * `trust-engine submit SCENE.glb --profile economy [--optimize-by T]
 * [--budget USD]`: the node defers the optimization to the cheapest slot of
 * its pricing calendar, so the answer is a schedule (with its cost report),
 * not a job. The job id appears in `trust-engine schedules` once the slot
 * came.
 */
import type { ScheduleView } from '../types.ts'
import type { SubmitOptions } from './submit-options.ts'
import { badArgs } from './args.ts'

/** The economy flags of `submit`. */
export interface EconomyFlags {
  optimizeBy?: string
  budget?: string
  wait?: boolean
}

/** The deferral part of an economy submission. */
export interface EconomyOptions {
  /** Epoch ms (from `+Nh`) or the ISO 8601 text given, which the node parses. */
  optimizeBy?: number | string
  budgetUsd?: number
}

/** True when `opts` is a scene job the network optimizes with profile `economy` (the node defers it). */
export function isEconomySubmission (opts: Pick<SubmitOptions, 'kind' | 'candidate' | 'profile'>): boolean {
  return opts.kind === 'scene' && opts.candidate.length === 0 && opts.profile === 'economy'
}

/**
 * The economy options of a submission, or null when it is not one. Throws
 * `ERR_BAD_ARGS` for `--optimize-by` or `--budget` on any other job, for
 * `--wait` on an economy one (its job starts hours later), and for malformed
 * values. `now` turns `+Nh` into a time.
 */
export function economyFromFlags (opts: Pick<SubmitOptions, 'kind' | 'candidate' | 'profile'>, flags: EconomyFlags, now: number = Date.now()): EconomyOptions | null {
  if (!isEconomySubmission(opts)) {
    for (const [flag, value] of [['--optimize-by', flags.optimizeBy], ['--budget', flags.budget]] as const) {
      if (value !== undefined) throw badArgs(flag, 'applies only to a scene without --candidate and with --profile economy')
    }
    return null
  }
  if (flags.wait === true) throw badArgs('--wait', 'an economy scene job starts at its slot, hours later; follow it with trust-engine schedules')
  const out: EconomyOptions = {}
  if (flags.optimizeBy !== undefined) out.optimizeBy = parseInstant('--optimize-by', flags.optimizeBy, now)
  if (flags.budget !== undefined) {
    if (!/^\d{1,12}(\.\d{1,9})?$/.test(flags.budget)) throw badArgs('--budget', `expected a non-negative number of USD, got ${JSON.stringify(flags.budget)}`)
    out.budgetUsd = Number(flags.budget)
  }
  return out
}

/** `+Nh` (hours from `now`) as epoch ms, or an ISO 8601 date-time with Z or an offset, passed on as written. */
function parseInstant (flag: string, value: string, now: number): number | string {
  const rel = /^\+(\d{1,4}(?:\.\d{1,6})?)h$/.exec(value)
  if (rel !== null) return now + Math.round(Number(rel[1]) * 3_600_000)
  // An explicit offset or Z is required: a bare local time would depend on the machine's zone.
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/.test(value) || Number.isNaN(Date.parse(value))) {
    throw badArgs(flag, 'expected an ISO 8601 time with Z or an offset (2026-01-08T06:00:00Z), or +Nh')
  }
  return value
}

/** Uploads the scene and asks the node to defer it; returns the schedule. Throws the API's `TrustEngineError`. */
export async function submitEconomyJob (opts: SubmitOptions, economy: EconomyOptions, progress: (line: string) => void = () => {}): Promise<ScheduleView> {
  const [{ ApiClient }, { uploadFile }] = await Promise.all([import('./api-client.ts'), import('./upload.ts')])
  const client = new ApiClient(opts.api, { token: opts.token })
  const { checkThresholdsAhead } = await import('./commands/submit.ts')
  await checkThresholdsAhead(client, opts.thresholds)
  const sha256 = await uploadFile(client, opts.reference[0]!, progress)
  const schedule = await client.scheduleEconomyJob({
    kind: 'scene',
    reference: [sha256],
    candidate: [],
    profile: 'economy',
    ...(opts.thresholds === undefined ? {} : { thresholds: opts.thresholds }),
    ...(opts.deadlineMs === undefined ? {} : { deadlineMs: opts.deadlineMs }),
    ...economy
  })
  progress(`schedule ${schedule.scheduleId} ${schedule.status}`)
  return schedule
}

/** A few human-readable lines about a schedule. */
export function formatSchedule (s: ScheduleView): string {
  const iso = (t: number): string => new Date(t).toISOString()
  const r = s.report
  const lines = [
    `schedule  ${s.scheduleId}`,
    `status    ${s.status}${s.jobId === null ? '' : ` — job ${s.jobId}`}${s.error === null ? '' : ` — ${s.error.code}: ${s.error.message}`}`,
    `slot      ${iso(s.slotStart)} -> ${iso(s.slotEnd)} (shifted ${r.hoursShifted} h; deadline ${iso(s.optimizeBy)})`,
    `tiers     ${r.tiers.map((t) => `${t.tier} ${t.hours} h`).join(', ')} (calendar ${r.timeZone}, ${r.resource.kind} at ${r.resource.costPerHour} USD/h)`,
    `cost      ${r.scheduledCostUsd} USD (baseline now: ${r.baselineCostUsd} USD; saved ${r.savingsUsd} USD, ${r.savingsPercent} %)`,
    `carbon    ${r.carbonKg} kg CO2`
  ]
  return lines.join('\n')
}

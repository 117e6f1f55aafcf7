/**
 * `trust-engine schedule --hours H --deadline D [--budget USD] [--now T]
 * [--tz ZONE] [--resource KIND] [--cost-per-hour USD] [--json]`: finds the
 * cheapest slot for a job of H compute hours before deadline D in the node's
 * pricing calendar, and prints the cost report (baseline, scheduled cost,
 * savings, hours shifted, carbon).
 *
 * D and T are ISO 8601 times (`2026-01-07T18:00:00Z`) or, for D, `+Nh`
 * relative to now. Exit codes: 0 scheduled; 2 error
 * (`ERR_SCHEDULE_DEADLINE_UNREACHABLE`, `ERR_SCHEDULE_OVER_BUDGET`,
 * `ERR_SCHEDULE_INVALID`, `ERR_BAD_ARGS`).
 */
import { CommanderError, type Command } from 'commander'
import { badArgs } from '../args.ts'

function usageErrorsExit2 (err: CommanderError): never {
  if (err.exitCode === 0) throw err
  throw new CommanderError(2, err.code, err.message)
}

function parsePositive (flag: string, value: string): number {
  if (!/^\d+(\.\d+)?$/.test(value) || Number(value) <= 0) throw badArgs(flag, `expected a positive number, got ${JSON.stringify(value)}`)
  return Number(value)
}

function parseTime (flag: string, value: string, now: number): number {
  const rel = /^\+(\d+(?:\.\d+)?)h$/.exec(value)
  if (rel !== null) return now + Math.round(Number(rel[1]) * 3_600_000)
  // An explicit offset or Z is required: a bare local time would depend on the machine's zone.
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/.test(value)) throw badArgs(flag, 'expected an ISO 8601 time with Z or an offset, or +Nh')
  const t = Date.parse(value)
  if (Number.isNaN(t)) throw badArgs(flag, `not a valid time: ${value}`)
  return t
}

/** Declares `schedule`. */
export function register (program: Command): void {
  program
    .command('schedule')
    .description('find the cheapest slot before a deadline and print the cost report')
    .requiredOption('--hours <h>', 'compute hours of the job')
    .requiredOption('--deadline <time>', 'latest completion: ISO 8601 time, or +Nh from now')
    .option('--budget <usd>', 'most the job may cost, USD')
    .option('--now <time>', 'the current time (ISO 8601); default: the system clock')
    .option('--tz <zone>', 'IANA time zone of the pricing calendar', 'UTC')
    .option('--resource <kind>', 'consumer, datacenter, cloud, edge or distributed', 'consumer')
    .option('--cost-per-hour <usd>', 'cost per compute hour at standard price (default: the resource kind\'s)')
    .option('--id <id>', 'job id echoed in the report', 'job')
    .option('--json', 'print the report as JSON')
    .exitOverride(usageErrorsExit2)
    .action(async (flags: { hours: string, deadline: string, budget?: string, now?: string, tz: string, resource: string, costPerHour?: string, id: string, json?: boolean }) => {
      // Only the economy modules: scheduling needs none of the scene libraries.
      const { scheduleJob } = await import('../../optimizer/economy/scheduler.ts')
      const { RESOURCE_KINDS, isResourceKind } = await import('../../optimizer/economy/resource-profile.ts')
      const now = flags.now === undefined ? Date.now() : parseTime('--now', flags.now, 0)
      const hours = parsePositive('--hours', flags.hours)
      const deadline = parseTime('--deadline', flags.deadline, now)
      const kind = flags.resource
      if (!isResourceKind(kind)) throw badArgs('--resource', `one of ${RESOURCE_KINDS.join(', ')}`)
      const report = scheduleJob(
        { id: flags.id, computeHours: hours, deadline, ...(flags.budget !== undefined ? { budgetUsd: parsePositive('--budget', flags.budget) } : {}) },
        now,
        {
          calendar: { timeZone: flags.tz },
          resource: { kind, ...(flags.costPerHour !== undefined ? { costPerHour: parsePositive('--cost-per-hour', flags.costPerHour) } : {}) }
        }
      )
      const iso = (t: number): string => new Date(t).toISOString()
      if (flags.json === true) {
        process.stdout.write(JSON.stringify({ ...report, startIso: iso(report.start), endIso: iso(report.end) }, null, 2) + '\n')
        return
      }
      process.stdout.write([
        `job          ${report.jobId}: ${report.computeHours} h on ${report.resource.kind} (${report.resource.costPerHour} USD/h, calendar ${report.timeZone})`,
        `slot         ${iso(report.start)} -> ${iso(report.end)} (shifted ${report.hoursShifted} h)`,
        `tiers        ${report.tiers.map((t) => `${t.tier} ${t.hours} h`).join(', ')}`,
        `cost         ${report.scheduledCostUsd} USD (baseline now: ${report.baselineCostUsd} USD; saved ${report.savingsUsd} USD, ${report.savingsPercent} %)`,
        `carbon       ${report.carbonKg} kg CO2`
      ].join('\n') + '\n')
    })
}

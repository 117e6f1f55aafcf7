/**
 * `trust-engine schedules [--api URL] [--limit N] [--json]`: the economy
 * scene jobs a node deferred to their cheapest slot, newest first, with their
 * slot, cost and, once started, their job id. `--cancel ID` cancels one still
 * waiting for its slot and prints it.
 *
 * Exit codes: 0 listed or cancelled; 2 error (`ERR_API_UNREACHABLE`,
 * `ERR_BAD_ARGS`, the API's code, e.g. `ERR_SCHEDULE_NOT_CANCELLABLE`).
 */
import type { Command } from 'commander'
import type { ScheduleView } from '../../types.ts'
import { badArgs, parseIntArg, resolveApiToken, resolveApiUrl } from '../args.ts'

/**
 * A schedule id's form (SCHEDULE_ID_PATTERN of the store, which the CLI does
 * not load): checked before any request, so a malformed id is a usage error
 * here instead of a round trip to the node's 400.
 */
const SCHEDULE_ID = /^[0-9a-f]{32}$/

/** One line per schedule: id, status, slot start, scheduled cost, savings, job id. */
export function formatScheduleList (schedules: ScheduleView[]): string {
  if (schedules.length === 0) return 'no schedules'
  const head = ['schedule'.padEnd(32), 'status'.padEnd(9), 'slot start'.padEnd(24), 'cost USD'.padEnd(10), 'saved %'.padEnd(8), 'job'].join('  ')
  const rows = schedules.map((s) => [
    s.scheduleId,
    s.status.padEnd(9),
    new Date(s.slotStart).toISOString().padEnd(24),
    String(s.report.scheduledCostUsd).padEnd(10),
    String(s.report.savingsPercent).padEnd(8),
    s.jobId ?? (s.error === null ? '-' : s.error.code)
  ].join('  '))
  return [head, ...rows].join('\n')
}

/** Declares `schedules`. */
export function register (program: Command): void {
  program
    .command('schedules')
    .description('list the economy scene jobs a node deferred to their cheapest slot')
    .option('--api <url>', 'API base URL (default $TRUST_ENGINE_API_URL or http://127.0.0.1:7700)')
    .option('--token <token>', 'API bearer token (default $TRUST_ENGINE_API_TOKEN)')
    .option('--limit <n>', 'most schedules listed, newest first (default 50, the node caps it)')
    .option('--json', 'print { "schedules": [ScheduleView, ...] } as JSON')
    .option('--cancel <scheduleId>', 'cancel a schedule still waiting for its slot, and print it')
    .action(async (flags: { api?: string, token?: string, limit?: string, json?: boolean, cancel?: string }) => {
      const limit = flags.limit === undefined ? undefined : parseIntArg('--limit', flags.limit, 1, 1_000_000)
      if (flags.cancel !== undefined && !SCHEDULE_ID.test(flags.cancel)) {
        throw badArgs('--cancel', `expected a schedule id of 32 lowercase hex characters, got ${JSON.stringify(flags.cancel)}`)
      }
      const { ApiClient } = await import('../api-client.ts')
      const client = new ApiClient(resolveApiUrl(flags.api), { token: resolveApiToken(flags.token) })
      if (flags.cancel !== undefined) {
        const view = await client.cancelSchedule(flags.cancel)
        process.stdout.write((flags.json === true ? JSON.stringify(view, null, 2) : formatScheduleList([view])) + '\n')
        return
      }
      const schedules = await client.listSchedules(limit)
      process.stdout.write((flags.json === true ? JSON.stringify({ schedules }, null, 2) : formatScheduleList(schedules)) + '\n')
    })
}

/**
 * A node's runs in its audit trail. At each start, `node.started` says how
 * the run before it ended: `clean` (its last entry is `node.stopped`),
 * `unclean` (the process died or was killed: SIGKILL, a crash, a power
 * loss) or `none` (a new store). At a clean stop, after the job engine and
 * everything that appends entries stopped, `node.stopped` names the jobs
 * still open and what the stop did with the work in flight: finished within
 * the drain bound, or abandoned (graceful-stop.ts); the next start resumes
 * the open jobs.
 */
import type { Logger } from 'pino'
import { isTrustEngineError } from '../../protocol/errors.ts'
import { ERR_DISK_FULL } from '../files/disk-full.ts'
import type { AuditLog } from '../store/audit.ts'
import type { Store } from '../store/db.ts'
import { pageJobIndex } from '../store/repositories/job-index.ts'

/** How the run before this start ended. */
export type PreviousStop = 'clean' | 'unclean' | 'none'

/** Most open job ids named in a `node.stopped` entry. */
export const MAX_RECORDED_OPEN_JOBS = 100

/** What the run record is wired to. */
export interface RunRecordComponents {
  store: Store
  audit: AuditLog
  clock: () => number
  logger: Logger
}

/**
 * Appends `node.started { previousStop }` and returns `previousStop`. A
 * full disk does not stop the start (the node serves reads): the entry is
 * then missing, and the log says so.
 */
export async function recordStart (c: RunRecordComponents): Promise<PreviousStop> {
  const last = c.audit.length === 0 ? null : (await c.audit.list(c.audit.length - 1, 1))[0] ?? null
  const previousStop: PreviousStop = last === null ? 'none' : last.kind === 'node.stopped' ? 'clean' : 'unclean'
  try {
    await c.store.write((batch) => { c.audit.append(batch, 'node.started', { previousStop }, c.clock()) }, { sync: true })
  } catch (err) {
    if (!isTrustEngineError(err, ERR_DISK_FULL)) throw err
    c.logger.warn({ code: err.code }, 'the start is not in the audit trail: the disk is full')
  }
  if (previousStop === 'unclean') c.logger.warn({ lastEntry: last?.kind }, 'the previous run did not stop cleanly')
  return previousStop
}

/** How a stop ended the work in flight, as recorded in `node.stopped` (node/wiring/graceful-stop.ts). */
export interface StopWork {
  /** `idle`: nothing was in flight; `finished`: all of it ended within the drain bound; `bound`: the bound cut it; `forced`: a forced stop cut it; `none`: no drain ran (a start that failed half-way). */
  end: 'idle' | 'finished' | 'bound' | 'forced' | 'none'
  /** How long the drain lasted (ms of real time). */
  ms: number
  /** Jobs whose own work (measurement and vote) ended on its own during the stop: a vote cast or a failure recorded. */
  finished: string[]
  /** Jobs whose own work the stop cut: nothing was written for it; the next start measures them again. */
  abandoned: string[]
}

/**
 * Appends `node.stopped { openJobs, more, drain }`: the ids of the jobs
 * still open (newest first, at most {@link MAX_RECORDED_OPEN_JOBS}; `more`
 * when there were others), and `drain { end, ms, finished, abandoned,
 * finishedJobs, abandonedJobs }`: how the stop's drain ended, how long it
 * took, and how many jobs' work in flight finished and how many were
 * abandoned, with their ids (at most {@link MAX_RECORDED_OPEN_JOBS} each).
 */
export async function recordStop (c: RunRecordComponents, work: StopWork | null): Promise<void> {
  const open = await pageJobIndex(c.store, { status: 'pending', limit: MAX_RECORDED_OPEN_JOBS + 1 })
  const openJobs = open.jobIds.slice(0, MAX_RECORDED_OPEN_JOBS)
  const more = open.jobIds.length > MAX_RECORDED_OPEN_JOBS
  const w = work ?? { end: 'none', ms: 0, finished: [], abandoned: [] }
  const drain = {
    end: w.end,
    ms: w.ms,
    finished: w.finished.length,
    abandoned: w.abandoned.length,
    finishedJobs: w.finished.slice(0, MAX_RECORDED_OPEN_JOBS),
    abandonedJobs: w.abandoned.slice(0, MAX_RECORDED_OPEN_JOBS)
  }
  await c.store.write((batch) => { c.audit.append(batch, 'node.stopped', { openJobs, more, drain }, c.clock()) }, { sync: true })
}

/**
 * Options of `npm run soak`, parsed from the command line with zod once, at
 * the edge (`ERR_SOAK_OPTIONS` on anything else).
 */
import { join } from 'node:path'
import { z } from 'zod'
import { declareCode } from '../../protocol/errors.ts'
import { checkOptions, flagNumber, readFlags, runStamp } from '../run-options.ts'

/** Code of command-line options the soak refuses. */
export const ERR_SOAK_OPTIONS = declareCode('ERR_SOAK_OPTIONS', { status: 400 })

/** What one soak run does. */
export interface SoakOptions {
  /** How long jobs are submitted, minutes; jobs still open then are waited for (bounded by their deadline). */
  minutes: number
  /** Validators started, one process each. */
  nodes: number
  /** Lying validators among them (0 or 1): the last node runs the simulation's `liar` strategy. */
  liars: number
  /** Seconds between two rows of figures. */
  intervalSeconds: number
  /** Fraction of the run left out of the growth check (start-up: JIT, caches, workers, the first compactions); at least until one job of each kind has settled. */
  warmup: number
  /** Seconds between two job submissions (the load's rate; fewer when `maxInFlight` jobs are open). */
  jobIntervalSeconds: number
  /** Most jobs open at once (the load's bound). */
  maxInFlight: number
  /** Every `sceneEvery`-th job is a scene job, the others frames jobs (0: frames only). */
  sceneEvery: number
  /**
   * Multiplies every growth limit. 1 for a real soak; a run of a minute or
   * two is still warming up (a heap between two major collections grows by
   * megabytes a minute), so the short form in the test suite loosens the
   * limits and still fails on gross growth.
   */
  limitScale: number
  /**
   * Minutes after its decision that each node prunes a job's blobs, votes
   * and evidence (the node's retention, docs/store.md); null keeps the
   * node's default (7 days: nothing is pruned within a soak). Set, the blob
   * folder must stop growing once the first jobs are pruned.
   */
  retentionMinutes: number | null
  /** Folder the CSV files, SVG charts and summary go to. */
  out: string
  /** Seed of the keys and the liar's values (lowercase hex). */
  seed: string
}

/** Defaults of {@link SoakOptions}. */
export const DEFAULT_SOAK_OPTIONS: Omit<SoakOptions, 'out'> = {
  minutes: 20,
  // Four validators: one liar of weight 1 stays under a third, so honest jobs finalize.
  nodes: 4,
  liars: 1,
  // A row a minute, as the figures are asked for; short runs use a few seconds.
  intervalSeconds: 60,
  // A quarter: start-up growth (first measurement workers, JIT, LevelDB's first log) is over within minutes.
  warmup: 0.25,
  // About ten jobs a minute: a steady load two cores carry with four nodes measuring every job.
  jobIntervalSeconds: 6,
  // Two open jobs: bounded, and enough that a job's steps overlap another's.
  maxInFlight: 2,
  // One job in three renders scenes (seconds of CPU per node), two compare frames.
  sceneEvery: 3,
  limitScale: 1,
  retentionMinutes: null,
  seed: '50a4'
}

const OPTIONS = z.strictObject({
  minutes: z.number().positive().max(24 * 60),
  nodes: z.int().min(3).max(16),
  liars: z.int().min(0).max(1),
  intervalSeconds: z.number().min(1).max(3600),
  warmup: z.number().min(0).max(0.9),
  jobIntervalSeconds: z.number().min(0.5).max(3600),
  maxInFlight: z.int().min(1).max(32),
  sceneEvery: z.int().min(0).max(1000),
  limitScale: z.number().min(1).max(1000),
  // At least a minute: the node's own lower bound on the retention period.
  retentionMinutes: z.number().min(1).max(7 * 24 * 60).nullable(),
  out: z.string().min(1).max(4096),
  seed: z.string().regex(/^(?:[0-9a-f]{2}){1,32}$/)
})

/** The flag of each option whose name differs. */
const FLAGS: Record<string, string> = { intervalSeconds: 'interval', jobIntervalSeconds: 'job-interval', maxInFlight: 'max-in-flight', sceneEvery: 'scene-every', limitScale: 'limit-scale', retentionMinutes: 'retention-minutes' }

/** Parses `--minutes M --nodes N [--liars L] [--interval S] [--warmup F] [--job-interval S] [--max-in-flight K] [--scene-every K] [--limit-scale F] [--retention-minutes R] [--out DIR] [--seed HEX]`. */
export function parseSoakArgs (argv: string[], now: Date = new Date()): SoakOptions {
  const values = readFlags(argv, {
    minutes: { type: 'string' },
    nodes: { type: 'string' },
    liars: { type: 'string' },
    interval: { type: 'string' },
    warmup: { type: 'string' },
    'job-interval': { type: 'string' },
    'max-in-flight': { type: 'string' },
    'scene-every': { type: 'string' },
    'limit-scale': { type: 'string' },
    'retention-minutes': { type: 'string' },
    out: { type: 'string' },
    seed: { type: 'string' }
  }, ERR_SOAK_OPTIONS)
  const d = DEFAULT_SOAK_OPTIONS
  const stamp = runStamp(now)
  return checkOptions(OPTIONS, {
    minutes: flagNumber(values.minutes, d.minutes),
    nodes: flagNumber(values.nodes, d.nodes),
    liars: flagNumber(values.liars, d.liars),
    intervalSeconds: flagNumber(values.interval, d.intervalSeconds),
    warmup: flagNumber(values.warmup, d.warmup),
    jobIntervalSeconds: flagNumber(values['job-interval'], d.jobIntervalSeconds),
    maxInFlight: flagNumber(values['max-in-flight'], d.maxInFlight),
    sceneEvery: flagNumber(values['scene-every'], d.sceneEvery),
    limitScale: flagNumber(values['limit-scale'], d.limitScale),
    retentionMinutes: values['retention-minutes'] === undefined ? null : flagNumber(values['retention-minutes'], 0),
    out: typeof values.out === 'string' ? values.out : join('soak-results', stamp),
    seed: typeof values.seed === 'string' ? values.seed : d.seed
  }, FLAGS, ERR_SOAK_OPTIONS)
}

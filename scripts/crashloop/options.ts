/**
 * Options of `npm run crashloop`, parsed from the command line with zod once,
 * at the edge (`ERR_CRASHLOOP_OPTIONS` on anything else).
 */
import { join } from 'node:path'
import { z } from 'zod'
import { TrustEngineError, declareCode } from '../../protocol/errors.ts'
import { checkOptions, flagNumber, readFlags, runStamp } from '../run-options.ts'

/** Code of command-line options the crash loop refuses. */
export const ERR_CRASHLOOP_OPTIONS = declareCode('ERR_CRASHLOOP_OPTIONS', { status: 400 })

/** What one crash-loop run does. */
export interface CrashLoopOptions {
  /** SIGKILLs in all; the run ends after the last one's restart and checks. */
  kills: number
  /** Validators started, one process each. */
  nodes: number
  /** Lying validators among them (0 or 1): the last node runs the simulation's `liar` strategy. */
  liars: number
  /** Seconds between two job submissions (fewer when `maxInFlight` jobs are open). */
  jobIntervalSeconds: number
  /** Most jobs open at once (the load's bound). */
  maxInFlight: number
  /** Every `sceneEvery`-th job is a scene job, the others frames jobs (0: frames only). */
  sceneEvery: number
  /** A kill comes a uniform random delay in [0, killWindowMs] after a job's announcement. */
  killWindowMs: number
  /**
   * Kill cycles (kill, inspection, restart, checks) running at once, each on
   * a node of its own: so many nodes may be down together. 1 kills one node
   * at a time; more runs a long loop faster on a loaded machine, where a
   * restart takes tens of seconds.
   */
  overlap: number
  /** Minutes after which no more kills start (the run then settles and is judged as any other); null: no bound. */
  minutes: number | null
  /** Keep the network's data folders (printed) when a check failed, to look into what the nodes stored. */
  keepData: boolean
  /** Folder the summary, kills CSV and JSON go to. */
  out: string
  /** Seed of the keys, the liar's values, the victims and the kill delays (lowercase hex). */
  seed: string
}

/** Defaults of {@link CrashLoopOptions}. */
export const DEFAULT_CRASHLOOP_OPTIONS: Omit<CrashLoopOptions, 'out'> = {
  // A hundred kills: the figure asked of a long run.
  kills: 100,
  // Four validators: one down at a time leaves the others connected.
  nodes: 4,
  // One liar, as the soak: reputations move, so the reputation check has something to check.
  liars: 1,
  // A job every three seconds: a kill waits for an announcement, so this paces the kills too.
  jobIntervalSeconds: 3,
  // Two open jobs: a kill meets one job's measurement while another's votes are written.
  maxInFlight: 2,
  // One job in three renders scenes (seconds of CPU per node), two compare frames.
  sceneEvery: 3,
  // Six seconds: on two loaded cores a frames job goes from announcement through blob fetches, measurement and
  // votes to its decision in a few seconds, so uniform delays land in every phase (the run reports the spread).
  killWindowMs: 6000,
  // One node down at a time.
  overlap: 1,
  minutes: null,
  keepData: false,
  seed: 'c4a5'
}

const OPTIONS = z.strictObject({
  kills: z.int().min(1).max(100_000),
  nodes: z.int().min(3).max(16),
  liars: z.int().min(0).max(1),
  jobIntervalSeconds: z.number().min(0.5).max(3600),
  maxInFlight: z.int().min(1).max(32),
  sceneEvery: z.int().min(0).max(1000),
  killWindowMs: z.int().min(0).max(600_000),
  overlap: z.int().min(1).max(15),
  minutes: z.number().positive().max(24 * 60).nullable(),
  keepData: z.boolean(),
  out: z.string().min(1).max(4096),
  seed: z.string().regex(/^(?:[0-9a-f]{2}){1,32}$/)
})

/** The flag of each option whose name differs. */
const FLAGS: Record<string, string> = { jobIntervalSeconds: 'job-interval', maxInFlight: 'max-in-flight', sceneEvery: 'scene-every', killWindowMs: 'kill-window-ms', overlap: 'overlap', keepData: 'keep-data' }

/** Parses `[--kills K] [--nodes N] [--liars L] [--job-interval S] [--max-in-flight K] [--scene-every K] [--kill-window-ms MS] [--overlap K] [--minutes M] [--keep-data] [--out DIR] [--seed HEX]`. */
export function parseCrashLoopArgs (argv: string[], now: Date = new Date()): CrashLoopOptions {
  const values = readFlags(argv, {
    kills: { type: 'string' },
    nodes: { type: 'string' },
    liars: { type: 'string' },
    'job-interval': { type: 'string' },
    'max-in-flight': { type: 'string' },
    'scene-every': { type: 'string' },
    'kill-window-ms': { type: 'string' },
    overlap: { type: 'string' },
    minutes: { type: 'string' },
    'keep-data': { type: 'boolean' },
    out: { type: 'string' },
    seed: { type: 'string' }
  }, ERR_CRASHLOOP_OPTIONS)
  const d = DEFAULT_CRASHLOOP_OPTIONS
  const stamp = runStamp(now)
  const data = checkOptions(OPTIONS, {
    kills: flagNumber(values.kills, d.kills),
    nodes: flagNumber(values.nodes, d.nodes),
    liars: flagNumber(values.liars, d.liars),
    jobIntervalSeconds: flagNumber(values['job-interval'], d.jobIntervalSeconds),
    maxInFlight: flagNumber(values['max-in-flight'], d.maxInFlight),
    sceneEvery: flagNumber(values['scene-every'], d.sceneEvery),
    killWindowMs: flagNumber(values['kill-window-ms'], d.killWindowMs),
    overlap: flagNumber(values.overlap, d.overlap),
    minutes: values.minutes === undefined ? null : flagNumber(values.minutes, 0),
    keepData: (values['keep-data'] as unknown) === true,
    out: typeof values.out === 'string' ? values.out : join('crashloop-results', stamp),
    seed: typeof values.seed === 'string' ? values.seed : d.seed
  }, FLAGS, ERR_CRASHLOOP_OPTIONS)
  // One node at least stays up: the load submits through it and the others catch up from it.
  if (data.overlap >= data.nodes) throw new TrustEngineError(ERR_CRASHLOOP_OPTIONS, '--overlap: must be below --nodes')
  return data
}

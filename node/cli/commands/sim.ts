/**
 * `trust-engine sim`: the Byzantine fault simulation with real node
 * processes on 127.0.0.1 (see docs/simulation.md).
 *
 *     trust-engine sim list
 *     trust-engine sim run [NAME|FILE ...] [--seed HEX] [--out DIR] [--json]
 *     trust-engine sim sweep [--quick] [--strategies a,b] [--weights x,y] [--seeds N] [--jobs N] [--parallel N] [--out DIR]
 *     trust-engine sim scale [--sizes 8,16,32] [--per-process N] [--bootstrap-peers K] [--deadline-ms MS]
 *       [--keep] [--log-level L]
 *
 * Exit codes: 0 no safety violation where the Byzantine weight is below 1/3;
 * 1 a safety violation below 1/3; 2 bad arguments or a scenario that could
 * not run.
 */
import type { Command } from 'commander'
import { badArgs } from '../args.ts'

interface RunFlags { seed?: string, out?: string, json?: boolean, keep?: boolean, logLevel?: string }
interface ScaleFlags { sizes?: string, perProcess?: string, bootstrapPeers?: string, deadlineMs?: string, out?: string, json?: boolean, keep?: boolean, logLevel?: string }
interface SweepFlags { quick?: boolean, strategies?: string, seeds?: string, out?: string, json?: boolean, weights?: string, jobs?: string, parallel?: string, validators?: string }

/** Declares `sim` and its subcommands. */
export function register (program: Command): void {
  const sim = program.command('sim').description('Byzantine fault simulation with real nodes on 127.0.0.1 (docs/simulation.md)')
  sim.command('list').description('list the named scenarios').action(async () => { await listScenarios() })
  sim.command('run')
    .description('run scenarios (names from `sim list` or JSON files); default: every named scenario of the smoke set')
    .argument('[scenarios...]', 'scenario names or files')
    .option('--seed <hex>', 'override every scenario\'s seed')
    .option('--out <dir>', 'report folder (default a new folder under sim-results/)')
    .option('--json', 'print the results as JSON instead of the table')
    .option('--keep', 'keep the network folders (keys, LevelDB)')
    .option('--log-level <level>', 'log level of the nodes: error, warn or info', 'warn')
    .action(async (names: string[], flags: RunFlags) => { await runCommand(names, flags) })
  sim.command('sweep')
    .description('Byzantine weight from 0 to 50% per strategy, repeated over seeds, with intervals')
    .option('--quick', 'fewer points, one seed (under a minute on a quiet 2-core machine)')
    .option('--strategies <list>', 'comma-separated strategies (default: liar,inflate,deflate,cartel,equivocate,silent)')
    .option('--weights <list>', 'comma-separated Byzantine weight shares in [0, 0.5]')
    .option('--seeds <n>', 'runs per point')
    .option('--jobs <n>', 'jobs per run')
    .option('--parallel <n>', 'runs at once, each its own network (default 3; 1 beyond 16 validators)')
    .option('--validators <n>', 'validators per run, two fifths of them Byzantine (default 5; from 17 up: 4 bootstrap peers, 32 per process, 2 s of deadline per validator)')
    .option('--out <dir>', 'report folder (default a new folder under sim-results/)')
    .option('--json', 'print the results as JSON instead of the table')
    .action(async (flags: SweepFlags) => { await sweepCommand(flags) })
  sim.command('scale')
    .description('how many real nodes fit: memory, connect time, finality and where it breaks, per network size')
    .option('--sizes <list>', 'comma-separated network sizes (default 8,16,32,64,128)')
    .option('--per-process <n>', 'nodes per process (default 32)')
    .option('--bootstrap-peers <n>', 'peers each node dials at start (default 4)')
    .option('--deadline-ms <ms>', 'vote deadline of each job (default 2000 per node, at least 30000)')
    .option('--out <dir>', 'report folder (default a new folder under sim-results/)')
    .option('--keep', 'keep the network folders (keys, LevelDB, node logs)')
    .option('--log-level <level>', 'log level of the nodes: error, warn or info', 'warn')
    .option('--json', 'print the rows as JSON')
    .action(async (flags: ScaleFlags) => { await scaleCommand(flags) })
}

/** The scenarios of `sim run` without arguments: the smoke set. */
export const SMOKE_SCENARIOS = ['honest', 'liar-1-of-4', 'inflate-cartel-25', 'inflate-cartel-34', 'equivocate-1-of-4', 'crash-restart', 'spam', 'partition-heals']

async function listScenarios (): Promise<void> {
  const { scenarioNames, resolveScenario } = await import('../../../sim/library.ts')
  for (const name of scenarioNames()) {
    const s = resolveScenario(name)
    process.stdout.write(`${name.padEnd(20)} ${s.description}\n`)
  }
}

/** A live progress line on a terminal (rewritten in place), plain lines otherwise; silent with --json. */
function progress (json: boolean): { line: (s: string) => void, done: () => void } {
  const tty = process.stderr.isTTY === true
  let last = ''
  return {
    line: (s) => {
      if (json || s === last) return
      last = s
      if (tty) process.stderr.write(`\r\x1b[K${s.slice(0, (process.stderr.columns ?? 100) - 1)}`)
      else process.stderr.write(`${s}\n`)
    },
    done: () => { if (tty && !json) process.stderr.write('\r\x1b[K') }
  }
}

/** Makes the report folder `out` (ERR_BAD_ARGS when it cannot be one) and returns it. */
async function reportFolder (out: string): Promise<string> {
  const { ensureDir } = await import('../../files/ensure-dir.ts')
  const { ERR_BAD_ARGS } = await import('../args.ts')
  ensureDir(out, ERR_BAD_ARGS, '--out: the report folder')
  return out
}

async function runCommand (names: string[], flags: RunFlags): Promise<void> {
  const { resolveScenario } = await import('../../../sim/library.ts')
  const { runScenario } = await import('../../../sim/runner.ts')
  const { writeRunReport, defaultOutDir } = await import('../../../sim/report/write.ts')
  const { tableRows, textTable, total } = await import('../../../sim/report/summary.ts')
  if (flags.seed !== undefined && !/^(?:[0-9a-f]{2}){1,32}$/.test(flags.seed)) throw badArgs('--seed', 'lowercase hex, 1 to 32 bytes')
  const logLevel = nodeLogLevel(flags.logLevel)
  const scenarios = (names.length === 0 ? SMOKE_SCENARIOS : names).map((n) => {
    const s = resolveScenario(n)
    return flags.seed === undefined ? s : { ...s, seed: flags.seed }
  })
  // The report folder first: a path that cannot be a folder fails now, not after the runs.
  const out = await reportFolder(flags.out ?? defaultOutDir('run'))
  const p = progress(flags.json === true)
  const runs = []
  for (const [i, s] of scenarios.entries()) {
    runs.push(await runScenario(s, { keep: flags.keep === true, logLevel, onProgress: (l) => p.line(`[${i + 1}/${scenarios.length}] ${s.name}: ${l}`) }))
  }
  p.done()
  const files = writeRunReport(out, runs, { title: `Simulation: ${scenarios.map((s) => s.name).join(', ')}` })
  if (flags.json === true) process.stdout.write(JSON.stringify({ total: total(runs), out, files }, null, 2) + '\n')
  else process.stdout.write(`${textTable(tableRows(runs))}\nreport: ${out}/report.md\n`)
  process.exitCode = runs.some((r) => r.score.safetyViolations > 0 && r.byzantineWeightShare < 1 / 3) ? 1 : 0
}

async function sweepCommand (flags: SweepFlags): Promise<void> {
  const { runSweep, sweepNetwork, DEFAULT_SWEEP, QUICK_SWEEP } = await import('../../../sim/sweep.ts')
  const { defaultOutDir } = await import('../../../sim/report/write.ts')
  const { STRATEGY_KINDS } = await import('../../../sim/strategies/spec.ts')
  const base = flags.quick === true ? QUICK_SWEEP : DEFAULT_SWEEP
  const list = (s: string | undefined): string[] | undefined => s?.split(',').map((x) => x.trim()).filter((x) => x !== '')
  const strategies = list(flags.strategies) ?? base.strategies
  for (const k of strategies) if (!(STRATEGY_KINDS as readonly string[]).includes(k)) throw badArgs('--strategies', `unknown strategy ${k}`)
  const weights = list(flags.weights)?.map(Number) ?? base.weights
  if (weights.some((w) => !(w >= 0 && w <= 0.5))) throw badArgs('--weights', 'shares in [0, 0.5]')
  const seeds = flags.seeds === undefined ? base.seeds : Number(flags.seeds)
  if (!Number.isInteger(seeds) || seeds < 1 || seeds > 100) throw badArgs('--seeds', 'an integer from 1 to 100')
  const jobs = flags.jobs === undefined ? base.jobs : Number(flags.jobs)
  if (!Number.isInteger(jobs) || jobs < 1 || jobs > 100) throw badArgs('--jobs', 'an integer from 1 to 100')
  const validators = flags.validators === undefined ? base.honest + base.byzantine : Number(flags.validators)
  if (!Number.isInteger(validators) || validators < 3 || validators > 256) throw badArgs('--validators', 'an integer from 3 to 256')
  const network: Partial<ReturnType<typeof sweepNetwork>> = flags.validators === undefined ? {} : sweepNetwork(validators)
  const parallel = flags.parallel === undefined ? (network.parallel ?? base.parallel) : Number(flags.parallel)
  if (!Number.isInteger(parallel) || parallel < 1 || parallel > 16) throw badArgs('--parallel', 'an integer from 1 to 16')
  const p = progress(flags.json === true)
  const out = await reportFolder(flags.out ?? defaultOutDir(flags.quick === true ? 'sweep-quick' : 'sweep'))
  const result = await runSweep({ ...base, ...network, strategies: strategies as never, weights, seeds, jobs, parallel }, out, (l) => p.line(l))
  p.done()
  if (flags.json === true) process.stdout.write(JSON.stringify({ points: result.points, out }, null, 2) + '\n')
  else process.stdout.write(`${result.table}\nreport: ${out}/report.md\n`)
  // A safety violation below 1/3 first; else runs that could not run (their points are short of runs).
  process.exitCode = result.violationsBelowThird > 0 ? 1 : result.failedRuns > 0 ? 2 : 0
}

async function scaleCommand (flags: ScaleFlags): Promise<void> {
  const { runScale, scaleTable, DEFAULT_SCALE } = await import('../../../sim/scale.ts')
  const { writeRunReport, defaultOutDir } = await import('../../../sim/report/write.ts')
  const { markdownTable, textTable } = await import('../../../sim/report/summary.ts')
  const int = (v: string | undefined, flag: string, def: number, max: number): number => {
    if (v === undefined) return def
    const n = Number(v)
    if (!Number.isInteger(n) || n < 1 || n > max) throw badArgs(flag, `an integer from 1 to ${max}`)
    return n
  }
  const sizes = flags.sizes === undefined ? DEFAULT_SCALE.sizes : flags.sizes.split(',').map((x) => int(x.trim(), '--sizes', 0, 400))
  const o = { ...DEFAULT_SCALE, sizes, perProcess: int(flags.perProcess, '--per-process', DEFAULT_SCALE.perProcess, 200), bootstrapPeers: int(flags.bootstrapPeers, '--bootstrap-peers', DEFAULT_SCALE.bootstrapPeers, 256), deadlineMs: flags.deadlineMs === undefined ? null : int(flags.deadlineMs, '--deadline-ms', 30_000, 600_000) }
  const logLevel = nodeLogLevel(flags.logLevel)
  const out = await reportFolder(flags.out ?? defaultOutDir('scale'))
  const p = progress(flags.json === true)
  const { rows, runs } = await runScale({ ...o, keep: flags.keep === true, logLevel }, (l) => p.line(l))
  p.done()
  const table = scaleTable(rows)
  writeRunReport(out, runs, { title: 'Scale: real nodes on one machine', markdown: `\n## Scale\n\n${markdownTable(table)}`, json: { scale: { options: o, rows } } })
  if (flags.json === true) process.stdout.write(JSON.stringify({ rows, out }, null, 2) + '\n')
  else process.stdout.write(`${textTable(table)}\nreport: ${out}/report.md\n`)
}

/** The nodes' `--log-level` of `sim run` and `sim scale`: error, warn (the default) or info. */
function nodeLogLevel (value: string | undefined): 'error' | 'warn' | 'info' {
  const level = value ?? 'warn'
  if (level !== 'error' && level !== 'warn' && level !== 'info') throw badArgs('--log-level', 'error, warn or info')
  return level
}

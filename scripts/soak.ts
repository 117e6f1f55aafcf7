/**
 * `npm run soak -- --minutes M --nodes N`: drives a network of real node
 * processes on 127.0.0.1 with a steady, bounded mix of frames and scene
 * jobs (one lying validator among them by default) and records, every
 * `--interval` seconds, jobs per minute, finality latency percentiles and
 * each node's resident memory, heap, event loop delay, active handles,
 * LevelDB and blob folder sizes and gossip queues, as a CSV and an SVG
 * chart per figure in `--out` (default a new folder under `soak-results/`).
 *
 * Exits 1, naming the figure, when a figure grows faster than its limit
 * after the warm-up (docs/soak.md), or when an honest validator finalized a
 * job wrong or not at all; 2 on options it refuses. Stops by itself; stops
 * only the processes it started.
 */
import { isTrustEngineError } from '../protocol/errors.ts'
import { ensureDir } from '../node/files/ensure-dir.ts'
import { ERR_SOAK_OPTIONS, parseSoakArgs } from './soak/options.ts'
import { runSoak } from './soak/run.ts'

let options
try {
  options = parseSoakArgs(process.argv.slice(2))
  // The results folder first: one that cannot be made fails now, not after the whole run.
  ensureDir(options.out, ERR_SOAK_OPTIONS, '--out: the results folder')
} catch (err) {
  process.stderr.write(`error ${isTrustEngineError(err) ? err.code : 'ERR_SOAK_OPTIONS'}: ${(err as Error).message}\n`)
  process.exit(2)
}
// Ctrl-C or SIGTERM: stop the load and the nodes this run started, write what was recorded, exit 130.
const stop = new AbortController()
const interrupt = (): void => { process.stderr.write('soak: interrupted, stopping the nodes\n'); stop.abort() }
process.once('SIGINT', interrupt)
process.once('SIGTERM', interrupt)
const result = await runSoak(options, (line) => { process.stderr.write(`soak: ${line}\n`) }, stop.signal)
const fmt = (n: number | null | undefined): string => (n === null || n === undefined ? '-' : Math.abs(n) >= 100 ? n.toFixed(0) : n.toPrecision(3))
console.log(`soak of ${options.nodes} validators for ${result.spanMinutes.toFixed(1)} minutes: ${result.jobs.length} jobs, ${result.jobs.filter((j) => j.right).length} right on every honest validator`)
const liarVotes = result.jobs.filter((j) => j.liarVote !== null)
if (liarVotes.length > 0) console.log(`the liar's vote: ${(['deviates', 'agrees', 'late', 'none'] as const).map((k) => `${k} ${liarVotes.filter((j) => j.liarVote === k).length}`).join(', ')} (of ${liarVotes.length} jobs)`)
console.log(`limits scaled by the run: ${fmt(result.limits.jobsPerMinute)} jobs/min, ${fmt(result.limits.newBlobBytesPerMinute)} new blob bytes/min after the warm-up`)
for (const l of result.lines) {
  const g = l.growth
  console.log(`${l.figure.padEnd(30)} ${l.series.padEnd(7)} first ${fmt(l.first).padStart(10)}  last ${fmt(l.last).padStart(10)}  slope ${fmt(g?.fit?.slope).padStart(10)}/min  limit ${fmt(g?.limit).padStart(10)}/min  ${g?.verdict ?? 'recorded'}`)
}
console.log(`written to ${result.out}`)
for (const u of result.unjudged) console.error(`WARN ${u}: too few samples after the warm-up to judge its growth (a longer run or a shorter --interval judges it)`)
if (result.interrupted) {
  console.error('INTERRUPTED: the figures so far are written; the run was not judged')
  process.exit(130)
}
if (result.failures.length > 0) {
  for (const f of result.failures) console.error(`FAIL ${f}`)
  process.exit(1)
}
console.log('PASS: no figure grows beyond its limit, every job finalized right on every honest validator')

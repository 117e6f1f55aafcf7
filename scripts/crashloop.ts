/**
 * `npm run crashloop -- --kills K --nodes N`: drives a network of real node
 * processes on 127.0.0.1 with a steady, bounded mix of frames and scene jobs
 * (one lying validator among them by default) and SIGKILLs a seeded random
 * node a seeded random delay after a job's announcement, K times, restarting
 * it on the same data folder and key each time. After each restart and at
 * the end it checks that every audit trail verifies, no verdict a node
 * reported final was lost or changed, no validator signed two different
 * votes for one job and round, every node converges on the same verdicts
 * and reputations are what the decided jobs imply (docs/crashloop.md).
 *
 * Prints a line per kill and a summary table; writes `kills.csv`,
 * `jobs.csv` and `summary.json` into `--out` (default a new folder under
 * `crashloop-results/`). Exits 1, naming the check, when any check failed;
 * 2 on options it refuses; 130 when interrupted. Stops by itself; stops only
 * the processes it started.
 */
import { isTrustEngineError } from '../protocol/errors.ts'
import { ensureDir } from '../node/files/ensure-dir.ts'
import { ERR_CRASHLOOP_OPTIONS, parseCrashLoopArgs } from './crashloop/options.ts'
import { figuresOf, summaryTable, writeResults } from './crashloop/output.ts'
import { runCrashLoop } from './crashloop/run.ts'

let options
try {
  options = parseCrashLoopArgs(process.argv.slice(2))
  // The results folder first: one that cannot be made fails now, not after every kill.
  ensureDir(options.out, ERR_CRASHLOOP_OPTIONS, '--out: the results folder')
} catch (err) {
  process.stderr.write(`error ${isTrustEngineError(err) ? err.code : 'ERR_CRASHLOOP_OPTIONS'}: ${(err as Error).message}\n`)
  process.exit(2)
}
// Ctrl-C or SIGTERM: stop the kills and the load, check what there is, stop the nodes, exit 130.
const stop = new AbortController()
const interrupt = (): void => { process.stderr.write('crashloop: interrupted, stopping\n'); stop.abort() }
process.once('SIGINT', interrupt)
process.once('SIGTERM', interrupt)
const result = await runCrashLoop(options, (line) => { console.log(line) }, stop.signal)
const figures = figuresOf(result)
const nodes = Array.from({ length: options.nodes }, (_, i) => `node${i + 1}`)
writeResults(options.out, options, result, figures, nodes)
console.log(`\ncrash loop of ${options.nodes} validators (${options.liars} liar), seed ${options.seed}:`)
for (const line of summaryTable(figures)) console.log(line)
console.log(`written to ${options.out}`)
if (result.interrupted) {
  console.error('INTERRUPTED: the run was not judged')
  process.exit(130)
}
if (result.failures.length > 0) {
  for (const f of result.failures) console.error(`FAIL ${f.check}: ${f.line}`)
  process.exit(1)
}
console.log('PASS: every audit chain verifies, no verdict lost, no double signature, every node converged, reputations as the decided jobs imply')

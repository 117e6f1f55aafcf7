/**
 * Summaries of runs: the per-run figures of results.json, the totals over
 * runs, and the text table printed at the end of `trust-engine sim run`.
 */
import { type RunScore, percentiles } from '../evaluate.ts'
import type { RunResult } from '../runner.ts'

/** The headline figures of one run (as in results.json): the run's score without its per-job detail, and more. */
export interface RunSummary extends Omit<RunScore, 'jobs' | 'flaggedPairs' | 'deviatingPairs'> {
  scenario: string
  seed: string
  nodes: number
  byzantineWeightShare: number
  jobs: number
  gossipMessagesPerJob: number | null
  connectMs: number
  rssBytesPerNode: number | null
  cpuSecondsPerNode: number | null
  wallMs: number
}

const mean = (xs: number[]): number | null => xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length

/** The headline figures of a run. */
export function summarize (r: RunResult): RunSummary {
  const rss = r.usage.map((u) => u.rssBytes).filter((x): x is number => x !== null)
  const cpu = r.usage.map((u) => u.cpuSeconds).filter((x): x is number => x !== null)
  return {
    scenario: r.scenario,
    seed: r.seed,
    nodes: r.nodes.length,
    byzantineWeightShare: r.byzantineWeightShare,
    jobs: r.outcomes.length,
    safetyViolations: r.score.safetyViolations,
    agreement: r.score.agreement,
    correctness: r.score.correctness,
    liveness: r.score.liveness,
    detectionPrecision: r.score.detectionPrecision,
    detectionRecall: r.score.detectionRecall,
    latencyMs: r.score.latencyMs,
    gossipMessagesPerJob: r.gossipMessagesPerJob,
    connectMs: r.connectMs,
    rssBytesPerNode: mean(rss),
    cpuSecondsPerNode: mean(cpu),
    wallMs: r.wallMs
  }
}

/** Totals over runs: violations summed, shares weighted by jobs, latency percentiles over every final result. */
export function total (runs: RunResult[]): Omit<RunSummary, 'scenario' | 'seed' | 'nodes' | 'byzantineWeightShare' | 'connectMs' | 'rssBytesPerNode' | 'cpuSecondsPerNode' | 'wallMs' | 'gossipMessagesPerJob'> & { runs: number } {
  const jobs = runs.reduce((a, r) => a + r.outcomes.length, 0)
  const w = (f: (r: RunResult) => number): number => jobs === 0 ? 1 : runs.reduce((a, r) => a + f(r) * r.outcomes.length, 0) / jobs
  const flagged = runs.reduce((a, r) => a + r.score.flaggedPairs, 0)
  const deviating = runs.reduce((a, r) => a + r.score.deviatingPairs, 0)
  const precise = runs.reduce((a, r) => a + (r.score.detectionPrecision ?? 0) * r.score.flaggedPairs, 0)
  const recalled = runs.reduce((a, r) => a + (r.score.detectionRecall ?? 0) * r.score.deviatingPairs, 0)
  return {
    runs: runs.length,
    jobs,
    safetyViolations: runs.reduce((a, r) => a + r.score.safetyViolations, 0),
    agreement: w((r) => r.score.agreement),
    correctness: w((r) => r.score.correctness),
    liveness: w((r) => r.score.liveness),
    detectionPrecision: flagged === 0 ? null : precise / flagged,
    detectionRecall: deviating === 0 ? null : recalled / deviating,
    latencyMs: percentiles(runs.flatMap((r) => r.outcomes.flatMap((o) => o.decisions.filter((d) => d.final && d.latencyMs !== null).map((d) => d.latencyMs!))))
  }
}

const pct = (x: number | null): string => x === null ? '—' : `${(x * 100).toFixed(0)}%`
const ms = (x: number | null): string => x === null ? '—' : `${(x / 1000).toFixed(2)} s`

/** Rows of the summary table: header first. */
export function tableRows (runs: RunResult[]): string[][] {
  const rows = [['scenario', 'seed', 'nodes', 'byz weight', 'jobs', 'safety viol.', 'agreement', 'correct', 'live', 'det. prec.', 'det. recall', 'p50', 'p90', 'msgs/job']]
  for (const r of runs.map(summarize)) {
    rows.push([r.scenario, r.seed, String(r.nodes), pct(r.byzantineWeightShare), String(r.jobs), String(r.safetyViolations), pct(r.agreement), pct(r.correctness), pct(r.liveness), pct(r.detectionPrecision), pct(r.detectionRecall), ms(r.latencyMs.p50), ms(r.latencyMs.p90), r.gossipMessagesPerJob === null ? '—' : r.gossipMessagesPerJob.toFixed(1)])
  }
  return rows
}

/** A table as aligned plain text. */
export function textTable (rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)))
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n') + '\n'
}

/** A table as Markdown. */
export function markdownTable (rows: string[][]): string {
  const [head, ...body] = rows
  return [`| ${head!.join(' | ')} |`, `|${head!.map(() => '---').join('|')}|`, ...body.map((r) => `| ${r.join(' | ')} |`)].join('\n') + '\n'
}

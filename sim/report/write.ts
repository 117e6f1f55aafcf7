/**
 * Writes a run report into a folder: `results.json` (every run's figures and
 * raw outcomes, and the totals), `report.md` (tables and the charts), and SVG
 * charts: reputation over time per validator (one per run), the finality
 * latency distribution, and gossip messages per job against network size.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { RunResult } from '../runner.ts'
import { histogram, lineChart } from './svg.ts'
import { markdownTable, summarize, tableRows, total } from './summary.ts'

/** The default output folder: a new, time-stamped folder under `sim-results/` (git-ignored). */
export function defaultOutDir (kind: string, now = new Date()): string {
  return join('sim-results', `${now.toISOString().replace(/[:.]/g, '-')}-${kind}`)
}

/** The charts of a set of runs, by file name. */
export function runCharts (runs: RunResult[]): Record<string, string> {
  const charts: Record<string, string> = {}
  for (const [i, r] of runs.entries()) {
    const names = r.nodes.map((n) => n.name)
    const series = names.map((name) => ({
      name: `${name} (${r.nodes.find((n) => n.name === name)!.strategy})`,
      points: [{ x: 0, y: 1 }, ...r.reputations.map((s) => ({ x: s.afterJob + 1, y: s.reputations[name] ?? 1 }))]
    }))
    charts[`reputation-${i + 1}-${r.scenario}.svg`] = lineChart(series, { title: `Reputation over time (${r.scenario}, seen by ${r.reputations[0]?.observer ?? '—'})`, xLabel: 'jobs decided', yLabel: 'reputation', yRange: [0, 1] })
  }
  const latencies = runs.flatMap((r) => r.outcomes.flatMap((o) => o.decisions.filter((d) => d.final && d.latencyMs !== null).map((d) => d.latencyMs! / 1000)))
  charts['latency.svg'] = histogram(latencies, 20, { title: 'Finality latency on honest nodes', xLabel: 'seconds from announcement to final', yLabel: 'results' })
  const bySize = new Map<number, number[]>()
  for (const r of runs) if (r.gossipMessagesPerJob !== null) bySize.set(r.nodes.length, [...(bySize.get(r.nodes.length) ?? []), r.gossipMessagesPerJob])
  charts['messages-per-job.svg'] = lineChart([{ name: 'gossip messages per job per node', points: [...bySize].map(([x, ys]) => ({ x, y: ys.reduce((a, b) => a + b, 0) / ys.length, lo: Math.min(...ys), hi: Math.max(...ys) })) }], { title: 'Gossip messages received per job and node', xLabel: 'validators', yLabel: 'messages' })
  return charts
}

/** Writes results.json, report.md and the charts of `runs` into `dir`; returns the files written. */
export function writeRunReport (dir: string, runs: RunResult[], extra: { title: string, markdown?: string, charts?: Record<string, string>, json?: Record<string, unknown> } = { title: 'Simulation report' }): string[] {
  mkdirSync(dir, { recursive: true })
  const charts = { ...runCharts(runs), ...extra.charts }
  const results = { runs: runs.map((r) => ({ ...summarize(r), raw: r })), total: total(runs), ...extra.json }
  writeFileSync(join(dir, 'results.json'), JSON.stringify(results, null, 2) + '\n')
  for (const [name, svg] of Object.entries(charts)) writeFileSync(join(dir, name), svg)
  const t = results.total
  const md = [
    `# ${extra.title}`,
    '',
    `${t.runs} runs, ${t.jobs} jobs: ${t.safetyViolations} safety violations; agreement ${(t.agreement * 100).toFixed(1)}%, correctness ${(t.correctness * 100).toFixed(1)}%, liveness ${(t.liveness * 100).toFixed(1)}%.`,
    'Definitions: docs/simulation.md.',
    '',
    markdownTable(tableRows(runs)),
    ...runs.flatMap((r) => r.score.jobs.filter((j) => j.safetyViolation !== null).map((j) => `- **safety violation** in ${r.scenario} (seed ${r.seed}) job ${j.index + 1}: ${j.safetyViolation}`)),
    extra.markdown ?? '',
    '## Charts',
    '',
    ...Object.keys(charts).map((name) => `![${name}](${name})\n`)
  ].join('\n')
  writeFileSync(join(dir, 'report.md'), md)
  return ['results.json', 'report.md', ...Object.keys(charts)].map((f) => join(dir, f))
}

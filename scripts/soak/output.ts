/**
 * What a soak writes into its folder: per figure a CSV (`elapsed_minutes`
 * then one column per node, or `value` for a network figure) and an SVG
 * line chart (sim/report/svg.ts) with the warm-up marked; `jobs.csv` with
 * every job, its status on every honest validator and the liar's vote; `summary.csv` and
 * `summary.json` with each series' first and last value, fitted slope, limit
 * and verdict.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { lineChart } from '../../sim/report/svg.ts'
import type { Figure } from './figures.ts'
import type { GrowthVerdict } from './growth.ts'
import type { SoakJob } from './load.ts'

/** The samples of one figure: its series (a node's name, or `value`) and, per row, one number or null per series. */
export interface FigureTable {
  figure: Figure
  series: string[]
  rows: Array<{ minutes: number, values: Array<number | null> }>
}

/** One line of the summary. */
export interface SummaryLine {
  figure: string
  series: string
  unit: string
  first: number | null
  last: number | null
  /** The growth verdict; null for a figure recorded without a limit. */
  growth: GrowthVerdict | null
  reason: string
}

const cell = (v: number | string | null | boolean): string => {
  if (v === null) return ''
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toPrecision(6)
  const s = String(v)
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

/** CSV text of rows (first row the header). */
export function csv (rows: ReadonlyArray<ReadonlyArray<number | string | null | boolean>>): string {
  return rows.map((r) => r.map(cell).join(',')).join('\n') + '\n'
}

/** Writes a figure's CSV and SVG into `dir`; `warmupMinutes` is marked on the chart. */
export function writeFigure (dir: string, t: FigureTable, warmupMinutes: number, legend: (series: string) => string = (s) => s): void {
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, `${t.figure.id}.csv`), csv([['elapsed_minutes', ...t.series], ...t.rows.map((r) => [r.minutes, ...r.values])]))
  // Bytes are drawn in MiB, so the axis labels stay short; the CSV keeps bytes.
  const [scale, unit] = t.figure.unit === 'bytes' ? [1 / (1024 * 1024), 'MiB'] : [1, t.figure.unit]
  const series = t.series.map((name, i) => ({
    name: legend(name),
    points: t.rows.flatMap((r) => (r.values[i] === null || r.values[i] === undefined ? [] : [{ x: r.minutes, y: r.values[i]! * scale }]))
  }))
  writeFileSync(join(dir, `${t.figure.id}.svg`), lineChart(series, { title: t.figure.title, xLabel: 'minutes', yLabel: unit, markers: [{ x: warmupMinutes, label: 'warm-up end' }] }))
}

/** Writes `jobs.csv`: one row per job, with its status on each honest validator. */
export function writeJobs (dir: string, jobs: readonly SoakJob[], honest: readonly string[]): void {
  const header = ['index', 'kind', 'expected', 'submitter', 'job_id', 'submitted_at', 'latency_seconds', ...honest.map((n) => `status_${n}`), 'liar_vote', 'right', 'error']
  const rows = jobs.map((j) => [j.index, j.kind, j.expected, j.submitter, j.jobId, new Date(j.submittedAt).toISOString(), j.latencyMs === null ? null : j.latencyMs / 1000, ...honest.map((n) => j.statuses[n] ?? null), j.liarVote, j.right, j.error])
  writeFileSync(join(dir, 'jobs.csv'), csv([header, ...rows]))
}

/** Writes `summary.csv` and `summary.json` (the latter with `extra`: options, counts, failures). */
export function writeSummary (dir: string, lines: readonly SummaryLine[], extra: Record<string, unknown>): void {
  const header = ['figure', 'series', 'unit', 'first', 'last', 'samples_checked', 'slope_per_minute', 'slope_low', 'slope_high', 'limit_per_minute', 'verdict', 'reason']
  const rows = lines.map((l) => [l.figure, l.series, l.unit, l.first, l.last, l.growth?.fit?.n ?? null, l.growth?.fit?.slope ?? null, l.growth?.fit?.lower ?? null, l.growth?.fit?.upper ?? null, l.growth?.limit ?? null, l.growth?.verdict ?? 'recorded', l.reason])
  writeFileSync(join(dir, 'summary.csv'), csv([header, ...rows]))
  writeFileSync(join(dir, 'summary.json'), JSON.stringify({ ...extra, figures: lines }, null, 2) + '\n')
}

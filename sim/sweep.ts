/**
 * `trust-engine sim sweep`: the Byzantine weight from 0 to 50% per strategy,
 * each point repeated over seeds, so the 1/3 bound shows as measured
 * behaviour. Every run is a real network (sim/runner.ts) of `honest` honest
 * validators and `byzantine` validators of one strategy, with base weights
 * chosen so the Byzantine validators hold the point's share of the total.
 * The weight-0 point runs once per seed and is shared by every strategy.
 * Shares are reported with 95% Wilson score intervals over the jobs.
 */
import type { RunResult } from './runner.ts'
import { runScenario } from './runner.ts'
import { type Scenario, parseScenario } from './scenario.ts'
import { writeRunReport } from './report/write.ts'
import { lineChart } from './report/svg.ts'
import { markdownTable, textTable } from './report/summary.ts'
import type { StrategyKind } from './strategies/spec.ts'
import { COLLUDING_KINDS } from './strategies/spec.ts'

/** Options of a sweep. */
export interface SweepOptions {
  strategies: StrategyKind[]
  /** Byzantine weight shares in [0, 0.5]. */
  weights: number[]
  /** Runs per point, each with its own seed. */
  seeds: number
  /** Jobs per run. */
  jobs: number
  /** Honest and Byzantine validators per run. */
  honest: number
  byzantine: number
  /** Vote deadline of each job, ms. */
  deadlineMs: number
  /** Nodes per process (one process per run by default: faster to start). */
  nodesPerProcess: number
}

/** Defaults of a full sweep: 25 points × 2 seeds of 5 validators, about 20 minutes on an idle 2-core machine. */
export const DEFAULT_SWEEP: SweepOptions = {
  strategies: ['liar', 'inflate', 'deflate', 'cartel', 'equivocate', 'silent'],
  // Below, at just above and well above 1/3, and the extremes.
  weights: [0, 0.15, 0.3, 0.34, 0.45],
  seeds: 2,
  jobs: 3,
  honest: 3,
  byzantine: 2,
  // Finality comes at quorum, so only disputed jobs wait this long; 5 s was too short on a loaded 2-core machine
  // (measurements then missed it and honest-only points disputed).
  deadlineMs: 15_000,
  nodesPerProcess: 5
}

/** A quick sweep: two colluding strategies, below and above 1/3, one seed (about 3 minutes). */
export const QUICK_SWEEP: SweepOptions = { ...DEFAULT_SWEEP, strategies: ['inflate', 'cartel'], weights: [0, 0.25, 0.4], seeds: 1, jobs: 2 }

/** One point of a sweep. */
export interface SweepPoint {
  strategy: string
  weight: number
  runs: number
  jobs: number
  safetyViolations: number
  agreement: number
  correctness: number
  correctnessInterval: [number, number]
  liveness: number
  livenessInterval: [number, number]
  disputed: number
  wrongFinals: number
  detectionRecall: number | null
}

/** 95% Wilson score interval of k successes in n trials. */
export function wilson (k: number, n: number): [number, number] {
  if (n === 0) return [0, 1]
  const z = 1.959964
  const p = k / n
  const d = 1 + z * z / n
  const c = (p + z * z / (2 * n)) / d
  const h = (z * Math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))) / d
  return [Math.max(0, c - h), Math.min(1, c + h)]
}

/** The scenario of one sweep run. */
export function sweepScenario (o: SweepOptions, strategy: StrategyKind, weight: number, seedIndex: number): Scenario {
  const TOTAL = 1000
  const byz = weight === 0 ? 0 : Math.round(TOTAL * weight)
  const nodes = byz === 0
    ? [{ count: o.honest + o.byzantine, weight: Math.round(TOTAL / (o.honest + o.byzantine)) }]
    : [{ count: o.honest, weight: Math.max(1, Math.round((TOTAL - byz) / o.honest)) }, { count: o.byzantine, weight: Math.max(1, Math.round(byz / o.byzantine)), strategy: { kind: strategy } }]
  return parseScenario({
    name: `sweep-${byz === 0 ? 'honest' : strategy}-${Math.round(weight * 100)}`,
    seed: (0x5e00 + seedIndex).toString(16).padStart(4, '0'),
    nodes,
    jobs: { count: o.jobs, quality: 'mixed', deadlineMs: o.deadlineMs },
    nodesPerProcess: o.nodesPerProcess
  })
}

/** Aggregates the runs of one point. */
export function aggregate (strategy: string, weight: number, runs: RunResult[]): SweepPoint {
  const jobs = runs.flatMap((r) => r.score.jobs)
  const n = jobs.length
  const correct = jobs.filter((j) => j.correctness).length
  const live = jobs.reduce((a, j) => a + j.liveness, 0)
  const recalls = runs.map((r) => r.score.detectionRecall).filter((x): x is number => x !== null)
  return {
    strategy,
    weight: runs[0]?.byzantineWeightShare ?? weight,
    runs: runs.length,
    jobs: n,
    safetyViolations: jobs.filter((j) => j.safetyViolation !== null).length,
    agreement: n === 0 ? 1 : jobs.filter((j) => j.agreement).length / n,
    correctness: n === 0 ? 1 : correct / n,
    correctnessInterval: wilson(correct, n),
    liveness: n === 0 ? 1 : live / n,
    livenessInterval: wilson(Math.round(live), n),
    disputed: jobs.filter((j) => (j.statuses.disputed ?? 0) > 0).length,
    wrongFinals: runs.reduce((a, r) => a + r.outcomes.filter((o) => o.decisions.some((d) => d.final && !(d.status === (o.truth.verdict === 'pass' ? 'validated' : 'rejected')))).length, 0),
    detectionRecall: recalls.length === 0 ? null : recalls.reduce((a, b) => a + b, 0) / recalls.length
  }
}

/** Runs a sweep and writes its report into `out`. */
export async function runSweep (o: SweepOptions, out: string, onProgress: (line: string) => void): Promise<{ points: SweepPoint[], table: string, violationsBelowThird: number }> {
  const plan: Array<{ strategy: StrategyKind, weight: number, seed: number }> = []
  for (let seed = 0; seed < o.seeds; seed++) {
    if (o.weights.includes(0)) plan.push({ strategy: 'honest', weight: 0, seed })
    for (const strategy of o.strategies) for (const weight of o.weights) if (weight > 0) plan.push({ strategy, weight, seed })
  }
  const results: Array<{ strategy: StrategyKind, weight: number, run: RunResult }> = []
  const t0 = Date.now()
  for (const [i, p] of plan.entries()) {
    const eta = i === 0 ? '' : `, about ${Math.round((Date.now() - t0) / i * (plan.length - i) / 1000)} s left`
    const s = sweepScenario(o, p.strategy, p.weight, p.seed)
    const run = await runScenario(s, { onProgress: (l) => onProgress(`sweep ${i + 1}/${plan.length} ${p.strategy} ${Math.round(p.weight * 100)}% seed ${p.seed + 1}${eta}: ${l}`) })
    results.push({ strategy: p.strategy, weight: p.weight, run })
  }
  const points: SweepPoint[] = []
  const zero = results.filter((r) => r.weight === 0).map((r) => r.run)
  for (const strategy of o.strategies) {
    if (zero.length > 0) points.push(aggregate(strategy, 0, zero))
    for (const weight of o.weights.filter((w) => w > 0)) points.push(aggregate(strategy, weight, results.filter((r) => r.strategy === strategy && r.weight === weight).map((r) => r.run)))
  }
  const pct = (x: number): string => `${(x * 100).toFixed(0)}%`
  const rows = [['strategy', 'byz weight', 'runs', 'jobs', 'safety viol.', 'wrong finals', 'disputed', 'agreement', 'correct [95% CI]', 'live [95% CI]', 'det. recall']]
  for (const p of points) rows.push([p.strategy, pct(p.weight), String(p.runs), String(p.jobs), String(p.safetyViolations), String(p.wrongFinals), String(p.disputed), pct(p.agreement), `${pct(p.correctness)} [${pct(p.correctnessInterval[0])}, ${pct(p.correctnessInterval[1])}]`, `${pct(p.liveness)} [${pct(p.livenessInterval[0])}, ${pct(p.livenessInterval[1])}]`, p.detectionRecall === null ? '—' : pct(p.detectionRecall)])
  const series = (metric: 'correctness' | 'liveness') => o.strategies.map((strategy) => ({
    name: `${strategy}${COLLUDING_KINDS.includes(strategy) ? ' (colluding)' : ''}`,
    points: points.filter((p) => p.strategy === strategy).map((p) => ({ x: p.weight, y: p[metric], lo: p[`${metric}Interval`][0], hi: p[`${metric}Interval`][1] }))
  }))
  const marker = [{ x: 1 / 3, label: '1/3' }]
  const charts = {
    'sweep-correctness.svg': lineChart(series('correctness'), { title: 'Correctness against Byzantine weight', xLabel: 'Byzantine share of the weight', yLabel: 'jobs right on every honest node', yRange: [0, 1], markers: marker }),
    'sweep-liveness.svg': lineChart(series('liveness'), { title: 'Liveness against Byzantine weight', xLabel: 'Byzantine share of the weight', yLabel: 'honest results final by the deadline', yRange: [0, 1], markers: marker })
  }
  const violationsBelowThird = points.filter((p) => p.weight < 1 / 3).reduce((a, p) => a + p.safetyViolations, 0)
  writeRunReport(out, results.map((r) => r.run), {
    title: 'Sweep: Byzantine weight against correctness and liveness',
    markdown: `\n## Sweep points\n\n${markdownTable(rows)}\nSafety violations below 1/3: ${violationsBelowThird}.\n`,
    charts,
    json: { sweep: { options: o, points, violationsBelowThird } }
  })
  return { points, table: textTable(rows), violationsBelowThird }
}

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
  /** Peers each node dials at start; 0: every other node (small networks). */
  bootstrapPeers: number
  /** Runs at once: a run spends most of its time waiting for gossip and deadlines, not computing. */
  parallel: number
}

/** Defaults of a full sweep: 25 points × 2 seeds of 5 validators, about 4 minutes on a quiet 2-core machine (docs/simulation.md). */
export const DEFAULT_SWEEP: SweepOptions = {
  strategies: ['liar', 'inflate', 'deflate', 'cartel', 'equivocate', 'silent'],
  // Below, at just above and well above 1/3, and the extremes.
  weights: [0, 0.15, 0.3, 0.34, 0.45],
  seeds: 2,
  jobs: 3,
  honest: 3,
  byzantine: 2,
  // Finality comes at quorum, so only disputed jobs wait this long. 5 s, then 15 s, were too short on the loaded
  // 2-core machine: a network's first job starts every node's measurement worker, and with three networks at once
  // the first job of every run had no vote by 15 s, so honest-only points disputed.
  deadlineMs: 30_000,
  nodesPerProcess: 5,
  bootstrapPeers: 0,
  // Three 5-node networks at once keep the 2 cores of the build machine busy without starving one.
  parallel: 3
}

/**
 * The network of a sweep of `validators` validators: two fifths of them
 * Byzantine at every point above 0 %, as in the default's 2 of 5 (their
 * weights set the point's share); up to 32 nodes per process; beyond 16
 * validators each node dials 4 peers and gossipsub does the rest; the vote
 * deadline 2 s per validator, at least the default's 30 s (finality grows
 * with the network on one machine: docs/simulation.md, "Scale"); one run at
 * a time beyond 16 validators.
 */
export function sweepNetwork (validators: number): Pick<SweepOptions, 'honest' | 'byzantine' | 'nodesPerProcess' | 'bootstrapPeers' | 'deadlineMs' | 'parallel'> {
  const byzantine = Math.max(1, Math.round(validators * 2 / 5))
  const large = validators > 16
  return {
    honest: validators - byzantine,
    byzantine,
    nodesPerProcess: Math.min(32, validators),
    bootstrapPeers: large ? 4 : 0,
    deadlineMs: Math.max(DEFAULT_SWEEP.deadlineMs, 2_000 * validators),
    parallel: large ? 1 : DEFAULT_SWEEP.parallel
  }
}

/** A quick sweep: two colluding strategies, below and above 1/3, one seed (under a minute on a quiet machine). */
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
  // Weights in whole units: 1000 per five validators keeps the shares' rounding small in large networks.
  const TOTAL = 1000 * Math.max(1, Math.ceil((o.honest + o.byzantine) / 5))
  const byz = weight === 0 ? 0 : Math.round(TOTAL * weight)
  const nodes = byz === 0
    ? [{ count: o.honest + o.byzantine, weight: Math.round(TOTAL / (o.honest + o.byzantine)) }]
    : [{ count: o.honest, weight: Math.max(1, Math.round((TOTAL - byz) / o.honest)) }, { count: o.byzantine, weight: Math.max(1, Math.round(byz / o.byzantine)), strategy: { kind: strategy } }]
  return parseScenario({
    name: `sweep-${byz === 0 ? 'honest' : strategy}-${Math.round(weight * 100)}`,
    seed: (0x5e00 + seedIndex).toString(16).padStart(4, '0'),
    nodes,
    jobs: { count: o.jobs, quality: 'mixed', deadlineMs: o.deadlineMs },
    nodesPerProcess: o.nodesPerProcess,
    bootstrapPeers: o.bootstrapPeers
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

/** One run of a sweep's plan: its result, or why it could not run. */
interface PlannedRun { strategy: StrategyKind, weight: number, seed: number, run: RunResult | null, error: string | null }

/**
 * Runs the plan's runs, `o.parallel` at a time, each in its own network;
 * results in plan order. A run that cannot run (its network did not start,
 * its node's API stopped answering) is kept with its error and the others go
 * on: one overloaded moment must not cost the whole sweep.
 */
async function runPlan (o: SweepOptions, plan: Array<{ strategy: StrategyKind, weight: number, seed: number }>, onProgress: (line: string) => void): Promise<PlannedRun[]> {
  const results: PlannedRun[] = new Array(plan.length)
  const t0 = Date.now()
  let next = 0
  let done = 0
  const worker = async (): Promise<void> => {
    while (next < plan.length) {
      const i = next++
      const p = plan[i]!
      const s = sweepScenario(o, p.strategy, p.weight, p.seed)
      const label = `${p.strategy} ${Math.round(p.weight * 100)}% seed ${p.seed + 1}`
      const line = (l: string): void => {
        const eta = done === 0 ? '' : `, about ${Math.round((Date.now() - t0) / done * (plan.length - done) / 1000)} s left`
        onProgress(`sweep ${done}/${plan.length} runs done${eta}; ${label}: ${l}`)
      }
      try {
        results[i] = { ...p, run: await runScenario(s, { onProgress: line }), error: null }
      } catch (err) {
        // One line: a node host's error carries its stderr.
        results[i] = { ...p, run: null, error: (err instanceof Error ? `${err.name}: ${err.message}` : String(err)).replace(/\s+/g, ' ').trim().slice(0, 300) }
        line(`could not run: ${results[i].error}`)
      }
      done++
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(o.parallel, plan.length)) }, worker))
  return results
}

/** Runs a sweep and writes its report into `out`. */
export async function runSweep (o: SweepOptions, out: string, onProgress: (line: string) => void): Promise<{ points: SweepPoint[], table: string, violationsBelowThird: number, failedRuns: number }> {
  const plan: Array<{ strategy: StrategyKind, weight: number, seed: number }> = []
  for (let seed = 0; seed < o.seeds; seed++) {
    if (o.weights.includes(0)) plan.push({ strategy: 'honest', weight: 0, seed })
    for (const strategy of o.strategies) for (const weight of o.weights) if (weight > 0) plan.push({ strategy, weight, seed })
  }
  const planned = await runPlan(o, plan, onProgress)
  const failed = planned.filter((r) => r.run === null)
  const results = planned.filter((r): r is PlannedRun & { run: RunResult } => r.run !== null)
  const points: SweepPoint[] = []
  const zero = results.filter((r) => r.weight === 0).map((r) => r.run)
  for (const strategy of o.strategies) {
    if (o.weights.includes(0)) points.push(aggregate(strategy, 0, zero))
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
  const threshold = thresholdCheck(points)
  if (failed.length > 0) threshold.lines.push(`Runs that could not run (not counted above): ${failed.map((f) => `${f.strategy} ${Math.round(f.weight * 100)}% seed ${f.seed + 1} (${f.error})`).join('; ')}.`)
  writeRunReport(out, results.map((r) => r.run), {
    title: 'Sweep: Byzantine weight against correctness and liveness',
    markdown: `\n## Sweep points\n\n${markdownTable(rows)}\n${threshold.lines.map((l) => `- ${l}`).join('\n')}\n`,
    charts,
    json: { sweep: { options: o, points, violationsBelowThird, threshold: threshold.summary, failedRuns: failed.map(({ run: _run, ...f }) => f) } }
  })
  return { points, table: `${textTable(rows)}\n${threshold.lines.join('\n')}`, violationsBelowThird, failedRuns: failed.length }
}

/** What a sweep shows of the 1/3 bound. */
export interface ThresholdSummary {
  /** Points below 1/3 with no job (no run ran), agreement or correctness under 100%, or a safety violation ("strategy weight%"). */
  belowFailing: string[]
  /** Jobs of colluding strategies at and above 1/3, and how many of them some honest node disputed. */
  colludingJobs: number
  colludingDisputed: number
  /** Colluding points at and above 1/3 with no disputed job. */
  colludingUndisputed: string[]
  /** Wrong final results and safety violations at and above 1/3, every strategy. */
  wrongFinalsAbove: number
  violationsAbove: number
}

/**
 * Checks the sweep's points against what the protocol promises: below 1/3,
 * agreement and correctness 100% and no safety violation for every
 * strategy; at and above 1/3, disputes for colluding strategies and never a
 * wrong final result. Returns the figures and one sentence per promise.
 */
export function thresholdCheck (points: SweepPoint[]): { summary: ThresholdSummary, lines: string[] } {
  const name = (p: SweepPoint): string => `${p.strategy} ${Math.round(p.weight * 100)}%`
  const below = points.filter((p) => p.weight < 1 / 3)
  const above = points.filter((p) => p.weight >= 1 / 3)
  const colluding = above.filter((p) => COLLUDING_KINDS.includes(p.strategy as StrategyKind))
  const summary: ThresholdSummary = {
    belowFailing: below.filter((p) => p.jobs === 0 || p.safetyViolations > 0 || p.agreement < 1 || p.correctness < 1).map(name),
    colludingJobs: colluding.reduce((a, p) => a + p.jobs, 0),
    colludingDisputed: colluding.reduce((a, p) => a + p.disputed, 0),
    colludingUndisputed: colluding.filter((p) => p.disputed === 0).map(name),
    wrongFinalsAbove: above.reduce((a, p) => a + p.wrongFinals, 0),
    violationsAbove: above.reduce((a, p) => a + p.safetyViolations, 0)
  }
  const lines = [
    `Below 1/3 (${below.length} points): ${summary.belowFailing.length === 0 ? 'agreement and correctness 100% and no safety violation for every strategy' : `NOT all agreed and correct: ${summary.belowFailing.join(', ')}`}.`,
    above.length === 0
      ? 'At and above 1/3: no point.'
      : `At and above 1/3 (${above.length} points): colluding strategies disputed ${summary.colludingDisputed} of ${summary.colludingJobs} jobs${summary.colludingUndisputed.length === 0 ? '' : ` (none at ${summary.colludingUndisputed.join(', ')})`}; wrong final results ${summary.wrongFinalsAbove}, safety violations ${summary.violationsAbove}, every strategy.`
  ]
  return { summary, lines }
}

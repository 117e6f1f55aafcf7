/**
 * One soak run: starts the network, waits until every validator is
 * connected to all others, drives the load while a sampler reads every
 * node's /metrics every `intervalSeconds`, keeps sampling until the last
 * open job is settled, stops the nodes it started, then writes the figures
 * and judges them: a figure fails when it grows significantly faster than
 * its limit after the warm-up (growth.ts, figures.ts), and the run fails on
 * any job an honest validator finalized wrong or not at all.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { FIGURES, type Figure, type LimitContext } from './figures.ts'
import { type Sample, checkGrowth } from './growth.ts'
import { SoakLoad, type SoakJob } from './load.ts'
import { type SoakNode, pruneIntervalMs, startSoakNetwork, stopSoakNetwork } from './network.ts'
import type { SoakOptions } from './options.ts'
import { type FigureTable, type SummaryLine, writeFigure, writeJobs, writeSummary } from './output.ts'
import { scrapeMetrics } from './scrape.ts'
import { DEFAULT_WORK_POOL_OPTIONS } from '../../node/wiring/measure-worker-pool.ts'

/** The node's counter of measurement workers started (node/metrics.ts). */
const WORKERS_STARTED = 'trust_engine_work_pool_workers_started_total'

/** What a run found. */
export interface SoakResult {
  out: string
  lines: SummaryLine[]
  jobs: SoakJob[]
  /** One sentence per failure (a figure that grew, a job wrong or not finalized, a node that stopped answering); empty when the run passed. */
  failures: string[]
  /** Checked series with too few samples after the warm-up to be judged (a run too short for them; not a failure). */
  unjudged: string[]
  /** True when the run was stopped before its end (its figures are written, its verdict is not a soak's). */
  interrupted: boolean
  /** Minutes sampled in all. */
  spanMinutes: number
  limits: LimitContext
}

/** Hang guard of the wait for the network to connect, ms (not a performance limit). */
const CONNECT_GUARD_MS = 240_000

/**
 * Runs a soak with `options`; `onProgress` gets one line per event worth
 * telling. When `signal` aborts (the command's SIGINT or SIGTERM), the load
 * stops at once, the nodes are stopped, the figures so far are written and
 * the result says `interrupted` (its open jobs count as unsettled).
 */
export async function runSoak (options: SoakOptions, onProgress: (line: string) => void = () => {}, signal?: AbortSignal): Promise<SoakResult> {
  const dir = mkdtempSync(join(tmpdir(), 'te-soak-'))
  let nodes: SoakNode[] = []
  try {
    onProgress(`starting ${options.nodes} validators (${options.liars} liar)`)
    nodes = await startSoakNetwork(dir, options.nodes, options.liars, options.seed, options.retentionMinutes)
    await waitConnected(nodes)
    onProgress('connected; load starts')
    const t0 = Date.now()
    const rows: Array<{ minutes: number, metrics: Array<Map<string, number> | null> }> = []
    const sample = async (): Promise<void> => {
      const metrics = await Promise.all(nodes.map(async (n) => await scrapeMetrics(n.apiUrl)))
      rows.push({ minutes: (Date.now() - t0) / 60_000, metrics })
    }
    await sample()
    const load = new SoakLoad(nodes, options)
    const done = new AbortController()
    const sampler = (async () => {
      let next = t0 + options.intervalSeconds * 1000
      while (!done.signal.aborted) {
        await sleep(Math.max(0, next - Date.now()), undefined, { signal: done.signal }).catch(() => {})
        if (done.signal.aborted) break
        await sample()
        const last = rows.at(-1)!
        onProgress(`${last.minutes.toFixed(1)} min: ${load.jobs.length} jobs submitted, ${load.jobs.filter((j) => j.finalizedAt !== null).length} finalized`)
        next += options.intervalSeconds * 1000
      }
    })()
    await load.run(t0 + options.minutes * 60_000, signal)
    // One last row once the load has settled, then the sampler stops.
    done.abort()
    await sampler
    await sample()
    await stopSoakNetwork(nodes)
    nodes = []
    return { ...judge(options, t0, rows, load), interrupted: signal?.aborted === true }
  } finally {
    await stopSoakNetwork(nodes)
    rmSync(dir, { recursive: true, force: true })
  }
}

/**
 * When the last node's measurement workers were all up: the first row at which
 * each node's started-workers count reached the smaller of its final count and
 * the pool's size. A worker's start is a one-off step of about 65 MiB of
 * resident memory (its own V8 and the renderer), which lands wherever the
 * load first runs two measurements at once, on a loaded machine after the
 * other warm-up marks; a step is not growth. Starts beyond the pool's size
 * (workers retired and started again) do not move the warm-up, so a leak
 * through worker churn is still judged.
 */
function workersUp (rows: ReadonlyArray<{ minutes: number, metrics: Array<Map<string, number> | null> }>): number {
  const started = (r: { metrics: Array<Map<string, number> | null> }, k: number): number => r.metrics[k]?.get(WORKERS_STARTED) ?? 0
  const nodes = rows[0]?.metrics.length ?? 0
  let up = 0
  for (let k = 0; k < nodes; k++) {
    const target = Math.min(DEFAULT_WORK_POOL_OPTIONS.workers, Math.max(...rows.map((r) => started(r, k))))
    const row = rows.find((r) => started(r, k) >= target)
    if (target > 0 && row !== undefined) up = Math.max(up, row.minutes)
  }
  return up
}

function judge (options: SoakOptions, t0: number, rows: Array<{ minutes: number, metrics: Array<Map<string, number> | null> }>, load: SoakLoad): Omit<SoakResult, 'interrupted'> {
  const spanMinutes = rows.at(-1)!.minutes
  const atMinutes = (ms: number): number => (ms - t0) / 60_000
  // The warm-up lasts the run's warm-up fraction, and at least until one job of each kind has settled:
  // the first scene job starts the renderer in the measurement workers, a step of tens of MiB.
  const firstSettled = (['frames', 'scene'] as const).flatMap((kind) => {
    const settled = load.jobs.filter((j) => j.kind === kind && j.settledAt !== null).map((j) => atMinutes(j.settledAt!))
    return settled.length === 0 ? [] : [Math.min(...settled)]
  })
  // With retention, also until the first pass after the first decided jobs' period: before it, nothing is pruned.
  const retentionEnd = options.retentionMinutes === null ? 0 : Math.min(...firstSettled, spanMinutes) + options.retentionMinutes + pruneIntervalMs(options.retentionMinutes) / 60_000
  const warmupMinutes = Math.max(options.warmup * spanMinutes, ...firstSettled, retentionEnd, workersUp(rows))
  const names = Array.from({ length: options.nodes }, (_, i) => `node${i + 1}`)
  const liarName = options.liars > 0 ? names.at(-1)! : null
  const failures: string[] = []
  const unjudged: string[] = []

  // Work after the warm-up, for the limits that scale with it.
  const finalized = load.jobs.filter((j) => j.finalizedAt !== null)
  const measured = Math.max(1e-9, spanMinutes - warmupMinutes)
  const limits: LimitContext = {
    jobsPerMinute: finalized.filter((j) => atMinutes(j.finalizedAt!) >= warmupMinutes).length / measured,
    newBlobBytesPerMinute: load.newBlobs.filter((b) => atMinutes(b.at) >= warmupMinutes).reduce((a, b) => a + b.bytes, 0) / measured,
    retention: options.retentionMinutes !== null
  }

  const tables: FigureTable[] = []
  for (const figure of FIGURES) {
    if (figure.scope === 'node') {
      tables.push({ figure, series: names, rows: rows.map((r) => ({ minutes: r.minutes, values: r.metrics.map((m) => m?.get(figure.metric!) ?? null) })) })
    } else {
      tables.push({ figure, series: ['value'], rows: rows.slice(1).map((r, i) => ({ minutes: r.minutes, values: [networkValue(figure, finalized, t0 + rows[i]!.minutes * 60_000, t0 + r.minutes * 60_000)] })) })
    }
  }
  mkdirSync(options.out, { recursive: true })
  const lines: SummaryLine[] = []
  for (const t of tables) {
    writeFigure(options.out, t, warmupMinutes, (s) => (s === liarName ? `${s} (liar)` : s))
    t.series.forEach((series, i) => {
      const samples: Sample[] = t.rows.flatMap((r) => (r.values[i] === null || r.values[i] === undefined ? [] : [{ x: r.minutes, y: r.values[i]! }]))
      const growth = t.figure.limit === null ? null : checkGrowth(samples, t.figure.limit(limits) * options.limitScale, warmupMinutes)
      lines.push({ figure: t.figure.id, series, unit: t.figure.unit, first: samples[0]?.y ?? null, last: samples.at(-1)?.y ?? null, growth, reason: t.figure.reason })
      if (growth?.verdict === 'fail') failures.push(`${t.figure.id} (${series}) grows ${fmt(growth.fit!.slope)} ${t.figure.unit}/min (95% interval ${fmt(growth.fit!.lower)}..${fmt(growth.fit!.upper)}), above its limit of ${fmt(growth.limit)} ${t.figure.unit}/min`)
      if (growth?.verdict === 'unjudged') unjudged.push(`${t.figure.id} (${series})`)
    })
  }
  for (const [i, r] of rows.entries()) {
    r.metrics.forEach((m, k) => { if (m === null) failures.push(`node${k + 1} did not answer GET /metrics at row ${i} (${r.minutes.toFixed(1)} min)`) })
  }
  const honest = names.filter((n) => n !== liarName)
  for (const j of load.jobs) {
    if (j.right) continue
    failures.push(j.error !== null
      ? `job ${j.index} (${j.kind}) could not be submitted or followed: ${j.error}`
      : `job ${j.index} (${j.kind}, ${j.jobId?.slice(0, 12) ?? '?'}) expected ${j.expected}, honest validators report ${honest.map((n) => `${n}=${j.statuses[n] ?? 'missing'}`).join(' ')}`)
  }
  if (load.jobs.length === 0) failures.push('no job was submitted')
  writeJobs(options.out, load.jobs, honest)
  writeSummary(options.out, lines, { options, spanMinutes, warmupMinutes, limits, jobs: { submitted: load.jobs.length, right: load.jobs.filter((j) => j.right).length, liarVotes: countBy(load.jobs.map((j) => j.liarVote ?? 'no liar')) }, failures, unjudged })
  return { out: options.out, lines, jobs: load.jobs, failures, unjudged, spanMinutes, limits }
}

/** A network figure over the jobs its submitters finalized in (fromMs, toMs]; null when none was. */
function networkValue (figure: Figure, finalized: readonly SoakJob[], fromMs: number, toMs: number): number | null {
  const inRow = finalized.filter((j) => j.finalizedAt! > fromMs && j.finalizedAt! <= toMs)
  if (figure.id === 'jobs_per_minute') return inRow.length / ((toMs - fromMs) / 60_000)
  const latencies = inRow.flatMap((j) => (j.latencyMs === null ? [] : [j.latencyMs / 1000])).sort((a, b) => a - b)
  if (latencies.length === 0) return null
  const q = figure.id === 'finality_latency_p50_seconds' ? 0.5 : figure.id === 'finality_latency_p95_seconds' ? 0.95 : 0.99
  // Nearest rank.
  return latencies[Math.min(latencies.length - 1, Math.ceil(q * latencies.length) - 1)]!
}

/** Waits until every node reports all the others as peers (GET /healthz), bounded by a hang guard. */
async function waitConnected (nodes: readonly SoakNode[]): Promise<void> {
  const until = Date.now() + CONNECT_GUARD_MS
  while (Date.now() < until) {
    const peers = await Promise.all(nodes.map(async (n) => await fetch(`${n.apiUrl}/healthz`, { signal: AbortSignal.timeout(10_000) }).then(async (r) => ((await r.json()) as { peers: number }).peers, () => -1)))
    if (peers.every((p) => p >= nodes.length - 1)) return
    await sleep(250)
  }
  // A hang guard, not a performance limit: a network that cannot connect in four minutes is broken.
  throw new Error('the validators did not connect to each other')
}

function countBy (values: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {}
  for (const v of values) out[v] = (out[v] ?? 0) + 1
  return out
}

function fmt (n: number): string {
  return Math.abs(n) >= 100 ? n.toFixed(0) : n.toPrecision(3)
}

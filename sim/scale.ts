/**
 * `trust-engine sim scale`: how many real nodes fit on this machine. For
 * each network size, an honest network (every node bootstrapping to a few
 * peers drawn from the seed, `perProcess` nodes per process) runs a few
 * frames jobs; the table gives memory and CPU per node, the time until every
 * node had its peers, finality latency and liveness, and where it broke
 * (the first size whose run failed or lost liveness ends the sweep).
 */
import { runScenario } from './runner.ts'
import { parseScenario } from './scenario.ts'
import { summarize } from './report/summary.ts'
import type { RunResult } from './runner.ts'

/** Options of a scale measurement. */
export interface ScaleOptions {
  /** Network sizes, in order. */
  sizes: number[]
  /** Nodes per process. */
  perProcess: number
  /** Peers each node dials at start. */
  bootstrapPeers: number
  /** Jobs per size. */
  jobs: number
  /** Vote deadline, ms; null: {@link scaleDeadlineMs} of each size. */
  deadlineMs: number | null
  /** Keep each run's network folder (keys, LevelDB, the node hosts' logs). */
  keep?: boolean
  /** Log level of the nodes. */
  logLevel?: 'warn' | 'info' | 'error'
}

/**
 * Defaults: sizes doubling to 128, 32 nodes per process, 4 bootstrap peers,
 * the deadline growing with the size ({@link scaleDeadlineMs}). 32 per
 * process, not 16: on this project's two-core reference machine 128 nodes in
 * eight processes of 16 finalized nothing at a load of 10-16, while four of
 * 32 finalized at a load of 3-7 (docs/simulation.md, "Nodes that fit").
 */
export const DEFAULT_SCALE: ScaleOptions = { sizes: [8, 16, 32, 64, 128], perProcess: 32, bootstrapPeers: 4, jobs: 2, deadlineMs: null }

/**
 * The default vote deadline of a network of `nodes`: 2 s per node, at least
 * 30 s. Finality grows with the network on one machine, since every node's
 * CPU comes from the same cores: 128 nodes finalized at p50 75-110 s and p90
 * up to 135 s on two cores, so a fixed 30 s (or 120 s) deadline measured
 * that the machine was short of time, not where the network breaks. A job
 * decided by quorum does not wait for its deadline, so a longer one costs a
 * run nothing when it passes.
 */
export function scaleDeadlineMs (nodes: number): number {
  return Math.max(30_000, 2_000 * nodes)
}

/** One row of the scale table. */
export interface ScaleRow {
  nodes: number
  processes: number
  perProcess: number
  rssMBPerNode: number | null
  cpuSecondsPerNode: number | null
  connectS: number | null
  p50S: number | null
  p90S: number | null
  liveness: number | null
  correctness: number | null
  broke: string | null
}

/** Runs the sizes in order until one breaks; returns the rows and the runs. */
export async function runScale (o: ScaleOptions, onProgress: (line: string) => void): Promise<{ rows: ScaleRow[], runs: RunResult[] }> {
  const rows: ScaleRow[] = []
  const runs: RunResult[] = []
  for (const n of o.sizes) {
    const s = parseScenario({
      name: `scale-${n}`,
      seed: '5ca1e0',
      nodes: [{ count: n }],
      jobs: { count: o.jobs, quality: 'mixed', deadlineMs: o.deadlineMs ?? scaleDeadlineMs(n) },
      bootstrapPeers: Math.min(n - 1, o.bootstrapPeers),
      nodesPerProcess: o.perProcess
    })
    const processes = Math.ceil(n / o.perProcess)
    try {
      const r = await runScenario(s, { keep: o.keep === true, logLevel: o.logLevel ?? 'warn', onProgress: (l) => onProgress(`scale ${n} nodes: ${l}`) })
      runs.push(r)
      const m = summarize(r)
      const broke = r.score.liveness < 1 ? `liveness ${(r.score.liveness * 100).toFixed(0)}%` : null
      rows.push({ nodes: n, processes, perProcess: o.perProcess, rssMBPerNode: m.rssBytesPerNode === null ? null : m.rssBytesPerNode / 1e6, cpuSecondsPerNode: m.cpuSecondsPerNode, connectS: r.connectMs / 1000, p50S: m.latencyMs.p50 === null ? null : m.latencyMs.p50 / 1000, p90S: m.latencyMs.p90 === null ? null : m.latencyMs.p90 / 1000, liveness: r.score.liveness, correctness: r.score.correctness, broke })
      if (broke !== null) break
    } catch (err) {
      rows.push({ nodes: n, processes, perProcess: o.perProcess, rssMBPerNode: null, cpuSecondsPerNode: null, connectS: null, p50S: null, p90S: null, liveness: null, correctness: null, broke: (err as Error).message.split('\n')[0]!.slice(0, 120) })
      break
    }
  }
  return { rows, runs }
}

/** The scale table as rows of text, header first. */
export function scaleTable (rows: ScaleRow[]): string[][] {
  const f = (x: number | null, d = 1): string => x === null ? '—' : x.toFixed(d)
  return [['nodes', 'processes', 'nodes/process', 'RSS MB/node', 'CPU s/node', 'connect s', 'finality p50 s', 'p90 s', 'live', 'correct', 'broke'],
    ...rows.map((r) => [String(r.nodes), String(r.processes), String(r.perProcess), f(r.rssMBPerNode, 0), f(r.cpuSecondsPerNode), f(r.connectS), f(r.p50S, 2), f(r.p90S, 2), r.liveness === null ? '—' : `${(r.liveness * 100).toFixed(0)}%`, r.correctness === null ? '—' : `${(r.correctness * 100).toFixed(0)}%`, r.broke ?? ''])]
}

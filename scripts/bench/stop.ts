/**
 * The slowest graceful stop under load (node/wiring/graceful-stop.ts),
 * beside the drain bound it must stay within and an idle node's stop.
 *
 * Three node processes (network init, default drain bound) take a burst of
 * frames jobs large enough that their measurements run for a while; as soon
 * as every node has accepted the burst, each node gets SIGTERM at once and
 * the time to its exit is taken. Each node's `node.stopped` entry then says
 * how its drain ended and how many jobs' work finished or was abandoned.
 * `ROUNDS` rounds; the figure is the slowest stop of all rounds. The
 * baseline of the second figure is the same processes' stop when idle
 * (started again after the burst's jobs are decided).
 *
 * `BENCH_STOP_ROUNDS` sets the rounds (default 3).
 */
import { join } from 'node:path'
import { Cluster, waitFor } from '../../sim/cluster.ts'
import { testPng } from '../../sim/images.ts'
import { listAudit } from '../../node/store/audit.ts'
import { verifyAudit } from '../../node/store/audit-verify.ts'
import { openStore } from '../../node/store/db.ts'
import { DEFAULT_STOP_OPTIONS } from '../../node/wiring/graceful-stop.ts'
import { type BenchResult, median, result } from './types.ts'

/** Jobs in the burst (two workers per node: more than they run at once). */
const BURST = 4
/** Side of the burst's frames, and frames per side: measurements of seconds on a loaded two-core machine, so the burst is still measuring when the stop comes. */
const SIDE = 384
const FRAMES = 2

/** How one node's stop went. */
interface NodeStop { ms: number, exitCode: number | null, end: string, finished: number, abandoned: number, trailOk: boolean }

/** SIGTERMs every running node at once; the time to each exit, and its `node.stopped` drain. */
async function stopAll (cluster: Cluster): Promise<NodeStop[]> {
  const nodes = [...cluster.running.entries()]
  const timed = await Promise.all(nodes.map(async ([name, node]) => {
    const t0 = performance.now()
    node.proc.kill('SIGTERM')
    const exitCode = await node.exited
    cluster.running.delete(name)
    return { name, ms: performance.now() - t0, exitCode }
  }))
  const out: NodeStop[] = []
  for (const { name, ms, exitCode } of timed) {
    const store = await openStore(join(cluster.dir, name, 'db'), { createIfMissing: false })
    try {
      const last = (await listAudit(store, 0, 1_000_000)).at(-1)
      const drain = (last?.kind === 'node.stopped' ? (last.data as { drain: { end: string, finished: number, abandoned: number } }).drain : null) ?? { end: 'missing', finished: 0, abandoned: 0 }
      out.push({ ms, exitCode, end: drain.end, finished: drain.finished, abandoned: drain.abandoned, trailOk: (await verifyAudit(store)).ok })
    } finally {
      await store.close()
    }
  }
  return out
}

/** The stop benchmark suite. */
export const stopSuite = {
  name: 'stop',
  run: async (): Promise<BenchResult[]> => {
    const rounds = Number(process.env.BENCH_STOP_ROUNDS ?? 3)
    if (!Number.isInteger(rounds) || rounds < 1 || rounds > 20) throw new Error('BENCH_STOP_ROUNDS: 1 to 20')
    const cluster = Cluster.init(3)
    const underLoad: NodeStop[] = []
    const idle: NodeStop[] = []
    try {
      for (let r = 0; r < rounds; r++) {
        await cluster.startAll()
        await cluster.waitConnected()
        const jobs: string[] = []
        for (let j = 0; j < BURST; j++) {
          const frames = Array.from({ length: FRAMES }, (_, f) => testPng(SIDE, SIDE, r * 100 + j * 10 + f))
          jobs.push(await cluster.submitFrames(`node${1 + (j % 3)}`, frames, frames, { deadlineMs: 600_000 }))
        }
        // Every node has every job (its work queued or running): stop them all now.
        for (const jobId of jobs) {
          for (const node of cluster.nodes) await waitFor(async () => (await cluster.raw(node.name, `/v1/jobs/${jobId}`)).status === 200, `${node.name} has the job`)
        }
        underLoad.push(...await stopAll(cluster))
        // Started again, the network decides what was abandoned; then an idle stop as the baseline.
        await cluster.startAll()
        await cluster.waitConnected()
        for (const jobId of jobs) for (const node of cluster.nodes) await cluster.waitDecided(node.name, jobId)
        idle.push(...await stopAll(cluster))
      }
    } finally {
      await cluster.cleanup()
    }
    const bad = [...underLoad, ...idle].filter((s) => s.exitCode !== 0 || !s.trailOk || s.end === 'missing')
    if (bad.length > 0) throw new Error(`stops that were not clean: ${JSON.stringify(bad)}`)
    const slowest = Math.max(...underLoad.map((s) => s.ms))
    const finished = underLoad.reduce((n, s) => n + s.finished, 0)
    const abandoned = underLoad.reduce((n, s) => n + s.abandoned, 0)
    process.stderr.write(`stop: under load ${JSON.stringify(underLoad)}\nstop: idle ${JSON.stringify(idle)}\n`)
    return [
      result(`slowest graceful stop under load (${BURST} jobs of ${FRAMES}×${SIDE}² frames, 3 processes, ${rounds} rounds)`, slowest, 'ms', 'drain bound (drainMs default)', DEFAULT_STOP_OPTIONS.drainMs),
      result('slowest graceful stop under load', slowest, 'ms', 'median stop of the same processes when idle', median(idle.map((s) => s.ms))),
      result('jobs\' work in flight finished at a stop under load', finished, 'jobs', 'work in flight at the stop (finished + abandoned)', finished + abandoned)
    ]
  }
}

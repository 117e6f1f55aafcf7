/**
 * Time from job announcement to finality on 4 and 10 node processes (p50,
 * p90, p99 over every node and job), beside the gossip propagation of the
 * announcement itself between the same processes in the same run (its
 * createdAt at the submitter to its acceptance, after validation, at each
 * other node), and the gossip messages and payload bytes one job costs.
 *
 * The latency broken into its parts (p50 and p90 over nodes and jobs, from each
 * node's job view): announcement gossip; seed phase (acceptance to the seed
 * fixed on that node); blob fetch (acceptance to blobs held); measurement
 * (blobs and seed held to the own vote signed); vote gossip (a vote signed at
 * its voter to received at another node); and from the publication of the
 * quorum-completing vote to finality at every node (per job, the last node).
 *
 * Beside them: the CPU all node processes used per job against what the
 * machine's cores offered in the same wall time, how long their threads
 * were runnable but waited for a CPU (Linux scheduler statistics,
 * lib/run-queue.ts; the event loops' wait against the wall time per job),
 * and the machine's load, to tell a slow pipeline from starved processes.
 *
 * A job a starved network leaves disputed at its deadline is counted (and
 * left out of the finality figures, having no quorum) instead of ending the
 * run.
 *
 * `BENCH_FINALITY_SIZES=4` runs only the four-process network.
 *
 * One unmeasured job runs first, so the figures are of a warm network (each
 * node's first job starts its measurement worker). All processes run on
 * this machine, so their clocks are one clock.
 */
import { cpus, loadavg } from 'node:os'
import { canonicalEncode } from '../../protocol/canonical.ts'
import { Cluster } from '../../sim/cluster.ts'
import { testPng, degradedPng } from '../../sim/images.ts'
import { schedTimes } from './lib/run-queue.ts'
import { type BenchResult, result } from './types.ts'

/** Jobs per network size: enough for a p99 over (jobs × nodes) latencies. */
const JOBS = 12

interface Timings { createdAt: number, receivedAt: number, seededAt: number | null, blobsAt: number | null, measuredAt: number | null, finalizedAt: number | null }
interface View { timings: Timings, final: boolean, round: number, votes: Array<{ voter: string, name: string, round: number, late: boolean, receivedAt: number }> }

function quantile (values: number[], q: number): number {
  const s = [...values].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!
}

/** The sum over every node of the Prometheus samples whose line starts with `prefix`. */
async function metricSum (cluster: Cluster, prefix: string): Promise<number> {
  let total = 0
  for (const node of cluster.nodes) {
    const text = await (await fetch(`${node.apiUrl}/metrics`)).text()
    for (const line of text.split('\n')) {
      if (line.startsWith(prefix)) total += Number(line.slice(line.lastIndexOf(' ') + 1))
    }
  }
  return total
}

async function gossipMessages (cluster: Cluster): Promise<number> {
  return await metricSum(cluster, 'trust_engine_gossip_validation_results_total{')
}

/** CPU seconds used so far by every node process (all its threads). */
async function cpuSeconds (cluster: Cluster): Promise<number> {
  return await metricSum(cluster, 'trust_engine_process_cpu_seconds_total ')
}

async function runSize (n: number): Promise<BenchResult[]> {
  const cluster = Cluster.init(n)
  try {
    await cluster.startAll()
    await cluster.waitConnected()
    // One unmeasured job first: each node's first job pays one-time costs (measurement worker start, JIT, key caches).
    const warmUp = await cluster.submitFrames('node1', [testPng(32, 32)], [testPng(32, 32)])
    for (const node of cluster.nodes) await cluster.waitDecided(node.name, warmUp)
    const finality: number[] = []
    const propagation: number[] = []
    const seedPhase: number[] = []
    const blobFetch: number[] = []
    const measurement: number[] = []
    const voteGossip: number[] = []
    const quorumToFinal: number[] = []
    const before = await gossipMessages(cluster)
    const cpuBefore = await cpuSeconds(cluster)
    const pids = [...cluster.running.values()].map((r) => r.proc.pid!)
    const schedBefore = schedTimes(pids)
    const wallBefore = performance.now()
    let payloadBytes = 0
    // Jobs not final at the submitter (disputed at their deadline: a starved network can miss it); they have no certificate.
    let notFinal = 0
    for (let j = 0; j < JOBS; j++) {
      const jobId = await cluster.submitFrames('node1', [testPng(32, 32)], [j % 2 === 0 ? testPng(32, 32) : degradedPng(32, 32, 20)])
      const views = new Map<string, View>()
      for (const node of cluster.nodes) {
        const view = await cluster.waitDecided(node.name, jobId) as unknown as View
        views.set(node.name, view)
        if (view.final) finality.push(view.timings.finalizedAt! - view.timings.createdAt)
        if (node.name !== 'node1') propagation.push(view.timings.receivedAt - view.timings.createdAt)
      }
      // Let late votes and own measurements finish so that counts and timings cover the whole job.
      await new Promise((r) => setTimeout(r, 300))
      for (const node of cluster.nodes) views.set(node.name, await cluster.get(node.name, `/v1/jobs/${jobId}`) as View)
      const signedAt = new Map([...views].map(([name, v]) => [name, v.timings.measuredAt]))
      let lastFinal = 0
      for (const [name, v] of views) {
        const t = v.timings
        if (t.seededAt !== null) seedPhase.push(t.seededAt - t.receivedAt)
        if (t.blobsAt !== null) blobFetch.push(t.blobsAt - t.receivedAt)
        if (t.measuredAt !== null && t.blobsAt !== null && t.seededAt !== null) measurement.push(t.measuredAt - Math.max(t.blobsAt, t.seededAt))
        for (const vote of v.votes) {
          const signed = signedAt.get(vote.name) ?? null
          if (signed !== null && vote.name !== name) voteGossip.push(vote.receivedAt - signed)
        }
        // The quorum-completing vote: the last one counted (not late) in the deciding round; published when its voter signed it.
        const counted = v.votes.filter((x) => !x.late && x.round === v.round).sort((a, b) => b.receivedAt - a.receivedAt)
        const completing = counted.length === 0 ? null : signedAt.get(counted[0]!.name) ?? null
        if (completing !== null && t.finalizedAt !== null) lastFinal = Math.max(lastFinal, t.finalizedAt - completing)
      }
      if (!views.get('node1')!.final) {
        notFinal++
        continue
      }
      quorumToFinal.push(lastFinal)
      const cert = await cluster.get('node1', `/v1/jobs/${jobId}/certificate`) as { job: object, votes: object[] }
      const voteBytes = cert.votes.reduce((s, v) => s + canonicalEncode(v).length, 0) / cert.votes.length
      payloadBytes += canonicalEncode(cert.job).length + n * voteBytes
    }
    const messages = (await gossipMessages(cluster) - before) / JOBS
    const cpuMs = (await cpuSeconds(cluster) - cpuBefore) * 1000 / JOBS
    const wallMs = (performance.now() - wallBefore) / JOBS
    const schedAfter = schedTimes(pids)
    const parts: Array<[string, number[]]> = [
      ['finality (announcement to finality at each node)', finality],
      ['seed phase', seedPhase],
      ['blob fetch', blobFetch],
      ['measurement', measurement],
      ['vote gossip', voteGossip],
      ['quorum-completing vote to finality at every node', quorumToFinal]
    ]
    const figures: BenchResult[] = []
    for (const q of [0.5, 0.9]) {
      const tag = `p${Math.round(q * 100)}`
      const baseline = quantile(propagation, q)
      for (const [name, values] of parts) {
        if (values.length === 0) continue
        figures.push(result(`${name} ${tag}, ${n} node processes`, quantile(values, q), 'ms', `announcement gossip ${tag}, same processes`, baseline))
      }
    }
    if (finality.length > 0) figures.push(result(`finality p99, ${n} node processes`, quantile(finality, 0.99), 'ms', 'announcement gossip p99, same processes', quantile(propagation, 0.99)))
    const certified = JOBS - notFinal
    return [
      ...figures,
      // Whether the processes were starved: the CPU they used beside what the machine's cores offered meanwhile.
      result(`CPU of all ${n} node processes per job`, cpuMs, 'ms', `wall time per job × ${cpus().length} cores`, wallMs * cpus().length),
      ...(schedBefore === null || schedAfter === null
        ? []
        : [
            result(`a node's event loop waiting for a CPU per job, mean of ${n} node processes`, (schedAfter.mainWaitMs - schedBefore.mainWaitMs) / n / JOBS, 'ms', 'wall time per job', wallMs),
            result(`all threads of ${n} node processes waiting for a CPU per job`, (schedAfter.waitMs - schedBefore.waitMs) / JOBS, 'ms', 'their time on a CPU per job', (schedAfter.runMs - schedBefore.runMs) / JOBS)
          ]),
      result(`1-minute load average at the end, ${n} node processes`, loadavg()[0]!, 'runnable', 'cores', cpus().length),
      result(`gossip messages validated per job, ${n} nodes`, messages, 'msgs', 'all-to-all minimum (n−1)·(n+1)', (n - 1) * (n + 1)),
      result(`jobs not final at their submitter (disputed at their deadline), ${n} node processes`, notFinal, 'jobs', 'jobs submitted', JOBS),
      ...(certified === 0 ? [] : [result(`payload bytes delivered per job, ${n} nodes`, messages * (payloadBytes / certified) / (n + 1), 'B', 'job + n votes, each published once', payloadBytes / certified)])
    ]
  } finally {
    await cluster.cleanup()
  }
}

/**
 * Network sizes to run: `BENCH_FINALITY_SIZES` (comma-separated node counts,
 * e.g. `4` to skip the ten-process network on a busy machine), else 4 and 10.
 */
function sizes (): number[] {
  const given = process.env.BENCH_FINALITY_SIZES
  if (given === undefined || given.trim() === '') return [4, 10]
  const list = given.split(',').map((s) => Number(s.trim()))
  if (list.some((n) => !Number.isInteger(n) || n < 2 || n > 32)) throw new Error('BENCH_FINALITY_SIZES: comma-separated node counts from 2 to 32')
  return list
}

/** The finality benchmark suite. */
export const finalitySuite = {
  name: 'finality',
  run: async (): Promise<BenchResult[]> => {
    const results: BenchResult[] = []
    for (const n of sizes()) results.push(...await runSize(n))
    return results
  }
}

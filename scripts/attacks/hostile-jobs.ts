/**
 * Hostile jobs against a four-node network of real node processes on
 * 127.0.0.1, each beside an honest job, with the figures an operator cares
 * about: peak resident memory and CPU-seconds of the node processes, the
 * honest job's latency and status, and the entry node's /healthz latency.
 *
 * - `frames-huge`: an in-limit-per-frame 8192 × 4880 PNG pair (solid colour,
 *   small files) whose measurement would hold gigabytes for minutes.
 * - `glb-declared`: a 256-byte GLB declaring 3 × 2^16 vertices, for the
 *   network to optimize (the entry node's optimizer used to run on its main
 *   thread).
 * - `repeated-refs`: one 640 × 480 PNG pair named 256 times in one job.
 * - `two-heavy`: node2 submits two long in-limit jobs (a `HEAVY_SIDE` ×
 *   `HEAVY_SIDE` frame pair each, 2048 by default), then, a second after
 *   every node holds their blobs and seeds, node1 its honest job: as many
 *   long jobs of one validator as each node has workers (two), with a
 *   deadline of `HEAVY_DEADLINE_MS` (90 s by default) against the honest
 *   job's default 30 s.
 *
 * Bounded: every wait ends by itself (`WAIT_MS`), nodes are stopped and their
 * folder removed at the end. Run: `node scripts/attacks/hostile-jobs.ts [attack ...]`.
 */
import { readFileSync } from 'node:fs'
import { PNG } from 'pngjs'
import { Cluster } from '../../sim/cluster.ts'
import { degradedPng, testPng } from '../../sim/images.ts'

/** Longest wait for any one step (ms). */
const WAIT_MS = 150_000
/** Sampling period of memory and CPU (ms). */
const SAMPLE_MS = 250
const CLOCK_TICKS = 100

interface Usage { rssMiB: number, cpuSeconds: number }

function usageOf (pid: number): Usage {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const rss = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return { rssMiB: rss, cpuSeconds: (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS }
}

function flatPng (width: number, height: number): Uint8Array {
  const png = new PNG({ width, height })
  png.data.fill(200)
  return PNG.sync.write(png)
}

/** A GLB of `size` bytes whose JSON declares `vertices` vertices and no data. */
function declaringGlb (vertices: number, size = 256): Uint8Array {
  let text = JSON.stringify({
    asset: { version: '2.0' },
    accessors: [{ componentType: 5126, count: vertices, type: 'VEC3', min: [0, 0, 0], max: [1, 1, 1] }],
    meshes: [{ primitives: [{ attributes: { POSITION: 0 } }] }]
  })
  const length = Math.max(text.length, size - 20)
  text = text.padEnd(length + ((4 - (length % 4)) % 4), ' ')
  const out = new Uint8Array(20 + text.length)
  const view = new DataView(out.buffer)
  view.setUint32(0, 0x46546c67, true); view.setUint32(4, 2, true); view.setUint32(8, out.length, true)
  view.setUint32(12, text.length, true); view.setUint32(16, 0x4e4f534a, true)
  out.set(new TextEncoder().encode(text), 20)
  return out
}

async function upload (cluster: Cluster, bytes: Uint8Array, node = 'node1'): Promise<string> {
  const r = await cluster.raw(node, '/v1/blobs', { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: bytes })
  return (r.body as { sha256: string }).sha256
}

async function submit (cluster: Cluster, body: unknown, node = 'node1'): Promise<{ status: number, code: string | null, jobId: string | null, ms: number }> {
  const t0 = performance.now()
  const r = await cluster.raw(node, '/v1/jobs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(WAIT_MS) }).catch(() => ({ status: 0, body: null }))
  const b = r.body as { jobId?: string, error?: { code: string } } | null
  return { status: r.status, code: b?.error?.code ?? null, jobId: b?.jobId ?? null, ms: Math.round(performance.now() - t0) }
}

async function decided (cluster: Cluster, jobId: string, node = 'node1'): Promise<{ status: string, latencyMs: number | null }> {
  const until = Date.now() + WAIT_MS
  while (Date.now() < until) {
    const r = await cluster.raw(node, `/v1/jobs/${jobId}`, { signal: AbortSignal.timeout(5000) }).catch(() => null)
    const v = r?.body as { status?: string, timings?: { latencyMs: number | null } } | undefined
    if (v?.status !== undefined && v.status !== 'pending') return { status: v.status, latencyMs: v.timings?.latencyMs ?? null }
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  return { status: 'still pending', latencyMs: null }
}

async function run (name: string, attack: (cluster: Cluster) => Promise<Record<string, unknown>>): Promise<Record<string, unknown>> {
  const cluster = Cluster.init(4)
  try {
    await cluster.startAll()
    await cluster.waitConnected()
    const pids = [...cluster.running.values()].map((n) => n.proc.pid!)
    const start = pids.map(usageOf)
    let peakRss = 0
    let slowestHealthMs = 0
    let probing = true
    const sampler = setInterval(() => {
      for (const pid of pids) peakRss = Math.max(peakRss, usageOf(pid).rssMiB)
    }, SAMPLE_MS)
    const prober = (async () => {
      while (probing) {
        const t0 = performance.now()
        await cluster.raw('node1', '/healthz', { signal: AbortSignal.timeout(WAIT_MS) }).catch(() => null)
        slowestHealthMs = Math.max(slowestHealthMs, performance.now() - t0)
        await new Promise((resolve) => setTimeout(resolve, 200))
      }
    })()
    const figures = await attack(cluster)
    probing = false
    clearInterval(sampler)
    await prober
    const end = pids.map(usageOf)
    const cpu = end.reduce((s, u, i) => s + u.cpuSeconds - start[i]!.cpuSeconds, 0)
    return { attack: name, ...figures, peakRssMiB: Math.round(peakRss), cpuSecondsAllNodes: Math.round(cpu * 10) / 10, slowestHealthzMs: Math.round(slowestHealthMs) }
  } finally {
    await cluster.cleanup()
  }
}

/** Submits the hostile job, then an honest one a second later; waits for both. */
async function withHonest (cluster: Cluster, hostile: unknown): Promise<Record<string, unknown>> {
  const hostileSubmit = submit(cluster, hostile)
  await new Promise((resolve) => setTimeout(resolve, 1000))
  const ref = await upload(cluster, testPng(64, 64))
  const honest = await submit(cluster, { kind: 'frames', reference: [ref], candidate: [ref] })
  const h = await hostileSubmit
  const honestOutcome = honest.jobId === null ? { status: `refused ${honest.code}`, latencyMs: null } : await decided(cluster, honest.jobId)
  const hostileOutcome = h.jobId === null ? { status: `refused ${h.status} ${h.code}`, latencyMs: null } : await decided(cluster, h.jobId)
  return { hostileSubmitMs: h.ms, hostile: hostileOutcome.status, hostileLatencyMs: hostileOutcome.latencyMs, honest: honestOutcome.status, honestLatencyMs: honestOutcome.latencyMs }
}

const ATTACKS: Record<string, (cluster: Cluster) => Promise<Record<string, unknown>>> = {
  'frames-huge': async (cluster) => {
    const big = await upload(cluster, flatPng(8192, 4880))
    return await withHonest(cluster, { kind: 'frames', reference: [big], candidate: [big] })
  },
  'glb-declared': async (cluster) => {
    const glb = await upload(cluster, declaringGlb(3 * 2 ** 16))
    return await withHonest(cluster, { kind: 'scene', reference: [glb], candidate: [] })
  },
  'two-heavy': async (cluster) => {
    const side = Number(process.env.HEAVY_SIDE ?? 2048)
    // A validator may give its jobs any deadline up to the network's maxVoteMs; 90 s outlasts the honest job's default 30 s.
    const heavyDeadlineMs = Number(process.env.HEAVY_DEADLINE_MS ?? 90_000)
    const heavy: string[] = []
    for (const variant of [1, 2]) {
      const ref = await upload(cluster, testPng(side, side, variant), 'node2')
      const cand = await upload(cluster, degradedPng(side, side, 12, variant), 'node2')
      const r = await submit(cluster, { kind: 'frames', reference: [ref], candidate: [cand], deadlineMs: heavyDeadlineMs }, 'node2')
      if (r.jobId === null) throw new Error(`heavy job refused: ${r.status} ${r.code}`)
      heavy.push(r.jobId)
    }
    // The honest job comes once every node holds the long jobs' blobs and seed, i.e. measures them (or is about to).
    const until = Date.now() + WAIT_MS
    for (const node of cluster.running.keys()) {
      for (const id of heavy) {
        while (Date.now() < until) {
          const v = (await cluster.raw(node, `/v1/jobs/${id}`, { signal: AbortSignal.timeout(5000) }).catch(() => null))?.body as { timings?: { blobsAt: number | null, seededAt: number | null } } | undefined
          if (v?.timings?.blobsAt != null && v.timings.seededAt != null) break
          await new Promise((resolve) => setTimeout(resolve, 100))
        }
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 1000))
    const ref = await upload(cluster, testPng(64, 64))
    const honest = await submit(cluster, { kind: 'frames', reference: [ref], candidate: [ref] })
    const honestOutcome = honest.jobId === null ? { status: `refused ${honest.code}`, latencyMs: null } : await decided(cluster, honest.jobId)
    const heavyOutcomes = await Promise.all(heavy.map(async (id) => await decided(cluster, id, 'node2')))
    return { side, heavyDeadlineMs, heavy: heavyOutcomes.map((o) => o.status), heavyLatencyMs: heavyOutcomes.map((o) => o.latencyMs), honest: honestOutcome.status, honestLatencyMs: honestOutcome.latencyMs }
  },
  'repeated-refs': async (cluster) => {
    const ref = await upload(cluster, testPng(640, 480))
    const cand = await upload(cluster, testPng(640, 480, 1))
    return await withHonest(cluster, { kind: 'frames', reference: Array(256).fill(ref), candidate: Array(256).fill(cand) })
  }
}

const chosen = process.argv.slice(2).length > 0 ? process.argv.slice(2) : Object.keys(ATTACKS)
for (const name of chosen) {
  const attack = ATTACKS[name]
  if (attack === undefined) throw new Error(`unknown attack ${name}; one of ${Object.keys(ATTACKS).join(', ')}`)
  console.log(JSON.stringify(await run(name, attack)))
}

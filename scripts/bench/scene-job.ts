/**
 * Scene-job verification on one node: the whole time a verifier spends on one
 * scene job that the network optimized, and where that time goes.
 *
 * Scenes: generated textured grids (sim/scenes.ts, 256 × 256 PNG base colour)
 * of 10,082, 100,352 and 999,698 triangles. The candidate is what the
 * network's optimizer made: `optimizeScene(original, { profile: 'balanced',
 * ratio: 0.5 })`. Each run verifies a fresh job: the scene's asset generator
 * string carries the run number, so the bytes and hashes differ and no cache
 * (the analyzer's LRU is keyed by content hash) answers from an earlier run.
 * Making the job (generation, the producer's optimization) is not timed.
 * The view seed is fixed per size (a node derives it from the job id), so
 * every run of a size renders the same views.
 *
 * One verification, timed as a whole and by part:
 * - networking: fetch the original, then the candidate, by sha256 over the
 *   blob protocol (`fetchBlobFromAny`, hash-checked on receipt) from another
 *   libp2p host that serves them from memory. Both hosts live in this process
 *   on 127.0.0.1 (TCP, Noise, Yamux), so the figure includes both ends'
 *   framing and encryption on the same cores but no real network latency;
 * - optimizer: re-run `optimizeScene` on the original with the job's options
 *   and compare the sha256 of its output with the candidate's (a mismatch
 *   stops the bench: it would be a determinism bug);
 * - `measureScenes(original, candidate, { seed })` with default options,
 *   split by its `onTiming` hook into scene loading and analysis (`prepare`),
 *   rendering and metrics.
 *
 * Figures per size: the total (median of the runs) beside the time to render
 * the original's sampled views alone (the same views and size, scene already
 * loaded), measured right after each verification: the one part no scene
 * verification can skip, so the ratio says how many times that floor a whole
 * verification costs. The shares (median over the runs of part / total)
 * beside the whole, 100 %; they need not add up to exactly 100 (medians of
 * each, and a little time outside every part: measureScenes yields to the
 * event loop after each view, where the hosts' timers may run). Renderer
 * throughput inside the verification (triangles submitted to both scenes'
 * renders per second of render time, from the hook) beside the same renders
 * of both scenes done alone: about 1 when the hook's split is faithful and
 * nothing around rendering slows it down. The renderer's own throughput
 * figures are in render.ts.
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import { createSceneIO, optimizeScene } from '../../node/optimizer/index.ts'
import { createHost, fetchBlobFromAny, serveBlobs, type Host } from '../../node/p2p/index.ts'
import {
  DEFAULT_MEASURE_SCENES_OPTIONS, DEFAULT_RENDER_BUDGET_OPTIONS, loadRenderScene, measureScenes, renderScene,
  type MeasurePhase, type SceneMeasurement
} from '../../node/render/index.ts'
import { sha256Hex } from '../../protocol/hash.ts'
import { deriveSeed } from '../../protocol/sampling/prng.ts'
import { buildScene } from '../../sim/scenes.ts'
import { type BenchResult, type BenchSuite, median, result } from './types.ts'

/** The job's optimization: the task's balanced profile at half the triangles. */
const JOB_OPTIMIZE = { profile: 'balanced' as const, ratio: 0.5 }
/** Base-colour texture of the generated scenes. */
const TEXTURE: [number, number] = [256, 256]
/** Longest wait for the two hosts to connect (ms); on 127.0.0.1 it takes milliseconds. */
const CONNECT_TIMEOUT_MS = 10_000

/** One scene size: grid segments (2·n² triangles) and how many verifications to run. */
interface SceneSize {
  label: string
  segments: number
  /** Measured verifications (the median is reported). */
  runs: number
  /** Unmeasured verifications first (warms the code up). */
  warmup: number
}

const SIZES: SceneSize[] = [
  { label: '10k', segments: 71, runs: 5, warmup: 1 }, // 2·71² = 10,082
  { label: '100k', segments: 224, runs: 3, warmup: 0 }, // 2·224² = 100,352
  { label: '1M', segments: 707, runs: 2, warmup: 0 } // 2·707² = 999,698; about 15-20 s a verification
]

/** The parts of one verification, in ms, and the baseline renders measured right after it. */
interface Timing {
  total: number
  network: number
  optimizer: number
  prepare: number
  render: number
  metrics: number
  /** Triangles submitted to the renders of both scenes. */
  trianglesRendered: number
  /** The original's sampled views rendered alone (scene loaded). */
  originalViewsMs: number
  /** The candidate's same views rendered alone (scene loaded). */
  candidateViewsMs: number
}

/** A job as the network made it: original, candidate and their hashes. */
interface Job {
  original: Uint8Array
  candidate: Uint8Array
  originalSha: string
  candidateSha: string
  triangles: number
}

/** The two hosts: one serving blobs from memory, one verifying. */
interface Hosts {
  server: Host
  verifier: Host
  blobs: Map<string, Uint8Array>
  stop: () => Promise<void>
}

function msSince (t0: bigint): number {
  return Number(process.hrtime.bigint() - t0) / 1e6
}

async function startHosts (): Promise<Hosts> {
  const blobs = new Map<string, Uint8Array>()
  const started: Host[] = []
  const stop = async (): Promise<void> => { await Promise.all(started.map(async (h) => { await h.stop() })) }
  try {
    const server = await createHost({ privateKey: await generateKeyPair('Ed25519'), networkId: 'bench' })
    started.push(server)
    await serveBlobs(server, { getBlob: async (sha) => blobs.get(sha) ?? null })
    await server.start()
    const verifier = await createHost({ privateKey: await generateKeyPair('Ed25519'), networkId: 'bench', bootstrap: server.multiaddrs() })
    started.push(verifier)
    await verifier.start()
    const deadline = Date.now() + CONNECT_TIMEOUT_MS
    while (!verifier.isAdmitted(server.peerId)) {
      if (Date.now() > deadline) throw new Error('scene-job bench: the two hosts did not connect')
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    return { server, verifier, blobs, stop }
  } catch (err) {
    await stop()
    throw err
  }
}

/** Makes job `run` of a size: a fresh original (run number in its generator string) and the network's candidate. */
async function makeJob (size: SceneSize, run: number): Promise<Job> {
  const doc = buildScene({ grids: [size.segments], texture: TEXTURE })
  doc.getRoot().getAsset().generator = `trust-engine bench scene job ${size.label} #${run}`
  const original = await createSceneIO().writeBinary(doc)
  const made = await optimizeScene(original, JOB_OPTIMIZE)
  return { original, candidate: made.bytes, originalSha: sha256Hex(original), candidateSha: sha256Hex(made.bytes), triangles: made.report.before.triangles }
}

/** What a verifier does for the job, timed by part. */
async function verify (hosts: Hosts, job: Job, seed: string): Promise<{ timing: Omit<Timing, 'originalViewsMs' | 'candidateViewsMs'>, measurement: SceneMeasurement }> {
  const peers = [hosts.server.peerId.toString()]
  const phases: Record<MeasurePhase, number> = { prepare: 0, render: 0, metrics: 0 }
  const t0 = process.hrtime.bigint()
  const original = await fetchBlobFromAny(hosts.verifier, peers, job.originalSha)
  const candidate = await fetchBlobFromAny(hosts.verifier, peers, job.candidateSha)
  const network = msSince(t0)
  const t1 = process.hrtime.bigint()
  const own = await optimizeScene(original, JOB_OPTIMIZE)
  const matches = sha256Hex(own.bytes) === job.candidateSha
  const optimizer = msSince(t1)
  if (!matches) throw new Error('scene-job bench: re-running the optimizer did not reproduce the candidate')
  const measurement = await measureScenes(original, candidate, { seed, onTiming: (phase, ms) => { phases[phase] = ms } })
  const total = msSince(t0)
  const trianglesRendered = measurement.renderStats.original.triangles + measurement.renderStats.candidate.triangles
  return { timing: { total, network, optimizer, ...phases, trianglesRendered }, measurement }
}

/** Renders the views measureScenes sampled, at its size, of a scene loaded beforehand; returns the ms of the renders alone. */
async function renderViewsMs (bytes: Uint8Array, m: SceneMeasurement): Promise<number> {
  const scene = await loadRenderScene(bytes, { maxTexturePixels: DEFAULT_RENDER_BUDGET_OPTIONS.maxTexturePixels })
  const frames = [...new Set(m.perSample.map((s) => s.view))].sort((a, b) => a - b)
  const { width, height } = DEFAULT_MEASURE_SCENES_OPTIONS
  const t0 = process.hrtime.bigint()
  for (const f of frames) {
    const view = m.plan.views[f]!
    renderScene(scene, view.camera, { width, height, time: view.time })
  }
  return msSince(t0)
}

async function sizeFigures (hosts: Hosts, size: SceneSize): Promise<BenchResult[]> {
  // One seed per size, so every run draws the same views and the baseline renders exactly those.
  const seed = deriveSeed('trust-engine/bench/scene-job', size.label)
  const timings: Timing[] = []
  let last: { job: Job, measurement: SceneMeasurement } | undefined
  for (let run = 0; run < size.warmup + size.runs; run++) {
    const job = await makeJob(size, run)
    hosts.blobs.set(job.originalSha, job.original)
    hosts.blobs.set(job.candidateSha, job.candidate)
    const { timing, measurement } = await verify(hosts, job, seed)
    hosts.blobs.delete(job.originalSha)
    hosts.blobs.delete(job.candidateSha)
    last = { job, measurement }
    if (run < size.warmup) continue
    // Baselines right after each verification, so a change of machine load hits both alike.
    const originalViewsMs = await renderViewsMs(job.original, measurement)
    const candidateViewsMs = await renderViewsMs(job.candidate, measurement)
    timings.push({ ...timing, originalViewsMs, candidateViewsMs })
  }
  const { job, measurement: m } = last!
  const renders = m.renderStats.renders
  const name = `scene job ${size.label} (${job.triangles} tris, ${renders} views × 2 scenes, ${m.samples} samples)`
  const share = (part: keyof Timing): number => median(timings.map((t) => 100 * t[part] / t.total))
  const whole = 'whole verification'
  const rate = (t: Timing, ms: number): number => t.trianglesRendered / (ms / 1000)
  return [
    result(`${name}: verification total, median of ${size.runs}`, median(timings.map((t) => t.total)), 'ms', `render of the original's ${renders} views alone`, median(timings.map((t) => t.originalViewsMs))),
    result(`${name}: rendering share`, share('render'), '%', whole, 100),
    result(`${name}: metrics share`, share('metrics'), '%', whole, 100),
    result(`${name}: optimizer re-run + hash share`, share('optimizer'), '%', whole, 100),
    result(`${name}: networking share (2 blobs, in-process hosts)`, share('network'), '%', whole, 100),
    result(`${name}: scene loading + analysis share`, share('prepare'), '%', whole, 100),
    result(`${name}: render throughput in verification (both scenes)`, median(timings.map((t) => rate(t, t.render))), 'triangles/s', 'same renders of both scenes alone', median(timings.map((t) => rate(t, t.originalViewsMs + t.candidateViewsMs))))
  ]
}

/** The scene-job verification suite. */
export const sceneJobSuite: BenchSuite = {
  name: 'scene-job',
  run: async () => {
    const hosts = await startHosts()
    try {
      const out: BenchResult[] = []
      for (const size of SIZES) out.push(...await sizeFigures(hosts, size))
      return out
    } finally {
      await hosts.stop()
    }
  }
}

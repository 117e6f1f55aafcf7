/**
 * The footprint of one node process, and the start-up of the command line.
 *
 * Figures, each beside a baseline from the same run:
 * - resident memory of an idle `trust-engine node` process (development
 *   network, API on 127.0.0.1, 5 s after its ready line) ÷ that of a bare
 *   process holding a started libp2p host of the node's own make
 *   (node/p2p/host.ts): what the node adds to the libp2p host it cannot do
 *   without;
 * - for each part a node loads only when first needed (scene loader, image
 *   codecs, renderer, optimizer, one measurement worker that measured a small
 *   frames job): resident memory of a node with it loaded ÷ without, and the
 *   time it took to load ÷ the start-up of `node -e 0`;
 * - wall time of `trust-engine node` to its ready line, of `trust-engine
 *   --help`, of `trust-engine keygen` and of `trust-engine optimize` on the
 *   fixture scene (test/fixtures/scenes/still-life.packed.glb) ÷ the wall
 *   time of `node -e 0`.
 * Memory of the probes (scripts/bench/lib/footprint-probe.ts) is read after a
 * full garbage collection. Medians of 3 runs; the processes run one at a time.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { FOOTPRINT_PARTS, type FootprintPart, type ProbeReport } from './lib/footprint-probe.ts'
import { REPO_ROOT, nodeBinary } from './lib/processes.ts'
import { median, result, type BenchResult, type BenchSuite } from './types.ts'

const RUNS = 3
const CLI = join(REPO_ROOT, 'node/cli/main.ts')
const PROBE = join(REPO_ROOT, 'scripts/bench/lib/footprint-probe.ts')
const SCENE = join(REPO_ROOT, 'test/fixtures/scenes/still-life.packed.glb')
/** How long an idle node runs after its ready line before its memory is read. */
const IDLE_MS = 5000
/** Hang guard of one child process (a loaded machine is slow, not stuck). */
const CHILD_TIMEOUT_MS = 300_000

/** Runs a command to its end; resolves with its wall time in ms (rejects on a non-zero exit). */
async function wallMs (args: string[]): Promise<number> {
  const t0 = performance.now()
  await new Promise<void>((resolve, reject) => {
    const child = spawn(nodeBinary(), args, { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'pipe'], timeout: CHILD_TIMEOUT_MS })
    let err = ''
    child.stderr.on('data', (d: Buffer) => { err = (err + d.toString()).slice(-2000) })
    child.on('error', reject)
    child.on('exit', (code) => { code === 0 ? resolve() : reject(new Error(`${args.join(' ')} exited with ${String(code)}: ${err}`)) })
  })
  return performance.now() - t0
}

/** Runs the probe with a base and parts; resolves with its report. */
async function probe (base: 'host' | 'node', parts: FootprintPart[] = []): Promise<ProbeReport> {
  return await new Promise((resolve, reject) => {
    const child = spawn(nodeBinary(), ['--expose-gc', PROBE, JSON.stringify({ base, parts })], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], timeout: CHILD_TIMEOUT_MS })
    let out = ''
    let err = ''
    child.stdout.on('data', (d: Buffer) => { out += d.toString() })
    child.stderr.on('data', (d: Buffer) => { err = (err + d.toString()).slice(-2000) })
    child.on('error', reject)
    child.on('exit', (code) => {
      const line = out.trim().split('\n').at(-1) ?? ''
      if (code !== 0 || !line.startsWith('{')) { reject(new Error(`footprint probe ${base} ${parts.join(',')} exited with ${String(code)}: ${err}`)); return }
      resolve(JSON.parse(line) as ProbeReport)
    })
  })
}

/** Starts `trust-engine node` on a fresh development network; resolves with the time to its ready line and its resident memory after {@link IDLE_MS}. */
async function idleNode (): Promise<{ readyMs: number, rssBytes: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'te-footprint-node-'))
  const t0 = performance.now()
  const child = spawn(nodeBinary(), [CLI, 'node', '--data-dir', dir, '--api', '127.0.0.1:0', '--log-level', 'warn'], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'pipe'] })
  try {
    const readyMs = await new Promise<number>((resolve, reject) => {
      let err = ''
      const guard = setTimeout(() => { reject(new Error('trust-engine node not ready')) }, CHILD_TIMEOUT_MS)
      child.stderr.on('data', (d: Buffer) => {
        err += d.toString()
        if (err.includes('trust-engine node ready')) { clearTimeout(guard); resolve(performance.now() - t0) }
      })
      child.on('exit', (code) => { clearTimeout(guard); reject(new Error(`trust-engine node exited with ${String(code)}: ${err.slice(-2000)}`)) })
    })
    await sleep(IDLE_MS)
    const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid!}/status`, 'utf8'))
    return { readyMs, rssBytes: Number(rss![1]) * 1024 }
  } finally {
    const gone = new Promise((resolve) => { child.once('exit', resolve) })
    if (child.exitCode === null) child.kill('SIGTERM')
    await gone
    rmSync(dir, { recursive: true, force: true })
  }
}

async function medianOf<T> (runs: number, fn: () => Promise<T>, pick: (t: T) => number): Promise<number> {
  const values: number[] = []
  for (let i = 0; i < runs; i++) values.push(pick(await fn()))
  return median(values)
}

const MB = 1024 * 1024

/** The suite. */
export const footprintSuite: BenchSuite = {
  name: 'footprint',
  run: async (): Promise<BenchResult[]> => {
    const out: BenchResult[] = []
    const bare = await medianOf(5, async () => await wallMs(['-e', '0']), (x) => x)
    const host = await medianOf(RUNS, async () => await probe('host'), (r) => r.rssBytes / MB)
    const idle: Array<{ readyMs: number, rssBytes: number }> = []
    for (let i = 0; i < RUNS; i++) idle.push(await idleNode())
    out.push(result('idle node process RSS (trust-engine node)', median(idle.map((x) => x.rssBytes / MB)), 'MB', 'process holding a started libp2p host', host))
    out.push(result('node start-up to ready (trust-engine node)', median(idle.map((x) => x.readyMs)), 'ms', 'node -e 0', bare))

    const node = await medianOf(RUNS, async () => await probe('node'), (r) => r.rssBytes / MB)
    for (const part of FOOTPRINT_PARTS) {
      const reports: ProbeReport[] = []
      for (let i = 0; i < RUNS; i++) reports.push(await probe('node', [part]))
      out.push(result(`node RSS with ${part} loaded`, median(reports.map((r) => r.rssBytes / MB)), 'MB', 'node RSS without (probe)', node))
      out.push(result(`${part}: loading into a node`, median(reports.map((r) => r.partsMs)), 'ms', 'node -e 0', bare))
    }

    const keyDir = mkdtempSync(join(tmpdir(), 'te-footprint-cli-'))
    try {
      const help = await medianOf(RUNS, async () => await wallMs([CLI, '--help']), (x) => x)
      out.push(result('trust-engine --help', help, 'ms', 'node -e 0', bare))
      let k = 0
      const keygen = await medianOf(RUNS, async () => await wallMs([CLI, 'keygen', '--out', join(keyDir, `key-${k++}.json`)]), (x) => x)
      out.push(result('trust-engine keygen', keygen, 'ms', 'node -e 0', bare))
      const optimize = await medianOf(RUNS, async () => await wallMs([CLI, 'optimize', SCENE, '-o', join(keyDir, 'out.glb')]), (x) => x)
      out.push(result('trust-engine optimize (still-life fixture)', optimize, 'ms', 'node -e 0', bare))
    } finally {
      rmSync(keyDir, { recursive: true, force: true })
    }
    return out
  }
}

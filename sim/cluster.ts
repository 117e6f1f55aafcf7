/**
 * A local cluster of real node processes on 127.0.0.1, started through the
 * CLI (`trust-engine network init` and `trust-engine node --config ...`; a
 * node with a simulated fault strategy through the simulation's node host,
 * sim/node-host.ts) and driven through each node's HTTP API.
 * Used by the fault simulation (`npm run sim`), the integration tests and the
 * benchmarks. Every process started here is stopped by {@link Cluster.cleanup}.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

import { writeFileSync } from 'node:fs'
import { ApiClient } from '../node/cli/api-client.ts'
import type { NodeEntry } from '../node/cli/commands/network-init.ts'
import type { SubmitJobRequest } from '../node/types.ts'
import type { StrategySpec } from './strategies/spec.ts'

/** Repository root. */
export const ROOT = resolve(import.meta.dirname, '..')
/** Node 22 from the `node` package (the system Node may be older). */
export const NODE = join(ROOT, 'node_modules/.bin/node')
/**
 * The `trust-engine` command as installed: the launcher, which runs the CLI
 * (node/cli/main.ts) in its own process with the project's TypeScript answered
 * from its cache of stripped sources (bin/ts-cache.js), so a node or command
 * started here does not load Node's TypeScript stripper (docs/cli.md).
 */
export const CLI = join(ROOT, 'bin/trust-engine.js')

/** One entry of `nodes.json` as written by `network init`. */
export type { NodeEntry } from '../node/cli/commands/network-init.ts'

/** A running node process. */
export interface RunningNode {
  entry: NodeEntry
  proc: ChildProcess
  /** Everything it printed (stdout and stderr). */
  output: () => string
  /** Exit code once exited. */
  exited: Promise<number | null>
}

/** Runs the CLI to completion; returns exit code and output. */
export function runCli (args: string[], options: { cwd?: string, env?: NodeJS.ProcessEnv } = {}): { code: number | null, stdout: string, stderr: string } {
  const r = spawnSync(NODE, [CLI, ...args], { cwd: options.cwd ?? ROOT, env: { ...process.env, ...options.env }, encoding: 'utf8', timeout: 180_000 })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

/** What a node prints on stderr once it is ready (`trust-engine node ready {...}`). */
export interface ReadyLine {
  name: string | null
  peerId: string
  networkId: string
  apiUrl: string | null
  listen: string[]
  dataDir: string
}

/**
 * Resolves with a node process's ready line, or rejects with its output if it
 * exits first. `onOutput` also receives everything it prints on stderr.
 */
export async function readyLine (proc: ChildProcess, onOutput: (text: string) => void = () => {}): Promise<ReadyLine> {
  return await new Promise((resolve, reject) => {
    let err = ''
    proc.stderr!.on('data', (d: Buffer) => {
      const text = d.toString()
      err += text
      onOutput(text)
      const m = /trust-engine node ready (\{.*\})/.exec(err)
      if (m !== null) resolve(JSON.parse(m[1]!) as ReadyLine)
    })
    proc.on('exit', (code) => { reject(new Error(`node exited with ${String(code)} before it was ready:\n${err}`)) })
  })
}

/** Stops a node process with SIGTERM (if still running) and resolves with its exit code. */
export async function stopProcess (proc: ChildProcess): Promise<number | null> {
  if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)))
  proc.kill('SIGTERM')
  return await exited
}

/** A fresh temporary folder, removed by {@link Cluster.cleanup}. */
export function tempDir (prefix: string): string {
  return mkdtempSync(join(tmpdir(), `te-${prefix}-`))
}

/** A network made by `network init` and the processes started from it. */
export class Cluster {
  readonly dir: string
  readonly nodes: NodeEntry[]
  readonly networkFile: string
  readonly running = new Map<string, RunningNode>()

  private constructor (dir: string, nodes: NodeEntry[]) {
    this.dir = dir
    this.nodes = nodes
    this.networkFile = join(dir, 'network.json')
  }

  /** Runs `trust-engine network init --nodes n` into a temp folder (free ports below the ephemeral range: node/cli/free-ports.ts). */
  static init (n: number, extra: string[] = []): Cluster {
    const dir = tempDir('net')
    const r = runCli(['network', 'init', '--nodes', String(n), '--out', dir, '--base-port', '0', '--api-base-port', '0', ...extra])
    if (r.code !== 0) throw new Error(`network init failed: ${r.stderr}`)
    const nodes = (JSON.parse(readFileSync(join(dir, 'nodes.json'), 'utf8')) as { nodes: NodeEntry[] }).nodes
    return new Cluster(dir, nodes)
  }

  /** The entry of `name` (e.g. `node2`). */
  entry (name: string): NodeEntry {
    const e = this.nodes.find((x) => x.name === name)
    if (e === undefined) throw new Error(`no node ${name}`)
    return e
  }

  /**
   * Starts node `name` with `trust-engine node --config`, resolving once it
   * printed its ready line. With a `strategy` the node runs in the
   * simulation's node host with that strategy's fault hooks instead (`seed`
   * seeds its choices).
   */
  async start (name: string, extraArgs: string[] = [], strategy?: StrategySpec, seed = '5eed'): Promise<RunningNode> {
    const entry = this.entry(name)
    let args = [CLI, 'node', '--config', join(this.dir, entry.config), '--log-level', 'warn', ...extraArgs]
    if (strategy !== undefined) {
      const spec = join(this.dir, `${name}-host.json`)
      writeFileSync(spec, JSON.stringify({ seed, logLevel: 'warn', nodes: [{ config: join(this.dir, entry.config), strategy }] }))
      // the project's TypeScript from the launcher's cache of stripped sources, as for the CLI
      args = ['--import', join(ROOT, 'bin/ts-cache-register.js'), join(ROOT, 'sim/node-host.ts'), spec]
    }
    const proc = spawn(NODE, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    proc.stdout!.on('data', (d: Buffer) => { out += d.toString() })
    const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)))
    await readyLine(proc, (text) => { out += text })
    const node: RunningNode = { entry, proc, output: () => out, exited }
    this.running.set(name, node)
    return node
  }

  /** Starts every node; `strategies` gives simulated fault strategies by node name (sim/strategies/). */
  async startAll (strategies: Record<string, StrategySpec> = {}): Promise<void> {
    await Promise.all(this.nodes.map(async (n) => await this.start(n.name, [], strategies[n.name])))
  }

  /** Waits until each running node is connected to `n - 1` admitted peers (all the others). */
  async waitConnected (names: string[] = [...this.running.keys()]): Promise<void> {
    for (const name of names) {
      await waitFor(async () => {
        const { peers } = await this.get(name, '/v1/peers') as { peers: Array<{ connected: boolean, peerId: string }> }
        const others = names.filter((x) => x !== name).map((x) => this.entry(x).peerId)
        return others.every((id) => peers.some((p) => p.connected && p.peerId === id))
      }, `${name} connected to ${names.length - 1} peers`)
    }
  }

  /** Stops node `name` with SIGTERM and waits for its exit code. */
  async stop (name: string): Promise<number | null> {
    const node = this.running.get(name)
    if (node === undefined) return null
    this.running.delete(name)
    node.proc.kill('SIGTERM')
    return await node.exited
  }

  /** Kills node `name` with SIGKILL and waits for it to be gone. */
  async kill9 (name: string): Promise<void> {
    const node = this.running.get(name)
    if (node === undefined) return
    this.running.delete(name)
    node.proc.kill('SIGKILL')
    await node.exited
  }

  /** Stops every running node, then removes the folder. */
  async cleanup (): Promise<void> {
    await Promise.all([...this.running.keys()].map(async (n) => await this.stop(n)))
    rmSync(this.dir, { recursive: true, force: true })
  }

  /** The API client (the one the CLI uses) of node `name`. */
  client (name: string): ApiClient {
    return new ApiClient(this.entry(name).apiUrl)
  }

  /** GET on a node's API; returns the parsed JSON body (throws the API's `TrustEngineError` on non-2xx). */
  async get (name: string, path: string): Promise<unknown> {
    return await this.client(name).request('GET', path)
  }

  /** Raw HTTP returning status and body, for tests of error answers and hostile requests. */
  async raw (name: string, path: string, init?: RequestInit): Promise<{ status: number, body: unknown }> {
    const res = await fetch(this.entry(name).apiUrl + path, init)
    const text = await res.text()
    let body: unknown = text
    try { body = JSON.parse(text) } catch {}
    return { status: res.status, body }
  }

  /** Uploads PNG frames and submits a frames job through node `name`; returns the job id. */
  async submitFrames (name: string, reference: Uint8Array[], candidate: Uint8Array[], extra: Record<string, unknown> = {}): Promise<string> {
    const client = this.client(name)
    const ref = []
    const cand = []
    for (const b of reference) ref.push((await client.uploadBlob(b)).sha256)
    for (const b of candidate) cand.push((await client.uploadBlob(b)).sha256)
    const request = { kind: 'frames', reference: ref, candidate: cand, ...extra } as SubmitJobRequest
    return (await client.submitJob(request)).jobId
  }

  /** Waits until node `name` reports the job in a status other than pending; returns the job view. */
  async waitDecided (name: string, jobId: string): Promise<JobViewLike> {
    let view: JobViewLike | null = null
    const client = this.client(name)
    await waitFor(async () => {
      // Not known on that node yet: an error answer (ERR_JOB_NOT_FOUND); keep polling.
      view = await client.getJob(jobId).then((v) => v as unknown as JobViewLike, () => null)
      return view !== null && view.status !== 'pending'
    }, `job ${jobId.slice(0, 8)} decided on ${name}`)
    return view!
  }
}

/** The fields of a job view the tests read. */
export interface JobViewLike {
  jobId: string
  status: string
  final: boolean
  reason: string
  values: { ssim: number | string, psnr: number | string, ssimLocal: number | string } | null
  votes: Array<{ voter: string, name: string, agrees: boolean | null, late: boolean }>
  byzantine: string[]
  equivocators: string[]
}

/**
 * Polls `check` every 100 ms until it returns true. Bounded (at most 900
 * polls, about 1.5 minutes) so a broken cluster fails the test instead of
 * hanging it; the bound is a hang guard, not a performance assertion.
 */
export async function waitFor (check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 900; i++) {
    try {
      if (await check()) return
    } catch {}
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`gave up waiting for: ${what}`)
}

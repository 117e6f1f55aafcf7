/**
 * The `trust-engine` launcher (bin/trust-engine.js). When it runs the CLI in
 * a child (on an older system Node, or with TRUST_ENGINE_NODE), a signal sent
 * to the launcher must stop the real node, and the launcher must exit with
 * the child's code or signal. Real processes, a real node.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { NODE, readyLine } from '../../sim/cluster.ts'

const LAUNCHER = resolve(import.meta.dirname, '../../bin/trust-engine.js')
const dirs: string[] = []
const procs: ChildProcess[] = []
afterAll(() => {
  for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL')
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

/** The system Node on PATH outside the project, when it is older than 22.18 (the case the launcher's child exists for). */
function oldSystemNode (): string | null {
  for (const candidate of ['/usr/bin/node', '/usr/local/bin/node']) {
    try {
      const v = execFileSync(candidate, ['-p', 'process.versions.node'], { encoding: 'utf8' }).trim().split('.').map(Number)
      if (v[0]! < 22 || (v[0] === 22 && v[1]! < 18)) return candidate
    } catch {}
  }
  return null
}

/** Pids of the direct children of `pid` (from /proc). */
function childrenOf (pid: number): number[] {
  const out = execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' }).trim()
  return out === '' ? [] : out.split(/\s+/).map(Number)
}

function alive (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** Starts `launcher node` on a fresh development network and waits for the child's ready line. */
async function startNode (runner: string, env: NodeJS.ProcessEnv): Promise<{ launcher: ChildProcess, child: number, apiUrl: string, exited: Promise<{ code: number | null, signal: NodeJS.Signals | null }> }> {
  const dir = mkdtempSync(join(tmpdir(), 'te-launcher-'))
  dirs.push(dir)
  const launcher = spawn(runner, [LAUNCHER, 'node', '--data-dir', dir, '--api', '127.0.0.1:0', '--log-level', 'warn'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  procs.push(launcher)
  launcher.stdout!.resume()
  const exited = new Promise<{ code: number | null, signal: NodeJS.Signals | null }>((resolve) => launcher.on('exit', (code, signal) => resolve({ code, signal })))
  const ready = await readyLine(launcher)
  const kids = childrenOf(launcher.pid!)
  expect(kids).toHaveLength(1)
  return { launcher, child: kids[0]!, apiUrl: ready.apiUrl!, exited }
}

describe('bin/trust-engine.js running the CLI in a child', () => {
  // The project's Node 22 (the test runner itself may run on an older system Node).
  const viaChild = { TRUST_ENGINE_NODE: NODE }

  it('forwards SIGTERM: the real node stops, its API closes, the launcher exits 0', async () => {
    const { launcher, child, apiUrl, exited } = await startNode(NODE, viaChild)
    expect((await fetch(`${apiUrl}/healthz`)).status).toBe(200)
    launcher.kill('SIGTERM')
    expect(await exited).toEqual({ code: 0, signal: null })
    expect(alive(child)).toBe(false)
    await expect(fetch(`${apiUrl}/healthz`)).rejects.toThrow()
  })

  it('forwards SIGINT the same way', async () => {
    const { launcher, child, exited } = await startNode(NODE, viaChild)
    launcher.kill('SIGINT')
    expect(await exited).toEqual({ code: 0, signal: null })
    expect(alive(child)).toBe(false)
  })

  it('dies by the signal that killed the child', async () => {
    const { child, exited } = await startNode(NODE, viaChild)
    process.kill(child, 'SIGKILL')
    expect(await exited).toEqual({ code: null, signal: 'SIGKILL' })
  })

  it("exits with the child's exit code", async () => {
    const run = (env: NodeJS.ProcessEnv): number | null => {
      try {
        execFileSync(NODE, [LAUNCHER, 'keygen', '--out', '/'], { env: { ...process.env, ...env }, stdio: 'ignore' })
        return 0
      } catch (err) {
        return (err as { status: number | null }).status
      }
    }
    const direct = run({})
    expect(direct).toBe(2)
    expect(run(viaChild)).toBe(direct)
  })

  const oldNode = oldSystemNode()
  const name = oldNode === null
    ? 'started by an older system Node: skipped, the system Node here is 22.18 or newer (no child needed)'
    : `does the same when started by the older system Node ${oldNode}, without TRUST_ENGINE_NODE`
  it.skipIf(oldNode === null)(name, async () => {
    const { launcher, child, exited } = await startNode(oldNode!, {})
    launcher.kill('SIGTERM')
    expect(await exited).toEqual({ code: 0, signal: null })
    expect(alive(child)).toBe(false)
  })
})

describe('bin/trust-engine.js in a folder whose name is no URL as it stands', () => {
  it("runs every command where the installation's path has '#', '%' and a space", async () => {
    // A copy of the installation (its packages linked) under such a name.
    const root = resolve(import.meta.dirname, '../..')
    const work = mkdtempSync(join(tmpdir(), 'trust-engine-launcher-'))
    dirs.push(work)
    const copy = join(work, 'te #1 %41')
    mkdirSync(copy)
    for (const part of ['bin', 'node', 'protocol', 'sim', 'package.json']) cpSync(join(root, part), join(copy, part), { recursive: true })
    symlinkSync(join(root, 'node_modules'), join(copy, 'node_modules'))
    const { makeGlb } = await import('../../sim/scenes.ts')
    const scene = join(work, 'scene.glb')
    writeFileSync(scene, await makeGlb({ grids: [2] }))
    const env = { ...process.env, TRUST_ENGINE_TS_CACHE_DIR: join(work, 'ts'), TRUST_ENGINE_BUNDLE_DIR: join(work, 'bundle') }
    const cli = (args: string[], more: Record<string, string> = {}): string =>
      execFileSync(process.execPath, [join(copy, 'bin/trust-engine.js'), ...args], { encoding: 'utf8', env: { ...env, ...more } })
    expect(cli(['--version']).trim()).toMatch(/^\d+\.\d+\.\d+/)
    const analysis = cli(['analyze', scene, '--json'], { TRUST_ENGINE_BUNDLE: '0' })
    expect(JSON.parse(analysis)).toHaveProperty('stats.triangles', 8)
    expect(cli(['analyze', scene, '--json'])).toBe(analysis)
  })
})

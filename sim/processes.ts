/**
 * The node processes of a run: node hosts (sim/node-host.ts) started with a
 * spec of one or more nodes each, their ready lines read, killed with SIGKILL
 * and restarted for the `crash` strategy, and their CPU time and resident
 * memory read from /proc (Linux; null elsewhere).
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { NODE, ROOT, type ReadyLine, stopProcess } from './cluster.ts'
import type { HostSpec } from './node-host.ts'

/** The node host entry point. */
export const NODE_HOST = join(ROOT, 'sim/node-host.ts')
/** Node's arguments before a TypeScript entry point: the project's TypeScript from the launcher's cache of stripped sources (bin/ts-cache.js), not Node's stripper. */
export const TS_CACHE_ARGS: readonly string[] = Object.freeze(['--import', join(ROOT, 'bin/ts-cache-register.js')])

/** One running node host. */
export interface HostProcess {
  spec: HostSpec
  specFile: string
  proc: ChildProcess
  ready: ReadyLine[]
  output: () => string
  /** The last of its standard error (up to 4000 characters), ready lines left out. */
  errorTail: () => string
  /** Set by {@link killHost} and {@link stopHost}: an exit from then on is the run's own doing. */
  stopping: boolean
}

/**
 * Why a host that the run did not stop has exited, with the end of its
 * standard error; null while it runs or when the run stopped it.
 */
export function unexpectedExit (h: HostProcess): string | null {
  if (h.stopping || (h.proc.exitCode === null && h.proc.signalCode === null)) return null
  const how = h.proc.signalCode === null ? `with code ${String(h.proc.exitCode)}` : `on ${h.proc.signalCode}`
  const tail = h.errorTail().trim()
  return `node host ${h.spec.nodes.length === 1 ? 'of 1 node' : `of ${h.spec.nodes.length} nodes`} exited ${how} during the run${tail === '' ? '' : `; its last output:\n${tail}`}`
}

/** Starts a node host and resolves once every node in it printed its ready line (rejects with its output if it exits first). */
export async function startHost (dir: string, index: number, spec: HostSpec): Promise<HostProcess> {
  const specFile = join(dir, `host-${index}.json`)
  writeFileSync(specFile, JSON.stringify(spec))
  const proc = spawn(NODE, [...TS_CACHE_ARGS, NODE_HOST, specFile], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  proc.stdout!.on('data', (d: Buffer) => { out += d.toString().slice(-20_000); if (out.length > 40_000) out = out.slice(-20_000) })
  const ready: ReadyLine[] = []
  let err = ''
  await new Promise<void>((resolve, reject) => {
    proc.stderr!.on('data', (d: Buffer) => {
      err += d.toString()
      for (;;) {
        const m = /trust-engine node ready (\{.*\})\n/.exec(err)
        if (m === null) break
        ready.push(JSON.parse(m[1]!) as ReadyLine)
        err = err.slice(m.index + m[0].length)
        if (ready.length === spec.nodes.length) resolve()
      }
      if (err.length > 40_000) err = err.slice(-20_000)
    })
    proc.once('exit', (code) => { reject(new Error(`node host exited with ${String(code)} before it was ready:\n${err.slice(-4000)}`)) })
  })
  return { spec, specFile, proc, ready, output: () => out, errorTail: () => err.slice(-4000), stopping: false }
}

/** Kills a host with SIGKILL and waits until it is gone. */
export async function killHost (h: HostProcess): Promise<void> {
  h.stopping = true
  if (h.proc.exitCode !== null || h.proc.signalCode !== null) return
  const gone = new Promise<void>((resolve) => h.proc.once('exit', () => resolve()))
  h.proc.kill('SIGKILL')
  await gone
}

/** Stops a host with SIGTERM (its nodes stop in order). */
export async function stopHost (h: HostProcess): Promise<void> {
  h.stopping = true
  await stopProcess(h.proc)
}

/** CPU seconds (user + system) and resident memory in bytes of a process, from /proc; null where unavailable. */
export function processUsage (pid: number): { cpuSeconds: number, rssBytes: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    // utime and stime are fields 14 and 15 (1-based) of /proc/PID/stat, in clock ticks (100 per second on Linux).
    const ticks = Number(fields[11]) + Number(fields[12])
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const rss = /VmRSS:\s+(\d+) kB/.exec(status)
    return { cpuSeconds: ticks / 100, rssBytes: rss === null ? 0 : Number(rss[1]) * 1024 }
  } catch {
    return null
  }
}

/**
 * Child processes driven over line-delimited JSON, for benchmarks and tests
 * that need separate OS processes (separate event loops, real sockets).
 *
 * Parent side: {@link spawnJsonLineChild} starts a TypeScript script under
 * Node 22 and returns a handle: `request(cmd, args)` sends
 * `{"id":n,"cmd":...,"args":{...}}` on stdin and resolves with the child's
 * `{"id":n,"ok":true,"result":...}` (or rejects with a `TrustEngineError`
 * carrying the child's error code). Lines with an `event` field are events
 * (`{"event":"ready",...}` first of all). Standard error is kept (its tail)
 * for diagnostics.
 *
 * Child side: {@link serveJsonLines} reads commands, runs the matching
 * handler and writes the reply; {@link emitEvent} writes an event.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { TrustEngineError, isTrustEngineError, declareCode } from '../../../protocol/errors.ts'

/** Code of a child that exited or failed to start. */
export const ERR_CHILD_EXITED = declareCode('ERR_CHILD_EXITED', { status: 500 })
/** Code of a child error that carried no code of its own. */
export const ERR_CHILD_FAILED = declareCode('ERR_CHILD_FAILED', { status: 500 })

/** The repository root (three folders above this file). */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')

/** The Node 22 binary of the repository (the `node` package), or the running one. */
export function nodeBinary (): string {
  const local = join(REPO_ROOT, 'node_modules', '.bin', 'node')
  return existsSync(local) ? local : process.execPath
}

/** One event line of a child. */
export type ChildEvent = Record<string, unknown> & { event: string }

/** Handle of a running child. */
export interface JsonLineChild {
  readonly pid: number
  /** The payload of the child's `ready` event. */
  readonly ready: ChildEvent
  /** Sends a command and resolves with its result. */
  request: <T = unknown>(cmd: string, args?: Record<string, unknown>) => Promise<T>
  /** Registers an event listener; returns its remover. */
  onEvent: (listener: (evt: ChildEvent) => void) => () => void
  /** Resolves with the exit code once the child has exited. */
  readonly exited: Promise<number | null>
  /** Sends `stop`, waits for the exit; kills the child (by its pid) if it has not exited after `graceMs`. */
  stop: (graceMs?: number) => Promise<void>
  /** Kills the child at once (SIGKILL to its pid). */
  kill: () => void
  /** The last few kilobytes of the child's standard error. */
  stderrTail: () => string
}

/** Options of {@link spawnJsonLineChild}. */
export interface SpawnOptions {
  /** Working directory; default the repository root. */
  cwd?: string
  /** Extra environment variables. */
  env?: Record<string, string>
}

const STDERR_TAIL_BYTES = 8192

/**
 * Starts `script` (a path relative to the repository root, or absolute)
 * with `args` and resolves once it emitted its `ready` event. Rejects with
 * `ERR_CHILD_EXITED` if it exits first.
 */
export async function spawnJsonLineChild (script: string, args: string[], options: SpawnOptions = {}): Promise<JsonLineChild> {
  const cwd = options.cwd ?? REPO_ROOT
  const child: ChildProcess = spawn(nodeBinary(), [script, ...args], {
    cwd,
    env: { ...process.env, ...options.env },
    stdio: ['pipe', 'pipe', 'pipe']
  })
  let stderr = ''
  // A child that died mid-write must not crash the parent with EPIPE; its exit is reported instead.
  child.stdin!.on('error', () => {})
  child.stderr!.setEncoding('utf8')
  child.stderr!.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_TAIL_BYTES)
  })
  const pending = new Map<number, { resolve: (v: unknown) => void, reject: (e: Error) => void }>()
  const listeners = new Set<(evt: ChildEvent) => void>()
  let nextId = 1
  let exitCode: number | null | undefined
  const exited = new Promise<number | null>((resolve) => {
    child.on('exit', (code) => {
      exitCode = code
      for (const p of pending.values()) p.reject(new TrustEngineError(ERR_CHILD_EXITED, `child exited (${String(code)}) before answering`))
      pending.clear()
      resolve(code)
    })
  })
  createInterface({ input: child.stdout! }).on('line', (line) => {
    let msg: Record<string, unknown>
    try {
      msg = JSON.parse(line) as Record<string, unknown>
    } catch {
      return
    }
    if (typeof msg.event === 'string') {
      for (const l of listeners) l(msg as ChildEvent)
      return
    }
    const p = typeof msg.id === 'number' ? pending.get(msg.id) : undefined
    if (p === undefined) return
    pending.delete(msg.id as number)
    if (msg.ok === true) p.resolve(msg.result)
    else p.reject(new TrustEngineError(typeof msg.code === 'string' ? msg.code : ERR_CHILD_FAILED, typeof msg.message === 'string' ? msg.message : 'child command failed'))
  })

  const ready = await new Promise<ChildEvent>((resolve, reject) => {
    const remove = (): void => { listeners.delete(onReady) }
    const onReady = (evt: ChildEvent): void => {
      if (evt.event === 'ready') { remove(); resolve(evt) }
    }
    listeners.add(onReady)
    void exited.then((code) => { remove(); reject(new TrustEngineError(ERR_CHILD_EXITED, `child exited (${String(code)}) before ready: ${stderr.slice(-2000)}`)) })
  })

  const kill = (): void => {
    if (exitCode === undefined && child.pid !== undefined) process.kill(child.pid, 'SIGKILL')
  }
  return {
    pid: child.pid!,
    ready,
    exited,
    stderrTail: () => stderr,
    kill,
    onEvent: (listener) => {
      listeners.add(listener)
      return () => { listeners.delete(listener) }
    },
    request: async <T>(cmd: string, cmdArgs: Record<string, unknown> = {}): Promise<T> => {
      if (exitCode !== undefined) throw new TrustEngineError(ERR_CHILD_EXITED, 'child has exited')
      const id = nextId++
      const answer = new Promise<unknown>((resolve, reject) => { pending.set(id, { resolve, reject }) })
      child.stdin!.write(JSON.stringify({ id, cmd, args: cmdArgs }) + '\n')
      return await answer as T
    },
    stop: async (graceMs = 10_000): Promise<void> => {
      if (exitCode !== undefined) return
      const id = nextId++
      pending.set(id, { resolve: () => {}, reject: () => {} })
      child.stdin!.write(JSON.stringify({ id, cmd: 'stop', args: {} }) + '\n')
      const timer = setTimeout(kill, graceMs)
      await exited
      clearTimeout(timer)
    }
  }
}

/** A command handler of a child: arguments in, JSON-serialisable result out. */
export type CommandHandler = (args: Record<string, unknown>) => unknown

/**
 * Child side: reads commands from stdin and answers each on stdout. A
 * handler error is answered with its `code` (a `TrustEngineError`'s, else
 * `ERR_CHILD_FAILED`). The `stop` command runs `onStop`, answers, and exits
 * the process with code 0. End of stdin (the parent died) also stops.
 */
export function serveJsonLines (handlers: Record<string, CommandHandler>, onStop: () => Promise<void>): void {
  let stopping = false
  const stop = async (id: unknown): Promise<void> => {
    if (stopping) return
    stopping = true
    try { await onStop() } catch (err) { process.stderr.write(`stop failed: ${String(err)}\n`) }
    if (id !== undefined) writeLine({ id, ok: true, result: null })
    process.exit(0)
  }
  const rl = createInterface({ input: process.stdin })
  rl.on('line', (line) => {
    let msg: { id?: unknown, cmd?: unknown, args?: unknown }
    try {
      msg = JSON.parse(line) as typeof msg
    } catch {
      return
    }
    if (msg.cmd === 'stop') { void stop(msg.id); return }
    const handler = typeof msg.cmd === 'string' ? handlers[msg.cmd] : undefined
    const args = (typeof msg.args === 'object' && msg.args !== null ? msg.args : {}) as Record<string, unknown>
    Promise.resolve()
      .then(async () => {
        if (handler === undefined) throw new TrustEngineError(ERR_CHILD_FAILED, `unknown command ${String(msg.cmd)}`)
        return await handler(args)
      })
      .then(
        (result) => { writeLine({ id: msg.id, ok: true, result: result ?? null }) },
        (err: unknown) => {
          writeLine({
            id: msg.id,
            ok: false,
            code: isTrustEngineError(err) ? err.code : ERR_CHILD_FAILED,
            message: err instanceof Error ? err.message : String(err)
          })
        }
      )
  })
  rl.on('close', () => { void stop(undefined) })
}

/** Child side: writes one event line (`{"event": name, ...fields}`). */
export function emitEvent (event: string, fields: Record<string, unknown> = {}): void {
  writeLine({ event, ...fields })
}

function writeLine (value: unknown): void {
  process.stdout.write(JSON.stringify(value) + '\n')
}

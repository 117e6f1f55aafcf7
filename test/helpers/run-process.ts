/**
 * A child process run to its end without blocking the test worker's event
 * loop. `spawnSync` and `execFileSync` hold the worker for the child's whole
 * run: vitest's messages to its main process then go unanswered, and when a
 * file's synchronous runs add up past vitest's 60 s message timeout (a busy
 * machine stretches them) the run ends with "Timeout calling onTaskUpdate"
 * errors although every test passed.
 */
import { spawn, type SpawnOptions } from 'node:child_process'

/** How a child process ended, with everything it wrote. */
export interface ProcessResult {
  /** Exit code, null when a signal ended it. */
  status: number | null
  /** The signal that ended it, if one did. */
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

/** Runs `command` with `args` to its end; resolves however it ended (never rejects on a non-zero status). */
export async function runProcess (command: string, args: string[], options: SpawnOptions = {}): Promise<ProcessResult> {
  return await new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] })
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout!.on('data', (b: Buffer) => out.push(b))
    child.stderr!.on('data', (b: Buffer) => err.push(b))
    child.once('error', reject)
    child.once('close', (status, signal) => {
      resolve({ status, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') })
    })
  })
}

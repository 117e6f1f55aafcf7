/**
 * Test helper for crash tests: runs a child process of the project's Node
 * on a script, hands each line it writes to stdout to `onLine`, which kills
 * it (SIGKILL) by calling its `kill` argument at the moment the test wants,
 * and resolves once the child is gone. A child that ends any other way
 * fails the test with its stderr.
 */
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const NODE = join(ROOT, 'node_modules', '.bin', 'node')

/** Runs `script` with `args` until `onLine` kills it with SIGKILL. */
export async function runUntilKilled (script: string, args: string[], onLine: (line: string, kill: () => void) => void): Promise<void> {
  const child = spawn(NODE, [script, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
  const kill = (): void => { child.kill('SIGKILL') }
  let buffered = ''
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString()
    let nl: number
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl)
      buffered = buffered.slice(nl + 1)
      onLine(line, kill)
    }
  })
  const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.on('close', (_code, sig) => { resolve(sig) }))
  if (signal !== 'SIGKILL') throw new Error(`${script} ended without being killed: ${stderr}`)
}

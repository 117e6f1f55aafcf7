/**
 * A command whose output reader went away (`trust-engine sim list | head -1`)
 * ends quietly with exit 0, as other Unix tools end, instead of Node's
 * unhandled `write EPIPE` with its stack and exit 1. The reader here closes
 * its end before the command writes a byte (the command takes far longer to
 * start than the close), so the first write meets EPIPE every time.
 */
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const LAUNCHER = fileURLToPath(new URL('../../../bin/trust-engine.js', import.meta.url))

async function runWithClosedStdout (args: string[]): Promise<{ code: number | null, stderr: string }> {
  const child = spawn(process.execPath, [LAUNCHER, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  child.stdout.destroy()
  let stderr = ''
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
  return await new Promise((resolve) => { child.on('close', (code) => { resolve({ code, stderr }) }) })
}

describe('a command whose output is closed', () => {
  it.each([[['sim', 'list']], [['--help']], [['schedule', '--hours', '3', '--deadline', '2026-12-01T08:00:00Z', '--now', '2026-11-27T10:00:00Z']]])('trust-engine %s ends with 0 and no EPIPE stack', async (args) => {
    const r = await runWithClosedStdout(args)
    expect(r.stderr).not.toContain('EPIPE')
    expect(r.code).toBe(0)
  })
})

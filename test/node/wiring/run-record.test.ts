/**
 * A node's runs in its audit trail, with real node processes: a first
 * start (`node.started`, previousStop `none`), a SIGKILL, a start that
 * records the unclean end (`unclean`), a SIGTERM that exits 0 after
 * `node.stopped` (the jobs open at the stop), and a start that records the
 * clean one (`clean`). The trail verifies at the end.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { listAudit } from '../../../node/store/audit.ts'
import { verifyAudit } from '../../../node/store/audit-verify.ts'
import { openStore } from '../../../node/store/db.ts'

const MAIN = fileURLToPath(new URL('../../../node/cli/main.ts', import.meta.url))
const dataDir = mkdtempSync(join(tmpdir(), 'trust-engine-run-record-'))
afterAll(() => { rmSync(dataDir, { recursive: true, force: true }) })

/** Starts a development node on `dataDir`, waits for its ready line, sends `signal`, and resolves with its exit code (null when killed). */
async function runUntil (signal: NodeJS.Signals): Promise<number | null> {
  const child = spawn(process.execPath, [MAIN, 'node', '--data-dir', dataDir, '--api', 'off', '--log-level', 'silent'], { stdio: ['ignore', 'ignore', 'pipe'] })
  return await new Promise((resolve, reject) => {
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
      if (stderr.includes('trust-engine node ready') && !child.killed) child.kill(signal)
    })
    child.on('error', reject)
    child.on('exit', (code) => {
      if (!stderr.includes('trust-engine node ready')) reject(new Error(`the node did not start: ${stderr}`))
      else resolve(code)
    })
  })
}

describe('the runs of a node in its audit trail', () => {
  it('records each start with how the previous run ended, and a clean stop on SIGTERM (exit 0)', async () => {
    expect(await runUntil('SIGKILL')).toBeNull()
    expect(await runUntil('SIGTERM')).toBe(0)
    expect(await runUntil('SIGTERM')).toBe(0)
    const store = await openStore(join(dataDir, 'db'), { createIfMissing: false })
    try {
      // Nothing was in flight: the drain ended at once (its length by the node's clock, a few ms at most).
      const idle = { end: 'idle', ms: expect.any(Number), finished: 0, abandoned: 0, finishedJobs: [], abandonedJobs: [] }
      const runs = (await listAudit(store, 0, 1000)).filter((e) => e.kind.startsWith('node.')).map((e) => [e.kind, e.data])
      expect(runs).toEqual([
        ['node.started', { previousStop: 'none' }],
        ['node.started', { previousStop: 'unclean' }],
        ['node.stopped', { openJobs: [], more: false, drain: idle }],
        ['node.started', { previousStop: 'clean' }],
        ['node.stopped', { openJobs: [], more: false, drain: idle }]
      ])
      expect(await verifyAudit(store)).toMatchObject({ ok: true })
    } finally {
      await store.close()
    }
  }, 180_000)
})

/**
 * Crash safety: a writer process killed with SIGKILL in the middle of its
 * writes (fsynced or not) loses nothing it reported as committed, and its
 * chain still verifies (and can be extended) after a restart.
 */
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { sha256Hex } from '../../../protocol/hash.ts'
import { listAudit } from '../../../node/store/audit.ts'
import { verifyAudit } from '../../../node/store/audit-verify.ts'
import { jobsRepository } from '../../../node/store/repositories/jobs.ts'
import { runUntilKilled } from '../../helpers/kill-child.ts'
import { removeTempDirs, tempDir, withStore } from './helpers.ts'

afterAll(removeTempDirs)

const WRITER = fileURLToPath(new URL('./fixtures/audit-writer.ts', import.meta.url))

interface Run {
  /** `[seq, hash]` of every entry the child reported as committed. */
  committed: Array<[number, string]>
  signal: NodeJS.Signals | null
}

/** Runs the writer on `dir` and kills it with SIGKILL once it reported `killAfter` commits. */
async function runAndKill (dir: string, killAfter: number, mode: 'sync' | 'nosync'): Promise<Run> {
  const committed: Array<[number, string]> = []
  await runUntilKilled(WRITER, [dir, '100000', mode], (line, kill) => {
    const [seq, hash] = line.split(' ')
    committed.push([Number(seq), hash!])
    if (committed.length === killAfter) kill()
  })
  return { committed, signal: 'SIGKILL' }
}

async function checkCommitted (dir: string, committed: Array<[number, string]>): Promise<number> {
  const db = join(dir, 'db')
  const result = await verifyAudit(db)
  expect(result.ok).toBe(true)
  const length = result.ok ? result.length : 0
  expect(length).toBeGreaterThanOrEqual(committed.length)
  await withStore(db, async (store) => {
    const entries = await listAudit(store, 0, length)
    for (const [seq, hash] of committed) {
      expect(entries[seq]?.hash).toBe(hash)
      expect(await jobsRepository(store).get(sha256Hex(`job ${seq}`))).toEqual({ i: seq })
    }
  })
  return length
}

describe('crash safety', () => {
  it('keeps every reported commit across two kill -9 and restarts', async () => {
    const dir = tempDir()
    const first = await runAndKill(dir, 25, 'sync')
    expect(first.committed.map(([seq]) => seq)).toEqual(first.committed.map((_, i) => i))
    const length = await checkCommitted(dir, first.committed)

    // A restarted writer picks up after the last committed entry. Its writes
    // are not fsynced: a killed process still loses none (they are in the OS
    // page cache); only a machine crash could.
    const second = await runAndKill(dir, 40, 'nosync')
    expect(second.committed[0]![0]).toBe(length)
    await checkCommitted(dir, [...first.committed, ...second.committed])
  })
})

/**
 * LevelDB itself meeting a full file system, on a real one made for the
 * test (a tmpfs mounted on a temporary folder; skipped where mounting is not
 * allowed). The store refuses writes with `ERR_DISK_FULL`, never commits part
 * of a batch nor a broken audit chain, keeps serving reads, and takes writes
 * again when space returns, losing no acknowledged write across a reopen
 * (LevelDB alone, after a failed log write, loses the acknowledged writes
 * that follow it in the same log block). In a node: a job request answers
 * 507 while reads go on, and jobs are taken again when space returns.
 */
import { execFileSync } from 'node:child_process'
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { startApi } from '../../../node/api/server.ts'
import { generateKeyFile } from '../../../node/keys.ts'
import { createNode } from '../../../node/node.ts'
import { AuditLog, auditKey } from '../../../node/store/audit.ts'
import { verifyAudit } from '../../../node/store/audit-verify.ts'
import { openStore } from '../../../node/store/db.ts'
import { generateKeyPair } from '../../../protocol/signing.ts'
import { parseNetwork } from '../../../protocol/network.ts'
import { apiPoster, mountTmpfs, verifyStoppedTrail, untilFinal, uploadFrames } from './full-disk.ts'

const MiB = 1024 * 1024

const roots: string[] = []
/** A fresh tmpfs of `size`, or null where this process may not mount. */
function tmpfs (size: string): string | null {
  const dir = mkdtempSync(join(tmpdir(), 'trust-engine-store-full-'))
  if (!mountTmpfs(dir, size)) { rmSync(dir, { recursive: true, force: true }); return null }
  roots.push(dir)
  return dir
}
afterAll(() => {
  for (const dir of roots) {
    try {
      execFileSync('umount', [dir], { stdio: 'ignore' })
    } catch {
      // A store a failed test left open keeps the mount busy: detach it.
      execFileSync('umount', ['-l', dir], { stdio: 'ignore' })
    }
    rmSync(dir, { recursive: true, force: true })
  }
})

/** Fills the file system of `dir` with a file, in 256 KiB writes until ENOSPC or `leave` bytes would remain (bounded by `max`). */
function fill (path: string, max: number): void {
  const fd = openSync(path, 'w')
  const chunk = Buffer.alloc(256 * 1024, 1)
  try {
    for (let written = 0; written < max; written += chunk.length) writeSync(fd, chunk)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err
  } finally {
    closeSync(fd)
  }
}

const canMount = (() => { const probe = tmpfs('1m'); return probe !== null })()

describe.skipIf(!canMount)('LevelDB on a full file system (skipped where mounting a tmpfs is not allowed)', () => {
  it('refuses writes with ERR_DISK_FULL, commits nothing partial, serves reads, resumes when space returns and loses no acknowledged write', async () => {
    const root = tmpfs('24m')!
    const key = generateKeyPair()
    const location = join(root, 'db')
    // minFreeBytes 0: the store's own guard is off, so LevelDB's log write meets ENOSPC itself.
    let store = await openStore(location, { identity: { publicKey: key.publicKey, networkId: 'full' }, minFreeBytes: 0 })
    try {
      let audit = await AuditLog.open(store, key.privateKey)
      let acked = 0
      const append = async (n: number): Promise<void> => {
        await store.write((batch) => { for (let i = 0; i < 10; i++) audit.append(batch, 'test.entry', { n, i, pad: 'x'.repeat(500) }, 1_700_000_000_000 + n) })
        acked += 10
      }
      for (let n = 0; n < 100; n++) await append(n)
      fill(join(root, 'filler'), 64 * MiB)
      const failures: string[] = []
      for (let n = 100; n < 400 && failures.length < 5; n++) {
        await append(n).catch((err: { code?: string }) => { failures.push(err.code ?? 'none') })
      }
      expect(failures).toEqual(Array(5).fill('ERR_DISK_FULL'))
      // Reads go on, and what is stored is a whole chain of whole batches.
      expect(await store.get(auditKey(0))).not.toBeNull()
      expect(await verifyAudit(store)).toMatchObject({ ok: true, length: acked })
      rmSync(join(root, 'filler'))
      for (let n = 400; n < 450; n++) await append(n)
      await store.close()
      store = await openStore(location, { createIfMissing: false, minFreeBytes: 0 })
      expect(await verifyAudit(store)).toMatchObject({ ok: true, length: acked })
      audit = await AuditLog.open(store, key.privateKey)
      await append(450)
    } finally {
      await store.close()
    }
  }, 120_000)

  it('a node: a job request answers 507 ERR_DISK_FULL below the room LevelDB keeps, reads are served, jobs are taken again when space returns, and the trail verifies', async () => {
    const root = tmpfs('64m')!
    mkdirSync(root, { recursive: true })
    const key = generateKeyFile(join(root, 'key.json'))
    const network = parseNetwork({ networkId: 'store-full', protocolVersion: 1, validators: [{ name: 'node1', publicKey: key.publicKey, weight: 1 }] })
    const node = await createNode({ dataDir: root, keyFile: join(root, 'key.json'), network, logLevel: 'silent', blobs: { minFreeBytes: 16 * MiB }, store: { minFreeBytes: 8 * MiB } })
    const api = await startApi(node, { port: 0 })
    try {
      const post = apiPoster(api.url)
      const { reference, candidate } = await uploadFrames(post)
      const jobBody = JSON.stringify({ kind: 'frames', reference: [reference], candidate: [candidate] })
      const first = await post('/v1/jobs', jobBody, 'application/json')
      expect(first.status).toBe(201)
      expect(await untilFinal(node, first.body.jobId)).toEqual(['validated', true])

      fill(join(root, 'filler'), 128 * MiB)
      // The store reads the free space at most once a second while it saw plenty: wait past that.
      await new Promise((r) => setTimeout(r, 1100))
      const refused = await post('/v1/jobs', jobBody, 'application/json')
      expect([refused.status, refused.body.error.code]).toEqual([507, 'ERR_DISK_FULL'])
      expect((await fetch(`${api.url}/v1/jobs/${first.body.jobId as string}`)).status).toBe(200)
      expect((await fetch(`${api.url}/v1/audit`)).status).toBe(200)
      expect((await fetch(`${api.url}/healthz`)).status).toBe(200)

      rmSync(join(root, 'filler'))
      const again = await post('/v1/jobs', jobBody, 'application/json')
      expect(again.status).toBe(201)
      expect(await untilFinal(node, again.body.jobId)).toEqual(['validated', true])
    } finally {
      await api.close()
      await node.stop()
    }
    expect(await verifyStoppedTrail(root)).toMatchObject({ ok: true })
  }, 300_000)
})

/**
 * Broken storage found at start, on a real node's data folder: a stopped
 * node's LevelDB files are truncated or overwritten (CURRENT, the manifest,
 * a table, the log) or an audit entry is edited under the node's feet, and
 * the next start refuses with `ERR_STORE_CORRUPT` or `ERR_STORE_AUDIT_BROKEN`,
 * naming the repair command. `trust-engine store repair` (run as a process)
 * brings back what LevelDB can still read and says whether the audit trail
 * survived; when it did not, a backup of the data folder is the way back.
 */
import { closeSync, cpSync, openSync, readdirSync, rmSync, statSync, truncateSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { Level } from 'level'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateKeyFile, type KeyFile } from '../../../node/keys.ts'
import { createNode } from '../../../node/node.ts'
import { AuditLog, auditKey } from '../../../node/store/audit.ts'
import { openStore } from '../../../node/store/db.ts'
import { ERR_STORE_AUDIT_BROKEN, ERR_STORE_CORRUPT } from '../../../node/store/errors.ts'
import { verifyAudit } from '../../../node/store/audit-verify.ts'
import { parseNetwork, type NetworkConfig } from '../../../protocol/network.ts'
import { runCliProcess } from '../cli/run-cli.ts'
import { removeTempDirs, tempDir } from './helpers.ts'

let base: string
let key: KeyFile
let network: NetworkConfig
let entries: number

/** A node that started and stopped, then a trail of 3,000 more entries: most in a table (compacted), the last in the log. */
beforeAll(async () => {
  base = tempDir()
  key = generateKeyFile(join(base, 'key.json'))
  network = parseNetwork({ networkId: 'broken-storage', protocolVersion: 1, validators: [{ name: 'node1', publicKey: key.publicKey, weight: 1 }] })
  const node = await createNode({ dataDir: base, keyFile: join(base, 'key.json'), network, logLevel: 'silent' })
  await node.stop()
  const store = await openStore(join(base, 'db'), { createIfMissing: false })
  const audit = await AuditLog.open(store, key.privateKey)
  const appendBatches = async (from: number, count: number): Promise<void> => {
    for (let b = from; b < from + count; b++) {
      await store.write((batch) => { for (let i = 0; i < 10; i++) audit.append(batch, 'test.entry', { b, i, pad: 'x'.repeat(200) }, 1_700_000_000_000 + b) })
    }
  }
  await appendBatches(0, 280)
  await store.compact(Uint8Array.of(0), Uint8Array.of(255))
  await appendBatches(280, 20)
  const result = await verifyAudit(store)
  await store.close()
  if (!result.ok) throw new Error('fixture trail does not verify')
  entries = result.length
}, 120_000)
afterAll(removeTempDirs)

/** A copy of the stopped node's data folder. */
function copy (): string {
  const dir = tempDir()
  cpSync(base, dir, { recursive: true })
  return dir
}

function dbFile (dir: string, test: (name: string) => boolean): string {
  const name = readdirSync(join(dir, 'db')).filter(test).sort((a, b) => statSync(join(dir, 'db', b)).size - statSync(join(dir, 'db', a)).size)[0]
  if (name === undefined) throw new Error('no such file in the fixture')
  return join(dir, 'db', name)
}

function overwrite (path: string, at: number, length: number): void {
  const fd = openSync(path, 'r+')
  try { writeSync(fd, Buffer.alloc(length, 0x5a), 0, length, at) } finally { closeSync(fd) }
}

async function start (dir: string): Promise<void> {
  const node = await createNode({ dataDir: dir, keyFile: join(dir, 'key.json'), network, logLevel: 'silent' })
  await node.stop()
}

async function repair (dir: string): Promise<{ code: number, report: any }> {
  const run = await runCliProcess(['store', 'repair', '--data-dir', dir, '--json'])
  return { code: run.code, report: run.code === 2 ? run.stderr : JSON.parse(run.stdout) }
}

describe('broken storage at start', () => {
  it('a CURRENT file that names no manifest: ERR_STORE_CORRUPT naming the repair; the repair keeps every record and the node starts', async () => {
    const dir = copy()
    overwrite(join(dir, 'db', 'CURRENT'), 0, 5)
    await expect(start(dir)).rejects.toMatchObject({ code: ERR_STORE_CORRUPT, details: { repair: `trust-engine store repair --data-dir ${dir}` } })
    const { code, report } = await repair(dir)
    expect(code).toBe(0)
    expect(report.audit).toMatchObject({ ok: true, length: entries })
    await start(dir)
  }, 120_000)

  it('an empty CURRENT and an overwritten manifest: ERR_STORE_CORRUPT', async () => {
    const a = copy()
    truncateSync(join(a, 'db', 'CURRENT'), 0)
    await expect(start(a)).rejects.toMatchObject({ code: ERR_STORE_CORRUPT })
    const b = copy()
    overwrite(dbFile(b, (n) => n.startsWith('MANIFEST-')), 10, 32)
    await expect(start(b)).rejects.toMatchObject({ code: ERR_STORE_CORRUPT })
    const { code, report } = await repair(b)
    expect([code, report.audit.ok, report.audit.length]).toEqual([0, true, entries])
    await start(b)
  }, 120_000)

  it('a table without CURRENT is not taken for an empty new database', async () => {
    const dir = copy()
    rmSync(join(dir, 'db', 'CURRENT'))
    await expect(start(dir)).rejects.toMatchObject({ code: ERR_STORE_CORRUPT })
  }, 60_000)

  it('a truncated table: ERR_STORE_CORRUPT at start; the repair says the trail lost entries, the node still refuses, a backup brings it back', async () => {
    const dir = copy()
    const table = dbFile(dir, (n) => n.endsWith('.ldb'))
    truncateSync(table, Math.floor(statSync(table).size / 2))
    await expect(start(dir)).rejects.toMatchObject({ code: ERR_STORE_CORRUPT })
    const { code, report } = await repair(dir)
    expect(code).toBe(1)
    expect(report.audit.ok).toBe(false)
    expect(report.scan.records).toBeGreaterThan(0)
    // (The table may have held the identity record too: the repair then cannot check the trail, the node can.)
    await expect(start(dir)).rejects.toMatchObject({ code: ERR_STORE_AUDIT_BROKEN })
    // Restoring the data folder from a backup (here the copy made before the damage).
    rmSync(dir, { recursive: true })
    cpSync(base, dir, { recursive: true })
    await start(dir)
  }, 120_000)

  it('bytes overwritten inside a table: refused, ERR_STORE_CORRUPT or ERR_STORE_AUDIT_BROKEN', async () => {
    const dir = copy()
    const table = dbFile(dir, (n) => n.endsWith('.ldb'))
    overwrite(table, Math.floor(statSync(table).size / 3), 64)
    // A compressed block no longer decompresses (ERR_STORE_CORRUPT); in a block stored uncompressed the audit entries changed no longer hash.
    const err = await start(dir).then(() => null, (e: unknown) => e as { code: string })
    expect([ERR_STORE_CORRUPT, ERR_STORE_AUDIT_BROKEN]).toContain(err?.code)
  }, 60_000)

  it('bytes overwritten inside the log: LevelDB drops the damaged records, and the audit trail no longer verifies', async () => {
    const dir = copy()
    const log = dbFile(dir, (n) => n.endsWith('.log'))
    overwrite(log, 100, 64)
    await expect(start(dir)).rejects.toMatchObject({ code: ERR_STORE_AUDIT_BROKEN })
  }, 60_000)

  it('an audit entry edited in place: the store opens, the node refuses it with ERR_STORE_AUDIT_BROKEN (ERR_AUDIT_HASH at that entry)', async () => {
    const dir = copy()
    const db = new Level<Uint8Array, Uint8Array>(join(dir, 'db'), { keyEncoding: 'view', valueEncoding: 'view' })
    await db.open()
    const k = auditKey(42)
    const entry = JSON.parse(Buffer.from((await db.get(k))!).toString())
    entry.data.pad = 'y'.repeat(200)
    await db.put(k, Buffer.from(JSON.stringify(entry)))
    await db.close()
    await expect(start(dir)).rejects.toMatchObject({ code: ERR_STORE_AUDIT_BROKEN, details: { auditCode: 'ERR_AUDIT_HASH', seq: 42 } })
    const check = await runCliProcess(['store', 'check', '--data-dir', dir, '--json'])
    expect(check.code).toBe(1)
    expect(JSON.parse(check.stdout).audit).toMatchObject({ ok: false, code: 'ERR_AUDIT_HASH', seq: 42 })
  }, 60_000)
})

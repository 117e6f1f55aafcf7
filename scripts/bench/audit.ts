/**
 * Audit trail throughput: appends per second through the store (canonical
 * JSON, sha256, ed25519 signature, signed head, serialized atomic batch)
 * beside raw LevelDB batched puts of values of the same size in batches of
 * the same number of entries, and full verification beside bare ed25519
 * verification. All in temporary folders removed afterwards.
 *
 * Appends are bound by ed25519 signing: one signature per entry plus one for
 * the signed head per batch, so a one-entry batch signs twice (the price of
 * detecting a truncated tail; see docs/store.md).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Level } from 'level'
import { canonicalEncode } from '../../protocol/canonical.ts'
import { generateKeyPair, signBytes, verifyBytes } from '../../protocol/signing.ts'
import { AuditLog, auditSignedBytes } from '../../node/store/audit.ts'
import { verifyAudit } from '../../node/store/audit-verify.ts'
import { openStore, type Store } from '../../node/store/db.ts'
import { measureRate, result, type BenchResult, type BenchSuite } from './types.ts'

const NETWORK_ID = 'bench-net'
const CLOCK_START = 1_700_000_000_000

/** A typical entry: what the node records for a received vote. */
function voteData (i: number): unknown {
  return { jobId: (i % 256).toString(16).padStart(2, '0').repeat(32), voter: 'ab'.repeat(32), metrics: { ssim: 0.987654, psnr: 41.25 }, late: false }
}

interface AuditFixture {
  store: Store
  audit: AuditLog
  /** Appends `batches` batches of `perBatch` entries. */
  append: (batches: number, perBatch: number, sync: boolean) => Promise<void>
}

async function auditFixture (dir: string, key: { publicKey: string, privateKey: string }): Promise<AuditFixture> {
  const store = await openStore(join(dir, 'audit-db'), { identity: { publicKey: key.publicKey, networkId: NETWORK_ID } })
  const audit = await AuditLog.open(store, key.privateKey)
  let time = CLOCK_START
  let i = 0
  return {
    store,
    audit,
    append: async (batches, perBatch, sync) => {
      for (let b = 0; b < batches; b++) {
        await store.write((batch) => {
          for (let k = 0; k < perBatch; k++) audit.append(batch, 'vote.received', voteData(i++), time++)
        }, { sync })
      }
    }
  }
}

interface RawFixture {
  db: Level<Uint8Array, Uint8Array>
  /** Writes `batches` LevelDB batches of `perBatch` puts of `valueBytes`-byte values under 9-byte keys. */
  put: (batches: number, perBatch: number, sync: boolean) => Promise<void>
}

async function rawFixture (dir: string, valueBytes: number): Promise<RawFixture> {
  const db = new Level<Uint8Array, Uint8Array>(join(dir, 'raw-db'), { keyEncoding: 'view', valueEncoding: 'view' })
  await db.open()
  const value = new Uint8Array(valueBytes).fill(0x61)
  let seq = 0
  return {
    db,
    put: async (batches, perBatch, sync) => {
      for (let b = 0; b < batches; b++) {
        const ops = []
        for (let k = 0; k < perBatch; k++) {
          const key = new Uint8Array(9)
          key[0] = 6
          new DataView(key.buffer).setBigUint64(1, BigInt(seq++))
          ops.push({ type: 'put' as const, key, value })
        }
        await db.batch(ops, { sync })
      }
    }
  }
}

/** The audit suite. */
export const auditSuite: BenchSuite = {
  name: 'audit',
  run: async (): Promise<BenchResult[]> => {
    const dir = mkdtempSync(join(tmpdir(), 'trust-engine-bench-audit-'))
    const key = generateKeyPair()
    const out: BenchResult[] = []
    try {
      const audit = await auditFixture(dir, key)
      await audit.append(1, 1, false)
      const sample = (await audit.audit.list(0, 1))[0]!
      const valueBytes = canonicalEncode(sample).length
      const raw = await rawFixture(dir, valueBytes)
      const baseline = `LevelDB batched puts of ${valueBytes}-byte values`

      out.push(result('audit append, 1 per batch', await measureRate(1000, async () => await audit.append(1000, 1, false)), 'entries/s',
        `${baseline}, 1 per batch`, await measureRate(1000, async () => await raw.put(1000, 1, false))))
      out.push(result('audit append, 100 per batch', await measureRate(5000, async () => await audit.append(50, 100, false)), 'entries/s',
        `${baseline}, 100 per batch`, await measureRate(5000, async () => await raw.put(50, 100, false))))
      out.push(result('audit append, 1 per fsynced batch', await measureRate(100, async () => await audit.append(100, 1, true), 3), 'entries/s',
        `${baseline}, 1 per fsynced batch`, await measureRate(100, async () => await raw.put(100, 1, true), 3)))
      await raw.db.close()

      // Verification of a 2000-entry trail beside bare ed25519 verification of as many entry signatures.
      await audit.store.close()
      const verifyDir = join(dir, 'verify-db')
      const vstore = await openStore(verifyDir, { identity: { publicKey: key.publicKey, networkId: NETWORK_ID } })
      const vaudit = await AuditLog.open(vstore, key.privateKey)
      let t = CLOCK_START
      for (let b = 0; b < 20; b++) await vstore.write((batch) => { for (let k = 0; k < 100; k++) vaudit.append(batch, 'vote.received', voteData(b * 100 + k), t++) })
      const signed = Array.from({ length: 2000 }, (_, i) => {
        const bytes = auditSignedBytes(NETWORK_ID, i, 'cd'.repeat(32))
        return { bytes, signature: signBytes(key.privateKey, bytes) }
      })
      const verifyRate = await measureRate(2000, async () => {
        const r = await verifyAudit(vstore)
        if (!r.ok || r.length !== 2000) throw new Error('bench trail does not verify')
      }, 3)
      const bareRate = await measureRate(2000, () => {
        for (const s of signed) if (!verifyBytes(key.publicKey, s.bytes, s.signature)) throw new Error('bad signature')
      }, 3)
      out.push(result('audit verify (2000 entries)', verifyRate, 'entries/s', 'node:crypto ed25519 verify of entry signatures', bareRate))
      await vstore.close()
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
    return out
  }
}

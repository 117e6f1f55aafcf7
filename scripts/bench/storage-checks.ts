/**
 * The cost of the checks that keep broken storage from being used
 * (docs/store.md, "Broken storage"):
 *
 * - a blob read whole (`BlobDir.get`: read, then sha256) beside a plain
 *   read of the same file, for a 4 MiB blob (a large frame or scene);
 * - a blob served to a peer (`BlobDir.open`: hashed before the stream, then
 *   streamed) beside the stream alone;
 * - the node's check at start (`checkStore`: every record read, the audit
 *   trail's hashes and links and its signed head) beside the full
 *   verification with every entry's signature (`trust-engine audit verify`),
 *   on a trail of 20,000 entries.
 */
import { readFile, mkdtemp, rm } from 'node:fs/promises'
import { createReadStream } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BlobDir } from '../../node/p2p/blob-dir.ts'
import { AuditLog } from '../../node/store/audit.ts'
import { verifyAudit } from '../../node/store/audit-verify.ts'
import { openStore } from '../../node/store/db.ts'
import { checkStore } from '../../node/store/integrity.ts'
import { generateKeyPair } from '../../protocol/signing.ts'
import { measureRate, result, type BenchResult, type BenchSuite } from './types.ts'

const BLOB_BYTES = 4 * 1024 * 1024
const ENTRIES = 20_000

async function drain (chunks: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of chunks) { /* read through */ }
}

/** The storage checks suite. */
export const storageChecksSuite: BenchSuite = {
  name: 'storage-checks',
  run: async (): Promise<BenchResult[]> => {
    const dir = await mkdtemp(join(tmpdir(), 'trust-engine-bench-checks-'))
    const out: BenchResult[] = []
    try {
      const blobs = new BlobDir(dir, { minFreeBytes: 0 })
      const bytes = new Uint8Array(BLOB_BYTES)
      for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 2654435761) >>> 24
      const sha = await blobs.put(bytes)
      const path = blobs.pathOf(sha)
      const mib = BLOB_BYTES / (1024 * 1024)
      out.push(result('blob read with hash check (4 MiB)', await measureRate(20 * mib, async () => { for (let i = 0; i < 20; i++) await blobs.get(sha) }), 'MiB/s',
        'plain read of the same file', await measureRate(20 * mib, async () => { for (let i = 0; i < 20; i++) await readFile(path) })))
      out.push(result('blob served with hash check (4 MiB)', await measureRate(20 * mib, async () => { for (let i = 0; i < 20; i++) await drain((await blobs.open(sha))!.chunks) }), 'MiB/s',
        'plain stream of the same file', await measureRate(20 * mib, async () => { for (let i = 0; i < 20; i++) await drain(createReadStream(path, { highWaterMark: 256 * 1024 })) })))

      const key = generateKeyPair()
      const store = await openStore(join(dir, 'db'), { identity: { publicKey: key.publicKey, networkId: 'bench-net' } })
      const audit = await AuditLog.open(store, key.privateKey)
      for (let b = 0; b < ENTRIES / 100; b++) {
        await store.write((batch) => { for (let k = 0; k < 100; k++) audit.append(batch, 'vote.received', { jobId: 'ab'.repeat(32), voter: 'cd'.repeat(32), n: b * 100 + k, metrics: { ssim: 0.987654, psnr: 41.25 } }, 1_700_000_000_000 + b) })
      }
      out.push(result(`store check at start (${ENTRIES} audit entries)`, await measureRate(ENTRIES, async () => { await checkStore(store) }, 3), 'entries/s',
        'audit verify with every signature', await measureRate(ENTRIES, async () => { await verifyAudit(store) }, 3)))
      await store.close()
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
    return out
  }
}

/**
 * The repair path of broken storage (`trust-engine store repair`), on a
 * stopped node's data folder:
 *
 * 1. LevelDB's own repair (classic-level's `repair`, LevelDB's `RepairDB`):
 *    it rebuilds the manifest from every table and log it can still read and
 *    drops what it cannot; what a broken table held is lost.
 * 2. The indexes derived from the records (the job index, the retention
 *    queue and blob references) are dropped and rebuilt from the records
 *    that survived, so no index names a lost record.
 * 3. Every record is read once and the audit trail is verified in full
 *    (every entry's signature): the report says what survived. A trail
 *    that still does not verify is not mended here (that would sign over a
 *    loss): the node keeps refusing to start (`ERR_STORE_AUDIT_BROKEN`) and
 *    the way back is a backup of the data folder.
 * 4. Every blob file is hashed; the ones that do not hash to their name are
 *    quarantined (the node fetches them again from its peers).
 */
import { existsSync } from 'node:fs'
import { Level } from 'level'
import { TrustEngineError } from '../../protocol/errors.ts'
import { BlobDir, type BlobVerifyReport } from '../p2p/blob-dir.ts'
import { verifyAudit, type AuditVerifyResult } from './audit-verify.ts'
import { BUCKETS } from './buckets.ts'
import { openStore, type Store } from './db.ts'
import { dataDirLayout } from './data-dir.ts'
import { ERR_STORE_LOCKED, ERR_STORE_MISSING, ERR_STORE_NO_IDENTITY } from './errors.ts'
import { scanStore, type StoreScan } from './integrity.ts'
import { concatBytes, stringKey } from './key-codec.ts'
import { ensureJobIndex, META_JOB_INDEX } from './repositories/job-index.ts'
import { ensureRetentionIndex, META_RETENTION_INDEX } from './repositories/retention.ts'

/** What {@link repairDataDir} did and found. */
export interface StoreRepairReport {
  /** Records per bucket after the repair. */
  scan: StoreScan
  /** Index entries dropped before the rebuild, and jobs indexed again. */
  indexes: { dropped: number, jobsIndexed: number }
  /** The full verification of the audit trail after the repair. */
  audit: AuditVerifyResult
  /** The blob files hashed and quarantined (null when skipped). */
  blobs: BlobVerifyReport | null
}

/** Options of {@link repairDataDir}. */
export interface StoreRepairOptions {
  /** Hash every blob file too. Default true; false skips a long read of a large blob folder. */
  blobs: boolean
}

/** Defaults of {@link StoreRepairOptions}. */
export const DEFAULT_STORE_REPAIR_OPTIONS: StoreRepairOptions = { blobs: true }

/** The buckets derived from job records, dropped and rebuilt by a repair. */
const DERIVED_BUCKETS = [BUCKETS.jobsByTime, BUCKETS.jobsByStatus, BUCKETS.retentionQueue, BUCKETS.blobRefs]

/** Repairs the store and checks the blobs of the stopped node's data folder `dataDir`. */
export async function repairDataDir (dataDir: string, options: Partial<StoreRepairOptions> = {}): Promise<StoreRepairReport> {
  const opts = { ...DEFAULT_STORE_REPAIR_OPTIONS, ...options }
  const layout = dataDirLayout(dataDir)
  if (!existsSync(layout.db)) throw new TrustEngineError(ERR_STORE_MISSING, `no database at ${layout.db}`)
  await refuseWhenLocked(layout.db)
  // `level` is classic-level in Node.js; its types leave the static repair out.
  await (Level as unknown as { repair: (location: string) => Promise<void> }).repair(layout.db)
  const store = await openStore(layout.db, { createIfMissing: false })
  try {
    const dropped = await dropDerivedIndexes(store)
    const jobsIndexed = await ensureJobIndex(store)
    await ensureRetentionIndex(store)
    const scan = await scanStore(store)
    // Without the identity record (lost with a table) the trail cannot be checked here: the node, which knows its
    // key and network, records them again at its next start and then finds whether the trail verifies.
    const audit: AuditVerifyResult = store.identity === null
      ? { ok: false, code: ERR_STORE_NO_IDENTITY, seq: 0, reason: 'the record of the node identity did not survive the repair' }
      : await verifyAudit(store)
    const blobs = opts.blobs ? await new BlobDir(layout.root).verifyAll() : null
    return { scan, indexes: { dropped, jobsIndexed }, audit, blobs }
  } finally {
    await store.close()
  }
}

/** LevelDB's repair does not take the folder's lock: a running node's folder is refused here. */
async function refuseWhenLocked (location: string): Promise<void> {
  const db = new Level<Uint8Array, Uint8Array>(location, { keyEncoding: 'view', valueEncoding: 'view', createIfMissing: false })
  try {
    await db.open()
  } catch (err) {
    if ((err as { cause?: { code?: string } }).cause?.code === 'LEVEL_LOCKED') {
      throw new TrustEngineError(ERR_STORE_LOCKED, `the database at ${location} is open in another process; stop the node first`, { cause: err })
    }
    // Any other failure is what the repair is for.
    return
  }
  await db.close()
}

async function dropDerivedIndexes (store: Store): Promise<number> {
  let dropped = 0
  for (const bucket of DERIVED_BUCKETS) {
    for (;;) {
      const keys: Uint8Array[] = []
      for await (const [key] of store.iterate({ gte: Uint8Array.of(bucket), lt: Uint8Array.of(bucket + 1), limit: 1000 })) keys.push(key)
      if (keys.length === 0) break
      await store.write((batch) => { for (const key of keys) batch.del(key) })
      dropped += keys.length
    }
  }
  await store.write((batch) => {
    for (const name of [META_JOB_INDEX, META_RETENTION_INDEX]) batch.del(concatBytes(Uint8Array.of(BUCKETS.meta), stringKey.encode(name)))
  })
  return dropped
}

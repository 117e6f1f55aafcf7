/**
 * The check of a store before a node uses it: every record is read once
 * (LevelDB finds a truncated or overwritten table only when a read touches
 * it) and the audit trail is verified (hashes, links, signed head). A
 * failure is `ERR_STORE_CORRUPT` or `ERR_STORE_AUDIT_BROKEN`, each naming
 * the repair path (`trust-engine store repair`, docs/store.md), so a node
 * never starts on, and never extends, storage it cannot trust.
 */
import { TrustEngineError, isTrustEngineError } from '../../protocol/errors.ts'
import { verifyAudit, type AuditVerifyOk } from './audit-verify.ts'
import { BUCKETS } from './buckets.ts'
import { corruptError, repairAdvice, repairCommand } from './corruption.ts'
import type { Store } from './db.ts'
import { ERR_STORE_AUDIT_BROKEN, ERR_STORE_IO } from './errors.ts'

/** Options of {@link checkStore}. */
export interface StoreCheckOptions {
  /**
   * Read every record once. Default true: it is the only way to find a
   * broken table before a job needs it; it costs a read of the whole
   * database (measured in docs/store.md).
   */
  scanRecords: boolean
  /** Verify the audit trail's hashes, links and signed head. Default true: a node must not extend a chain it cannot prove. */
  verifyAudit: boolean
}

/** Defaults of {@link StoreCheckOptions}. */
export const DEFAULT_STORE_CHECK_OPTIONS: StoreCheckOptions = { scanRecords: true, verifyAudit: true }

/** What a scan read: records in all and per bucket name (`unknown` for keys of no bucket). */
export interface StoreScan {
  records: number
  buckets: Record<string, number>
}

/** What {@link checkStore} found (each part null when not asked for). */
export interface StoreCheck {
  scan: StoreScan | null
  audit: AuditVerifyOk | null
}

const BUCKET_NAMES = new Map<number, string>(Object.entries(BUCKETS).map(([name, n]) => [n, name]))

/** Reads every record of the store once; a read LevelDB cannot complete is `ERR_STORE_CORRUPT`. */
export async function scanStore (store: Store): Promise<StoreScan> {
  const buckets: Record<string, number> = {}
  let records = 0
  const snapshot = store.snapshot()
  try {
    for await (const [key] of store.iterate({ snapshot })) {
      const name = BUCKET_NAMES.get(key[0] ?? -1) ?? 'unknown'
      buckets[name] = (buckets[name] ?? 0) + 1
      records++
    }
  } catch (err) {
    // A truncated table reads as an I/O error ("Invalid argument"), an overwritten block as corruption.
    if (isTrustEngineError(err) && err.code === ERR_STORE_IO) throw corruptError(store.location, err.message, err)
    throw err
  } finally {
    await snapshot.close()
  }
  return { records, buckets }
}

/**
 * Checks a store the node is about to use; throws `ERR_STORE_CORRUPT`
 * (unreadable records) or `ERR_STORE_AUDIT_BROKEN` (details: the audit
 * code and the first bad entry), each with the repair advice.
 */
export async function checkStore (store: Store, options: Partial<StoreCheckOptions> = {}): Promise<StoreCheck> {
  const opts = { ...DEFAULT_STORE_CHECK_OPTIONS, ...options }
  const scan = opts.scanRecords ? await scanStore(store) : null
  let audit: AuditVerifyOk | null = null
  if (opts.verifyAudit && store.identity !== null) {
    const result = await verifyAudit(store, undefined, undefined, { signatures: 'head' })
    if (!result.ok) {
      throw new TrustEngineError(ERR_STORE_AUDIT_BROKEN, `the audit trail of the database at ${store.location} does not verify at entry ${result.seq} (${result.code}: ${result.reason}); ${repairAdvice(store.location)}`, { details: { auditCode: result.code, seq: result.seq, repair: repairCommand(store.location) } })
    }
    audit = result
  }
  return { scan, audit }
}

/**
 * What retention (node/wiring/retention.ts) reads to prune decided jobs
 * without scanning every job: two key-only buckets.
 *
 * - `retentionQueue`: `decidedAt ‖ jobId` → null, one entry per decided job
 *   whose blobs, votes and evidence are not pruned yet, oldest decision
 *   first (decidedAt as 8 big-endian bytes). A prune reads the head of the
 *   queue up to the end of the retention period and nothing else; it
 *   deletes the entry in the batch that deletes the job's votes, so a crash
 *   leaves the job either queued with everything or pruned with nothing.
 * - `blobRefs`: `sha256 ‖ jobId` → null, one entry per blob a job names,
 *   written when the job is accepted and deleted when the job is pruned. A
 *   blob whose prefix holds no entry any more is needed by no job this node
 *   keeps: open, or decided within the retention period.
 *
 * Both are written by node/job/job-writes.ts in the batches that accept and
 * decide a job. A store written before they existed is indexed once at
 * start by {@link ensureRetentionIndex}, which records that it did so in the
 * meta bucket.
 */
import { TrustEngineError } from '../../../protocol/errors.ts'
import { BUCKETS } from '../buckets.ts'
import { parseStoredJson } from '../corruption.ts'
import type { Store } from '../db.ts'
import { ERR_STORE_CORRUPT } from '../errors.ts'
import { concatBytes, hex32At, hex32Bytes, prefixEnd, seqBytes, seqFromBytes, stringKey, type KeyCodec } from '../key-codec.ts'
import type { WriteBatch } from '../write-batch.ts'

/** Meta name recording that the retention index covers every job record (value: {@link RETENTION_INDEX_VERSION}). */
export const META_RETENTION_INDEX = 'retention.index'

/** Version of the retention index layout. */
export const RETENTION_INDEX_VERSION = 1

/** Job records indexed per batch while {@link ensureRetentionIndex} builds the index of an older store. */
export const RETENTION_INDEX_BUILD_BATCH = 1000

/** A job waiting in the retention queue. */
export interface RetentionQueueKey {
  /** When the job was decided (ms), or a later time its prune was put off to. */
  decidedAt: number
  /** Job id, 64 hex. */
  jobId: string
}

/** Codec of {@link RetentionQueueKey}: 8 bytes of time, 32 bytes of job id. */
export const retentionQueueKey: KeyCodec<RetentionQueueKey> = {
  encode: (k) => concatBytes(seqBytes(k.decidedAt), hex32Bytes(k.jobId)),
  decode: (bytes) => {
    const decidedAt = bytes.length === 40 ? seqFromBytes(bytes.subarray(0, 8)) : null
    if (decidedAt === null) throw new TrustEngineError(ERR_STORE_CORRUPT, 'stored retention queue key has the wrong length or encoding')
    return { decidedAt, jobId: hex32At(bytes, 8) }
  }
}

/** A job that needs a blob. */
export interface BlobRefKey {
  /** The blob's sha256, 64 hex. */
  sha256: string
  /** Job id, 64 hex. */
  jobId: string
}

/** Codec of {@link BlobRefKey}: 32 bytes of sha256, 32 bytes of job id. */
export const blobRefKey: KeyCodec<BlobRefKey> = {
  encode: (k) => concatBytes(hex32Bytes(k.sha256), hex32Bytes(k.jobId)),
  decode: (bytes) => {
    if (bytes.length !== 64) throw new TrustEngineError(ERR_STORE_CORRUPT, 'stored blob reference key has the wrong length')
    return { sha256: hex32At(bytes, 0), jobId: hex32At(bytes, 32) }
  }
}

/** The full store key of a retention queue entry. */
export function retentionQueueStoreKey (k: RetentionQueueKey): Uint8Array {
  return concatBytes(Uint8Array.of(BUCKETS.retentionQueue), retentionQueueKey.encode(k))
}

/** The full store key of a blob reference. */
export function blobRefStoreKey (k: BlobRefKey): Uint8Array {
  return concatBytes(Uint8Array.of(BUCKETS.blobRefs), blobRefKey.encode(k))
}

/** The distinct blobs a job names (reference then candidate). */
export function blobsOfJob (job: { reference: readonly string[], candidate: readonly string[] }): string[] {
  return [...new Set([...job.reference, ...job.candidate])]
}

/** Adds to `batch` the references of job `jobId` to each of `blobs`. */
export function putBlobRefs (batch: WriteBatch, jobId: string, blobs: readonly string[]): void {
  for (const sha256 of blobs) batch.put(blobRefStoreKey({ sha256, jobId }), null)
}

/** Adds to `batch` the deletes of the references of job `jobId` to each of `blobs`. */
export function delBlobRefs (batch: WriteBatch, jobId: string, blobs: readonly string[]): void {
  for (const sha256 of blobs) batch.del(blobRefStoreKey({ sha256, jobId }))
}

/** Adds to `batch` the retention queue entry of a job decided at `decidedAt`. */
export function queueForRetention (batch: WriteBatch, jobId: string, decidedAt: number): void {
  batch.put(retentionQueueStoreKey({ decidedAt, jobId }), null)
}

/** The jobs that reference blob `sha256` (at most `limit`, in job id order). */
export async function jobsReferencing (store: Store, sha256: string, limit: number): Promise<string[]> {
  const start = concatBytes(Uint8Array.of(BUCKETS.blobRefs), hex32Bytes(sha256))
  const out: string[] = []
  for await (const [key] of store.iterate({ gte: start, lt: prefixEnd(start)!, limit })) out.push(blobRefKey.decode(key.subarray(1)).jobId)
  return out
}

/**
 * Queue entries decided before `before` (exclusive) and after `after`
 * (exclusive; from the head when absent), oldest first, at most `limit`.
 */
export async function retentionQueuePage (store: Store, before: number, after: RetentionQueueKey | undefined, limit: number): Promise<RetentionQueueKey[]> {
  const end = retentionQueueStoreKey({ decidedAt: Math.max(0, before), jobId: '0'.repeat(64) })
  const range = after === undefined
    ? { gte: Uint8Array.of(BUCKETS.retentionQueue), lt: end, limit }
    : { gt: retentionQueueStoreKey(after), lt: end, limit }
  const out: RetentionQueueKey[] = []
  for await (const [key] of store.iterate(range)) out.push(retentionQueueKey.decode(key.subarray(1)))
  return out
}

interface StoredJob { jobId: string, status: string, finalizedAt: number | null, prunedAt: number | null, blobs: string[] }

function storedJobOf (value: unknown): StoredJob | null {
  if (typeof value !== 'object' || value === null) return null
  const v = value as { jobId?: unknown, status?: unknown, finalizedAt?: unknown, prunedAt?: unknown, job?: { reference?: unknown, candidate?: unknown } }
  const list = (x: unknown): string[] => Array.isArray(x) ? x.filter((s): s is string => typeof s === 'string' && /^[0-9a-f]{64}$/.test(s)) : []
  if (typeof v.jobId !== 'string' || !/^[0-9a-f]{64}$/.test(v.jobId) || typeof v.status !== 'string') return null
  return {
    jobId: v.jobId,
    status: v.status,
    finalizedAt: typeof v.finalizedAt === 'number' && Number.isSafeInteger(v.finalizedAt) && v.finalizedAt >= 0 ? v.finalizedAt : null,
    prunedAt: typeof v.prunedAt === 'number' ? v.prunedAt : null,
    blobs: blobsOfJob({ reference: list(v.job?.reference), candidate: list(v.job?.candidate) })
  }
}

/**
 * Makes sure the retention index covers every stored job: when the meta
 * record {@link META_RETENTION_INDEX} is missing or older, writes every job's
 * blob references (but a pruned job's) and queues every decided job not
 * pruned yet, in batches of {@link RETENTION_INDEX_BUILD_BATCH}, then records
 * the version. Runs before the engine starts; a crash half way indexes
 * again (every write is idempotent). Returns how many jobs were indexed
 * (0 when the index was already there).
 */
export async function ensureRetentionIndex (store: Store): Promise<number> {
  const metaKey = concatBytes(Uint8Array.of(BUCKETS.meta), stringKey.encode(META_RETENTION_INDEX))
  const recorded = await store.get(metaKey)
  if (recorded !== null && parseStoredJson(recorded, store.options.maxValueBytes) === RETENTION_INDEX_VERSION) return 0
  const start = Uint8Array.of(BUCKETS.jobs)
  let pending: StoredJob[] = []
  let indexed = 0
  const flush = async (): Promise<void> => {
    const jobs = pending
    pending = []
    await store.write((batch) => {
      for (const job of jobs) {
        if (job.prunedAt !== null) continue
        putBlobRefs(batch, job.jobId, job.blobs)
        if (job.status !== 'pending') queueForRetention(batch, job.jobId, job.finalizedAt ?? 0)
      }
    })
    indexed += jobs.length
  }
  for await (const [, bytes] of store.iterate({ gte: start, lt: prefixEnd(start)! })) {
    const job = storedJobOf(parseStoredJson(bytes, store.options.maxValueBytes))
    if (job !== null) pending.push(job)
    if (pending.length >= RETENTION_INDEX_BUILD_BATCH) await flush()
  }
  await flush()
  await store.write((batch) => { batch.put(metaKey, RETENTION_INDEX_VERSION) }, { sync: true })
  return indexed
}

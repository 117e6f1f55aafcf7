/**
 * The job index: two key-only buckets that give the jobs list newest first,
 * all of them or those of one status, by a bounded reverse LevelDB scan, so
 * a page costs the same at a hundred or a million stored jobs.
 *
 * Keys: `jobsByTime` holds `createdAt ‖ ~jobId`, `jobsByStatus` holds
 * `status ‖ createdAt ‖ ~jobId` (createdAt as 8 big-endian bytes, the job id
 * with every bit inverted). A reverse scan then yields createdAt descending
 * and, within one millisecond, job ids ascending: the order the list had
 * when it sorted every record in memory.
 *
 * The entries are written by `JobsRepository.putRecord` into the same batch
 * as the job record, so a crash never leaves record and index out of step.
 * A store written before the index existed is indexed once at start by
 * {@link ensureJobIndex}, which records that it did so in the meta bucket.
 */
import { TrustEngineError } from '../../../protocol/errors.ts'
import { BUCKETS } from '../buckets.ts'
import type { Store } from '../db.ts'
import { ERR_STORE_CORRUPT } from '../errors.ts'
import { concatBytes, hex32Bytes, seqBytes, stringKey } from '../key-codec.ts'
import type { WriteBatch } from '../write-batch.ts'

/** Statuses the index knows, each with its key byte (never renumber: stored keys carry it). */
export const INDEXED_JOB_STATUSES = ['pending', 'validated', 'rejected', 'disputed'] as const

/** A status the index knows. */
export type IndexedJobStatus = (typeof INDEXED_JOB_STATUSES)[number]

/** What the index keeps of a job record. */
export interface JobIndexFields {
  jobId: string
  createdAt: number
  status: IndexedJobStatus
}

/** Meta name recording that the index covers every job record (value: {@link JOB_INDEX_VERSION}). */
export const META_JOB_INDEX = 'jobs.index'

/** Version of the index layout; a store recorded with another version is indexed again (2: with end markers). */
export const JOB_INDEX_VERSION = 2

/** Records indexed per batch while {@link ensureJobIndex} builds the index of an older store. */
export const JOB_INDEX_BUILD_BATCH = 1000

/** The index fields of a stored job value, or null when it has none (a plain JSON record without job or status). */
export function jobIndexFieldsOf (value: unknown): JobIndexFields | null {
  if (typeof value !== 'object' || value === null) return null
  const v = value as { jobId?: unknown, status?: unknown, job?: { createdAt?: unknown } }
  const createdAt = v.job?.createdAt
  if (typeof v.jobId !== 'string' || typeof createdAt !== 'number' || !Number.isSafeInteger(createdAt) || createdAt < 0) return null
  if (!(INDEXED_JOB_STATUSES as readonly unknown[]).includes(v.status)) return null
  return { jobId: v.jobId, createdAt, status: v.status as IndexedJobStatus }
}

/**
 * Adds to `batch` the index entries of a job record written in it, and the
 * deletes of the entries of the record it replaces (`previous`, null for a
 * new job). Only entries that existed are deleted: a blind delete under
 * every other status would leave tombstones that a status page must step
 * over until compaction, most of all for a rare status.
 */
export function putJobIndex (batch: WriteBatch, fields: JobIndexFields, previous: JobIndexFields | null): void {
  if (previous !== null && (previous.createdAt !== fields.createdAt || previous.status !== fields.status)) {
    const was = timeTail(previous.createdAt, previous.jobId)
    if (previous.createdAt !== fields.createdAt) batch.del(concatBytes(Uint8Array.of(BUCKETS.jobsByTime), was))
    batch.del(concatBytes(Uint8Array.of(BUCKETS.jobsByStatus, statusByte(previous.status)), was))
  }
  const tail = timeTail(fields.createdAt, fields.jobId)
  batch.put(concatBytes(Uint8Array.of(BUCKETS.jobsByTime), tail), null)
  batch.put(concatBytes(Uint8Array.of(BUCKETS.jobsByStatus, statusByte(fields.status)), tail), null)
}

/** Adds to `batch` the deletes of every index entry of a job (with its record). */
export function delJobIndex (batch: WriteBatch, fields: Omit<JobIndexFields, 'status'>): void {
  const tail = timeTail(fields.createdAt, fields.jobId)
  batch.del(concatBytes(Uint8Array.of(BUCKETS.jobsByTime), tail))
  for (const status of INDEXED_JOB_STATUSES) batch.del(concatBytes(Uint8Array.of(BUCKETS.jobsByStatus, statusByte(status)), tail))
}

/** Options of {@link pageJobIndex}. */
export interface JobIndexPageOptions {
  /** Largest number of job ids. */
  limit: number
  /** Only jobs of this status. */
  status?: IndexedJobStatus
  /** Only jobs after this one in the list's order (the last job of the previous page): its createdAt and id. */
  before?: { createdAt: number, jobId: string }
}

/** One page of the index. */
export interface JobIndexPage {
  /** Job ids, newest first (ties by id ascending). */
  jobIds: string[]
  /** Index entries read to make the page (at most `limit`). */
  entriesRead: number
}

/** Reads one page of job ids from the index with a reverse scan bounded by `limit`. */
export async function pageJobIndex (store: Store, options: JobIndexPageOptions): Promise<JobIndexPage> {
  const prefix = options.status === undefined
    ? Uint8Array.of(BUCKETS.jobsByTime)
    : Uint8Array.of(BUCKETS.jobsByStatus, statusByte(options.status))
  const lt = options.before === undefined ? endMarker(prefix) : concatBytes(prefix, timeTail(options.before.createdAt, options.before.jobId))
  const jobIds: string[] = []
  if (options.limit <= 0) return { jobIds, entriesRead: 0 }
  let entriesRead = 0
  for await (const [key] of store.iterate({ gte: prefix, lt, reverse: true, limit: options.limit })) {
    entriesRead++
    if (key.length !== prefix.length + 40) throw new TrustEngineError(ERR_STORE_CORRUPT, 'job index key of the wrong length')
    jobIds.push(Buffer.from(key.subarray(prefix.length + 8).map((b) => ~b & 0xff)).toString('hex'))
  }
  return { jobIds, entriesRead }
}

/**
 * Builds the index of a store written before it existed: one pass over the
 * job records in batches of {@link JOB_INDEX_BUILD_BATCH}, then records
 * {@link META_JOB_INDEX}. Does nothing when the record is there. Run at
 * start, before anything writes jobs; a crash half way simply builds again
 * (the entries are the same). Returns the number of records indexed.
 */
export async function ensureJobIndex (store: Store): Promise<number> {
  const metaKey = concatBytes(Uint8Array.of(BUCKETS.meta), stringKey.encode(META_JOB_INDEX))
  const recorded = await store.get(metaKey)
  if (recorded !== null && Buffer.from(recorded).toString('utf8') === String(JOB_INDEX_VERSION)) return 0
  const jobs = Uint8Array.of(BUCKETS.jobs)
  const range = { gte: jobs, lt: Uint8Array.of(BUCKETS.jobs + 1) }
  let pending: JobIndexFields[] = []
  let indexed = 0
  const flush = async (): Promise<void> => {
    const page = pending
    pending = []
    await store.write((batch) => { for (const f of page) putJobIndex(batch, f, null) })
  }
  for await (const [key, bytes] of store.iterate(range)) {
    let value: unknown
    try {
      value = JSON.parse(Buffer.from(bytes).toString('utf8'))
    } catch (err) {
      throw new TrustEngineError(ERR_STORE_CORRUPT, 'a stored job record is not JSON', { cause: err, details: { key: Buffer.from(key).toString('hex') } })
    }
    const fields = jobIndexFieldsOf(value)
    if (fields === null) continue
    pending.push(fields)
    indexed++
    if (pending.length >= JOB_INDEX_BUILD_BATCH) await flush()
  }
  await store.write((batch) => {
    for (const f of pending) putJobIndex(batch, f, null)
    batch.put(endMarker(Uint8Array.of(BUCKETS.jobsByTime)), null)
    for (const status of INDEXED_JOB_STATUSES) batch.put(endMarker(Uint8Array.of(BUCKETS.jobsByStatus, statusByte(status))), null)
    batch.put(metaKey, JOB_INDEX_VERSION)
  }, { sync: true })
  return indexed
}

/**
 * The end marker of one index range: a live key (`prefix ‖ 0xff × 41`) after
 * every entry of the range, written once by {@link ensureJobIndex} and never
 * deleted. A reverse scan starts by seeking to its upper bound; without a
 * live key there, LevelDB would first step forward over the deletes that
 * follow the range (the pending entries of every decided job, until
 * compaction drops them), a cost that grows with the store.
 */
function endMarker (prefix: Uint8Array): Uint8Array {
  return concatBytes(prefix, new Uint8Array(41).fill(0xff))
}

function statusByte (status: IndexedJobStatus): number {
  return INDEXED_JOB_STATUSES.indexOf(status)
}

function timeTail (createdAt: number, jobId: string): Uint8Array {
  return concatBytes(seqBytes(createdAt), hex32Bytes(jobId).map((b) => ~b & 0xff))
}

/**
 * The blob keeper: who uploaded which blob, what each uploader may park on
 * this node, and the clean-up of uploads no job ever named.
 *
 * An upload through the API is *pending* until a job names it: its sha256,
 * uploader and size are recorded in LevelDB (bucket `blobUploads`) before
 * its file is written, and its bytes count against its uploader's quota
 * (`maxPendingBytesPerUploader`, `ERR_BLOB_UPLOADER_QUOTA`). When the node
 * accepts a job (its own or a peer's), the job's blobs stop being pending:
 * their records are removed and they are kept like every blob of a job,
 * open or decided. A pending upload that no job named within
 * `uploadGraceMs` of its upload or of its last use (a check, read or stream
 * of the blob, e.g. while a job request naming it is admitted) is deleted,
 * file and record, by a sweep every `sweepIntervalMs`; the node's blob quota
 * (node/p2p/blob-dir.ts) gets its bytes back.
 *
 * Blobs written otherwise (fetched from peers for a job, a network-optimized
 * candidate) and bytes uploaded again while already stored are never
 * pending, cost no uploader anything and are never swept here. Blobs stored
 * before the keeper existed have no record and are kept.
 *
 * A deferred (economy) job names its blobs when it is scheduled: they stop
 * being pending then, since its slot may come after the grace period.
 *
 * At open, the records are read into memory and those naming a blob of a
 * stored job or schedule are removed (a crash between a job's acceptance and
 * the removal of its records loses nothing).
 */
import type { Logger } from 'pino'
import { z } from 'zod'
import { TrustEngineError, declareCode } from '../../protocol/errors.ts'
import { sha256Hex } from '../../protocol/hash.ts'
import type { BlobDir } from '../p2p/blob-dir.ts'
import type { Store } from './db.ts'
import { ERR_STORE_BUSY } from './errors.ts'
import { blobUploadsRepository, type BlobUpload } from './repositories/blob-uploads.ts'
import { jobsRepository } from './repositories/jobs.ts'
import { schedulesRepository } from './repositories/schedules.ts'
import type { Repository } from './repository.ts'

/** An upload that would take its uploader's pending bytes over `maxPendingBytesPerUploader`. */
export const ERR_BLOB_UPLOADER_QUOTA = declareCode('ERR_BLOB_UPLOADER_QUOTA', { status: 507 })

/** Policy of the keeper (documented in docs/store.md). */
export interface BlobKeeperOptions {
  /** Bytes of pending uploads (named by no job yet) one uploader may have on this node at once. */
  maxPendingBytesPerUploader: number
  /** How long a pending upload is kept after its upload or last use before it is deleted (ms). */
  uploadGraceMs: number
  /** How often pending uploads are swept (ms). */
  sweepIntervalMs: number
  /** Most pending uploads deleted by one sweep (the rest wait for the next). */
  maxDeletesPerSweep: number
}

/** Defaults of {@link BlobKeeperOptions}. */
export const DEFAULT_BLOB_KEEPER_OPTIONS: BlobKeeperOptions = {
  // 4 GiB: 64 of the largest blobs (64 MiB), a few large scene or frame jobs in preparation;
  // eight such uploaders fill the default node quota of 32 GiB.
  maxPendingBytesPerUploader: 4 * 1024 * 1024 * 1024,
  // An hour: a client uploads then submits within seconds; an hour covers retries,
  // a scheduled (economy) job checked at once, and a person in between.
  uploadGraceMs: 60 * 60 * 1000,
  // A minute: deletion lags the grace period by at most a minute.
  sweepIntervalMs: 60 * 1000,
  // Bounds one sweep's file system work; at one sweep a minute, 60,000 an hour.
  maxDeletesPerSweep: 1000
}

/** Schema of the options (each a positive integer). */
export const blobKeeperOptionsSchema = z.strictObject({
  maxPendingBytesPerUploader: z.int().positive().max(Number.MAX_SAFE_INTEGER),
  uploadGraceMs: z.int().positive().max(365 * 24 * 3600 * 1000),
  sweepIntervalMs: z.int().positive().max(24 * 3600 * 1000),
  maxDeletesPerSweep: z.int().positive().max(1_000_000)
})

/** Code of options that do not satisfy {@link blobKeeperOptionsSchema}. */
export const ERR_BLOB_KEEPER_OPTIONS = declareCode('ERR_BLOB_KEEPER_OPTIONS', { status: 400 })

/** Hooks the node feeds into its metrics; called synchronously, must not throw. */
export interface BlobKeeperMetrics {
  /** The bytes of all pending uploads, after each change. */
  pendingBytes: (bytes: number) => void
  /** Pending uploads deleted by a sweep. */
  deleted: (uploads: number) => void
}

/** A pending upload in memory. */
interface Pending extends BlobUpload {
  /** Last check, read or stream of the blob (ms); the grace period runs from the later of this and the upload. */
  usedAt: number
}

/** What one sweep did. */
export interface SweepResult {
  /** Pending uploads deleted. */
  deleted: number
  /** Bytes given back to the blob quota. */
  bytes: number
}

const blobListsSchema = z.object({ reference: z.array(z.string()), candidate: z.array(z.string()).optional() })
const jobBlobsSchema = z.object({ job: blobListsSchema })
const scheduleBlobsSchema = z.object({ request: blobListsSchema })

/** Keeps the pending uploads of a blob folder; see the module comment. */
export class BlobKeeper {
  readonly options: BlobKeeperOptions
  readonly #dir: BlobDir
  readonly #store: Store
  readonly #uploads: Repository<string, BlobUpload>
  readonly #now: () => number
  readonly #log: Logger | undefined
  readonly #pending = new Map<string, Pending>()
  readonly #byUploader = new Map<string, number>()
  readonly #inflight = new Map<string, Promise<string>>()
  readonly #metrics: BlobKeeperMetrics | undefined
  #pendingTotal = 0
  #timer: NodeJS.Timeout | undefined
  #sweeping: Promise<SweepResult> | undefined
  #stopped = false

  private constructor (dir: BlobDir, store: Store, options: BlobKeeperOptions, now: () => number, logger: Logger | undefined, metrics: BlobKeeperMetrics | undefined) {
    this.#metrics = metrics
    this.#dir = dir
    this.#store = store
    this.#uploads = blobUploadsRepository(store)
    this.options = options
    this.#now = now
    this.#log = logger
    dir.watchAccess((sha) => {
      const p = this.#pending.get(sha)
      if (p !== undefined) p.usedAt = this.#now()
    })
  }

  /**
   * Opens the keeper of `dir` over `store`: reads the pending uploads and
   * drops those a stored job names. Starts no timer (see {@link start}).
   * Throws `ERR_BLOB_KEEPER_OPTIONS` on bad options.
   */
  static async open (init: { dir: BlobDir, store: Store, options?: Partial<BlobKeeperOptions>, now?: () => number, logger?: Logger, metrics?: BlobKeeperMetrics }): Promise<BlobKeeper> {
    const parsed = blobKeeperOptionsSchema.safeParse({ ...DEFAULT_BLOB_KEEPER_OPTIONS, ...stripUndefined(init.options ?? {}) })
    if (!parsed.success) {
      const where = parsed.error.issues.slice(0, 4).map((i) => i.path.join('.')).join(', ')
      throw new TrustEngineError(ERR_BLOB_KEEPER_OPTIONS, `invalid blob keeper options at ${where}`)
    }
    const keeper = new BlobKeeper(init.dir, init.store, parsed.data, init.now ?? Date.now, init.logger, init.metrics)
    await keeper.#load()
    return keeper
  }

  /** Sweeps every `sweepIntervalMs` until {@link stop}. */
  start (): void {
    if (this.#timer !== undefined || this.#stopped) return
    this.#timer = setInterval(() => {
      this.sweep().catch((err: unknown) => { this.#log?.warn({ err: String(err) }, 'blob sweep failed') })
    }, this.options.sweepIntervalMs)
    this.#timer.unref()
  }

  /** Stops sweeping and waits for a sweep in progress. */
  async stop (): Promise<void> {
    this.#stopped = true
    clearInterval(this.#timer)
    await this.#sweeping?.catch(() => {})
  }

  /** Bytes of pending uploads of `uploader`. */
  pendingBytesOf (uploader: string): number {
    return this.#byUploader.get(uploader) ?? 0
  }

  /** True when blob `sha256` is a pending upload (named by no job yet). */
  isPending (sha256: string): boolean {
    return this.#pending.has(sha256)
  }

  /** Bytes of all pending uploads. */
  get pendingBytes (): number {
    return this.#pendingTotal
  }

  /** Number of pending uploads. */
  get pendingCount (): number {
    return this.#pending.size
  }

  /**
   * Stores `bytes` uploaded by `uploader` and returns their sha256. A blob
   * not stored yet becomes a pending upload of `uploader` and counts against
   * its quota (`ERR_BLOB_UPLOADER_QUOTA` when it would go over); a blob
   * already stored costs nothing. The blob folder's own errors (size,
   * `ERR_BLOB_QUOTA`, I/O) pass through, and then nothing is recorded; so
   * does `ERR_STORE_BUSY` (503), when the store's writer has its bound of
   * writes waiting (an upload's record is a client's write: node/store/write-queue.ts).
   */
  async upload (bytes: Uint8Array, uploader: string): Promise<string> {
    const sha256 = sha256Hex(bytes)
    // The same bytes being uploaded at this moment: one upload, one record.
    const running = this.#inflight.get(sha256)
    if (running !== undefined) return await running
    const upload = this.#upload(bytes, sha256, uploader)
    this.#inflight.set(sha256, upload)
    try {
      return await upload
    } finally {
      this.#inflight.delete(sha256)
    }
  }

  async #upload (bytes: Uint8Array, sha256: string, uploader: string): Promise<string> {
    // Already stored (a pending one counts as used again): nothing to charge.
    if (await this.#dir.has(sha256)) return sha256
    // A record whose file is missing (a crash between the two writes) is replaced.
    this.#remove(sha256)
    const size = bytes.byteLength
    const used = this.pendingBytesOf(uploader)
    const limit = this.options.maxPendingBytesPerUploader
    if (used + size > limit) {
      throw new TrustEngineError(ERR_BLOB_UPLOADER_QUOTA, `${uploader} has ${used} bytes of uploads no job names yet; ${size} more would exceed ${limit}`, { details: { used, limit } })
    }
    const now = this.#now()
    const record: BlobUpload = { uploader, bytes: size, uploadedAt: now }
    // Reserved at once, so concurrent uploads of one uploader cannot pass the quota together.
    this.#add(sha256, { ...record, usedAt: now })
    try {
      // The record goes first: a crash leaves a record without a file (swept later), never a file nobody sweeps.
      // A client's write: refused (ERR_STORE_BUSY) while the store's writer is busy, before anything is written.
      await this.#store.write((batch) => { this.#uploads.put(batch, sha256, record) }, { refuseWhenBusy: true })
      await this.#dir.put(bytes, sha256)
    } catch (err) {
      this.#remove(sha256)
      if (!(err instanceof TrustEngineError && err.code === ERR_STORE_BUSY)) {
        await this.#store.write((batch) => { this.#uploads.del(batch, sha256) }).catch(() => {})
      }
      throw err
    }
    return sha256
  }

  /** The blobs a job names: none of them is pending any more (kept like every blob of a job). */
  async referenced (sha256s: readonly string[]): Promise<void> {
    const named = [...new Set(sha256s)].filter((sha) => this.#pending.has(sha))
    if (named.length === 0) return
    for (const sha of named) this.#remove(sha)
    await this.#store.write((batch) => { for (const sha of named) this.#uploads.del(batch, sha) })
  }

  /**
   * Deletes pending uploads whose grace period is over (at most
   * `maxDeletesPerSweep`), files and records. One sweep at a time.
   */
  async sweep (): Promise<SweepResult> {
    this.#sweeping ??= this.#sweep().finally(() => { this.#sweeping = undefined })
    return await this.#sweeping
  }

  async #sweep (): Promise<SweepResult> {
    const result: SweepResult = { deleted: 0, bytes: 0 }
    const expired: string[] = []
    const now = this.#now()
    for (const [sha, p] of this.#pending) {
      if (expired.length >= this.options.maxDeletesPerSweep) break
      if (Math.max(p.uploadedAt, p.usedAt) + this.options.uploadGraceMs <= now) expired.push(sha)
    }
    for (const sha of expired) {
      // Checked again right before: a use or a job since the list was made keeps the blob. The
      // decision and the start of the deletion are in one synchronous step, so no read, check or
      // put of the blob slips between them (the blob folder reads it as absent while deleting).
      const p = this.#pending.get(sha)
      if (p === undefined || Math.max(p.uploadedAt, p.usedAt) + this.options.uploadGraceMs > this.#now()) continue
      this.#remove(sha)
      const freed = this.#dir.delete(sha)
      result.bytes += await freed
      await this.#store.write((batch) => { this.#uploads.del(batch, sha) })
      result.deleted++
    }
    if (result.deleted > 0) this.#metrics?.deleted(result.deleted)
    if (result.deleted > 0) this.#log?.info({ deleted: result.deleted, bytes: result.bytes }, 'deleted uploads no job named')
    return result
  }

  async #load (): Promise<void> {
    for await (const { key, value } of this.#uploads.entries()) this.#add(key, { ...value, usedAt: value.uploadedAt })
    if (this.#pending.size === 0) return
    const named: string[] = []
    const take = (lists: { reference: string[], candidate?: string[] | undefined }): void => {
      for (const sha of [...lists.reference, ...lists.candidate ?? []]) if (this.#pending.has(sha)) named.push(sha)
    }
    for await (const { value } of jobsRepository(this.#store).entries()) {
      const job = jobBlobsSchema.safeParse(value)
      if (job.success) take(job.data.job)
    }
    for await (const { value } of schedulesRepository(this.#store).entries()) {
      const schedule = scheduleBlobsSchema.safeParse(value)
      if (schedule.success) take(schedule.data.request)
    }
    await this.referenced(named)
  }

  #add (sha256: string, p: Pending): void {
    this.#pending.set(sha256, p)
    this.#byUploader.set(p.uploader, this.pendingBytesOf(p.uploader) + p.bytes)
    this.#pendingTotal += p.bytes
    this.#metrics?.pendingBytes(this.#pendingTotal)
  }

  #remove (sha256: string): void {
    const p = this.#pending.get(sha256)
    if (p === undefined) return
    this.#pending.delete(sha256)
    const left = this.pendingBytesOf(p.uploader) - p.bytes
    if (left > 0) this.#byUploader.set(p.uploader, left)
    else this.#byUploader.delete(p.uploader)
    this.#pendingTotal -= p.bytes
    this.#metrics?.pendingBytes(this.#pendingTotal)
  }
}

function stripUndefined<T extends object> (o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T
}

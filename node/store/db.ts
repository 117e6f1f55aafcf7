/**
 * The node's LevelDB store.
 *
 * Keys are bytes (`bucket ‖ key`, see `buckets.ts`); values are canonical
 * JSON bytes, so a stored record hashes the same on every node. All writes go
 * through {@link Store.write}, which runs one writer at a time (the
 * {@link WriteQueue} of write-queue.ts) and commits its {@link WriteBatch}
 * atomically.
 *
 * LevelDB holds an exclusive lock on its folder: a second open, from this
 * process or another, fails with `ERR_STORE_LOCKED`. So offline tools such as
 * `trust-engine audit verify` work on a stopped node's data folder only.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { Level } from 'level'
import { z } from 'zod'
import { TrustEngineError } from '../../protocol/errors.ts'
import { ERR_DISK_FULL, isNoSpace } from '../files/disk-full.ts'
import { BUCKETS } from './buckets.ts'
import { checkCurrentFile, corruptError, parseStoredJson } from './corruption.ts'
import {
  ERR_STORE_CLOSED, ERR_STORE_CORRUPT, ERR_STORE_BAD_VALUE, ERR_STORE_IDENTITY_MISMATCH, ERR_STORE_IO,
  ERR_STORE_LOCKED, ERR_STORE_MISSING
} from './errors.ts'
import { concatBytes, stringKey } from './key-codec.ts'
import { WriteBatch } from './write-batch.ts'
import { WriteQueue } from './write-queue.ts'
import { WriteRoom } from './write-room.ts'

/** Options of {@link openStore}. */
export interface StoreOptions {
  /** Create the database when the folder holds none. Default true; read-only tools pass false. */
  createIfMissing: boolean
  /** LevelDB block cache in bytes. Default 8 MiB, classic-level's own default. */
  cacheSize: number
  /**
   * Largest value written or read back, in bytes. Default 2 MiB: twice the
   * largest certificate (`MAX_CERTIFICATE_BYTES`, 1 MiB), the largest record
   * the node stores.
   */
  maxValueBytes: number
  /**
   * Bytes a write must find free on the database's file system; below it
   * the write is refused with `ERR_DISK_FULL` before anything is written.
   * Default 64 MiB: LevelDB's compactions write new tables before they
   * delete the old ones (a few MiB each at this node's sizes), and a write
   * or compaction that meets a full file system is what damages a log
   * (docs/store.md). Below the blob folder's 256 MiB, so blobs stop first.
   * 0 turns the check off.
   */
  minFreeBytes: number
  /**
   * How long a reading of the free space is used while it shows more than
   * twice `minFreeBytes` (ms). Default 1000: a statfs per write would double
   * the cost of the smallest writes, and a second of writes of this node
   * (votes, audit entries) is far below 64 MiB.
   */
  freeSpaceCheckMs: number
  /**
   * Writes waiting for the one writer (queued or running) at which a write
   * asked with `refuseWhenBusy` (an API client's) is refused with
   * `ERR_STORE_BUSY`; the node's own writes are never refused. Default 256:
   * a write costs about 0.1 ms (2 ms when synced to disk), so a client's
   * write would wait behind 25 ms to half a second of others; the node's own
   * writes wait at most one per open job's decision queue, and a few of its
   * background passes (docs/bounds.md, "Storage").
   */
  busyWritesWaiting: number
}

/** Defaults of {@link StoreOptions}; each number's origin is on its field. */
export const DEFAULT_STORE_OPTIONS: StoreOptions = {
  createIfMissing: true,
  cacheSize: 8 * 1024 * 1024,
  maxValueBytes: 2 * 1024 * 1024,
  minFreeBytes: 64 * 1024 * 1024,
  freeSpaceCheckMs: 1000,
  busyWritesWaiting: 256
}

/** Options of one write. */
export interface WriteOptions {
  /**
   * fsync LevelDB's log before the write returns. Default false (LevelDB's
   * default): the write survives a crash of the process (it is in the OS page
   * cache) but not of the machine. Set true before an external effect that
   * must never be repeated differently after a restart (CometBFT's rule:
   * persist the signed vote, then send it).
   */
  sync: boolean
  /**
   * A write an API client asked for (an upload's record, a schedule, a
   * cancellation): refused with `ERR_STORE_BUSY` (503), before it is queued
   * and with nothing written, while `busyWritesWaiting` writes wait. Default
   * false: the node's own writes (votes, decisions, audit entries) always wait
   * their turn.
   */
  refuseWhenBusy: boolean
}

/** Defaults of {@link WriteOptions}. */
export const DEFAULT_WRITE_OPTIONS: WriteOptions = { sync: false, refuseWhenBusy: false }

/** The node a store belongs to: its public key and network, recorded at first open. */
export interface StoreIdentity {
  /** Raw 32-byte ed25519 public key, lowercase hex. */
  publicKey: string
  /** Network id, part of every signature's domain. Printable ASCII without spaces, at most 128 characters. */
  networkId: string
}

/** Schema of {@link StoreIdentity}. */
export const StoreIdentitySchema = z.strictObject({
  publicKey: z.string().regex(/^[0-9a-f]{64}$/),
  networkId: z.string().regex(/^[\x21-\x7e]{1,128}$/)
})

/** Meta name under which the store's identity is recorded. */
export const META_IDENTITY = 'identity'

/** A range of full keys to iterate. */
export interface KeyRange {
  gte?: Uint8Array
  gt?: Uint8Array
  lt?: Uint8Array
  lte?: Uint8Array
  /** Largest number of entries; default all. */
  limit?: number
  /** Iterate in descending key order. */
  reverse?: boolean
  /** Read from this snapshot (see {@link Store.snapshot}). */
  snapshot?: StoreSnapshot
}

type Db = Level<Uint8Array, Uint8Array>

/** What classic-level (the `Level` of Node.js) adds to the abstract database and `level`'s types leave out. */
interface Compactable {
  compactRange: (start: Uint8Array, end: Uint8Array) => Promise<void>
  approximateSize: (start: Uint8Array, end: Uint8Array) => Promise<number>
}
/** An explicit read snapshot: reads given it see the store as it was when it was taken. */
export type StoreSnapshot = ReturnType<Db['snapshot']>

/** Options of {@link openStore}: the store options plus the identity to record. */
export interface OpenStoreOptions extends Partial<StoreOptions> {
  /**
   * The node's identity. Recorded (synchronously) when the store has none;
   * when the store already records another, opening fails with
   * `ERR_STORE_IDENTITY_MISMATCH`, so one chain is never signed by two keys.
   */
  identity?: StoreIdentity
}

/**
 * Opens (or creates) the store in the folder `location`.
 * Throws `ERR_STORE_LOCKED` when the folder is open elsewhere, `ERR_STORE_MISSING`
 * when it holds no database and `createIfMissing` is false.
 */
export async function openStore (location: string, options: OpenStoreOptions = {}): Promise<Store> {
  const opts: StoreOptions = {
    createIfMissing: options.createIfMissing ?? DEFAULT_STORE_OPTIONS.createIfMissing,
    cacheSize: options.cacheSize ?? DEFAULT_STORE_OPTIONS.cacheSize,
    maxValueBytes: options.maxValueBytes ?? DEFAULT_STORE_OPTIONS.maxValueBytes,
    minFreeBytes: options.minFreeBytes ?? DEFAULT_STORE_OPTIONS.minFreeBytes,
    freeSpaceCheckMs: options.freeSpaceCheckMs ?? DEFAULT_STORE_OPTIONS.freeSpaceCheckMs,
    busyWritesWaiting: options.busyWritesWaiting ?? DEFAULT_STORE_OPTIONS.busyWritesWaiting
  }
  if (!Number.isSafeInteger(opts.busyWritesWaiting) || opts.busyWritesWaiting < 1) {
    throw new TrustEngineError(ERR_STORE_BAD_VALUE, 'busyWritesWaiting must be a positive integer')
  }
  if (options.identity !== undefined && !StoreIdentitySchema.safeParse(options.identity).success) {
    throw new TrustEngineError(ERR_STORE_BAD_VALUE, 'identity must be { publicKey: 64 hex, networkId: printable ASCII }')
  }
  checkCurrentFile(location)
  if (!opts.createIfMissing && !existsSync(join(location, 'CURRENT'))) {
    throw new TrustEngineError(ERR_STORE_MISSING, `no database at ${location}`)
  }
  const db: Db = new Level<Uint8Array, Uint8Array>(location, {
    keyEncoding: 'view',
    valueEncoding: 'view',
    createIfMissing: opts.createIfMissing,
    cacheSize: opts.cacheSize
  })
  try {
    await db.open()
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause
    if (cause?.code === 'LEVEL_LOCKED') {
      throw new TrustEngineError(ERR_STORE_LOCKED, `the database at ${location} is open in another process or store (LevelDB's exclusive lock); stop the node first`, { cause: err })
    }
    if (cause?.code === 'LEVEL_CORRUPTION') throw corruptError(location, (cause as Error).message, err)
    throw new TrustEngineError(ERR_STORE_IO, `cannot open the database at ${location}`, { cause: err })
  }
  const store = new Store(db, location, opts)
  try {
    await store.initIdentity(options.identity)
  } catch (err) {
    await store.close()
    // The first read of a store LevelDB just opened failing is a broken file (a truncated table reads as "Invalid argument").
    if (err instanceof TrustEngineError && err.code === ERR_STORE_IO) throw corruptError(location, err.message, err)
    throw err
  }
  return store
}

/** An open store. Make one with {@link openStore}. */
export class Store {
  /** Folder of the database. */
  readonly location: string
  /** Options in force. */
  readonly options: Readonly<StoreOptions>
  readonly #db: Db
  #identity: StoreIdentity | null = null
  readonly #queue: WriteQueue
  readonly #room: WriteRoom
  #closing: Promise<void> | null = null

  /** Use {@link openStore}. */
  constructor (db: Db, location: string, options: StoreOptions) {
    this.#db = db
    this.location = location
    this.options = Object.freeze({ ...options })
    this.#queue = new WriteQueue(options.busyWritesWaiting)
    this.#room = new WriteRoom(location, options, async () => {
      try {
        const empty = Uint8Array.of(0)
        await (this.#db as unknown as Compactable).compactRange(empty, empty)
      } catch (err) {
        throw this.#mapError(err, 'log roll-over after a failed write')
      }
    })
  }

  /** The node identity recorded in this store, or null when none was ever recorded. */
  get identity (): StoreIdentity | null {
    return this.#identity
  }

  /** True once {@link close} was called. */
  get closed (): boolean {
    return this.#closing !== null
  }

  /**
   * Runs `fn` with a fresh batch, alone (after every earlier write finished),
   * then commits the batch atomically and returns what `fn` returned. When
   * `fn` throws or the commit fails, nothing of the batch is written and the
   * error propagates. Do not call `write` from inside `fn` (it would wait for
   * itself).
   *
   * Before `fn` runs, the file system must have `minFreeBytes` free, or the
   * write is refused with `ERR_DISK_FULL` (nothing written, `fn` not run);
   * after a failed commit, LevelDB's log is rolled over first (write-room.ts).
   *
   * With `refuseWhenBusy` (an API client's write) the write is refused with
   * `ERR_STORE_BUSY` while `busyWritesWaiting` writes wait (write-queue.ts).
   */
  async write<T> (fn: (batch: WriteBatch) => T | Promise<T>, options: Partial<WriteOptions> = {}): Promise<T> {
    if (this.#closing !== null) throw closedError()
    const run = async (): Promise<T> => {
      await this.#room.make()
      const batch = new WriteBatch(this, this.options.maxValueBytes)
      let result: T
      try {
        result = await fn(batch)
        const ops = batch.seal()
        if (ops.length > 0) {
          const sync = (options.sync ?? DEFAULT_WRITE_OPTIONS.sync) || batch.syncRequired
          await this.#db.batch(ops, { sync }).catch((err: unknown) => {
            this.#room.commitFailed(err)
            throw err
          })
        }
      } catch (err) {
        batch.discard()
        throw this.#mapError(err, 'write')
      }
      batch.committed()
      return result
    }
    return await this.#queue.run(run, options.refuseWhenBusy ?? DEFAULT_WRITE_OPTIONS.refuseWhenBusy)
  }

  /**
   * Writes queued behind the one running, plus that one
   * (`trust_engine_store_writes_waiting`). Only API clients' writes are
   * bounded (`busyWritesWaiting`); the node's own are bounded by their
   * callers (write-queue.ts).
   */
  get writesWaiting (): number {
    return this.#queue.waiting
  }

  /**
   * Throws `ERR_STORE_BUSY` (503) while a write asked with `refuseWhenBusy`
   * would be refused: for a client's request whose write comes later, on a
   * path the node's own work shares (a job submission, written on the job's
   * decision queue like a job learnt from gossip).
   */
  refuseIfBusy (): void {
    if (this.#closing !== null) throw closedError()
    this.#queue.refuseIfBusy()
  }

  /** The stored bytes under the full key `key`, or null. */
  async get (key: Uint8Array, options: { snapshot?: StoreSnapshot } = {}): Promise<Uint8Array | null> {
    if (this.#closing !== null) throw closedError()
    try {
      const value = await this.#db.get(key, options.snapshot === undefined ? {} : { snapshot: options.snapshot })
      return value ?? null
    } catch (err) {
      throw this.#mapError(err, 'read')
    }
  }

  /** Entries `[key, value]` of a key range, in key order (or reverse), read from one snapshot. */
  async * iterate (range: KeyRange): AsyncGenerator<[Uint8Array, Uint8Array]> {
    if (this.#closing !== null) throw closedError()
    const { snapshot, limit, ...bounds } = range
    const it = this.#db.iterator({ ...bounds, limit: limit ?? -1, ...(snapshot === undefined ? {} : { snapshot }) })
    try {
      for (;;) {
        let page: Array<[Uint8Array, Uint8Array]>
        try {
          page = await it.nextv(256)
        } catch (err) {
          throw this.#mapError(err, 'read')
        }
        if (page.length === 0) return
        for (const entry of page) yield entry
      }
    } finally {
      await it.close()
    }
  }

  /** Takes an explicit read snapshot; close it when done (`await snapshot.close()`). */
  snapshot (): StoreSnapshot {
    if (this.#closing !== null) throw closedError()
    return this.#db.snapshot()
  }

  /**
   * Compacts the key range [`start`, `end`) (LevelDB's `CompactRange`, run by
   * classic-level on its thread pool, so the event loop keeps running):
   * rewrites the files holding it without the deleted keys, so what a prune
   * deleted stops costing disk space and scan steps.
   */
  async compact (start: Uint8Array, end: Uint8Array): Promise<void> {
    if (this.#closing !== null) throw closedError()
    try {
      await (this.#db as unknown as Compactable).compactRange(start, end)
    } catch (err) {
      throw this.#mapError(err, 'compaction')
    }
  }

  /** LevelDB's estimate of the bytes on disk of the key range [`start`, `end`). */
  async approximateSize (start: Uint8Array, end: Uint8Array): Promise<number> {
    if (this.#closing !== null) throw closedError()
    try {
      return await (this.#db as unknown as Compactable).approximateSize(start, end)
    } catch (err) {
      throw this.#mapError(err, 'size estimate')
    }
  }

  /** Closes the store after the writes already queued; safe to call more than once. */
  async close (): Promise<void> {
    if (this.#closing === null) {
      this.#closing = (async () => {
        await this.#queue.idle()
        await this.#db.close()
      })()
    }
    await this.#closing
  }

  /** Reads the recorded identity and records `given` when none is. Used once by {@link openStore}. */
  async initIdentity (given: StoreIdentity | undefined): Promise<void> {
    const key = concatBytes(Uint8Array.of(BUCKETS.meta), stringKey.encode(META_IDENTITY))
    const bytes = await this.get(key)
    if (bytes !== null) {
      const parsed = StoreIdentitySchema.safeParse(parseStoredJson(bytes, this.options.maxValueBytes))
      if (!parsed.success) throw new TrustEngineError(ERR_STORE_CORRUPT, 'the recorded store identity is malformed')
      const recorded = parsed.data
      if (given !== undefined && (given.publicKey !== recorded.publicKey || given.networkId !== recorded.networkId)) {
        throw new TrustEngineError(ERR_STORE_IDENTITY_MISMATCH, `the store at ${this.location} belongs to key ${recorded.publicKey} in network ${recorded.networkId}`)
      }
      this.#identity = recorded
    } else if (given !== undefined) {
      const identity = { publicKey: given.publicKey, networkId: given.networkId }
      await this.write((batch) => { batch.put(key, identity) }, { sync: true })
      this.#identity = identity
    }
  }

  #mapError (err: unknown, what: string): unknown {
    if (err instanceof TrustEngineError) return err
    if (this.#closing !== null || (err as { code?: string }).code === 'LEVEL_DATABASE_NOT_OPEN') return closedError(err)
    if ((err as { code?: string }).code === 'LEVEL_CORRUPTION') return corruptError(this.location, (err as Error).message, err)
    if (isNoSpace(err)) return new TrustEngineError(ERR_DISK_FULL, `database ${what} failed: the file system of ${this.location} is full`, { cause: err })
    return new TrustEngineError(ERR_STORE_IO, `database ${what} failed: ${(err as Error).message}`, { cause: err })
  }
}

function closedError (cause?: unknown): TrustEngineError {
  return new TrustEngineError(ERR_STORE_CLOSED, 'the store is closed', cause === undefined ? {} : { cause })
}

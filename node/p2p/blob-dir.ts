/**
 * Content-addressed blob storage in a directory: the blob with sha256
 * `aabbcc…` lives at `<dataDir>/blobs/aa/bb/aabbcc…`.
 *
 * A blob is written to a temporary file in `<dataDir>/blobs/tmp/`, fsynced,
 * then renamed to its name (and the folder fsynced), so a crash leaves either
 * no blob or the whole blob, never a partial one under a valid name. The hash
 * is checked before the write, and a stored blob is hashed again at every
 * read, whole (`get`, what measurement and admission use) or served to a
 * peer (`open`, hashed before its first byte is sent): a blob truncated or
 * altered on disk is never measured nor served. It is moved aside to
 * `<dataDir>/blobs/quarantine/` (at most `maxQuarantined` files kept, the
 * oldest deleted first), the quarantine listener hears it (a metric and a
 * log line), and it reads as absent, so the node fetches it again from its
 * peers when a job needs it. `verifyAll` hashes every blob (the offline
 * `trust-engine store repair`).
 *
 * A put that would leave less than `minFreeBytes` free on the file system
 * is refused (`ERR_DISK_FULL`, also the code of a write that met ENOSPC or
 * EDQUOT): blobs are what fills a verifier's disk, and stopping them while
 * space remains keeps room for the small LevelDB writes that decide jobs
 * and append the audit trail, whose failure would stop the node. The check
 * reads the file system's free space at each put, so a put succeeds again
 * as soon as space returns.
 *
 * `delete` removes a blob and gives its bytes back to the quota; while it
 * runs, the blob reads as absent and a put of the same bytes waits for it,
 * so a put never ends with its blob deleted under it. An access listener
 * (`watchAccess`) hears every read or check of a blob, before any I/O.
 */
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { mkdir, readdir, readFile, rename, stat, statfs, unlink } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { TrustEngineError } from '../../protocol/errors.ts'
import { sha256Hex } from '../../protocol/hash.ts'
import { writeFileAtomic } from '../files/write-atomic.ts'
import type { BlobSource } from './blob-protocol.ts'
import { DEFAULT_BLOB_TRANSFER_OPTIONS } from './blob-protocol.ts'
import { ERR_BLOB_HASH, ERR_BLOB_ID, ERR_BLOB_IO, ERR_BLOB_QUOTA, ERR_BLOB_TOO_LARGE, ERR_DISK_FULL } from './errors.ts'

/** Options of a {@link BlobDir}. */
export interface BlobDirOptions {
  /** Largest blob stored or read. */
  maxBlobBytes: number
  /** Most bytes of blobs stored in all; a put beyond it is refused (`ERR_BLOB_QUOTA`). */
  maxTotalBytes: number
  /** Bytes a put must leave free on the file system of the blob folder; a put that would leave less is refused (`ERR_DISK_FULL`). */
  minFreeBytes: number
  /** Quarantined files kept for inspection; the oldest beyond it are deleted. */
  maxQuarantined: number
}

/** Defaults of {@link BlobDirOptions}. */
export const DEFAULT_BLOB_DIR_OPTIONS: BlobDirOptions = {
  // The blob protocol's limit: anything storable can be served, and the reverse.
  maxBlobBytes: DEFAULT_BLOB_TRANSFER_OPTIONS.maxBlobBytes,
  // 32 GiB: about 500 of the largest blobs; a disk filled by uploads stops the node's LevelDB too.
  maxTotalBytes: 32 * 1024 * 1024 * 1024,
  // 256 MiB: LevelDB's writes of thousands of decisions, votes and audit entries, and a compaction's
  // new tables, fit; a few of the largest blobs do not take it.
  minFreeBytes: 256 * 1024 * 1024,
  // 16: enough to look at what went wrong on a failing disk, never a second copy of the store.
  maxQuarantined: 16
}

/** Why a blob file was moved aside. */
export type QuarantineReason = 'hash' | 'size'

/** What {@link BlobDir.verifyAll} found. */
export interface BlobVerifyReport {
  /** Blob files hashed. */
  checked: number
  /** Their bytes. */
  bytes: number
  /** Blobs whose file did not hash to its name, now quarantined. */
  quarantined: string[]
}

const SHA256_HEX = /^[0-9a-f]{64}$/

/** A directory of blobs named by their sha256. */
export class BlobDir {
  readonly #root: string
  readonly #tmp: string
  readonly #options: BlobDirOptions
  #used: Promise<number> | undefined
  /** Blobs being deleted → the deletion. */
  readonly #deleting = new Map<string, Promise<number>>()
  #onAccess: (sha256: string) => void = () => {}
  #onQuarantine: (sha256: string, reason: QuarantineReason) => void = () => {}
  #onRemoved: (sha256: string) => void = () => {}

  /** Blobs go under `<dataDir>/blobs`. Nothing is touched until the first call. */
  constructor (dataDir: string, options: Partial<BlobDirOptions> = {}) {
    this.#root = join(dataDir, 'blobs')
    this.#tmp = join(this.#root, 'tmp')
    this.#options = { ...DEFAULT_BLOB_DIR_OPTIONS, ...options }
  }

  /** The file path of blob `sha256` (which need not exist). */
  pathOf (sha256: string): string {
    checkId(sha256)
    return join(this.#root, sha256.slice(0, 2), sha256.slice(2, 4), sha256)
  }

  /** Calls `listener` synchronously with the id of every blob checked, read or opened (one listener; a new one replaces it). */
  watchAccess (listener: (sha256: string) => void): void {
    this.#onAccess = listener
  }

  /** Calls `listener` with every blob moved aside because its file did not hash to its name (one listener; a new one replaces it). */
  watchQuarantine (listener: (sha256: string, reason: QuarantineReason) => void): void {
    this.#onQuarantine = listener
  }

  /** Calls `listener` with every blob whose file left the folder (deleted or quarantined), after it did (one listener; a new one replaces it). */
  watchRemoved (listener: (sha256: string) => void): void {
    this.#onRemoved = listener
  }

  /** Most bytes of blobs stored in all (the option). */
  get maxTotalBytes (): number {
    return this.#options.maxTotalBytes
  }

  /** The folder where blob files that do not hash to their name are moved. */
  get quarantineDir (): string {
    return join(this.#root, 'quarantine')
  }

  /**
   * Moves the file of blob `sha256` aside (it then reads as absent) and
   * tells the quarantine listener. A file already gone is not an error.
   */
  async quarantine (sha256: string, reason: QuarantineReason): Promise<void> {
    const path = this.pathOf(sha256)
    const size = await sizeOf(path)
    if (size === null) return
    try {
      await mkdir(this.quarantineDir, { recursive: true })
      await rename(path, join(this.quarantineDir, `${Date.now()}-${sha256}`))
    } catch (err) {
      if (isNotFound(err)) return
      throw ioError('cannot quarantine blob', err)
    }
    if (this.#used !== undefined) this.#used = this.#used.then((u) => Math.max(0, u - size))
    this.#onRemoved(sha256)
    this.#onQuarantine(sha256, reason)
    const kept = (await readdir(this.quarantineDir).catch(() => [])).sort()
    for (const name of kept.slice(0, Math.max(0, kept.length - this.#options.maxQuarantined))) {
      await unlink(join(this.quarantineDir, name)).catch(() => {})
    }
  }

  /** Hashes every stored blob and quarantines those that do not hash to their name. */
  async verifyAll (): Promise<BlobVerifyReport> {
    const report: BlobVerifyReport = { checked: 0, bytes: 0, quarantined: [] }
    const list = async (dir: string): Promise<string[]> => await readdir(dir).catch(() => [])
    for (const a of await list(this.#root)) {
      if (a.length !== 2) continue
      for (const b of await list(join(this.#root, a))) {
        for (const name of await list(join(this.#root, a, b))) {
          if (!SHA256_HEX.test(name) || name.slice(0, 2) !== a || name.slice(2, 4) !== b) continue
          const { sha256, size } = await hashFile(join(this.#root, a, b, name))
          report.checked++
          report.bytes += size
          if (sha256 !== name) {
            await this.quarantine(name, 'hash')
            report.quarantined.push(name)
          }
        }
      }
    }
    return report
  }

  /** Bytes of blobs stored (read from disk once, then kept up to date). */
  async usedBytes (): Promise<number> {
    this.#used ??= usage(this.#root)
    return await this.#used
  }

  /**
   * Deletes blob `sha256`; returns the bytes freed (0 when it was absent).
   * The quota counts them no more.
   */
  async delete (sha256: string): Promise<number> {
    const path = this.pathOf(sha256)
    const running = this.#deleting.get(sha256)
    if (running !== undefined) return await running
    const deletion = (async () => {
      const size = await sizeOf(path)
      if (size === null) return 0
      try {
        await unlink(path)
      } catch (err) {
        if (isNotFound(err)) return 0
        throw ioError('cannot delete blob', err)
      }
      if (this.#used !== undefined) this.#used = this.#used.then((u) => Math.max(0, u - size))
      this.#onRemoved(sha256)
      return size
    })()
    this.#deleting.set(sha256, deletion)
    try {
      return await deletion
    } finally {
      this.#deleting.delete(sha256)
    }
  }

  /** The stored blob's size in bytes, or null when absent (its hash is checked when it is read). */
  async size (sha256: string): Promise<number | null> {
    const path = this.pathOf(sha256)
    this.#onAccess(sha256)
    if (this.#deleting.has(sha256)) return null
    return await sizeOf(path)
  }

  /** True when the blob is stored. */
  async has (sha256: string): Promise<boolean> {
    const path = this.pathOf(sha256)
    this.#onAccess(sha256)
    if (this.#deleting.has(sha256)) return false
    try {
      return (await stat(path)).isFile()
    } catch (err) {
      if (isNotFound(err)) return false
      throw ioError('cannot stat blob', err)
    }
  }

  /** The blob's bytes after re-checking their hash, or null when absent (or quarantined now: its file did not hash to its name). */
  async get (sha256: string): Promise<Uint8Array | null> {
    const path = this.pathOf(sha256)
    this.#onAccess(sha256)
    if (this.#deleting.has(sha256)) return null
    const size = await sizeOf(path)
    if (size === null) return null
    if (size > this.#options.maxBlobBytes) throw new TrustEngineError(ERR_BLOB_TOO_LARGE, `stored blob of ${size} bytes exceeds ${this.#options.maxBlobBytes}`)
    let bytes: Buffer
    try {
      bytes = await readFile(path)
    } catch (err) {
      if (isNotFound(err)) return null
      throw ioError('cannot read blob', err)
    }
    if (sha256Hex(bytes) !== sha256) {
      await this.quarantine(sha256, 'hash')
      return null
    }
    return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  }

  /**
   * The blob as a stream (size, then chunks), or null when absent. The file
   * is hashed before the stream is made (and quarantined, reading as absent,
   * when it does not hash to its name), so a peer is never sent a broken
   * blob (it would refuse it, after the transfer, and ask another).
   */
  async open (sha256: string): Promise<BlobSource | null> {
    const path = this.pathOf(sha256)
    this.#onAccess(sha256)
    if (this.#deleting.has(sha256)) return null
    const size = await sizeOf(path)
    if (size === null) return null
    // Too large to serve: the size alone lets the server answer `too-large` without reading.
    if (size > this.#options.maxBlobBytes) return { size, chunks: noChunks() }
    let hashed: { sha256: string, size: number }
    try {
      hashed = await hashFile(path)
    } catch (err) {
      if (isNotFound(err)) return null
      throw ioError('cannot read blob', err)
    }
    if (hashed.sha256 !== sha256) {
      await this.quarantine(sha256, 'hash')
      return null
    }
    return { size: hashed.size, chunks: createReadStream(path, { highWaterMark: 256 * 1024 }) }
  }

  /**
   * Stores `bytes` and returns their sha256. When `expectedSha256` is given
   * and differs, throws `ERR_BLOB_HASH` and stores nothing. Storing a blob
   * that is already there is a no-op.
   */
  async put (bytes: Uint8Array, expectedSha256?: string): Promise<string> {
    if (bytes.byteLength > this.#options.maxBlobBytes) {
      throw new TrustEngineError(ERR_BLOB_TOO_LARGE, `blob of ${bytes.byteLength} bytes exceeds ${this.#options.maxBlobBytes}`)
    }
    const sha256 = sha256Hex(bytes)
    if (expectedSha256 !== undefined && expectedSha256 !== sha256) {
      throw new TrustEngineError(ERR_BLOB_HASH, 'bytes do not hash to the expected id')
    }
    await this.#deleting.get(sha256)?.catch(() => {})
    // A file already there is kept only when it is whole (get quarantines a broken one): a put repairs a blob.
    if (await this.has(sha256) && await this.get(sha256) !== null) return sha256
    this.#used ??= usage(this.#root)
    const used = await this.#used
    if (used + bytes.byteLength > this.#options.maxTotalBytes) {
      throw new TrustEngineError(ERR_BLOB_QUOTA, `the blob store holds ${used} bytes; ${bytes.byteLength} more would exceed its quota of ${this.#options.maxTotalBytes}`, { details: { used, limit: this.#options.maxTotalBytes } })
    }
    this.#used = Promise.resolve(used + bytes.byteLength)
    const final = this.pathOf(sha256)
    const finalDir = join(this.#root, sha256.slice(0, 2), sha256.slice(2, 4))
    try {
      await mkdir(this.#tmp, { recursive: true })
      await this.#checkFreeSpace(bytes.byteLength)
      await mkdir(finalDir, { recursive: true })
      await writeFileAtomic(final, bytes, { tmpDir: this.#tmp, syncDir: true })
    } catch (err) {
      this.#used = this.#used.then((u) => u - bytes.byteLength)
      if (err instanceof TrustEngineError) throw err
      throw ioError('cannot store blob', (err as Error).cause ?? err)
    }
    return sha256
  }

  /** Free bytes of the blob folder's file system (for a non-root user: what it may use); the data folder's until the blob folder exists. */
  async freeBytes (): Promise<number> {
    const fs = await statfs(this.#root).catch(async (err: unknown) => {
      if (isNotFound(err)) return await statfs(dirname(this.#root))
      throw err
    })
    return fs.bavail * fs.bsize
  }

  async #checkFreeSpace (size: number): Promise<void> {
    let free: number
    try {
      free = await this.freeBytes()
    } catch (err) {
      throw ioError('cannot read the free space of the blob folder', err)
    }
    if (free - size < this.#options.minFreeBytes) {
      throw new TrustEngineError(ERR_DISK_FULL, `${size} more bytes would leave ${Math.max(0, free - size)} free on the data folder's file system, under the ${this.#options.minFreeBytes} kept free`, { details: { free, size, minFree: this.#options.minFreeBytes } })
    }
  }
}

/** Bytes of the blob files under `root` (`aa/bb/<sha256>`), read once when the first blob is stored. */
async function usage (root: string): Promise<number> {
  let total = 0
  const list = async (dir: string): Promise<string[]> => await readdir(dir).catch(() => [])
  for (const a of await list(root)) {
    if (a.length !== 2) continue
    for (const b of await list(join(root, a))) {
      for (const name of await list(join(root, a, b))) {
        total += (await sizeOf(join(root, a, b, name)).catch(() => null)) ?? 0
      }
    }
  }
  return total
}

/** sha256 and size of the file at `path`, read as a stream (bounded memory whatever its size). */
async function hashFile (path: string): Promise<{ sha256: string, size: number }> {
  const hash = createHash('sha256')
  let size = 0
  for await (const chunk of createReadStream(path, { highWaterMark: 256 * 1024 })) {
    hash.update(chunk as Buffer)
    size += (chunk as Buffer).byteLength
  }
  return { sha256: hash.digest('hex'), size }
}

async function * noChunks (): AsyncGenerator<Uint8Array> {}

function checkId (sha256: string): void {
  if (!SHA256_HEX.test(sha256)) throw new TrustEngineError(ERR_BLOB_ID, 'blob id must be 64 lowercase hex characters')
}

function isNotFound (err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'ENOENT'
}

function ioError (message: string, cause: unknown): TrustEngineError {
  const code = (cause as NodeJS.ErrnoException | undefined)?.code
  if (code === 'ENOSPC' || code === 'EDQUOT') return new TrustEngineError(ERR_DISK_FULL, `${message}: the data folder's file system is full (${code})`, { cause })
  return new TrustEngineError(ERR_BLOB_IO, `${message}${code === undefined ? '' : ` (${code})`}`, { cause })
}

/** Size of the file at `path`, or null when there is none. */
async function sizeOf (path: string): Promise<number | null> {
  try {
    return (await stat(path)).size
  } catch (err) {
    if (isNotFound(err)) return null
    throw ioError('cannot stat blob', err)
  }
}

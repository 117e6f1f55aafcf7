/**
 * The room a store's write needs on its file system, checked before each
 * write (node/store/db.ts runs it inside the one writer).
 *
 * Before a write, the file system must have `minFreeBytes` free, or the
 * write is refused with `ERR_DISK_FULL` (nothing written). The free space is
 * read with statfs at most every `freeSpaceCheckMs` while it shows more than
 * twice `minFreeBytes`, and before every write below that.
 *
 * A commit that fails (a full file system: `ERR_DISK_FULL`) may leave a
 * torn record in LevelDB's log, and LevelDB keeps appending to that log: at
 * the next open it would drop the torn record and every record after it in
 * the same 32 KiB block, acknowledged writes included. So after a failed
 * commit no write is taken until the log has been rolled over (a memtable
 * flush, through `compactRange` on an empty range: the records in memory go
 * to a table, a fresh log begins, the torn one is deleted), which the next
 * write does as soon as the space is there.
 */
import { statfs } from 'node:fs/promises'
import { TrustEngineError } from '../../protocol/errors.ts'
import { ERR_DISK_FULL } from '../files/disk-full.ts'

/** Free bytes the roll-over of LevelDB's log after a failed commit needs: its write buffer (4 MiB) as a table, twice. */
const ROLL_OVER_MIN_FREE_BYTES = 8 * 1024 * 1024

/** The free-space check and the roll-over after a failed commit of one store. */
export class WriteRoom {
  readonly #location: string
  readonly #options: { minFreeBytes: number, freeSpaceCheckMs: number }
  readonly #rollOver: () => Promise<void>
  /** Free bytes at the last reading, and when it was taken (performance.now()). */
  #free = { bytes: Infinity, at: -Infinity }
  /** The failure of the last commit, until the log has been rolled over. */
  #failedCommit: unknown = null

  /** `location`: the database's folder; `rollOver`: starts a fresh LevelDB log (throws a typed error when it fails). */
  constructor (location: string, options: { minFreeBytes: number, freeSpaceCheckMs: number }, rollOver: () => Promise<void>) {
    this.#location = location
    this.#options = options
    this.#rollOver = rollOver
  }

  /** Records a failed commit: the next {@link make} rolls the log over first. */
  commitFailed (err: unknown): void {
    this.#failedCommit = err
  }

  /**
   * Refuses a write (`ERR_DISK_FULL`) while the file system has less than
   * `minFreeBytes` free, and rolls LevelDB's log over after a failed commit
   * before the next one.
   */
  async make (): Promise<void> {
    const { minFreeBytes, freeSpaceCheckMs } = this.#options
    const now = performance.now()
    const fresh = now - this.#free.at < freeSpaceCheckMs && this.#free.bytes >= 2 * minFreeBytes
    // After a failed commit the roll-over writes the records in memory to a table (up to LevelDB's 4 MiB
    // write buffer): it is tried only with room for it, since a flush that fails stops LevelDB's writes for good.
    const needed = this.#failedCommit === null ? minFreeBytes : Math.max(minFreeBytes, ROLL_OVER_MIN_FREE_BYTES)
    if (needed > 0 && (!fresh || this.#failedCommit !== null)) {
      // A file system that cannot be read is no reason to stop writing: LevelDB's own errors still stop a write.
      const fs = await statfs(this.#location).catch(() => null)
      this.#free = { bytes: fs === null ? Infinity : fs.bavail * fs.bsize, at: now }
      if (this.#free.bytes < needed) {
        throw new TrustEngineError(ERR_DISK_FULL, `${this.#free.bytes} bytes free on the file system of the database at ${this.#location}, under the ${needed} a write needs`, { details: { free: this.#free.bytes, minFree: needed } })
      }
    }
    if (this.#failedCommit === null) return
    await this.#rollOver()
    this.#failedCommit = null
  }
}

/**
 * The node's budget of blob bytes in memory (docs/decisions.md, "Fetched blob
 * bytes are bounded by a budget"): a byte semaphore shared by the blob
 * transfers of every job (node/wiring/blob-port.ts reserves, for each
 * transfer from peers, the size the peer declared, at most the largest blob,
 * before reading the bytes, until the blob is on disk) and by every job's
 * measurement (own-vote.ts reserves the job's blob bytes, read back from
 * disk, for its input check and its measurement). So the bytes held are
 * bounded by `maxBytes` whatever the number of open jobs; a single
 * reservation larger than the whole budget is granted only when nothing else
 * is held (a job of larger blobs is measured alone).
 *
 * Each holder holds one reservation at a time and releases it before it
 * asks for another, so waiting never deadlocks. Waiters are served fairly by
 * owner (a job's submitter): the waiter whose owner holds the fewest bytes
 * first, then in arrival order; it alone is considered until it fits, so a
 * large reservation is not overtaken forever. An owner holding anything
 * holds at most `maxBytesPerOwner`, so one submitter's slow transfers or
 * large jobs leave the rest of the budget to the others. A wait ends when
 * its signal aborts (its job's round deadline, the node's stop), with
 * `ERR_BLOB_BUDGET`: the job is then not measured by this node (no vote).
 */
import { TrustEngineError } from '../../protocol/errors.ts'
import { ERR_BLOB_BUDGET } from './errors.ts'

/** Options of the blob budget. */
export interface BlobBudgetOptions {
  /**
   * Blob bytes in memory at most, all jobs together. 256 MiB: four of the
   * largest blobs (64 MiB), as many as the API's uploads in flight, on a
   * container of 1 GiB (docker-compose.network.yml) beside the main heap and
   * two measurement workers, each of which holds a copy of the blobs it
   * measures.
   */
  maxBytes: number
  /** Of which one owner (a job's submitter) holds at most this many once it holds anything. 128 MiB: half, two of the largest blobs. */
  maxBytesPerOwner: number
}

/** Defaults of {@link BlobBudgetOptions}. */
export const DEFAULT_BLOB_BUDGET_OPTIONS: BlobBudgetOptions = { maxBytes: 256 * 1024 * 1024, maxBytesPerOwner: 128 * 1024 * 1024 }

/** A granted reservation; {@link release} gives it back (safe to call twice). */
export interface BlobReservation {
  readonly bytes: number
  release: () => void
}

interface Waiter {
  owner: string
  bytes: number
  seq: number
  grant: () => void
}

/** A byte semaphore for blob bytes in memory. */
export class BlobBudget {
  readonly #options: BlobBudgetOptions
  readonly #byOwner = new Map<string, number>()
  readonly #waiters: Waiter[] = []
  #held = 0
  #seq = 0

  /** A budget of `options.maxBytes` (defaults: {@link DEFAULT_BLOB_BUDGET_OPTIONS}). */
  constructor (options: Partial<BlobBudgetOptions> = {}) {
    this.#options = { ...DEFAULT_BLOB_BUDGET_OPTIONS, ...options }
  }

  /** Bytes reserved now, and bytes waited for. */
  get bytes (): { held: number, waiting: number } {
    return { held: this.#held, waiting: this.#waiters.reduce((a, w) => a + w.bytes, 0) }
  }

  /** Reserves `bytes` for `owner`, waiting for room; rejects with `ERR_BLOB_BUDGET` when `signal` aborts first. */
  async reserve (owner: string, bytes: number, signal: AbortSignal): Promise<BlobReservation> {
    bytes = Math.max(0, Math.ceil(bytes))
    if (signal.aborted) throw budgetAborted()
    await new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { owner, bytes, seq: this.#seq++, grant: () => { signal.removeEventListener('abort', onAbort); resolve() } }
      const onAbort = (): void => {
        const i = this.#waiters.indexOf(waiter)
        if (i < 0) return
        this.#waiters.splice(i, 1)
        reject(budgetAborted())
        // The head may have been this waiter: the next one may fit now.
        this.#dispatch()
      }
      signal.addEventListener('abort', onAbort, { once: true })
      this.#waiters.push(waiter)
      this.#dispatch()
    })
    let released = false
    return {
      bytes,
      release: () => {
        if (released) return
        released = true
        this.#held -= bytes
        const left = (this.#byOwner.get(owner) ?? 0) - bytes
        if (left <= 0) this.#byOwner.delete(owner)
        else this.#byOwner.set(owner, left)
        this.#dispatch()
      }
    }
  }

  /** Grants waiters, fairest first, while the fairest fits. */
  #dispatch (): void {
    while (this.#waiters.length > 0) {
      let next = this.#waiters[0]!
      for (const w of this.#waiters) {
        const a = this.#byOwner.get(w.owner) ?? 0
        const b = this.#byOwner.get(next.owner) ?? 0
        if (a < b || (a === b && w.seq < next.seq)) next = w
      }
      if (!this.#fits(next)) return
      this.#waiters.splice(this.#waiters.indexOf(next), 1)
      this.#held += next.bytes
      this.#byOwner.set(next.owner, (this.#byOwner.get(next.owner) ?? 0) + next.bytes)
      next.grant()
    }
  }

  #fits (w: Waiter): boolean {
    const own = this.#byOwner.get(w.owner) ?? 0
    const total = this.#held === 0 || this.#held + w.bytes <= this.#options.maxBytes
    const share = own === 0 || own + w.bytes <= this.#options.maxBytesPerOwner
    return total && share
  }
}

function budgetAborted (): TrustEngineError {
  return new TrustEngineError(ERR_BLOB_BUDGET, 'the round ended (or the node stopped) while the job waited for the node\'s blob memory budget')
}

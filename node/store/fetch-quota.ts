/**
 * The fetch quota: how many bytes of blobs fetched from peers this node
 * holds for each job submitter, and the share no submitter may go beyond
 * (docs/decisions.md, "Fetched blobs are bounded per submitter").
 *
 * A node fetches and stores the blobs of every job a peer submits, and
 * keeps them until retention prunes the job (`decidedJobsMs` after its
 * decision). Without a bound per submitter, one validator's jobs (64 open at
 * once, each up to 512 MiB) filled the whole blob folder for a week: the
 * node's clients got `ERR_BLOB_QUOTA` and every other validator's jobs
 * failed to fetch their blobs there.
 *
 * Each submitter may hold at most `shareBytes` of fetched blobs (by default
 * {@link fetchShareOf}: three quarters of the folder's `maxTotalBytes`
 * divided equally among the network's validators; the last quarter is kept
 * for the node's own clients' uploads). A fetch is charged to the submitter
 * of the job it is for: {@link reserve} before the bytes are read (the size
 * the peer declared), {@link FetchCharge.commit} once the blob is stored;
 * a reservation that would take the submitter over its share is refused
 * with `ERR_BLOB_SUBMITTER_QUOTA`, and the job fails to be measured by this
 * node (no vote), as for any other fetch failure. A blob is charged once, to
 * the first submitter it was fetched for; blobs already stored (uploaded
 * here, or fetched for another job) cost nothing. The charge ends when the
 * blob file is deleted (retention, quarantine): {@link released}.
 *
 * The charges are kept in memory and rebuilt at open from what the store
 * keeps: every blob named by a job not pruned yet (the `blobRefs` index) and
 * present in the folder is charged to the submitter of the first such job
 * (in job id order), but blobs any of the node's own jobs names (its
 * clients' uploads, bounded by the blob keeper). So a
 * restart gives no submitter a fresh share.
 */
import { TrustEngineError, declareCode } from '../../protocol/errors.ts'
import { BUCKETS } from './buckets.ts'
import type { Store } from './db.ts'
import { blobRefKey } from './repositories/retention.ts'

/** A fetch refused because the job's submitter already holds its share of fetched blobs on this node. */
export const ERR_BLOB_SUBMITTER_QUOTA = declareCode('ERR_BLOB_SUBMITTER_QUOTA', { status: 507 })

/** Share of the blob folder kept for the node's own clients' uploads, never taken by fetched blobs. */
export const UPLOAD_RESERVE_FRACTION = 0.25

/**
 * The default share of one submitter: the folder's `maxTotalBytes` but
 * {@link UPLOAD_RESERVE_FRACTION}, divided equally among `validators`.
 */
export function fetchShareOf (maxTotalBytes: number, validators: number): number {
  return Math.floor(maxTotalBytes * (1 - UPLOAD_RESERVE_FRACTION) / Math.max(1, validators))
}

/** A reservation of fetched bytes for a submitter; commit or release it (each at most once; release after commit is a no-op). */
export interface FetchCharge {
  /** The blob is stored with `bytes` bytes: charged to the submitter until it is deleted. */
  commit: (bytes: number) => void
  /** The fetch failed: the reservation is given back. */
  release: () => void
}

/** What {@link FetchQuota.open} rebuilds the charges from. */
export interface FetchQuotaSources {
  store: Pick<Store, 'iterate'>
  /** The submitter of a stored job, or null when the job is unknown. */
  submitterOf: (jobId: string) => Promise<string | null>
  /** Size of a stored blob, or null when absent. */
  sizeOf: (sha256: string) => Promise<number | null>
  /** The node's own key: its jobs' blobs are its clients' uploads, not fetched. */
  ownKey: string
}

/** Per-submitter accounting of fetched blob bytes; see the module comment. */
export class FetchQuota {
  readonly shareBytes: number
  /** Charged blob → its submitter and bytes. */
  readonly #blobs = new Map<string, { submitter: string, bytes: number }>()
  /** Submitter → bytes charged (stored) plus reserved (being fetched). */
  readonly #held = new Map<string, number>()
  /** Bytes charged, all submitters. */
  #total = 0
  #onChange: (totalBytes: number) => void = () => {}

  constructor (shareBytes: number) {
    if (!Number.isSafeInteger(shareBytes) || shareBytes < 0) throw new RangeError('shareBytes must be a non-negative safe integer')
    this.shareBytes = shareBytes
  }

  /** A quota of `shareBytes` with the charges rebuilt from the store's blob references (see the module comment). */
  static async open (shareBytes: number, sources: FetchQuotaSources): Promise<FetchQuota> {
    const quota = new FetchQuota(shareBytes)
    const submitters = new Map<string, string | null>()
    const start = Uint8Array.of(BUCKETS.blobRefs)
    const end = Uint8Array.of(BUCKETS.blobRefs + 1)
    // Blobs one of the node's own jobs names: its clients' uploads, charged to nobody even when a peer's job names them too.
    const own = new Set<string>()
    for await (const [key] of sources.store.iterate({ gte: start, lt: end })) {
      const { sha256, jobId } = blobRefKey.decode(key.subarray(1))
      if (own.has(sha256)) continue
      let submitter = submitters.get(jobId)
      if (submitter === undefined) submitters.set(jobId, submitter = await sources.submitterOf(jobId))
      if (submitter === sources.ownKey) {
        own.add(sha256)
        quota.released(sha256)
        continue
      }
      if (submitter === null || quota.#blobs.has(sha256)) continue
      const bytes = await sources.sizeOf(sha256)
      if (bytes !== null) quota.charge(submitter, sha256, bytes)
    }
    return quota
  }

  /** Bytes of fetched blobs held (and being fetched) for `submitter`. */
  heldBy (submitter: string): number {
    return this.#held.get(submitter) ?? 0
  }

  /** Bytes of fetched blobs stored for all submitters (reservations not included). */
  get totalBytes (): number {
    return this.#total
  }

  /** Calls `listener` synchronously with {@link totalBytes} after each change (one listener; a new one replaces it; must not throw). */
  watch (listener: (totalBytes: number) => void): void {
    this.#onChange = listener
    listener(this.#total)
  }

  /** The submitter blob `sha256` is charged to, or null when it is not a charged fetched blob. */
  chargedTo (sha256: string): string | null {
    return this.#blobs.get(sha256)?.submitter ?? null
  }

  /** Throws `ERR_BLOB_SUBMITTER_QUOTA` when `submitter` has no room left for even one more byte. */
  check (submitter: string): void {
    const held = this.heldBy(submitter)
    if (held >= this.shareBytes) throw quotaError(submitter, held, 1, this.shareBytes)
  }

  /**
   * Reserves `bytes` of `submitter`'s share for the fetch of blob `sha256`;
   * throws `ERR_BLOB_SUBMITTER_QUOTA` when it would go beyond the share.
   */
  reserve (submitter: string, sha256: string, bytes: number): FetchCharge {
    bytes = Math.max(0, Math.ceil(bytes))
    const held = this.heldBy(submitter)
    if (held + bytes > this.shareBytes) throw quotaError(submitter, held, bytes, this.shareBytes)
    this.#add(submitter, bytes)
    let done = false
    const end = (): void => {
      done = true
      this.#add(submitter, -bytes)
    }
    return {
      commit: (stored) => {
        if (done) return
        end()
        this.charge(submitter, sha256, stored)
      },
      release: () => { if (!done) end() }
    }
  }

  /** Charges stored blob `sha256` of `bytes` to `submitter` (no-op when it is charged already). Not checked against the share. */
  charge (submitter: string, sha256: string, bytes: number): void {
    if (this.#blobs.has(sha256)) return
    this.#blobs.set(sha256, { submitter, bytes })
    this.#add(submitter, bytes)
    this.#total += bytes
    this.#onChange(this.#total)
  }

  /** Blob `sha256` left the folder (deleted, quarantined): its submitter is charged for it no more. */
  released (sha256: string): void {
    const b = this.#blobs.get(sha256)
    if (b === undefined) return
    this.#blobs.delete(sha256)
    this.#add(b.submitter, -b.bytes)
    this.#total -= b.bytes
    this.#onChange(this.#total)
  }

  #add (submitter: string, bytes: number): void {
    const left = this.heldBy(submitter) + bytes
    if (left <= 0) this.#held.delete(submitter)
    else this.#held.set(submitter, left)
  }
}

function quotaError (submitter: string, held: number, bytes: number, share: number): TrustEngineError {
  return new TrustEngineError(ERR_BLOB_SUBMITTER_QUOTA, `the submitter's jobs hold ${held} bytes of fetched blobs on this node; ${bytes} more would exceed its share of ${share}`, { details: { submitter, held, bytes, limit: share } })
}

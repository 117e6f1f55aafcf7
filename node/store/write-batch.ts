/**
 * A write batch: the operations of one atomic write to the store.
 *
 * Repositories and the audit trail add their puts and deletes to a batch that
 * {@link Store.write} hands them; the store commits the whole batch with one
 * LevelDB `batch()` call, which LevelDB applies atomically (one record in its
 * write-ahead log). So either every operation of a batch is stored or none is.
 *
 * Values are encoded to canonical JSON when added, so a value that has no
 * canonical encoding fails at the call that adds it, before anything is
 * written, and the stored bytes hash the same on every node.
 */
import { canonicalEncode } from '../../protocol/canonical.ts'
import { TrustEngineError, isTrustEngineError } from '../../protocol/errors.ts'
import { ERR_STORE_BAD_VALUE, ERR_STORE_BATCH_CLOSED } from './errors.ts'

/** One operation of a batch, as handed to LevelDB. */
export type BatchOperation =
  | { type: 'put', key: Uint8Array, value: Uint8Array }
  | { type: 'del', key: Uint8Array }

type State = 'open' | 'sealed' | 'done'

/** The operations of one atomic write. Obtained only inside {@link Store.write}. */
export class WriteBatch {
  /** The store this batch belongs to (an opaque token; a batch is only valid for its own store). */
  readonly owner: object
  readonly #maxValueBytes: number
  /** Operations by key (hex). A later operation on a key replaces the earlier one, as in LevelDB. */
  readonly #ops = new Map<string, BatchOperation>()
  readonly #beforeCommit: Array<() => void> = []
  readonly #afterCommit: Array<() => void> = []
  #syncRequired = false
  #state: State = 'open'

  /** Made by the store; `maxValueBytes` bounds each value. */
  constructor (owner: object, maxValueBytes: number) {
    this.owner = owner
    this.#maxValueBytes = maxValueBytes
  }

  /** Adds a put of `value` (encoded as canonical JSON) under the full key `key`. */
  put (key: Uint8Array, value: unknown): void {
    this.#checkOpen()
    let bytes: Uint8Array
    try {
      bytes = canonicalEncode(value)
    } catch (err) {
      if (isTrustEngineError(err)) throw new TrustEngineError(ERR_STORE_BAD_VALUE, `value has no canonical encoding: ${err.message}`, { cause: err })
      throw err
    }
    if (bytes.length > this.#maxValueBytes) {
      throw new TrustEngineError(ERR_STORE_BAD_VALUE, `value of ${bytes.length} bytes exceeds the limit of ${this.#maxValueBytes}`)
    }
    this.#ops.set(hexOf(key), { type: 'put', key, value: bytes })
  }

  /** Adds a delete of the full key `key`. */
  del (key: Uint8Array): void {
    this.#checkOpen()
    this.#ops.set(hexOf(key), { type: 'del', key })
  }

  /** The operation this batch holds for `key`, if any (to read one's own pending writes). */
  pending (key: Uint8Array): BatchOperation | undefined {
    return this.#ops.get(hexOf(key))
  }

  /**
   * Marks the batch as needing a synchronous (fsynced) commit whatever the
   * caller asked for: used by writes that must be durable before the node
   * acts on them (its own vote, before gossiping it).
   */
  requireSync (): void {
    this.#checkOpen()
    this.#syncRequired = true
  }

  /** True when {@link requireSync} was called. */
  get syncRequired (): boolean {
    return this.#syncRequired
  }

  /** Registers `fn` to run once just before commit; it may still add operations (the audit head). */
  beforeCommit (fn: () => void): void {
    this.#checkOpen()
    this.#beforeCommit.push(fn)
  }

  /** Registers `fn` to run once after the batch is durably written (never when it fails). */
  afterCommit (fn: () => void): void {
    this.#checkOpen()
    this.#afterCommit.push(fn)
  }

  /** Number of operations. */
  get size (): number {
    return this.#ops.size
  }

  /** Runs the before-commit hooks, then seals the batch and returns its operations. Store use only. */
  seal (): BatchOperation[] {
    this.#checkOpen()
    for (const fn of this.#beforeCommit) fn()
    this.#state = 'sealed'
    return [...this.#ops.values()]
  }

  /** Marks the batch written and runs the after-commit hooks. Store use only. */
  committed (): void {
    this.#state = 'done'
    for (const fn of this.#afterCommit) fn()
  }

  /** Marks the batch abandoned: nothing was written, no hook runs. Store use only. */
  discard (): void {
    this.#state = 'done'
  }

  #checkOpen (): void {
    if (this.#state !== 'open') throw new TrustEngineError(ERR_STORE_BATCH_CLOSED, 'write batch already committed or discarded')
  }
}

function hexOf (key: Uint8Array): string {
  return Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('hex')
}

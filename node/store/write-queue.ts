/**
 * The store's one writer at a time: an in-process queue of write steps. A
 * step starts once every step queued before it has settled (whether it
 * succeeded or failed), so read-then-write rules (the audit chain's head, the
 * double-sign guard) need no locks in the callers. The queue counts the steps
 * queued or running, its metric (`trust_engine_store_writes_waiting`).
 *
 * Its bound is back-pressure on API clients only: a step asked with
 * `refuseWhenBusy` (an upload's record, a schedule, a cancellation) is refused
 * with `ERR_STORE_BUSY` while `busyAt` steps wait, before it is queued. Every
 * other step (the node's own: a job's votes, decisions and audit entries,
 * retention, sweeps) is always queued: refusing one would fail a consensus
 * step, and each is bounded by its caller (docs/decisions.md, "The store's
 * write queue refuses clients only").
 */
import { TrustEngineError } from '../../protocol/errors.ts'
import { ERR_STORE_BUSY } from './errors.ts'

/** The queue of the store's writes. */
export class WriteQueue {
  readonly #busyAt: number
  #tail: Promise<unknown> = Promise.resolve()
  #waiting = 0

  /** `busyAt`: steps waiting (queued or running) at which a step asked with `refuseWhenBusy` is refused. */
  constructor (busyAt: number) {
    this.#busyAt = busyAt
  }

  /** Steps queued behind the one running, plus that one. */
  get waiting (): number {
    return this.#waiting
  }

  /** True while a step asked with `refuseWhenBusy` would be refused. */
  get busy (): boolean {
    return this.#waiting >= this.#busyAt
  }

  /**
   * Runs `step` after every step queued before it; resolves or rejects with
   * its result. With `refuseWhenBusy`, rejects with `ERR_STORE_BUSY` instead,
   * without queueing it, while the queue is {@link busy}.
   */
  async run<T> (step: () => Promise<T>, refuseWhenBusy = false): Promise<T> {
    if (refuseWhenBusy) this.refuseIfBusy()
    this.#waiting++
    const done = this.#tail.then(step).finally(() => { this.#waiting-- })
    this.#tail = done.catch(() => {})
    return await done
  }

  /** Throws `ERR_STORE_BUSY` (503) while the queue is {@link busy}. */
  refuseIfBusy (): void {
    if (this.busy) {
      throw new TrustEngineError(ERR_STORE_BUSY, `${this.#waiting} writes are waiting for the store (busyWritesWaiting ${this.#busyAt}); retry later`, { details: { waiting: this.#waiting, busyAt: this.#busyAt } })
    }
  }

  /** Resolves once every step queued so far has settled. */
  async idle (): Promise<void> {
    await this.#tail
  }
}

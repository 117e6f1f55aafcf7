/**
 * The store's one writer at a time: an in-process queue of write steps. A
 * step starts once every step queued before it has settled (whether it
 * succeeded or failed), so read-then-write rules (the audit chain's head, the
 * double-sign guard) need no locks in the callers. The queue counts the steps
 * queued or running, its metric (`trust_engine_store_writes_waiting`).
 */
export class WriteQueue {
  #tail: Promise<unknown> = Promise.resolve()
  #waiting = 0

  /** Steps queued behind the one running, plus that one. */
  get waiting (): number {
    return this.#waiting
  }

  /** Runs `step` after every step queued before it; resolves or rejects with its result. */
  async run<T> (step: () => Promise<T>): Promise<T> {
    this.#waiting++
    const done = this.#tail.then(step).finally(() => { this.#waiting-- })
    this.#tail = done.catch(() => {})
    return await done
  }

  /** Resolves once every step queued so far has settled. */
  async idle (): Promise<void> {
    await this.#tail
  }
}

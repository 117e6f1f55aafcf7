/**
 * Per-key serialisation: work queued under one key runs one piece at a time,
 * in order; different keys run independently. The chain of a key is dropped
 * once it is idle, so memory follows the number of busy keys.
 */
export class SerialQueues {
  readonly #chains = new Map<string, Promise<unknown>>()

  /** Runs `fn` after everything queued earlier under `key`; resolves or rejects with its result. */
  run<T> (key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.#chains.get(key) ?? Promise.resolve()
    const next = prev.then(fn, fn)
    const settled = next.catch(() => {})
    this.#chains.set(key, settled)
    void settled.then(() => { if (this.#chains.get(key) === settled) this.#chains.delete(key) })
    return next
  }

  /** Resolves once every piece of work queued so far has settled. */
  async idle (): Promise<void> {
    await Promise.allSettled([...this.#chains.values()])
  }
}

/**
 * Per-key serialisation: work queued under one key runs one piece at a time,
 * in order; different keys run independently. The chain of a key is dropped
 * once it is idle, so memory follows the number of busy keys.
 *
 * Each key's pieces queued or running are counted. {@link SerialQueues.run}
 * always queues (the caller bounds itself); {@link SerialQueues.admit}
 * refuses a piece when its key already has `limit` pieces, so work started
 * from outside (a gossip message) cannot queue without bound behind a slow
 * piece.
 */
import { TrustEngineError } from '../../protocol/errors.ts'
import { ERR_DECISION_QUEUE_FULL } from './errors.ts'

/** Per-key queues of async work. */
export class SerialQueues {
  readonly #chains = new Map<string, Promise<unknown>>()
  /** Pieces queued or running per key (a key without any is absent). */
  readonly #pending = new Map<string, number>()
  #total = 0

  /** Runs `fn` after everything queued earlier under `key`; resolves or rejects with its result. */
  run<T> (key: string, fn: () => Promise<T>): Promise<T> {
    this.#pending.set(key, (this.#pending.get(key) ?? 0) + 1)
    this.#total++
    const prev = this.#chains.get(key) ?? Promise.resolve()
    const next = prev.then(fn, fn)
    const settled = next.catch(() => {})
    this.#chains.set(key, settled)
    void settled.then(() => {
      this.#total--
      const left = this.#pending.get(key)! - 1
      if (left === 0) this.#pending.delete(key)
      else this.#pending.set(key, left)
      if (this.#chains.get(key) === settled) this.#chains.delete(key)
    })
    return next
  }

  /**
   * As {@link run}, unless `key` already has `limit` pieces queued or
   * running: then rejects at once with `ERR_DECISION_QUEUE_FULL` (IGNORE)
   * and `fn` never runs.
   */
  async admit<T> (key: string, limit: number, fn: () => Promise<T>): Promise<T> {
    if ((this.#pending.get(key) ?? 0) >= limit) {
      throw new TrustEngineError(ERR_DECISION_QUEUE_FULL, `the queue of ${key} holds ${limit} steps already`, { action: 'ignore' }) // [IGNORE]
    }
    return await this.run(key, fn)
  }

  /** Pieces queued or running under `key`. */
  pending (key: string): number {
    return this.#pending.get(key) ?? 0
  }

  /** Pieces queued or running, all keys together, and under the busiest key. */
  get queued (): { all: number, longest: number } {
    let longest = 0
    for (const n of this.#pending.values()) if (n > longest) longest = n
    return { all: this.#total, longest }
  }

  /** Resolves once every piece of work queued so far has settled. */
  async idle (): Promise<void> {
    await Promise.allSettled([...this.#chains.values()])
  }
}

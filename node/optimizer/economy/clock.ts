/**
 * Clocks for the economy queue: the system clock, and a manual clock whose
 * time only moves when told to, so tests and simulations can jump to a slot.
 */

/** A source of time that can also wait. */
export interface Clock {
  /** Current time, epoch milliseconds. */
  now: () => number
  /** Resolves once the clock has reached `until` (epoch ms); rejects with the signal's reason when aborted. */
  sleepUntil: (until: number, signal?: AbortSignal) => Promise<void>
}

/** setTimeout's largest delay (2^31 - 1 ms, about 24.8 days); longer waits are chained. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1

/** The real clock: Date.now and timers. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleepUntil: async (until, signal) => {
    while (Date.now() < until) {
      signal?.throwIfAborted()
      await new Promise<void>((resolve, reject) => {
        const onAbort = (): void => { clearTimeout(timer); reject(signal?.reason) }
        const timer = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve() }, Math.min(MAX_TIMEOUT_MS, until - Date.now()))
        signal?.addEventListener('abort', onAbort, { once: true })
      })
    }
  }
}

/** A clock that stands still until {@link ManualClock.advance} or {@link ManualClock.set} moves it. */
export class ManualClock implements Clock {
  #now: number
  readonly #sleepers: Array<{ until: number, resolve: () => void }> = []

  constructor (start: number) { this.#now = start }

  now = (): number => this.#now

  sleepUntil = async (until: number, signal?: AbortSignal): Promise<void> => {
    signal?.throwIfAborted()
    if (this.#now >= until) return
    await new Promise<void>((resolve, reject) => {
      const entry = { until, resolve: () => { signal?.removeEventListener('abort', onAbort); resolve() } }
      const onAbort = (): void => {
        const i = this.#sleepers.indexOf(entry)
        if (i >= 0) this.#sleepers.splice(i, 1)
        reject(signal?.reason)
      }
      signal?.addEventListener('abort', onAbort, { once: true })
      this.#sleepers.push(entry)
    })
  }

  /** Moves time forward by `ms` and wakes every sleeper whose time has come. */
  advance (ms: number): void { this.set(this.#now + ms) }

  /** Sets the time (never backwards) and wakes every sleeper whose time has come. */
  set (epochMs: number): void {
    this.#now = Math.max(this.#now, epochMs)
    const due = this.#sleepers.filter((s) => s.until <= this.#now)
    for (const s of due) {
      this.#sleepers.splice(this.#sleepers.indexOf(s), 1)
      s.resolve()
    }
  }

  /** Number of pending sleepers. */
  get waiting (): number { return this.#sleepers.length }
}

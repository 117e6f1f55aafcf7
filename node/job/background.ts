/**
 * The engine's background work: promises it starts and does not await
 * (catch-up, seed fetching, measurements, deadline decisions), tracked so
 * that stopping the engine cancels them through one signal and can wait for
 * them to settle. A failure is logged, unless the engine is stopping.
 */
import type { Logger } from 'pino'

/** Tracked background work with one cancellation. */
export class BackgroundTasks {
  readonly #logger: Logger
  readonly #pending = new Set<Promise<unknown>>()
  readonly #lifetime = new AbortController()

  /** Work whose failures `logger` reports. */
  constructor (logger: Logger) {
    this.#logger = logger
  }

  /** Whether {@link stop} was called. */
  get stopped (): boolean {
    return this.#lifetime.signal.aborted
  }

  /** Aborts when the engine stops. */
  get signal (): AbortSignal {
    return this.#lifetime.signal
  }

  /** Tracks `work` until it settles; its failure is logged while the engine runs. */
  spawn (work: Promise<unknown>): void {
    const tracked = work.catch((err: unknown) => {
      if (!this.stopped) this.#logger.error({ err }, 'job work failed')
    })
    this.#pending.add(tracked)
    void tracked.then(() => this.#pending.delete(tracked))
  }

  /** Aborts {@link signal}: work started from now on sees the engine stopped. */
  stop (): void {
    this.#lifetime.abort()
  }

  /** Resolves once the work started so far has settled. */
  async settled (): Promise<void> {
    await Promise.allSettled([...this.#pending])
  }
}

/**
 * A node's stop under load, in two phases. First the drain: the node takes
 * no new work (the API answers `ERR_NODE_STOPPING`, 503, to uploads,
 * submissions and schedules; gossiped announcements are IGNOREd) while the
 * measurements already in flight finish, at most {@link StopOptions.drainMs}
 * of real time (not the node's clock: a stop is an operator's act, and a
 * node whose clock a test holds still must still stop). Then the ordered stop of node/wiring/shutdown.ts: the
 * API, the economy, retention, the job engine (which abandons the work still
 * running: nothing is written for it), libp2p, the workers (terminated), and
 * `node.stopped` in the audit trail with what finished and what was
 * abandoned (node/wiring/run-record.ts). A forced stop (a second SIGTERM or
 * SIGINT, or `stop({ force: true })`) cuts the drain at once.
 */
import { z } from 'zod'
import { TrustEngineError, declareCode } from '../../protocol/errors.ts'
import type { JobEngine } from '../job/engine.ts'

/** Code of stop options that do not validate. */
export const ERR_STOP_OPTIONS = declareCode('ERR_STOP_OPTIONS', { status: 400 })

/** Options of a node's stop. */
export interface StopOptions {
  /**
   * The longest the drain waits for the measurements in flight (ms of real
   * time); 0 abandons them at once. 10 s lets a frames job or a small
   * scene finish, and leaves half of Docker Compose's `stop_grace_period`
   * of 20 s (docker-compose.network.yml; Kubernetes gives 30 s) to the rest
   * of the stop, after which the process would be killed uncleanly: on an
   * overloaded two-core machine that rest took up to 4.3 s (`npm run bench
   * -- stop`, docs/store.md "The node's runs").
   */
  drainMs: number
}

/** Defaults of {@link StopOptions}. */
export const DEFAULT_STOP_OPTIONS: StopOptions = {
  drainMs: 10_000
}

/** Schema of {@link StopOptions} (the config file's `shutdown`). */
export const stopOptionsSchema = z.strictObject({
  /** At most a day: a stop that waits longer is a hang. */
  drainMs: z.number().int().min(0).max(86_400_000)
})

/** `DEFAULT_STOP_OPTIONS` overridden by `partial`; throws `ERR_STOP_OPTIONS` when the result does not validate. */
export function resolveStopOptions (partial: Partial<StopOptions> = {}): StopOptions {
  const parsed = stopOptionsSchema.safeParse({ ...DEFAULT_STOP_OPTIONS, ...partial })
  if (!parsed.success) throw new TrustEngineError(ERR_STOP_OPTIONS, `stop options: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`)
  return parsed.data
}

/** How the drain ended. */
export type DrainEnd = 'idle' | 'finished' | 'bound' | 'forced'

/** What the drain saw, for the `node.stopped` entry. */
export interface DrainOutcome {
  /** `idle`: no work was in flight; `finished`: all of it ended within the bound; `bound`: the bound cut it; `forced`: a forced stop cut it. */
  end: DrainEnd
  /** How long the drain lasted (ms of real time). */
  ms: number
}

/** One graceful stop: {@link drain} once, {@link force} at any time (it cuts a drain under way). */
export class GracefulStop {
  readonly #forced = new AbortController()
  readonly #options: StopOptions
  #outcome: DrainOutcome | null = null

  /** A stop with `options`. */
  constructor (options: StopOptions) {
    this.#options = options
  }

  /** Cuts the drain now (or makes a drain not yet begun end at once). */
  force (): void {
    this.#forced.abort()
  }

  /** Whether {@link force} was called. */
  get forced (): boolean {
    return this.#forced.signal.aborted
  }

  /** The drain's outcome once it ended, else null. */
  get outcome (): DrainOutcome | null {
    return this.#outcome
  }

  /** Lets `engine`'s work in flight finish, up to the drain bound or a forced stop. */
  async drain (engine: JobEngine): Promise<DrainOutcome> {
    const start = performance.now()
    const busy = engine.workInFlight > 0
    const left = await engine.drain(AbortSignal.any([AbortSignal.timeout(this.#options.drainMs), this.#forced.signal]))
    const end: DrainEnd = !busy ? 'idle' : left === 0 ? 'finished' : this.forced ? 'forced' : 'bound'
    this.#outcome = { end, ms: Math.round(performance.now() - start) }
    return this.#outcome
  }
}

/**
 * The deadlines of one blob transfer (blob-protocol.ts), served or fetched:
 * a total time, an idle time that each frame pushes back (paused while this
 * side works, e.g. a server hashing the blob it will send), and the caller's
 * cancellation, each ending the transfer with its typed error.
 */
import { TrustEngineError } from '../../protocol/errors.ts'
import type { BlobTransferOptions } from './blob-protocol.ts'
import { ERR_BLOB_ABORTED, ERR_BLOB_TIMEOUT } from './errors.ts'

/**
 * The timers of one transfer: a total deadline, an idle deadline that each
 * frame pushes back, and the caller's signal. The first to fire aborts
 * `signal` with a typed error that {@link error} then returns.
 */
export class TransferClock {
  readonly #controller = new AbortController()
  readonly #opts: BlobTransferOptions
  readonly #total: NodeJS.Timeout
  readonly #userSignal: AbortSignal | undefined
  #idle: NodeJS.Timeout | undefined
  #error: TrustEngineError | undefined
  #listeners: Array<(err: TrustEngineError) => void> = []

  constructor (opts: BlobTransferOptions, userSignal: AbortSignal | undefined) {
    this.#opts = opts
    this.#userSignal = userSignal
    this.#total = setTimeout(() => { this.#expire(new TrustEngineError(ERR_BLOB_TIMEOUT, `blob transfer exceeded ${opts.totalTimeoutMs} ms`, { action: 'ignore' })) }, opts.totalTimeoutMs)
    this.touch()
    if (userSignal !== undefined) {
      if (userSignal.aborted) this.#onUserAbort()
      else userSignal.addEventListener('abort', this.#onUserAbort, { once: true })
    }
  }

  /** Aborted when the transfer must stop. */
  get signal (): AbortSignal { return this.#controller.signal }

  /** Registers what to do when a deadline passes (abort the stream). */
  onExpire (listener: (err: TrustEngineError) => void): void { this.#listeners.push(listener) }

  /** The deadline error, once one fired. */
  error (): TrustEngineError | undefined { return this.#error }

  /** A frame arrived or was sent: push the idle deadline back. */
  touch (): void {
    if (this.#error !== undefined) return
    clearTimeout(this.#idle)
    this.#idle = setTimeout(() => { this.#expire(new TrustEngineError(ERR_BLOB_TIMEOUT, `no blob frame for ${this.#opts.idleTimeoutMs} ms`, { action: 'ignore' })) }, this.#opts.idleTimeoutMs)
  }

  /**
   * This side is doing its own work before the next frame (a server looking
   * its blob up, which hashes the whole file first): no idle deadline until
   * the next {@link touch}, since the idle deadline is for the peer's
   * silence; the total deadline and the caller's signal still run.
   */
  pause (): void {
    clearTimeout(this.#idle)
    this.#idle = undefined
  }

  /** Clears every timer. */
  stop (): void {
    clearTimeout(this.#total)
    clearTimeout(this.#idle)
    this.#userSignal?.removeEventListener('abort', this.#onUserAbort)
  }

  #onUserAbort = (): void => { this.#expire(new TrustEngineError(ERR_BLOB_ABORTED, 'blob transfer cancelled', { action: 'ignore' })) }

  #expire (err: TrustEngineError): void {
    if (this.#error !== undefined) return
    this.#error = err
    this.stop()
    this.#controller.abort(err)
    for (const l of this.#listeners) l(err)
  }
}

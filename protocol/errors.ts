/**
 * Typed errors shared by every layer of Trust Engine.
 *
 * Every error that crosses a boundary (gossip, streams, HTTP, files, CLI,
 * config) is a {@link TrustEngineError} with a stable `code`. Code strings are
 * part of the public interface: tests, HTTP clients and metrics rely on them,
 * so a code is never renamed or reused for another meaning.
 */

/** What gossipsub should do with a message whose validation threw this error. */
export type GossipAction = 'reject' | 'ignore'

/** Base class of every typed error. `code` is stable; `message` is for humans. */
export class TrustEngineError extends Error {
  /** Stable machine-readable code, e.g. `ERR_BAD_SIGNATURE`. */
  readonly code: string
  /** Gossip verdict when this error comes out of message validation. */
  readonly action: GossipAction
  /** Optional structured details (never raw peer data). */
  readonly details: Record<string, unknown> | undefined

  constructor (code: string, message: string, options: { action?: GossipAction, details?: Record<string, unknown>, cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'TrustEngineError'
    this.code = code
    this.action = options.action ?? 'reject'
    this.details = options.details
  }
}

/** True when `err` is a {@link TrustEngineError}, optionally with the given code. */
export function isTrustEngineError (err: unknown, code?: string): err is TrustEngineError {
  return err instanceof TrustEngineError && (code === undefined || err.code === code)
}

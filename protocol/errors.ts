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

/** What a code means outside its module: its default gossip action and the HTTP status an API answers it with. */
export interface CodeDeclaration {
  /** `reject` for codes that prove the sender sent an invalid message; `ignore` (the default) for everything else, local failures included. */
  action: GossipAction
  /** HTTP status of this code in an API answer; 500 (the node's fault) unless declared. */
  status: number
}

const declarations = new Map<string, CodeDeclaration>()

/** The declaration of an undeclared code: a local failure, never held against a peer. */
export const DEFAULT_CODE_DECLARATION: CodeDeclaration = { action: 'ignore', status: 500 }

/**
 * Declares a code with its default gossip action and HTTP status, beside the
 * constant that names it, and returns the code.
 *
 * @example
 * ```ts
 * export const ERR_BAD_SIGNATURE = declareCode('ERR_BAD_SIGNATURE', { action: 'reject', status: 400 })
 * ```
 */
export function declareCode<C extends string> (code: C, declaration: Partial<CodeDeclaration>): C {
  const full = { ...DEFAULT_CODE_DECLARATION, ...declaration }
  const earlier = declarations.get(code)
  if (earlier !== undefined && (earlier.action !== full.action || earlier.status !== full.status)) {
    throw new Error(`${code} is declared twice with different meanings`)
  }
  declarations.set(code, full)
  return code
}

/** The declaration of `code` ({@link DEFAULT_CODE_DECLARATION} when its module declared none). */
export function codeDeclaration (code: string): CodeDeclaration {
  return declarations.get(code) ?? DEFAULT_CODE_DECLARATION
}

/**
 * Every code declared so far in this process with its declaration, sorted by
 * code. Only modules that were imported have declared theirs: docs/errors.md
 * is generated from this after importing every declaring module
 * (scripts/error-table.ts).
 */
export function declaredCodes (): Array<[string, CodeDeclaration]> {
  return [...declarations.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
}

/** Base class of every typed error. `code` is stable; `message` is for humans. */
export class TrustEngineError extends Error {
  /** Stable machine-readable code, e.g. `ERR_BAD_SIGNATURE`. */
  readonly code: string
  /** Gossip verdict when this error comes out of message validation: as given, else the code's declared action (`ignore` unless declared). */
  readonly action: GossipAction
  /** Optional structured details (never raw peer data). */
  readonly details: Record<string, unknown> | undefined

  constructor (code: string, message: string, options: { action?: GossipAction, details?: Record<string, unknown>, cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'TrustEngineError'
    this.code = code
    this.action = options.action ?? codeDeclaration(code).action
    this.details = options.details
  }
}

/** True when `err` is a {@link TrustEngineError}, optionally with the given code. */
export function isTrustEngineError (err: unknown, code?: string): err is TrustEngineError {
  return err instanceof TrustEngineError && (code === undefined || err.code === code)
}

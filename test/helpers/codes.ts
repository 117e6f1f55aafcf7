/**
 * Test helpers: the stable `code` of the error a call throws. Tests assert on
 * codes, never on message text. An error that is not a TrustEngineError comes
 * back as a marker string, so the assertion fails with a readable diff.
 */
import { isTrustEngineError } from '../../protocol/errors.ts'

function codeOfError (err: unknown): string {
  return isTrustEngineError(err) ? err.code : `not a TrustEngineError: ${String(err)}`
}

/** The code thrown by `fn`, or undefined when it does not throw. */
export function codeOf (fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (err) {
    return codeOfError(err)
  }
  return undefined
}

/** The code a promise (or a function returning one) rejects with, or undefined when it resolves. */
export async function codeOfAsync (p: Promise<unknown> | (() => unknown)): Promise<string | undefined> {
  try {
    await (typeof p === 'function' ? p() : p)
  } catch (err) {
    return codeOfError(err)
  }
  return undefined
}

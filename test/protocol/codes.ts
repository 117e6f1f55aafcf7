/** Test helper: the `code` of the TrustEngineError thrown by `fn`, or undefined when it does not throw. */
import { isTrustEngineError } from '../../protocol/errors.ts'

export function codeOf (fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (err) {
    if (isTrustEngineError(err)) return err.code
    throw err
  }
  return undefined
}

/**
 * Creating a folder the user named (a node's data folder, an output folder):
 * `mkdir -p`, with a failure (a file in the way, no permission, a read-only
 * file system) turned into a typed error that names the folder, instead of a
 * bare Node.js error and its stack.
 */
import { mkdirSync } from 'node:fs'
import { TrustEngineError } from '../../protocol/errors.ts'

/** Why a folder could not be made, in words. */
function reason (err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'EEXIST': return 'a file that is not a folder is in the way'
    case 'ENOTDIR': return 'a part of the path is a file, not a folder'
    case 'EACCES': case 'EPERM': return 'permission denied'
    case 'EROFS': return 'read-only file system'
    default: return err.code ?? String(err)
  }
}

/**
 * Makes `path` and its missing parents (`mode` for the new ones); throws a
 * `TrustEngineError` with `code` whose message starts with `what` when it
 * cannot.
 */
export function ensureDir (path: string, code: string, what: string, mode?: number): void {
  try {
    mkdirSync(path, { recursive: true, ...(mode === undefined ? {} : { mode }) })
  } catch (err) {
    throw new TrustEngineError(code, `${what} ${path} cannot be created: ${reason(err as NodeJS.ErrnoException)}`, { cause: err })
  }
}

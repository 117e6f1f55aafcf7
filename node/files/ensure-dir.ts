/**
 * Creating a folder the user named (a node's data folder, an output folder):
 * `mkdir -p`, with a failure (a file in the way, no permission, a read-only
 * file system) turned into a typed error that names the folder, instead of a
 * bare Node.js error and its stack.
 */
import { mkdirSync, statSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { TrustEngineError } from '../../protocol/errors.ts'

/** Why a folder could not be made, in words. */
function reason (err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'EEXIST': return 'a file that is not a folder is in the way'
    case 'ENOTDIR': return 'a part of the path is a file, not a folder'
    case 'EACCES': case 'EPERM': return 'permission denied'
    case 'EROFS': return 'read-only file system'
    case 'ENOENT': return 'its parent folder cannot hold folders'
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
    makeDirs(resolve(path), mode)
  } catch (err) {
    throw new TrustEngineError(code, `${what} ${path} cannot be created: ${reason(err as NodeJS.ErrnoException)}`, { cause: err })
  }
}

/**
 * `mkdir -p` one level at a time. Not `mkdirSync(path, { recursive: true })`:
 * under a folder that exists but cannot hold children (`/proc` answers ENOENT
 * to a mkdir of any new name), Node's recursive mkdir retries the parent and
 * the child forever at full CPU and never returns. Here an ENOENT once the
 * parent exists is final.
 */
function makeDirs (abs: string, mode: number | undefined): void {
  const made = (): boolean => {
    try {
      mkdirSync(abs, mode)
      return true
    } catch (err) {
      const e = err as NodeJS.ErrnoException
      if (e.code === 'EEXIST' && isDirectory(abs)) return true
      if (e.code === 'ENOENT' && dirname(abs) !== abs) return false
      throw err
    }
  }
  if (made()) return
  makeDirs(dirname(abs), mode)
  // The parent exists now: a second ENOENT is final (thrown by the mkdir below).
  if (!made()) mkdirSync(abs, mode)
}

function isDirectory (path: string): boolean {
  try {
    return statSync(path).isDirectory()
  } catch {
    return false
  }
}

/**
 * Telling a broken database from a working one: stored values that are not
 * what this code writes, and LevelDB folders whose \`CURRENT\` file LevelDB's
 * own open misreads. Every such finding is \`ERR_STORE_CORRUPT\` with the
 * repair path (docs/store.md, "Broken storage").
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { TrustEngineError } from '../../protocol/errors.ts'
import { ERR_STORE_CORRUPT, ERR_STORE_IO } from './errors.ts'

const utf8 = new TextDecoder('utf-8', { fatal: true })

/**
 * Parses stored value bytes as JSON: size check first, then strict UTF-8,
 * then JSON. Any failure is `ERR_STORE_CORRUPT` (the bytes on disk are not
 * what this code writes), never a crash.
 */
export function parseStoredJson (bytes: Uint8Array, maxBytes: number): unknown {
  if (bytes.length > maxBytes) throw new TrustEngineError(ERR_STORE_CORRUPT, `stored value of ${bytes.length} bytes exceeds ${maxBytes}`)
  try {
    return JSON.parse(utf8.decode(bytes))
  } catch (err) {
    throw new TrustEngineError(ERR_STORE_CORRUPT, 'stored value is not valid UTF-8 JSON', { cause: err })
  }
}

/**
 * The repair advice every corruption error carries: the command that
 * salvages what LevelDB can read and says what survived, or a backup.
 */
export function repairAdvice (location: string): string {
  return `stop the node and run \`${repairCommand(location)}\`, or restore ${dirname(location)} from a backup (docs/store.md, "Broken storage")`
}

/** The repair command of the database at `location` (the data folder's `db/`), also in the details of every corruption error. */
export function repairCommand (location: string): string {
  return `trust-engine store repair --data-dir ${dirname(location)}`
}

/** `ERR_STORE_CORRUPT` for the database at `location`, naming the repair path (message and `details.repair`). */
export function corruptError (location: string, what: string, cause?: unknown): TrustEngineError {
  return new TrustEngineError(ERR_STORE_CORRUPT, `the database at ${location} is corrupt (${what}); ${repairAdvice(location)}`, { details: { repair: repairCommand(location) }, ...(cause === undefined ? {} : { cause }) })
}

const CURRENT_CONTENT = /^MANIFEST-[0-9]+\n$/

/**
 * LevelDB's own open misses two breakages: a \`CURRENT\` naming no manifest
 * reads as an I/O error, and a folder of tables without \`CURRENT\` is
 * silently made a new, empty database (the node would start over with no
 * jobs, votes or audit trail). Both are \`ERR_STORE_CORRUPT\` here.
 */
export function checkCurrentFile (location: string): void {
  let names: string[]
  try {
    names = readdirSync(location)
  } catch {
    return
  }
  if (!names.includes('CURRENT')) {
    if (names.some((n) => n.endsWith('.ldb') || n.endsWith('.log') || n.startsWith('MANIFEST-'))) {
      throw corruptError(location, 'tables and logs without a CURRENT file')
    }
    return
  }
  let current: string
  try {
    // A manifest's name is a few dozen bytes: anything larger is not LevelDB's.
    if (statSync(join(location, 'CURRENT')).size > 64) throw corruptError(location, 'CURRENT is larger than a manifest name')
    current = readFileSync(join(location, 'CURRENT'), 'latin1')
  } catch (err) {
    if (err instanceof TrustEngineError) throw err
    throw new TrustEngineError(ERR_STORE_IO, `cannot read ${join(location, 'CURRENT')}`, { cause: err })
  }
  if (!CURRENT_CONTENT.test(current) || !names.includes(current.slice(0, -1))) {
    throw corruptError(location, 'CURRENT does not name an existing manifest')
  }
}

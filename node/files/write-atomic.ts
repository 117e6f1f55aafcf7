/**
 * Atomic file output, the one way the node writes a file a reader may open at
 * any time (optimized scenes, evidence folders, network files, blobs): write
 * to a temporary file (in the target's directory unless told), flush it, then
 * rename it over the target, and on request fsync the target's directory. A
 * failure at any point removes the temporary file, so no partial output is
 * ever left behind. Key files are the one exception (node/keys.ts): they are
 * created once, synchronously, never replaced without `--force`, with a link
 * that fails when the file exists, which a rename cannot do.
 */
import { randomBytes } from 'node:crypto'
import { chmod, open, rename, rm, stat } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { TrustEngineError, declareCode } from '../../protocol/errors.ts'

/** The output file could not be written (nothing is left behind). */
export const ERR_OUTPUT_WRITE_FAILED = declareCode('ERR_OUTPUT_WRITE_FAILED', { status: 500 })

/** Options of {@link writeFileAtomic}. */
export interface WriteAtomicOptions {
  /** Exact permission bits of the file (set with chmod, whatever the umask); when absent, 0644 less the umask. */
  mode?: number
  /** Folder of the temporary file (on the target's file system; a store that clears its own temporary folder at start names it); the target's folder when absent. */
  tmpDir?: string
  /** Also fsync the target's folder after the rename, so the new name itself survives a crash (a content-addressed store needs it); off by default. */
  syncDir?: boolean
}

/**
 * Writes `data` (bytes, or a string as UTF-8) to `path` atomically; throws
 * `ERR_OUTPUT_WRITE_FAILED` on failure.
 *
 * @example
 * ```ts
 * await writeFileAtomic('out.glb', bytes)
 * await writeFileAtomic('network.json', json, { mode: 0o644 })
 * ```
 */
export async function writeFileAtomic (path: string, data: Uint8Array | string, options: WriteAtomicOptions = {}): Promise<void> {
  // The rename would put a regular file in place of whatever is there: only a regular file (or nothing) is
  // replaced, never a device, FIFO, socket or folder, nor a link to one (`-o /dev/null` run as root would
  // otherwise turn /dev/null into a regular file).
  const existing = await stat(path).catch(() => undefined)
  if (existing !== undefined && !existing.isFile()) throw new TrustEngineError(ERR_OUTPUT_WRITE_FAILED, `cannot write ${path}: not a regular file`)
  const tmp = join(options.tmpDir ?? dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`)
  try {
    const handle = await open(tmp, 'wx', options.mode ?? 0o644)
    try {
      await handle.writeFile(data)
      await handle.sync()
    } finally {
      await handle.close()
    }
    if (options.mode !== undefined) await chmod(tmp, options.mode)
    await rename(tmp, path)
    if (options.syncDir === true) await syncDir(dirname(path))
  } catch (err) {
    await rm(tmp, { force: true })
    throw new TrustEngineError(ERR_OUTPUT_WRITE_FAILED, `cannot write ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { cause: err })
  }
}

/** Makes a rename durable; some file systems refuse fsync on a folder, which is then skipped (the data itself is already synced). */
async function syncDir (dir: string): Promise<void> {
  let fh
  try {
    fh = await open(dir, 'r')
    await fh.sync()
  } catch {
    // The file's data is on disk; only the name's durability is left to the file system.
  } finally {
    await fh?.close()
  }
}

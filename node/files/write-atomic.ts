/**
 * Atomic file output, the one way the node writes a file a reader may open at
 * any time (optimized scenes, evidence folders, network files): write to a
 * temporary file in the target's directory, flush it, then rename it over the
 * target. A failure at any point removes the temporary file, so no partial
 * output is ever left behind.
 */
import { randomBytes } from 'node:crypto'
import { chmod, open, rename, rm } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { TrustEngineError, declareCode } from '../../protocol/errors.ts'

/** The output file could not be written (nothing is left behind). */
export const ERR_OUTPUT_WRITE_FAILED = declareCode('ERR_OUTPUT_WRITE_FAILED', { status: 500 })

/** Options of {@link writeFileAtomic}. */
export interface WriteAtomicOptions {
  /** Exact permission bits of the file (set with chmod, whatever the umask); when absent, 0644 less the umask. */
  mode?: number
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
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`)
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
  } catch (err) {
    await rm(tmp, { force: true })
    throw new TrustEngineError(ERR_OUTPUT_WRITE_FAILED, `cannot write ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { cause: err })
  }
}

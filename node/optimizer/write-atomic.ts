/**
 * Atomic file output: write to a temporary file in the target's directory,
 * flush it, then rename it over the target. A failure at any point removes the
 * temporary file, so no partial output is ever left behind.
 */
import { randomBytes } from 'node:crypto'
import { open, rename, rm } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { ERR_OUTPUT_WRITE_FAILED, fail } from './errors.ts'

/** Writes `bytes` to `path` atomically; throws `ERR_OUTPUT_WRITE_FAILED` on failure. */
export async function writeFileAtomic (path: string, bytes: Uint8Array): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`)
  try {
    const handle = await open(tmp, 'wx', 0o644)
    try {
      await handle.writeFile(bytes)
      await handle.sync()
    } finally {
      await handle.close()
    }
    await rename(tmp, path)
  } catch (err) {
    await rm(tmp, { force: true })
    fail(ERR_OUTPUT_WRITE_FAILED, `cannot write ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, undefined, err)
  }
}

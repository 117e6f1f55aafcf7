/**
 * The bytes a folder's files take, for the store's size gauge
 * (node/metrics.ts `trust_engine_store_bytes`). LevelDB keeps its tables,
 * logs and manifest as plain files in one flat folder, so the files directly
 * in it are the whole store; sub-folders are not walked.
 */
import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'

/**
 * Sum of the sizes of the regular files directly in `dir` (0 when it does
 * not exist). A file removed between the listing and its `stat` (LevelDB
 * compacting) counts 0.
 */
export async function folderBytes (dir: string): Promise<number> {
  const names = await readdir(dir).catch(() => [])
  let total = 0
  for (const name of names) {
    const s = await stat(join(dir, name)).catch(() => null)
    if (s?.isFile() === true) total += s.size
  }
  return total
}

/**
 * The one code of a full data folder, shared by the blob folder and the
 * LevelDB store (both refuse a write before the file system is full, and
 * answer the same code when it is full anyway), and the test of an error
 * for "no space left".
 */
import { declareCode } from '../../protocol/errors.ts'

/**
 * A write would leave less than the room kept free on the data folder's
 * file system, or met a full file system (ENOSPC, EDQUOT): blob writes at
 * `blobs.minFreeBytes`, LevelDB writes at the store's `minFreeBytes`.
 */
export const ERR_DISK_FULL = declareCode('ERR_DISK_FULL', { status: 507 })

/** True when `err` (a Node.js error, or LevelDB's I/O error message) says the file system is full or over quota. */
export function isNoSpace (err: unknown): boolean {
  const code = (err as { code?: unknown } | undefined)?.code
  if (code === 'ENOSPC' || code === 'EDQUOT') return true
  const message = String((err as { message?: unknown } | undefined)?.message ?? '')
  return message.includes('No space left on device') || message.includes('Disk quota exceeded')
}

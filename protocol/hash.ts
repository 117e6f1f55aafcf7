/** Content hashing: lowercase hex sha256, the id of blobs, jobs and audit entries. */
import { createHash } from 'node:crypto'

/** sha256 of `data` (bytes, or a string taken as UTF-8) as 64 lowercase hex characters. */
export function sha256Hex (data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex')
}

/** True when `s` is 64 lowercase hex characters. */
export function isSha256Hex (s: string): boolean {
  return /^[0-9a-f]{64}$/.test(s)
}

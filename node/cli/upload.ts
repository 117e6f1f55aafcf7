/**
 * Uploading a local file to a node's blob store, the one way `submit` (frames,
 * scenes and economy scenes alike) sends files: read with the node's blob
 * limit checked before the contents are read, then `POST /v1/blobs`.
 */
import { DEFAULT_API_OPTIONS } from '../api/options.ts'
import { readFileBounded } from '../files/read-bounded.ts'
import type { ApiClient } from './api-client.ts'

/** Largest file uploaded: the node's default blob limit, so a file the node would refuse is refused before it is read. */
export const MAX_UPLOAD_BYTES = DEFAULT_API_OPTIONS.maxBlobBytes

/**
 * Uploads the file at `path` and returns its sha256; reports
 * `uploaded PATH SHA256` to `progress`. Throws `ERR_FILE_TOO_LARGE` (above
 * {@link MAX_UPLOAD_BYTES}), the other file codes, or the API's error.
 */
export async function uploadFile (client: ApiClient, path: string, progress: (line: string) => void): Promise<string> {
  const bytes = await readFileBounded(path, MAX_UPLOAD_BYTES, 'upload')
  const { sha256 } = await client.uploadBlob(bytes)
  progress(`uploaded ${path} ${sha256}`)
  return sha256
}

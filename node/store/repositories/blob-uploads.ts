/** Blob uploads: sha256 → an uploaded blob that no job references yet (node/blob-keeper.ts). */
import { z } from 'zod'
import { BUCKETS } from '../buckets.ts'
import type { Store } from '../db.ts'
import { hex32Key } from '../key-codec.ts'
import { Repository } from '../repository.ts'

/** Schema of a pending upload. */
export const BlobUploadSchema = z.strictObject({
  /** Who uploaded it: the client address of the API request (docs/decisions.md). */
  uploader: z.string().min(1).max(128),
  /** Its size in bytes, counted against the uploader's quota while pending. */
  bytes: z.number().int().positive(),
  /** When it was uploaded, ms since the epoch (the node's clock). */
  uploadedAt: z.number().int().nonnegative()
})

/** A pending upload. */
export type BlobUpload = z.infer<typeof BlobUploadSchema>

/** The pending uploads, keyed by the blob's sha256 (64 hex). */
export function blobUploadsRepository (store: Store): Repository<string, BlobUpload> {
  return new Repository(store, { bucket: BUCKETS.blobUploads, key: hex32Key, value: BlobUploadSchema })
}

/**
 * Frames of the blob protocol `/trust-engine/blob/1.0.0`.
 *
 * Every frame is length-prefixed (unsigned varint, it-length-prefixed).
 *
 *     client → server   request   {"sha256":"<64 hex>"}
 *     server → client   status    {"status":"found","size":N} | {"status":"not-found"} | {"status":"too-large","size":N}
 *     server → client   chunk*    raw bytes, 1..maxChunkBytes each, N bytes in total (only after "found")
 *
 * Request and status are small JSON objects decoded in three steps (size
 * check, JSON parse, strict schema); any failure is `ERR_BLOB_PROTOCOL`.
 * The size in the status lets a client refuse an oversized blob before a
 * single chunk arrives, and lets it stop reading once N bytes are in.
 */
import { z } from 'zod'
import { TrustEngineError } from '../../protocol/errors.ts'
import { ERR_BLOB_PROTOCOL } from './errors.ts'

/** Protocol id of blob transfer (independent of the network id: blobs are content-addressed). */
export const BLOB_PROTOCOL = '/trust-engine/blob/1.0.0'

/** Largest request frame: `{"sha256":"…64 hex…"}` is 77 bytes. */
export const MAX_REQUEST_FRAME_BYTES = 256

/** Largest status frame: `{"status":"too-large","size":9007199254740991}` is 46 bytes. */
export const MAX_STATUS_FRAME_BYTES = 256

/** A request for one blob. */
export interface BlobRequest {
  sha256: string
}

/** The server's answer before any chunk. */
export type BlobStatus =
  | { status: 'found', size: number }
  | { status: 'not-found' }
  | { status: 'too-large', size: number }

const requestSchema = z.strictObject({
  sha256: z.string().regex(/^[0-9a-f]{64}$/)
})

const size = z.int().nonnegative().max(Number.MAX_SAFE_INTEGER)

const statusSchema = z.discriminatedUnion('status', [
  z.strictObject({ status: z.literal('found'), size }),
  z.strictObject({ status: z.literal('not-found') }),
  z.strictObject({ status: z.literal('too-large'), size })
])

const encoder = new TextEncoder()
const utf8 = new TextDecoder('utf-8', { fatal: true })

/** Encodes a request frame's payload. */
export function encodeBlobRequest (req: BlobRequest): Uint8Array {
  return encoder.encode(JSON.stringify({ sha256: req.sha256 }))
}

/** Decodes a request frame's payload; throws `ERR_BLOB_PROTOCOL` on anything malformed. */
export function decodeBlobRequest (bytes: Uint8Array): BlobRequest {
  return decodeFrame(bytes, MAX_REQUEST_FRAME_BYTES, requestSchema, 'blob request')
}

/** Encodes a status frame's payload. */
export function encodeBlobStatus (status: BlobStatus): Uint8Array {
  return encoder.encode(JSON.stringify(status))
}

/** Decodes a status frame's payload; throws `ERR_BLOB_PROTOCOL` on anything malformed. */
export function decodeBlobStatus (bytes: Uint8Array): BlobStatus {
  return decodeFrame(bytes, MAX_STATUS_FRAME_BYTES, statusSchema, 'blob status')
}

function decodeFrame<S extends z.ZodType> (bytes: Uint8Array, maxBytes: number, schema: S, what: string): z.output<S> {
  if (bytes.byteLength > maxBytes) throw protocolError(`${what} frame of ${bytes.byteLength} bytes exceeds ${maxBytes}`)
  let json: unknown
  try {
    json = JSON.parse(utf8.decode(bytes))
  } catch {
    throw protocolError(`${what} frame is not UTF-8 JSON`)
  }
  const parsed = schema.safeParse(json)
  if (!parsed.success) throw protocolError(`${what} frame does not match its schema`)
  return parsed.data
}

function protocolError (message: string): TrustEngineError {
  return new TrustEngineError(ERR_BLOB_PROTOCOL, message)
}

/**
 * The reading side of a blob response (blob-frames.ts): the status frame
 * first, then the chunks, hashed as they arrive, so nothing unverified is
 * returned. Split in two so that a fetcher asking several peers at once can
 * keep the first that says it has the blob and cancel the others before any
 * chunk is read (blob-fetch-any.ts).
 */
import { createHash } from 'node:crypto'
import * as lp from 'it-length-prefixed'
import type { Uint8ArrayList } from 'uint8arraylist'
import { TrustEngineError, isTrustEngineError } from '../../protocol/errors.ts'
import { MAX_STATUS_FRAME_BYTES, decodeBlobStatus } from './blob-frames.ts'
import { ERR_BLOB_HASH, ERR_BLOB_NOT_FOUND, ERR_BLOB_PROTOCOL, ERR_BLOB_TOO_LARGE } from './errors.ts'

/** Limits of {@link readBlobResponse}. */
export interface ReadBlobResponseOptions {
  /** Largest blob accepted. */
  maxBytes: number
  /** Largest chunk frame accepted. */
  maxChunkBytes: number
  /** Called after each frame (pushes an idle deadline back). */
  onFrame?: () => void
}

/** A response whose status said `found`: its size, then its bytes on demand. */
export interface OpenResponse {
  /** The blob's declared size in bytes. */
  size: number
  /** Reads the chunks and returns the blob once its `size` bytes are in and hash to the requested id. */
  read: () => Promise<Uint8Array>
  /** Stops the decoder (and with it the source). */
  close: () => Promise<void>
}

/**
 * Reads a blob response's status frame. Returns the rest to read when the
 * status is `found` within `maxBytes`; otherwise throws `ERR_BLOB_NOT_FOUND`,
 * `ERR_BLOB_TOO_LARGE` or `ERR_BLOB_PROTOCOL`, the decoder stopped.
 */
export async function openBlobResponse (source: AsyncIterable<Uint8ArrayList | Uint8Array>, sha256: string, options: ReadBlobResponseOptions): Promise<OpenResponse> {
  const frames = lp.decode(source, { maxDataLength: Math.max(options.maxChunkBytes, MAX_STATUS_FRAME_BYTES) })
  const close = async (): Promise<void> => { await frames.return(undefined).catch(() => {}) }
  let size: number
  try {
    const first = await frames.next()
    options.onFrame?.()
    if (first.done === true) throw new TrustEngineError(ERR_BLOB_PROTOCOL, 'stream ended before the status')
    const status = decodeBlobStatus(first.value.subarray())
    if (status.status === 'not-found') throw new TrustEngineError(ERR_BLOB_NOT_FOUND, 'the peer does not have the blob')
    if (status.status === 'too-large' || status.size > options.maxBytes) {
      throw new TrustEngineError(ERR_BLOB_TOO_LARGE, `blob of ${status.size} bytes exceeds ${options.maxBytes}`, { details: { size: status.size, limit: options.maxBytes } })
    }
    size = status.size
  } catch (err) {
    await close()
    throw toBlobError(err)
  }
  const read = async (): Promise<Uint8Array> => {
    try {
      const out = new Uint8Array(size)
      const hash = createHash('sha256')
      let received = 0
      while (received < size) {
        const next = await frames.next()
        options.onFrame?.()
        if (next.done === true) throw new TrustEngineError(ERR_BLOB_PROTOCOL, `stream ended after ${received} of ${size} bytes`)
        const chunk = next.value
        if (chunk.byteLength === 0 || received + chunk.byteLength > size) {
          throw new TrustEngineError(ERR_BLOB_PROTOCOL, 'chunk frame empty or beyond the declared size')
        }
        for (const part of chunk) {
          out.set(part, received)
          received += part.byteLength
          hash.update(part)
        }
      }
      if (hash.digest('hex') !== sha256) throw new TrustEngineError(ERR_BLOB_HASH, 'received bytes do not hash to the requested id')
      return out
    } catch (err) {
      throw toBlobError(err)
    } finally {
      // Stop the decoder (and with it the source) when we leave early.
      await close()
    }
  }
  return { size, read, close }
}

/**
 * Reads a blob response (status frame, then chunks) from `source` and
 * returns the blob once `size` bytes are in and hash to `sha256`. Stops
 * reading at `size` bytes. Every failure is a typed error:
 * `ERR_BLOB_NOT_FOUND`, `ERR_BLOB_TOO_LARGE`, `ERR_BLOB_HASH` or
 * `ERR_BLOB_PROTOCOL` (bad frame, oversized frame, early end).
 */
export async function readBlobResponse (source: AsyncIterable<Uint8ArrayList | Uint8Array>, sha256: string, options: ReadBlobResponseOptions): Promise<Uint8Array> {
  return await (await openBlobResponse(source, sha256, options)).read()
}

/** Any failure as a typed blob error (`ERR_BLOB_PROTOCOL` for stream and framing failures). */
export function toBlobError (err: unknown): TrustEngineError {
  if (isTrustEngineError(err)) return err
  return new TrustEngineError(ERR_BLOB_PROTOCOL, `blob stream failed: ${err instanceof Error ? err.name : 'error'}`, { cause: err })
}


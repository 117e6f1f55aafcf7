/**
 * Blob protocol frames: the decoders accept exactly the well-formed frames
 * and fail on anything else with a typed error (property tests), and the
 * response reader turns any byte stream into a blob or a typed error.
 */
import fc from 'fast-check'
import * as lp from 'it-length-prefixed'
import { describe, expect, it } from 'vitest'
import {
  ERR_BLOB_HASH, ERR_BLOB_NOT_FOUND, ERR_BLOB_PROTOCOL, ERR_BLOB_TOO_LARGE, MAX_REQUEST_FRAME_BYTES,
  decodeBlobRequest, decodeBlobStatus, encodeBlobRequest, encodeBlobStatus, readBlobResponse, type BlobStatus
} from '../../../node/p2p/index.ts'
import { isTrustEngineError } from '../../../protocol/errors.ts'
import { sha256Hex } from '../../../protocol/hash.ts'

const hex64 = fc.stringMatching(/^[0-9a-f]{64}$/)
const status: fc.Arbitrary<BlobStatus> = fc.oneof(
  fc.record({ status: fc.constant('found' as const), size: fc.nat() }),
  fc.constant({ status: 'not-found' as const }),
  fc.record({ status: fc.constant('too-large' as const), size: fc.nat() })
)
const READ_CODES: readonly string[] = [ERR_BLOB_PROTOCOL, ERR_BLOB_NOT_FOUND, ERR_BLOB_TOO_LARGE, ERR_BLOB_HASH]

/** Runs `fn`; returns null on success or the error code (failing the property on an untyped error). */
function codeOf (fn: () => unknown): string | null {
  try {
    fn()
    return null
  } catch (err) {
    if (!isTrustEngineError(err)) throw err
    return err.code
  }
}

/** The bytes of whole length-prefixed frames. */
function framed (...payloads: Uint8Array[]): Uint8Array {
  return Buffer.concat(payloads.map((p) => lp.encode.single(p).subarray()))
}

/** `bytes` cut into pieces at the given offsets, as a stream would deliver them. */
async function * pieces (bytes: Uint8Array, cuts: number[]): AsyncGenerator<Uint8Array> {
  let prev = 0
  for (const c of [...new Set(cuts.map((x) => x % (bytes.length + 1)))].sort((a, b) => a - b)) {
    yield bytes.subarray(prev, c)
    prev = c
  }
  yield bytes.subarray(prev)
}

describe('blob frame decoders', () => {
  it('round-trip every well-formed request and status', () => {
    fc.assert(fc.property(hex64, (sha256) => {
      expect(decodeBlobRequest(encodeBlobRequest({ sha256 }))).toEqual({ sha256 })
    }))
    fc.assert(fc.property(status, (s) => {
      expect(decodeBlobStatus(encodeBlobStatus(s))).toEqual(s)
    }))
  })

  it('fail on random bytes only with ERR_BLOB_PROTOCOL', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
      expect([null, ERR_BLOB_PROTOCOL]).toContain(codeOf(() => decodeBlobRequest(bytes)))
      expect([null, ERR_BLOB_PROTOCOL]).toContain(codeOf(() => decodeBlobStatus(bytes)))
    }), { numRuns: 2000 })
  })

  it('fail on random JSON values and near misses with ERR_BLOB_PROTOCOL', () => {
    fc.assert(fc.property(fc.jsonValue(), (value) => {
      const bytes = Buffer.from(JSON.stringify(value))
      expect([null, ERR_BLOB_PROTOCOL]).toContain(codeOf(() => decodeBlobRequest(bytes)))
      expect([null, ERR_BLOB_PROTOCOL]).toContain(codeOf(() => decodeBlobStatus(bytes)))
    }), { numRuns: 1000 })
    const badRequests = [{ sha256: 'A'.repeat(64) }, { sha256: 'a'.repeat(63) }, { sha256: 'a'.repeat(64), extra: 1 }, {}]
    const badStatuses = [
      { status: 'found' },
      { status: 'found', size: -1 },
      { status: 'found', size: 1.5 },
      { status: 'found', size: 2 ** 53 },
      { status: 'not-found', size: 1 },
      { status: 'gone' }
    ]
    for (const v of badRequests) expect(codeOf(() => decodeBlobRequest(Buffer.from(JSON.stringify(v))))).toBe(ERR_BLOB_PROTOCOL)
    for (const v of badStatuses) expect(codeOf(() => decodeBlobStatus(Buffer.from(JSON.stringify(v))))).toBe(ERR_BLOB_PROTOCOL)
  })

  it('refuse an oversized frame before parsing it', () => {
    const big = Buffer.from(JSON.stringify({ sha256: 'a'.repeat(64), pad: ' '.repeat(MAX_REQUEST_FRAME_BYTES) }))
    expect(codeOf(() => decodeBlobRequest(big))).toBe(ERR_BLOB_PROTOCOL)
  })
})

describe('readBlobResponse', () => {
  const opts = { maxBytes: 4096, maxChunkBytes: 512 }

  it('returns the blob for any chunking of frames and of the stream', async () => {
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 4096 }), fc.integer({ min: 1, max: 512 }), fc.array(fc.nat(), { maxLength: 8 }), async (blob, chunk, cuts) => {
      const chunks: Uint8Array[] = []
      for (let off = 0; off < blob.length; off += chunk) chunks.push(blob.subarray(off, off + chunk))
      const bytes = framed(encodeBlobStatus({ status: 'found', size: blob.length }), ...chunks)
      expect(await readBlobResponse(pieces(bytes, cuts), sha256Hex(blob), opts)).toEqual(blob)
    }), { numRuns: 200 })
  })

  it('turns any byte stream into a blob or a typed error', async () => {
    const sha = sha256Hex('x')
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 2000 }), fc.array(fc.nat(), { maxLength: 8 }), async (bytes, cuts) => {
      try {
        await readBlobResponse(pieces(bytes, cuts), sha, opts)
      } catch (err) {
        expect(isTrustEngineError(err) && READ_CODES.includes(err.code)).toBe(true)
      }
    }), { numRuns: 1000 })
  })

  it('turns a valid status followed by random bytes into a typed error', async () => {
    await fc.assert(fc.asyncProperty(fc.nat({ max: 4096 }), fc.uint8Array({ maxLength: 3000 }), async (size, rest) => {
      const bytes = Buffer.concat([framed(encodeBlobStatus({ status: 'found', size })), rest])
      try {
        await readBlobResponse(pieces(bytes, []), sha256Hex('not these bytes'), opts)
        expect.unreachable()
      } catch (err) {
        expect(isTrustEngineError(err) && READ_CODES.includes(err.code)).toBe(true)
      }
    }), { numRuns: 500 })
  })

  it('names each failure', async () => {
    const blob = Buffer.alloc(1000, 9)
    const sha = sha256Hex(blob)
    const read = async (...payloads: Uint8Array[]): Promise<string | null> => {
      try {
        await readBlobResponse(pieces(framed(...payloads), []), sha, opts)
        return null
      } catch (err) {
        return isTrustEngineError(err) ? err.code : 'untyped'
      }
    }
    const found = encodeBlobStatus({ status: 'found', size: 1000 })
    expect(await read(found, blob.subarray(0, 500), blob.subarray(500))).toBe(null)
    expect(await read(encodeBlobStatus({ status: 'not-found' }))).toBe(ERR_BLOB_NOT_FOUND)
    expect(await read(encodeBlobStatus({ status: 'too-large', size: 10 ** 9 }))).toBe(ERR_BLOB_TOO_LARGE)
    expect(await read(encodeBlobStatus({ status: 'found', size: 4097 }))).toBe(ERR_BLOB_TOO_LARGE)
    // Wrong bytes of the right length.
    expect(await read(found, Buffer.alloc(500, 1), Buffer.alloc(500, 1))).toBe(ERR_BLOB_HASH)
    // Early end, a frame beyond the declared size, an empty frame, a frame over maxChunkBytes.
    expect(await read(found, blob.subarray(0, 500))).toBe(ERR_BLOB_PROTOCOL)
    expect(await read(found, blob.subarray(0, 500), Buffer.alloc(501))).toBe(ERR_BLOB_PROTOCOL)
    expect(await read(found, new Uint8Array(0))).toBe(ERR_BLOB_PROTOCOL)
    expect(await read(found, Buffer.alloc(513))).toBe(ERR_BLOB_PROTOCOL)
    expect(await read()).toBe(ERR_BLOB_PROTOCOL)
  })
})

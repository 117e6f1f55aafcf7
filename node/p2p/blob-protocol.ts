/**
 * Blob transfer over libp2p streams (`/trust-engine/blob/1.0.0`, framing in
 * blob-frames.ts): a node asks a peer for a blob by its sha256 and checks the
 * hash of what arrives before handing it on.
 *
 * Limits, and why:
 * - chunks of at most 1 MiB (the decoder's `maxDataLength`, so a peer cannot
 *   make us buffer a giant frame);
 * - blobs of at most 64 MiB: a frame set is at most 100 PNG frames (the
 *   sample size cap of the verifier) and a 1080p RGBA PNG is under 8 MiB
 *   uncompressed, usually far less; a glTF scene of a few million triangles
 *   fits too. Larger content should be split by the job, not streamed whole;
 * - every wait bounded: 10 s without a frame (idle) and 5 minutes in all
 *   (64 MiB at ≈ 220 kB/s). The server's idle deadline does not run while
 *   it looks the blob up (hashing the file first), only the total one: that
 *   wait is its own, not the peer's. On any failure the stream is aborted.
 *
 * The receiver hashes while reading and refuses a mismatch (`ERR_BLOB_HASH`)
 * before returning anything, so nothing unverified is ever stored.
 */
import { createHash } from 'node:crypto'
import type { Libp2p, PeerId, Stream } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import * as lp from 'it-length-prefixed'
import type { Logger } from 'pino'
import type { Uint8ArrayList } from 'uint8arraylist'
import { TrustEngineError, isTrustEngineError } from '../../protocol/errors.ts'
import { MAX_BLOB_BYTES } from '../../protocol/constants.ts'
import { BLOB_PROTOCOL, MAX_REQUEST_FRAME_BYTES, MAX_STATUS_FRAME_BYTES, decodeBlobRequest, decodeBlobStatus, encodeBlobRequest, encodeBlobStatus, type BlobStatus } from './blob-frames.ts'
import { NO_COUNTERS, type P2pCounters } from './counters.ts'
import { DEFAULT_ADMISSION_OPTIONS, type PeerQuota } from './admission.ts'
import { ERR_BLOB_ABORTED, ERR_BLOB_HASH, ERR_BLOB_ID, ERR_BLOB_NOT_FOUND, ERR_BLOB_PROTOCOL, ERR_BLOB_TOO_LARGE, ERR_BLOB_UNREACHABLE, ERR_STREAM_QUOTA } from './errors.ts'
import { KeyedTokenBuckets } from './rate-limit.ts'
import { silentLogger } from './logger.ts'
import { sleep } from '../async/sleep.ts'
import { TransferClock } from './transfer-clock.ts'
import { type OpenResponse, openBlobResponse, toBlobError } from './blob-response.ts'

/** Limits and timeouts of blob transfer (both sides). */
export interface BlobTransferOptions {
  /** Largest blob served or accepted. */
  maxBlobBytes: number
  /** Largest chunk frame sent or accepted. */
  maxChunkBytes: number
  /** Longest wait for the next frame (ms). */
  idleTimeoutMs: number
  /** Longest whole transfer, dial included (ms). */
  totalTimeoutMs: number
}

/** Defaults of {@link BlobTransferOptions} (reasons in the module comment). */
export const DEFAULT_BLOB_TRANSFER_OPTIONS: BlobTransferOptions = {
  maxBlobBytes: MAX_BLOB_BYTES,
  maxChunkBytes: 1024 * 1024,
  idleTimeoutMs: 10_000,
  totalTimeoutMs: 5 * 60 * 1000
}

/** A blob given as a stream: its exact size, then its bytes in any chunking. */
export interface BlobSource {
  size: number
  chunks: AsyncIterable<Uint8Array>
}

/** What a blob lookup returns: the bytes, a stream of them, or null when absent. */
export type BlobBody = Uint8Array | BlobSource | null

/**
 * Per-peer quotas and penalties of a stream protocol (a `Host` qualifies;
 * see admission.ts and peer-penalties.ts).
 */
export interface PeerLimits {
  /** The quotas of a peer. */
  quota: (peerId: string) => PeerQuota
  /** Records an offence of a peer (lowers its score, may disconnect it). */
  penalise: (peerId: string, code: string) => void
}

/** Options of {@link serveBlobs}. */
export interface ServeBlobsOptions extends Partial<BlobTransferOptions> {
  /**
   * Looks a blob up by its sha256 (lowercase hex). Return a stream
   * (`BlobDir.open`), not the bytes: a served blob is then read from disk in
   * bounded chunks as the peer reads, never held whole in memory.
   */
  getBlob: (sha256: string) => Promise<BlobBody>
  /** Concurrent blob streams one connection may open to us (libp2p's per-connection limit). */
  maxInboundStreams?: number
  /** Blob streams served at once to all peers together; more are reset (not penalised). */
  maxConcurrentStreams?: number
  /** Per-peer concurrency and byte rate, and penalties; without it every peer gets the validator quota of admission.ts. */
  limits?: PeerLimits
  counters?: P2pCounters
  logger?: Logger
  /** Hears a reader of the peers whose byte rate is paced now (for `rate_limit_keys`). */
  paceKeys?: (keys: () => number) => void
}

/** Blob streams served at once, all peers together: with 256 KiB read buffers and one chunk in flight each, about 40 MiB. */
export const DEFAULT_MAX_CONCURRENT_BLOB_STREAMS = 64

/** Options of {@link fetchBlob}. */
export interface FetchBlobOptions extends Partial<Omit<BlobTransferOptions, 'maxBlobBytes'>> {
  /** Cancels the transfer (`ERR_BLOB_ABORTED`). */
  signal?: AbortSignal
  /** Largest blob accepted; default {@link DEFAULT_BLOB_TRANSFER_OPTIONS}.maxBlobBytes. */
  maxBytes?: number
  counters?: P2pCounters
  logger?: Logger
}

/** Anything with a libp2p node (a `Host` qualifies). */
export interface HasLibp2p {
  readonly libp2p: Libp2p
}

/**
 * Serves blobs from `getBlob` on the blob protocol. Returns a function that
 * stops serving. Call before or after the host starts.
 */
export async function serveBlobs (host: HasLibp2p, options: ServeBlobsOptions): Promise<() => Promise<void>> {
  const opts = { ...DEFAULT_BLOB_TRANSFER_OPTIONS, ...definedOnly(options) }
  const counters = options.counters ?? NO_COUNTERS
  const log = options.logger ?? silentLogger()
  const limits: PeerLimits = options.limits ?? { quota: () => DEFAULT_ADMISSION_OPTIONS.validator, penalise: () => {} }
  const maxConcurrent = options.maxConcurrentStreams ?? DEFAULT_MAX_CONCURRENT_BLOB_STREAMS
  const active = new Map<string, number>()
  let total = 0
  // Pace per peer id (not per connection, so reconnecting does not reset it), one bucket set per rate.
  const pacers = new Map<number, KeyedTokenBuckets>()
  options.paceKeys?.(() => { let n = 0; for (const p of pacers.values()) n += p.size; return n })
  const pacerOf = (rate: number): KeyedTokenBuckets => {
    let p = pacers.get(rate)
    if (p === undefined) {
      p = new KeyedTokenBuckets({ ratePerSecond: rate, burst: Math.max(rate, opts.maxChunkBytes) })
      pacers.set(rate, p)
    }
    return p
  }
  await host.libp2p.handle(BLOB_PROTOCOL, ({ stream, connection }) => {
    const peer = connection.remotePeer.toString()
    const quota = limits.quota(peer)
    const mine = active.get(peer) ?? 0
    if (mine >= quota.blobStreams) {
      // [PENALISE] more concurrent blob streams than the peer's quota.
      counters.blob('serve', ERR_STREAM_QUOTA)
      limits.penalise(peer, ERR_STREAM_QUOTA)
      stream.abort(new TrustEngineError(ERR_STREAM_QUOTA, 'too many concurrent blob streams'))
      return
    }
    if (total >= maxConcurrent) {
      counters.blob('serve', 'busy')
      stream.abort(new TrustEngineError(ERR_STREAM_QUOTA, 'blob server busy', { action: 'ignore' }))
      return
    }
    active.set(peer, mine + 1)
    total++
    const pace = (n: number): number => pacerOf(quota.blobBytesPerSecond).reserve(peer, n)
    void serveOne(stream, options.getBlob, opts, counters, log, pace).finally(() => {
      total--
      const left = (active.get(peer) ?? 1) - 1
      if (left <= 0) active.delete(peer)
      else active.set(peer, left)
    })
  }, { maxInboundStreams: options.maxInboundStreams ?? 16 })
  return async () => { await host.libp2p.unhandle(BLOB_PROTOCOL) }
}

async function serveOne (stream: Stream, getBlob: ServeBlobsOptions['getBlob'], opts: BlobTransferOptions, counters: P2pCounters, log: Logger, pace: (bytes: number) => number): Promise<void> {
  const clock = new TransferClock(opts, undefined)
  clock.onExpire((err) => { stream.abort(err) })
  try {
    const frames = lp.decode(stream.source, { maxDataLength: MAX_REQUEST_FRAME_BYTES })
    const first = await frames.next()
    if (first.done === true) throw new TrustEngineError(ERR_BLOB_PROTOCOL, 'stream ended before the request')
    const req = decodeBlobRequest(first.value.subarray())
    // The lookup is this node's own work, not the peer's silence: BlobDir.open hashes the whole file before
    // the status frame, seconds for a 64 MiB blob on a loaded machine with several streams at once, and an
    // idle deadline counted over it reset streams of a peer that was waiting for us. The total deadline bounds it.
    clock.pause()
    const body = await getBlob(req.sha256)
    clock.touch()
    const status = statusOf(body, opts.maxBlobBytes)
    await stream.sink(lp.encode(responseFrames(status, body, opts.maxChunkBytes, () => { clock.touch() }, pace, clock.signal, (n) => { counters.blobBytesSent?.(n) })))
    counters.blob('serve', status.status)
  } catch (err) {
    const e = clock.error() ?? toBlobError(err)
    counters.blob('serve', e.code)
    log.debug({ code: e.code, err: e.message }, 'blob request failed')
    stream.abort(e)
  } finally {
    clock.stop()
  }
}

function statusOf (body: BlobBody, maxBlobBytes: number): BlobStatus {
  if (body === null) return { status: 'not-found' }
  const size = body instanceof Uint8Array ? body.byteLength : body.size
  return size > maxBlobBytes ? { status: 'too-large', size } : { status: 'found', size }
}

async function * responseFrames (status: BlobStatus, body: BlobBody, maxChunkBytes: number, touch: () => void, pace: (bytes: number) => number, signal: AbortSignal, sent: (bytes: number) => void): AsyncGenerator<Uint8Array> {
  yield encodeBlobStatus(status)
  if (status.status !== 'found' || body === null) return
  const chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array> = body instanceof Uint8Array ? [body] : body.chunks
  let total = 0
  for await (const chunk of chunks) {
    for (let off = 0; off < chunk.byteLength; off += maxChunkBytes) {
      const piece = chunk.subarray(off, Math.min(off + maxChunkBytes, chunk.byteLength))
      total += piece.byteLength
      if (total > status.size) throw new TrustEngineError(ERR_BLOB_PROTOCOL, 'blob source longer than its declared size')
      // Paced to the peer's byte rate; the wait counts as activity (the idle deadline is for the reader).
      const wait = pace(piece.byteLength)
      if (wait > 0) {
        touch()
        await sleep(wait, signal)
      }
      yield piece
      sent(piece.byteLength)
      touch()
    }
  }
  if (total !== status.size) throw new TrustEngineError(ERR_BLOB_PROTOCOL, 'blob source shorter than its declared size')
}

/**
 * Fetches the blob `sha256` from `peer` and returns its bytes after checking
 * their hash. Codes: `ERR_BLOB_NOT_FOUND`, `ERR_BLOB_TOO_LARGE`,
 * `ERR_BLOB_HASH`, `ERR_BLOB_TIMEOUT`, `ERR_BLOB_PROTOCOL`,
 * `ERR_BLOB_UNREACHABLE`, `ERR_BLOB_ABORTED`, `ERR_BLOB_ID`.
 */
export async function fetchBlob (host: HasLibp2p, peer: PeerId | string, sha256: string, options: FetchBlobOptions = {}): Promise<Uint8Array> {
  const counters = options.counters ?? NO_COUNTERS
  try {
    const bytes = await (await openBlob(host, peer, sha256, options)).read()
    counters.blob('fetch', 'OK')
    return bytes
  } catch (err) {
    const e = toBlobError(err)
    counters.blob('fetch', e.code)
    options.logger?.debug({ code: e.code, peer: peer.toString() }, 'blob fetch failed')
    throw e
  }
}

/** A blob request whose answer was `found`: its size, then the bytes on demand, or a cancellation. */
export interface OpenBlob {
  /** The blob's size as the peer declared it. */
  size: number
  /** Reads the bytes and checks their hash (the errors of {@link fetchBlob}). */
  read: () => Promise<Uint8Array>
  /** Gives the transfer up: the stream is reset with `reason`, nothing more is read. */
  cancel: (reason: TrustEngineError) => void
  /** This side waits on its own work before reading (e.g. for memory): no idle deadline until the next frame; the total deadline still runs. */
  pause: () => void
}

/**
 * Asks `peer` for the blob `sha256` and waits for its status frame only.
 * Resolves once the peer says it has the blob (within the size limit); the
 * caller then reads it or cancels it. Rejects with the codes of
 * {@link fetchBlob}. Nothing is counted here.
 */
export async function openBlob (host: HasLibp2p, peer: PeerId | string, sha256: string, options: FetchBlobOptions): Promise<OpenBlob> {
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw new TrustEngineError(ERR_BLOB_ID, 'blob id must be 64 lowercase hex characters')
  const opts = { ...DEFAULT_BLOB_TRANSFER_OPTIONS, ...definedOnly(options) }
  const maxBytes = options.maxBytes ?? DEFAULT_BLOB_TRANSFER_OPTIONS.maxBlobBytes
  const clock = new TransferClock(opts, options.signal)
  let stream: Stream | undefined
  clock.onExpire((err) => { stream?.abort(err) })
  const fail = (err: unknown): TrustEngineError => {
    const e = clock.error() ?? toBlobError(err)
    stream?.abort(e)
    clock.stop()
    return e
  }
  let response: OpenResponse
  try {
    try {
      const peerId = typeof peer === 'string' ? peerIdFromString(peer) : peer
      // The protocol's name goes out with the request, not a round trip before it (multistream-select's
      // optimistic mode): a fetch costs one round trip to its status frame, not two.
      stream = await host.libp2p.dialProtocol(peerId, BLOB_PROTOCOL, { signal: clock.signal, negotiateFully: false })
    } catch (err) {
      throw clock.error() ?? new TrustEngineError(ERR_BLOB_UNREACHABLE, 'cannot open a blob stream to the peer', { cause: err })
    }
    stream.sink([lp.encode.single(encodeBlobRequest({ sha256 }))]).catch(() => { /* the read side reports the failure */ })
    response = await openBlobResponse(stream.source, sha256, { maxBytes, maxChunkBytes: opts.maxChunkBytes, onFrame: () => { clock.touch() } })
  } catch (err) {
    // With the name sent optimistically, a peer that does not serve the protocol, or a connection that closes
    // (a peer that hung us up), fails the first read, not the dial: a stream failure before any frame arrived
    // is the peer not reached, as when the dial itself failed. A malformed frame stays ERR_BLOB_PROTOCOL.
    if (isTrustEngineError(err) && err.code === ERR_BLOB_PROTOCOL && err.cause !== undefined && !isTrustEngineError(err.cause)) {
      throw fail(new TrustEngineError(ERR_BLOB_UNREACHABLE, 'the peer\'s blob stream failed before its answer', { cause: err.cause }))
    }
    throw fail(err)
  }
  const s = stream
  return {
    size: response.size,
    read: async () => {
      try {
        const bytes = await response.read()
        await s.close().catch(() => {})
        clock.stop()
        return bytes
      } catch (err) {
        throw fail(err)
      }
    },
    cancel: (reason) => {
      s.abort(reason)
      clock.stop()
      void response.close()
    },
    pause: () => { clock.pause() }
  }
}

/** The object without its undefined fields, so spreading it keeps defaults. */
function definedOnly<T extends object> (o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>
}

/**
 * Catch-up after downtime, two request/response stream protocols:
 *
 * - `/trust-engine/votes/2.0.0`: a node that was down while votes were
 *   gossiped asks a peer for the signed votes it holds for a job, preceded
 *   by the job's seed certificate, or while the peer has none, by the seed
 *   shares it holds.
 * - `/trust-engine/open-jobs/2.0.0`: a node that was down while jobs were
 *   announced asks a peer for the announcements of the jobs still open there
 *   (at most MAX_SYNC_JOBS), then catches up on their votes.
 *
 * Both are paged. Request: one length-prefixed frame, JSON
 * `{ "jobId": <64 hex>, "from": n }` (votes) or `{ "from": n }` (open jobs),
 * at most 256 bytes, where `from` is the index of the first item wanted.
 * Response: one length-prefixed frame per item, each the bytes as gossiped
 * (at most MAX_SYNC_ITEM_BYTES: a large network's seed certificate; every
 * other item is at most MAX_MESSAGE_BYTES), as many as fit in
 * MAX_SYNC_PAGE_BYTES (a page holds at least one item, however large) and at
 * most MAX_SYNC_PAGE_ITEMS, then the end of the stream. The client asks for
 * the next page while the last one was full, up to MAX_SYNC_VOTES or
 * MAX_SYNC_JOBS items in all. The receiver treats every item as untrusted
 * gossip (decode, schema, signature, equivocation), so a lying peer can only
 * waste its own bandwidth. Every wait is bounded by a timeout.
 *
 * Each request spends one token of the peer's catch-up quota
 * (admission.ts, `syncRequestsPerMinute`); a request over the quota is
 * refused (`ERR_STREAM_QUOTA`) and penalised (peer-penalties.ts).
 */
import type { PeerId, Stream } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import * as lp from 'it-length-prefixed'
import { z } from 'zod'
import { MAX_MESSAGE_BYTES, MAX_SEED_CERTIFICATE_BYTES, MAX_VALIDATORS } from '../../protocol/constants.ts'
import { TrustEngineError } from '../../protocol/errors.ts'
import type { HasLibp2p, PeerLimits } from './blob-protocol.ts'
import { ERR_STREAM_QUOTA, ERR_SYNC_PROTOCOL, ERR_SYNC_TIMEOUT, ERR_SYNC_UNREACHABLE } from './errors.ts'
import { KeyedTokenBuckets } from './rate-limit.ts'

/** Protocol id of vote catch-up (2: paged). */
export const VOTE_SYNC_PROTOCOL = '/trust-engine/votes/2.0.0'

/** Protocol id of open-job catch-up (2: paged). */
export const OPEN_JOBS_PROTOCOL = '/trust-engine/open-jobs/2.0.0'

/** Most job announcements fetched in all (a node keeps at most a few hundred jobs open). */
export const MAX_SYNC_JOBS = 256

/** Most items of a job's votes stream: every validator's vote in each of the two rounds a job may have, and its seed share or the seed certificate. */
export const MAX_SYNC_VOTES = 3 * MAX_VALIDATORS + 1

/** Largest page of a response, in bytes of items: four full-size messages, a few hundred votes. */
export const MAX_SYNC_PAGE_BYTES = 256 * 1024

/**
 * Largest item: a seed certificate of the largest network, the first item
 * of a job's votes stream (protocol/seed.ts `maxSeedCertificateBytes`);
 * votes, shares and announcements are at most MAX_MESSAGE_BYTES.
 */
export const MAX_SYNC_ITEM_BYTES = MAX_SEED_CERTIFICATE_BYTES

/** Most items in one page. */
export const MAX_SYNC_PAGE_ITEMS = 256

/**
 * Most bytes of one peer's answer for a job's votes stream, all pages: the
 * seed certificate (at most MAX_SYNC_ITEM_BYTES) and every other item a
 * vote or share of under 2 KiB, about 6.3 MiB at the largest network. Items
 * alone allowed 3001 of up to 257 KiB, about 750 MiB held for one ask at a
 * lying peer's word.
 */
export const MAX_SYNC_VOTES_BYTES = 8 * 1024 * 1024

/** Most bytes of one peer's answer for its open jobs, all pages: MAX_SYNC_JOBS announcements of at most MAX_MESSAGE_BYTES. */
export const MAX_SYNC_OPEN_JOBS_BYTES = MAX_SYNC_JOBS * MAX_MESSAGE_BYTES

/** Largest request frame: `{"from":N,"jobId":"<64 hex>"}` is under 100 bytes. */
const MAX_REQUEST_BYTES = 256

/** Time allowed for one page exchange (ms): 256 KiB takes milliseconds on any link. */
export const VOTE_SYNC_TIMEOUT_MS = 10_000

const fromField = z.int().min(0).max(1_000_000)
const votesRequestSchema = z.strictObject({ jobId: z.string().regex(/^[0-9a-f]{64}$/), from: fromField })
const openJobsRequestSchema = z.strictObject({ from: fromField })

/** Options of the catch-up servers. */
export interface ServeSyncOptions {
  /** Per-peer request quota and penalties (a `Host` qualifies, and counts offences); none: unlimited. */
  limits?: PeerLimits
  /** Hears a reader of the peers the request quota tracks now (for `rate_limit_keys`). */
  quotaKeys?: (keys: () => number) => void
}

/** Serves the votes `getVotes` returns for a job, paged. Returns a function that stops serving. */
export async function serveVotes (host: HasLibp2p, getVotes: (jobId: string) => Promise<Uint8Array[]>, options: ServeSyncOptions = {}): Promise<() => Promise<void>> {
  const quota = requestQuota(options.limits, options.quotaKeys)
  await host.libp2p.handle(VOTE_SYNC_PROTOCOL, ({ stream, connection }) => {
    void serveOne(stream, connection.remotePeer.toString(), quota, options, async (bytes) => {
      const { jobId, from } = parseRequest(bytes, votesRequestSchema)
      return page(await getVotes(jobId), from)
    })
  }, { maxInboundStreams: 8 })
  return async () => { await host.libp2p.unhandle(VOTE_SYNC_PROTOCOL) }
}

/** Serves the announcements `getOpenJobs` returns, paged. Returns a function that stops serving. */
export async function serveOpenJobs (host: HasLibp2p, getOpenJobs: () => Promise<Uint8Array[]>, options: ServeSyncOptions = {}): Promise<() => Promise<void>> {
  const quota = requestQuota(options.limits, options.quotaKeys)
  await host.libp2p.handle(OPEN_JOBS_PROTOCOL, ({ stream, connection }) => {
    void serveOne(stream, connection.remotePeer.toString(), quota, options, async (bytes) => {
      const { from } = parseRequest(bytes, openJobsRequestSchema)
      return page(await getOpenJobs(), from)
    })
  }, { maxInboundStreams: 8 })
  return async () => { await host.libp2p.unhandle(OPEN_JOBS_PROTOCOL) }
}

/**
 * Per-peer request buckets, one per request rate (validators and observers
 * differ); `keys` hears a reader of the peers tracked, all rates together.
 * Shared by the catch-up servers.
 */
export function requestQuota (limits: PeerLimits | undefined, keys?: (count: () => number) => void): (peer: string) => boolean {
  if (limits === undefined) return () => true
  const buckets = new Map<number, KeyedTokenBuckets>()
  keys?.(() => { let n = 0; for (const b of buckets.values()) n += b.size; return n })
  return (peer) => {
    const perMinute = limits.quota(peer).syncRequestsPerMinute
    let b = buckets.get(perMinute)
    if (b === undefined) {
      b = new KeyedTokenBuckets({ ratePerSecond: perMinute / 60, burst: perMinute })
      buckets.set(perMinute, b)
    }
    return b.take(peer)
  }
}

/**
 * Serves one catch-up request: refuses (and penalises) a peer over its
 * quota, reads one request frame of at most 256 bytes, writes the frames
 * `answer` gives, all under one timeout. Shared by the catch-up servers.
 */
export async function serveOne (stream: Stream, peer: string, allowed: (peer: string) => boolean, options: ServeSyncOptions, answer: (request: Uint8Array) => Promise<Uint8Array[]>): Promise<void> {
  const timer = setTimeout(() => { stream.abort(new TrustEngineError(ERR_SYNC_TIMEOUT, 'catch-up request timed out')) }, VOTE_SYNC_TIMEOUT_MS)
  try {
    if (!allowed(peer)) {
      // [PENALISE] more catch-up requests than the peer's quota: refused before reading anything.
      options.limits?.penalise(peer, ERR_STREAM_QUOTA)
      throw new TrustEngineError(ERR_STREAM_QUOTA, 'catch-up request over quota')
    }
    const first = await lp.decode(stream.source, { maxDataLength: MAX_REQUEST_BYTES }).next()
    if (first.done === true) throw new TrustEngineError(ERR_SYNC_PROTOCOL, 'stream ended before the request')
    const items = await answer(first.value.subarray())
    await stream.sink(lp.encode(items))
  } catch (err) {
    stream.abort(err instanceof Error ? err : new Error(String(err)))
  } finally {
    clearTimeout(timer)
  }
}

/** The items from index `from` that fit in one page. */
function page (all: Uint8Array[], from: number): Uint8Array[] {
  const out: Uint8Array[] = []
  let bytes = 0
  for (let i = from; i < all.length && out.length < MAX_SYNC_PAGE_ITEMS; i++) {
    const item = all[i]!
    if (item.byteLength > MAX_SYNC_ITEM_BYTES) continue
    // A page holds at least one item, so one larger than a page (a large network's seed certificate) still goes.
    if (out.length > 0 && bytes + item.byteLength > MAX_SYNC_PAGE_BYTES) break
    bytes += item.byteLength
    out.push(item)
  }
  return out
}

/** True when a page this full may have been cut short (the client then asks for the next). */
function pageWasFull (items: Uint8Array[]): boolean {
  const bytes = items.reduce((n, i) => n + i.byteLength, 0)
  return items.length >= MAX_SYNC_PAGE_ITEMS || bytes > MAX_SYNC_PAGE_BYTES - MAX_MESSAGE_BYTES
}

/** Parses a catch-up request frame with its schema (`ERR_SYNC_PROTOCOL` otherwise). */
export function parseRequest<T> (bytes: Uint8Array, schema: z.ZodType<T>): T {
  let json: unknown
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes))
  } catch (cause) {
    throw new TrustEngineError(ERR_SYNC_PROTOCOL, 'catch-up request is not JSON', { cause })
  }
  const parsed = schema.safeParse(json)
  if (!parsed.success) throw new TrustEngineError(ERR_SYNC_PROTOCOL, 'catch-up request does not match its schema')
  return parsed.data
}

/** Asks `peer` for the announcements of its open jobs (untrusted bytes), page by page. Codes as {@link fetchVotes}. */
export async function fetchOpenJobs (host: HasLibp2p, peer: PeerId | string, signal?: AbortSignal): Promise<Uint8Array[]> {
  return await pages(MAX_SYNC_JOBS, MAX_SYNC_OPEN_JOBS_BYTES, async (from) => await exchange(host, peer, OPEN_JOBS_PROTOCOL, encodeJson({ from }), signal))
}

/**
 * Asks `peer` for the votes it holds for `jobId`, page by page; returns their
 * bytes, not yet validated. Codes: `ERR_SYNC_UNREACHABLE`,
 * `ERR_SYNC_TIMEOUT`, `ERR_SYNC_PROTOCOL` (oversized frame, too many votes,
 * more than MAX_SYNC_VOTES_BYTES in all).
 */
export async function fetchVotes (host: HasLibp2p, peer: PeerId | string, jobId: string, signal?: AbortSignal): Promise<Uint8Array[]> {
  return await pages(MAX_SYNC_VOTES, MAX_SYNC_VOTES_BYTES, async (from) => await exchange(host, peer, VOTE_SYNC_PROTOCOL, encodeJson({ from, jobId }), signal))
}

async function pages (max: number, maxBytes: number, ask: (from: number) => Promise<Uint8Array[]>): Promise<Uint8Array[]> {
  const out: Uint8Array[] = []
  let bytes = 0
  for (;;) {
    const items = await ask(out.length)
    if (out.length + items.length > max) throw new TrustEngineError(ERR_SYNC_PROTOCOL, 'peer sent too many items')
    for (const item of items) bytes += item.byteLength
    if (bytes > maxBytes) throw new TrustEngineError(ERR_SYNC_PROTOCOL, `peer sent more than the ${maxBytes} bytes such an answer holds`)
    out.push(...items)
    if (items.length === 0 || !pageWasFull(items) || out.length >= max) return out
  }
}

/** UTF-8 JSON bytes of a request. */
export function encodeJson (value: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value))
}

/** Bounds of one response page a client accepts. */
export interface PageLimits {
  /** Largest frame (one item). */
  itemBytes: number
  /** Largest page in bytes of items (a page may still hold one item of up to `itemBytes`). */
  pageBytes: number
}

const VOTE_PAGE_LIMITS: PageLimits = { itemBytes: MAX_SYNC_ITEM_BYTES, pageBytes: MAX_SYNC_PAGE_BYTES }

/**
 * One request and a bounded page of response frames, under one timeout.
 * Codes: `ERR_SYNC_UNREACHABLE`, `ERR_SYNC_TIMEOUT`, `ERR_SYNC_PROTOCOL`
 * (a frame or a page over `limits`). Shared by the catch-up clients.
 */
export async function exchange (host: HasLibp2p, peer: PeerId | string, protocol: string, request: Uint8Array, signal?: AbortSignal, limits: PageLimits = VOTE_PAGE_LIMITS): Promise<Uint8Array[]> {
  const controller = new AbortController()
  const timer = setTimeout(() => { controller.abort(new TrustEngineError(ERR_SYNC_TIMEOUT, 'catch-up timed out')) }, VOTE_SYNC_TIMEOUT_MS)
  const onAbort = (): void => { controller.abort(signal?.reason) }
  signal?.addEventListener('abort', onAbort, { once: true })
  let stream: Stream | undefined
  try {
    try {
      stream = await host.libp2p.dialProtocol(typeof peer === 'string' ? peerIdFromString(peer) : peer, protocol, { signal: controller.signal })
    } catch (cause) {
      throw new TrustEngineError(ERR_SYNC_UNREACHABLE, `cannot open a ${protocol} stream to the peer`, { cause })
    }
    const s = stream
    controller.signal.addEventListener('abort', () => { s.abort(new TrustEngineError(ERR_SYNC_TIMEOUT, 'catch-up timed out')) }, { once: true })
    s.sink([lp.encode.single(request)]).catch(() => {})
    const out: Uint8Array[] = []
    let bytes = 0
    for await (const frame of lp.decode(s.source, { maxDataLength: limits.itemBytes })) {
      bytes += frame.byteLength
      if (out.length >= MAX_SYNC_PAGE_ITEMS || (out.length > 0 && bytes > limits.pageBytes)) throw new TrustEngineError(ERR_SYNC_PROTOCOL, 'peer sent more than a page')
      out.push(frame.subarray())
    }
    return out
  } catch (err) {
    if (controller.signal.aborted && !(err instanceof TrustEngineError && err.code === ERR_SYNC_UNREACHABLE)) {
      throw new TrustEngineError(ERR_SYNC_TIMEOUT, 'catch-up timed out or was cancelled', { cause: err })
    }
    throw err instanceof TrustEngineError ? err : new TrustEngineError(ERR_SYNC_PROTOCOL, 'catch-up failed', { cause: err })
  } finally {
    clearTimeout(timer)
    signal?.removeEventListener('abort', onAbort)
    await stream?.close().catch(() => {})
  }
}

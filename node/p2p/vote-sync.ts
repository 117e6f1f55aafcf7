/**
 * Catch-up after downtime, two request/response stream protocols:
 *
 * - `/trust-engine/votes/1.0.0`: a node that was down while votes were
 *   gossiped asks a peer for the signed votes it holds for a job.
 * - `/trust-engine/open-jobs/1.0.0`: a node that was down while jobs were
 *   announced asks a peer for the announcements of the jobs still open there
 *   (at most MAX_SYNC_JOBS), then catches up on their votes.
 *
 * Votes protocol:
 *
 * Request: one length-prefixed frame, JSON `{ "jobId": <64 hex> }` (at most
 * 256 bytes). Response: one length-prefixed frame per vote, each the vote's
 * bytes as gossiped (at most MAX_MESSAGE_BYTES), at most MAX_SYNC_VOTES
 * frames, then the end of the stream. The receiver treats every vote as
 * untrusted gossip (decode, schema, signature, equivocation), so a lying peer
 * can only waste its own bandwidth. Every wait is bounded by a timeout.
 */
import type { PeerId, Stream } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import * as lp from 'it-length-prefixed'
import { z } from 'zod'
import { MAX_MESSAGE_BYTES, MAX_VALIDATORS } from '../../protocol/constants.ts'
import { TrustEngineError } from '../../protocol/errors.ts'
import { ERR_SYNC_PROTOCOL, ERR_SYNC_TIMEOUT, ERR_SYNC_UNREACHABLE } from './errors.ts'
import type { HasLibp2p } from './blob-protocol.ts'

/** Protocol id of vote catch-up. */
export const VOTE_SYNC_PROTOCOL = '/trust-engine/votes/1.0.0'

/** Protocol id of open-job catch-up. */
export const OPEN_JOBS_PROTOCOL = '/trust-engine/open-jobs/1.0.0'

/** Most job announcements in one open-jobs response (a node keeps at most a few hundred jobs open). */
export const MAX_SYNC_JOBS = 256

/** Most votes in one response: every validator's vote in each of the two rounds a job may have. */
export const MAX_SYNC_VOTES = 2 * MAX_VALIDATORS

/** Largest request frame: `{"jobId":"<64 hex>"}` is 76 bytes. */
const MAX_REQUEST_BYTES = 256

/** Time allowed for a whole exchange (ms): a thousand 1 KiB votes take milliseconds on any link. */
export const VOTE_SYNC_TIMEOUT_MS = 10_000

const requestSchema = z.strictObject({ jobId: z.string().regex(/^[0-9a-f]{64}$/) })

/** Serves the votes `getVotes` returns for a job. Returns a function that stops serving. */
export async function serveVotes (host: HasLibp2p, getVotes: (jobId: string) => Promise<Uint8Array[]>): Promise<() => Promise<void>> {
  await host.libp2p.handle(VOTE_SYNC_PROTOCOL, ({ stream }) => { void serveOne(stream, getVotes) }, { maxInboundStreams: 8 })
  return async () => { await host.libp2p.unhandle(VOTE_SYNC_PROTOCOL) }
}

async function serveOne (stream: Stream, getVotes: (jobId: string) => Promise<Uint8Array[]>): Promise<void> {
  const timer = setTimeout(() => { stream.abort(new TrustEngineError(ERR_SYNC_TIMEOUT, 'vote request timed out')) }, VOTE_SYNC_TIMEOUT_MS)
  try {
    const first = await lp.decode(stream.source, { maxDataLength: MAX_REQUEST_BYTES }).next()
    if (first.done === true) throw new TrustEngineError(ERR_SYNC_PROTOCOL, 'stream ended before the request')
    const { jobId } = parseRequest(first.value.subarray())
    const votes = (await getVotes(jobId)).filter((v) => v.byteLength <= MAX_MESSAGE_BYTES).slice(0, MAX_SYNC_VOTES)
    await stream.sink(lp.encode(votes))
  } catch (err) {
    stream.abort(err instanceof Error ? err : new Error(String(err)))
  } finally {
    clearTimeout(timer)
  }
}

function parseRequest (bytes: Uint8Array): { jobId: string } {
  let json: unknown
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes))
  } catch (cause) {
    throw new TrustEngineError(ERR_SYNC_PROTOCOL, 'vote request is not JSON', { cause })
  }
  const parsed = requestSchema.safeParse(json)
  if (!parsed.success) throw new TrustEngineError(ERR_SYNC_PROTOCOL, 'vote request does not match its schema')
  return parsed.data
}

/** Serves the announcements `getOpenJobs` returns. Returns a function that stops serving. */
export async function serveOpenJobs (host: HasLibp2p, getOpenJobs: () => Promise<Uint8Array[]>): Promise<() => Promise<void>> {
  await host.libp2p.handle(OPEN_JOBS_PROTOCOL, ({ stream }) => {
    const timer = setTimeout(() => { stream.abort(new TrustEngineError(ERR_SYNC_TIMEOUT, 'open-jobs request timed out')) }, VOTE_SYNC_TIMEOUT_MS)
    void (async () => {
      try {
        const jobs = (await getOpenJobs()).filter((j) => j.byteLength <= MAX_MESSAGE_BYTES).slice(0, MAX_SYNC_JOBS)
        await stream.sink(lp.encode(jobs))
      } catch (err) {
        stream.abort(err instanceof Error ? err : new Error(String(err)))
      } finally {
        clearTimeout(timer)
      }
    })()
  }, { maxInboundStreams: 8 })
  return async () => { await host.libp2p.unhandle(OPEN_JOBS_PROTOCOL) }
}

/** Asks `peer` for the announcements of its open jobs (untrusted bytes). Codes as {@link fetchVotes}. */
export async function fetchOpenJobs (host: HasLibp2p, peer: PeerId | string, signal?: AbortSignal): Promise<Uint8Array[]> {
  return await exchange(host, peer, OPEN_JOBS_PROTOCOL, null, MAX_SYNC_JOBS, signal)
}

/**
 * Asks `peer` for the votes it holds for `jobId`; returns their bytes, not
 * yet validated. Codes: `ERR_SYNC_UNREACHABLE`, `ERR_SYNC_TIMEOUT`,
 * `ERR_SYNC_PROTOCOL` (oversized frame, too many votes).
 */
export async function fetchVotes (host: HasLibp2p, peer: PeerId | string, jobId: string, signal?: AbortSignal): Promise<Uint8Array[]> {
  return await exchange(host, peer, VOTE_SYNC_PROTOCOL, new TextEncoder().encode(JSON.stringify({ jobId })), MAX_SYNC_VOTES, signal)
}

/** One request (or none) and a bounded list of response frames, under one timeout. */
async function exchange (host: HasLibp2p, peer: PeerId | string, protocol: string, request: Uint8Array | null, maxFrames: number, signal?: AbortSignal): Promise<Uint8Array[]> {
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
    s.sink(request === null ? [] : [lp.encode.single(request)]).catch(() => {})
    const out: Uint8Array[] = []
    for await (const frame of lp.decode(s.source, { maxDataLength: MAX_MESSAGE_BYTES })) {
      if (out.length >= maxFrames) throw new TrustEngineError(ERR_SYNC_PROTOCOL, 'peer sent too many frames')
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

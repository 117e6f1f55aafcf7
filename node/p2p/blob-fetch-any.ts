/**
 * Fetching a blob from whichever of several peers has it. Peers are asked a
 * few at a time ({@link DEFAULT_BLOB_PROBES}): the first to answer that it
 * has the blob sends it, and the requests still waiting are cancelled before
 * any chunk of theirs is read. A peer that lacks the blob answers with one
 * small frame, so a round over many peers costs about one round trip per
 * {@link DEFAULT_BLOB_PROBES} peers instead of one per peer.
 *
 * Why: asked one after another, a node's peers cost a stream and a round
 * trip each before the next was tried. In a network where most peers do not
 * have the blob yet (it spreads from the submitter hop by hop) and event
 * loops lag by seconds (many nodes on few cores), one round over eight peers
 * took tens of seconds, and the blobs reached most of 128 nodes a minute or
 * more after the job. A stalled peer also held the round for its idle
 * deadline (10 s) while another had the blob.
 */
import type { PeerId } from '@libp2p/interface'
import { TrustEngineError, isTrustEngineError } from '../../protocol/errors.ts'
import { sha256Hex } from '../../protocol/hash.ts'
import { type FetchBlobOptions, type HasLibp2p, type OpenBlob, openBlob } from './blob-protocol.ts'
import { toBlobError } from './blob-response.ts'
import { NO_COUNTERS } from './counters.ts'
import { ERR_BLOB_ABORTED, ERR_BLOB_ID, ERR_BLOB_NOT_FOUND, ERR_BLOB_PROTOCOL } from './errors.ts'

/**
 * Peers asked at once for one blob. Each request that finds the blob costs
 * its server a lookup (which hashes the stored file) before it is cancelled,
 * so not every peer is asked at once; three to four cover the peers of a
 * sparse network in two or three waves.
 */
export const DEFAULT_BLOB_PROBES = 4

/**
 * How long the first preferred peer (the one most likely to hold the blob)
 * is asked alone before the others, ms. Most of a job's blobs come from the
 * peer that served its first one, and asking the others at the same time
 * would cost each of them a stream for nothing; a preferred peer that is slow
 * to answer does not hold the fetch for longer than this.
 */
export const DEFAULT_SOLO_MS = 2000

/** The outcome counted for a request cancelled because another peer was sending the blob. */
export const SUPERSEDED = 'superseded'

/** Options of {@link fetchBlobFromAny}. */
export interface FetchFromAnyOptions extends FetchBlobOptions {
  /** Called after each request with the peer and `OK`, the error code, or `superseded` (cancelled for another peer's answer). */
  onAttempt?: (peerId: string, outcome: string) => void
  /** Peers asked at once; default {@link DEFAULT_BLOB_PROBES}. 1 asks one after another. */
  probes?: number
  /**
   * Peers asked first, in this order (those likely to hold the blob: its
   * submitter, recent servers); the rest follow in {@link blobPeerOrder}. The
   * first of them that is among `peers` is asked alone, the others only once
   * it answered without the blob or after `soloMs`.
   */
  prefer?: string[]
  /** How long the first preferred peer is asked alone, ms; default {@link DEFAULT_SOLO_MS}. */
  soloMs?: number
  /**
   * Called with the size a peer declared (within the size limit) before its
   * bytes are read, and awaited: the caller reserves memory for them. If
   * that peer then fails, it is called again for the next.
   */
  admit?: (size: number) => Promise<void>
}

/**
 * The order in which peers are asked for a blob: by sha256(blob id + peer
 * id) (rendezvous hashing). Every node computes the same order, and
 * different blobs start at different peers, so load spreads.
 */
export function blobPeerOrder (peers: Array<PeerId | string>, sha256: string): string[] {
  const ids = [...new Set(peers.map((p) => p.toString()))]
  const keyed = ids.map((id) => ({ id, key: sha256Hex(`${sha256}/${id}`) }))
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
  return keyed.map((k) => k.id)
}

type Settled = { peer: string, open: OpenBlob } | { peer: string, error: TrustEngineError }

/**
 * Fetches the blob from the first of `peers` (the `prefer`red ones first,
 * then in {@link blobPeerOrder}) that delivers bytes with the right hash,
 * asking `probes` peers at a time. Throws `ERR_BLOB_NOT_FOUND` (with each
 * peer's code in `details.attempts`) when none does, `ERR_BLOB_ABORTED` when
 * cancelled, `ERR_BLOB_ID` for a malformed id.
 */
export async function fetchBlobFromAny (host: HasLibp2p, peers: Array<PeerId | string>, sha256: string, options: FetchFromAnyOptions = {}): Promise<Uint8Array> {
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw new TrustEngineError(ERR_BLOB_ID, 'blob id must be 64 lowercase hex characters')
  const counters = options.counters ?? NO_COUNTERS
  const probes = Math.max(1, options.probes ?? DEFAULT_BLOB_PROBES)
  const ids = new Set(peers.map((p) => p.toString()))
  const preferred = [...new Set(options.prefer ?? [])].filter((p) => ids.has(p))
  const queue = [...preferred, ...blobPeerOrder([...ids].filter((p) => !preferred.includes(p)), sha256)]
  const attempts: Array<{ peer: string, code: string }> = []
  const cancelled = (): boolean => options.signal?.aborted === true
  const waiting = new Map<string, { controller: AbortController, settled: Promise<Settled> }>()
  const record = (peer: string, outcome: string): void => {
    counters.blob('fetch', outcome)
    options.onAttempt?.(peer, outcome)
  }
  const ask = (peer: string): void => {
    const controller = new AbortController()
    const signal = options.signal === undefined ? controller.signal : AbortSignal.any([options.signal, controller.signal])
    const settled = openBlob(host, peer, sha256, { ...options, signal }).then(
      (open): Settled => {
        // Cancelled while its answer was on the way: reset the stream before any chunk is read.
        if (controller.signal.aborted) open.cancel(new TrustEngineError(ERR_BLOB_ABORTED, 'another peer is sending the blob', { action: 'ignore' }))
        return { peer, open }
      },
      (err: unknown): Settled => ({ peer, error: toBlobError(err) })
    )
    waiting.set(peer, { controller, settled })
  }
  const cancelWaiting = (): void => {
    for (const [peer, w] of waiting) {
      w.controller.abort()
      record(peer, SUPERSEDED)
      // Asked again if the peer that answered first fails.
      queue.unshift(peer)
    }
    waiting.clear()
  }
  // The first preferred peer alone, until it answers or its time alone is over.
  let solo: { timer: NodeJS.Timeout | undefined, over: Promise<null> } | null = null
  if (preferred.length > 0) {
    let timer: NodeJS.Timeout | undefined
    const over = new Promise<null>((resolve) => { timer = setTimeout(() => { resolve(null) }, options.soloMs ?? DEFAULT_SOLO_MS) })
    solo = { timer, over }
  }
  try {
    for (;;) {
      if (cancelled()) throw new TrustEngineError(ERR_BLOB_ABORTED, 'blob fetch cancelled')
      while (waiting.size < (solo === null ? probes : 1) && queue.length > 0) ask(queue.shift()!)
      if (waiting.size === 0) break
      const first = await Promise.race([...[...waiting.values()].map(async (w) => await w.settled), ...(solo === null ? [] : [solo.over])])
      if (solo !== null) {
        clearTimeout(solo.timer)
        solo = null
      }
      // The first preferred peer's time alone is over: the others join it.
      if (first === null) continue
      waiting.delete(first.peer)
      if ('error' in first) {
        if (first.error.code === ERR_BLOB_ABORTED && cancelled()) throw first.error
        record(first.peer, first.error.code)
        attempts.push({ peer: first.peer, code: first.error.code })
        continue
      }
      cancelWaiting()
      try {
        if (options.admit !== undefined) {
          first.open.pause()
          await options.admit(first.open.size)
        }
        const bytes = await first.open.read()
        record(first.peer, 'OK')
        return bytes
      } catch (err) {
        const code = isTrustEngineError(err) ? err.code : ERR_BLOB_PROTOCOL
        if (code === ERR_BLOB_ABORTED || cancelled()) {
          first.open.cancel(new TrustEngineError(ERR_BLOB_ABORTED, 'blob fetch cancelled', { action: 'ignore' }))
          throw err
        }
        record(first.peer, code)
        attempts.push({ peer: first.peer, code })
      }
    }
  } finally {
    if (solo !== null) clearTimeout(solo.timer)
    for (const w of waiting.values()) w.controller.abort()
  }
  throw new TrustEngineError(ERR_BLOB_NOT_FOUND, `no peer delivered the blob (${attempts.length} asked)`, { details: { attempts } })
}

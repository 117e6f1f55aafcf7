/**
 * The job engine's blob access: the local blob folder first, then the
 * network. A missing blob is fetched (hash-checked by the blob protocol) from
 * the admitted peers, a few asked at once (node/p2p/blob-fetch-any.ts): the
 * job's submitter and the peers that last served this node first, since
 * they most likely hold it (a job's blobs come from the same peers), then the
 * others. Retried with backoff (at most every 4 s) until found or cancelled
 * (a job's fetch ends at its round's deadline), and stored locally, so this
 * node can serve it too.
 * Each transfer reserves the size its peer declared (at most the largest
 * blob) in the node's blob budget before the bytes are read, until the blob
 * is stored; {@link BlobPort.fetch} then drops the bytes.
 * Each fetched blob is also charged to the job's submitter (the hint) in the
 * node's fetch quota (node/store/fetch-quota.ts): a submitter at its share of
 * the blob folder gets `ERR_BLOB_SUBMITTER_QUOTA` at once, not retried, so
 * the job fails to be measured here and other submitters keep their room.
 */
import { TrustEngineError, isTrustEngineError } from '../../protocol/errors.ts'
import { sleep } from '../async/sleep.ts'
import { MAX_BLOB_BYTES } from '../../protocol/constants.ts'
import type { BlobBudget, BlobReservation } from '../job/blob-budget.ts'
import type { BlobPort } from '../job/ports.ts'
import type { NodeMetrics } from '../metrics.ts'
import type { BlobDir } from '../p2p/blob-dir.ts'
import type { FetchCharge, FetchQuota } from '../store/fetch-quota.ts'
import { fetchBlobFromAny } from '../p2p/blob-fetch-any.ts'
import { ERR_BLOB_ABORTED, ERR_BLOB_NOT_FOUND } from '../p2p/errors.ts'
import type { Host } from '../p2p/host.ts'

/** Retry schedule of blob fetches. */
export interface BlobFetchRetryOptions {
  /** First wait after a failed round over all peers (ms). */
  initialDelayMs: number
  /** Longest wait between rounds (ms). */
  maxDelayMs: number
  /**
   * Rounds over all peers before giving up. By default none: the fetch goes on
   * until the caller's signal ends it, which for a job is its round's
   * deadline. A fixed count (12 rounds, about 30 s) gave up while every holder
   * of the blobs was restarting, and the job then lost this node's vote
   * although the holders were back long before its deadline.
   */
  maxRounds: number
}

/** Defaults of {@link BlobFetchRetryOptions}. */
export const DEFAULT_BLOB_FETCH_RETRY: BlobFetchRetryOptions = {
  initialDelayMs: 250,
  maxDelayMs: 4000,
  maxRounds: Number.POSITIVE_INFINITY
}

/** Peers that served this node lately, asked for a blob right after its submitter. */
const RECENT_SERVERS = 4

/** Builds the blob port of a node. */
export function blobPort (c: {
  host: Host
  blobs: BlobDir
  peerIdOf: (publicKey: string) => string
  clock: () => number
  metrics: NodeMetrics
  retry?: Partial<BlobFetchRetryOptions>
  /** The node's blob budget: each transfer from peers reserves the largest blob, owned by the job's submitter, until the blob is stored (node/job/blob-budget.ts). None: transfers are not counted. */
  budget?: BlobBudget
  /** The node's fetch quota: each fetched blob is charged to the job's submitter (the hint) until deleted. None: fetches are not bounded per submitter. */
  quota?: FetchQuota
}): BlobPort {
  const retry = { ...DEFAULT_BLOB_FETCH_RETRY, ...c.retry }
  // The peers that served this node last, most recent first: a job's other blobs are likely with them.
  const recent: string[] = []
  const served = (peer: string): void => {
    const i = recent.indexOf(peer)
    if (i >= 0) recent.splice(i, 1)
    recent.unshift(peer)
    if (recent.length > RECENT_SERVERS) recent.pop()
  }
  const remote = async (sha256: string, hintPublicKey: string, signal: AbortSignal): Promise<Uint8Array> => {
    let delay = retry.initialDelayMs
    let lastError: unknown = null
    for (let round = 0; round < retry.maxRounds; round++) {
      if (signal.aborted) throw new TrustEngineError(ERR_BLOB_ABORTED, 'blob fetch cancelled')
      // A submitter at its share is refused before any peer is asked.
      try {
        c.quota?.check(hintPublicKey)
      } catch (err) {
        c.metrics.blobs.fetchRefused.inc()
        throw err
      }
      const hint = c.peerIdOf(hintPublicKey)
      // Held for the transfer and the write only, not between rounds: a blob nobody serves holds no budget while it
      // waits. Reserved once a peer has declared the blob's size (at most the largest blob), before its bytes are read.
      let hold: BlobReservation | undefined
      // The submitter's share, reserved for the declared size before the bytes are read, charged once stored.
      let charge: FetchCharge | undefined
      // A refusal by the quota inside `admit` is taken by the fetch for a failing peer: kept to be thrown as is.
      let refused: unknown = null
      // Stops the fetch at a refusal: no other peer is asked for bytes the quota would refuse as well.
      const stop = new AbortController()
      try {
        const bytes = await fetchBlobFromAny(c.host, c.host.admittedPeers(), sha256, {
          signal: AbortSignal.any([signal, stop.signal]),
          counters: c.host.counters,
          prefer: [hint, ...recent],
          onAttempt: (peer, outcome) => { if (outcome === 'OK') served(peer) },
          admit: async (size) => {
            hold?.release()
            charge?.release()
            charge = undefined
            try {
              charge = c.quota?.reserve(hintPublicKey, sha256, Math.min(size, MAX_BLOB_BYTES))
            } catch (err) {
              refused = err
              stop.abort()
              throw err
            }
            hold = await c.budget?.reserve(hintPublicKey, Math.min(size, MAX_BLOB_BYTES), signal)
          }
        })
        await c.blobs.put(bytes, sha256)
        charge?.commit(bytes.byteLength)
        c.metrics.blobs.bytes.inc({ direction: 'received' }, bytes.byteLength)
        return bytes
      } catch (err) {
        lastError = err
        if (refused !== null) {
          c.metrics.blobs.fetchRefused.inc()
          throw refused
        }
        // Cancelled: while fetching (ERR_BLOB_ABORTED) or while waiting for room (ERR_BLOB_BUDGET).
        if ((isTrustEngineError(err) && err.code === ERR_BLOB_ABORTED) || signal.aborted) throw err
      } finally {
        hold?.release()
        charge?.release()
      }
      await sleep(delay, signal)
      delay = Math.min(retry.maxDelayMs, delay * 2)
    }
    throw new TrustEngineError(ERR_BLOB_NOT_FOUND, `no peer served blob ${sha256}`, { cause: lastError })
  }
  return {
    get: async (sha256, hintPublicKey, signal) => {
      const local = await c.blobs.get(sha256)
      if (local !== null) return local
      return await remote(sha256, hintPublicKey, signal)
    },
    fetch: async (sha256, hintPublicKey, signal) => {
      const size = await c.blobs.size(sha256)
      if (size !== null) return size
      return (await remote(sha256, hintPublicKey, signal)).byteLength
    }
  }
}

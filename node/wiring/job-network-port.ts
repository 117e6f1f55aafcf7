/**
 * The job engine's view of the network (`JobNetworkPort`) bound to the
 * libp2p host: gossip publishing, and the catch-up streams (open jobs, a
 * job's votes, certificates) asked of a few admitted peers, whose answers
 * are merged without duplicates. Every byte that comes back is untrusted;
 * the engine validates it as if it came over gossip.
 *
 * A peer refuses and penalises catch-up requests beyond the quota it gives
 * this node's class (admission.ts, `syncRequestsPerMinute`: 600 a minute for
 * a validator, 30 for an observer), and a few penalties take this node out
 * of that peer's gossip mesh. So this node paces its own asks per peer to
 * {@link OWN_QUOTA_SHARE} of that quota, and asks the peers that have room
 * left: an ask with no such peer returns nothing, as an unreachable peer
 * does, and is made again at the caller's next interval.
 *
 * Each peer's answer is counted by how it ended (`catch_up_answers_total`):
 * `ok`, the code it failed with (`ERR_SYNC_PROTOCOL` for an oversized frame
 * or page or too many items, `ERR_SYNC_TIMEOUT`, `ERR_SYNC_UNREACHABLE`),
 * or `stopped` when the engine stopped reading a peer's certificates (one
 * was refused).
 */
import { TrustEngineError } from '../../protocol/errors.ts'
import type { JobNetworkPort } from '../job/ports.ts'
import { fetchCertificates } from '../p2p/certificate-sync.ts'
import type { Host } from '../p2p/host.ts'
import { KeyedTokenBuckets } from '../p2p/rate-limit.ts'
import { fetchOpenJobs, fetchVotes } from '../p2p/vote-sync.ts'

/** Peers asked for a job's votes when catching up (the union of their answers is taken in). */
export const CATCH_UP_PEERS = 3

/**
 * The share of a peer's catch-up quota for this node that this node spends:
 * an ask may take more than one page (one request each), and peers with
 * other clocks refill a little later than this node thinks.
 */
export const OWN_QUOTA_SHARE = 0.5

/** A catch-up protocol, as counted. */
export type CatchUpProtocol = 'votes' | 'open-jobs' | 'certificates'

/** Hears how each peer's answer to a catch-up ask ended: `ok`, `stopped` or the failure's code. */
export type CatchUpAnswered = (protocol: CatchUpProtocol, result: string) => void

/** What the port reports, for the node's metrics. */
export interface JobNetworkPortCounting {
  /** Hears each peer's catch-up answer. */
  answered?: CatchUpAnswered
  /** Hears a reader of the peers this node's own asks are paced for (for `rate_limit_keys`). */
  paceKeys?: (keys: () => number) => void
}

/**
 * The engine's network port over `host`; `onVotePublished` sees every vote
 * the engine publishes.
 */
export function jobNetworkPort (host: Host, onVotePublished: (data: Uint8Array) => void, counting: JobNetworkPortCounting = {}): JobNetworkPort {
  const answered = counting.answered ?? (() => {})
  const perMinute = host.quota(host.libp2p.peerId).syncRequestsPerMinute * OWN_QUOTA_SHARE
  const pace = new KeyedTokenBuckets({ ratePerSecond: perMinute / 60, burst: Math.max(1, Math.floor(perMinute)) })
  counting.paceKeys?.(() => pace.size)
  const room = (peer: string): boolean => pace.take(peer)
  return {
    publish: async (topic, data) => {
      const sent = await host.gossip.publish(host.topics[topic], data)
      if (topic === 'votes') onVotePublished(data)
      return sent
    },
    publishTo: async (topic, data, peers) => {
      const sent = host.gossip.publishTo(host.topics[topic], data, peers)
      if (topic === 'votes') onVotePublished(data)
      return sent
    },
    topicPeers: (topic) => host.gossip.subscribers(host.topics[topic]),
    catchUp: async (jobId, signal) => await askPeers(host, signal, room, async (peer) => await counted('votes', answered, fetchVotes(host, peer, jobId, signal))),
    openJobs: async (signal, peer) => {
      const ask = async (p: string): Promise<Uint8Array[]> => await counted('open-jobs', answered, fetchOpenJobs(host, p, signal))
      if (peer === undefined) return await askPeers(host, signal, room, ask)
      return room(peer) ? await ask(peer).catch(() => []) : []
    },
    certificates: (peer, since, signal) => room(peer) ? countedStream('certificates', answered, fetchCertificates(host, peer, since, signal)) : none(),
    catchUpPeers: async (signal) => await catchUpPeers(host, signal),
    penalise: (peer, code) => { host.penalise(peer, code) }
  }
}

/** The code a catch-up answer failed with (`ERR_INTERNAL` for an error without one). */
function codeOf (err: unknown): string {
  return err instanceof TrustEngineError ? err.code : 'ERR_INTERNAL'
}

/** `answer`, its end counted. */
async function counted (protocol: CatchUpProtocol, answered: CatchUpAnswered, answer: Promise<Uint8Array[]>): Promise<Uint8Array[]> {
  try {
    const items = await answer
    answered(protocol, 'ok')
    return items
  } catch (err) {
    answered(protocol, codeOf(err))
    throw err
  }
}

/** `items` as they arrive, the stream's end counted: `ok`, the code, or `stopped` when the reader stopped first. */
async function * countedStream (protocol: CatchUpProtocol, answered: CatchUpAnswered, items: AsyncGenerator<Uint8Array>): AsyncGenerator<Uint8Array> {
  let result = 'stopped'
  try {
    for await (const item of items) yield item
    result = 'ok'
  } catch (err) {
    result = codeOf(err)
    throw err
  } finally {
    answered(protocol, result)
  }
}

/** An empty certificates stream (no peer with room left). */
async function * none (): AsyncGenerator<Uint8Array> {}

/** Waits (bounded, 10 s) for admitted peers after a start; returns up to CATCH_UP_PEERS of them. */
async function catchUpPeers (host: Host, signal: AbortSignal): Promise<string[]> {
  for (let i = 0; i < 100 && host.admittedPeers().length === 0 && !signal.aborted; i++) await new Promise((r) => setTimeout(r, 100))
  return host.admittedPeers().slice(0, CATCH_UP_PEERS)
}

/**
 * Waits (bounded, 10 s) for admitted peers after a start, then asks up to
 * {@link CATCH_UP_PEERS} of those with `room` left, and returns the union of
 * their answers; unreachable or failing peers are skipped.
 */
async function askPeers (host: Host, signal: AbortSignal, room: (peer: string) => boolean, ask: (peer: string) => Promise<Uint8Array[]>): Promise<Uint8Array[]> {
  const seen = new Set<string>()
  const out: Uint8Array[] = []
  await catchUpPeers(host, signal)
  const peers: string[] = []
  for (const peer of host.admittedPeers()) {
    if (peers.length >= CATCH_UP_PEERS) break
    if (room(peer)) peers.push(peer)
  }
  for (const peer of peers) {
    for (const item of await ask(peer).catch(() => [])) {
      const key = Buffer.from(item).toString('base64')
      if (!seen.has(key)) { seen.add(key); out.push(item) }
    }
  }
  return out
}

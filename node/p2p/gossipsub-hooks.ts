/**
 * Hooks into gossipsub's internals that its options do not offer: counting
 * the RPCs it drops on a full outbound queue, penalising a peer whose frame
 * exceeds the inbound limit, and bounding the seen cache by count. (Each
 * peer's share of validation is another: gossip-peer-share.ts.)
 */
import type { GossipSub } from '@chainsafe/libp2p-gossipsub'
import type { PeerId } from '@libp2p/interface'

/**
 * Gossipsub drops an RPC to a peer whose outbound queue is over
 * `maxOutboundBufferSize` (its send throws, caught and logged inside); this
 * hook counts each such drop: a send that failed while the peer's stream is
 * open (no stream at all is the other reason a send returns false).
 */
export function countOutboundDrops (pubsub: GossipSub, dropped: () => void): void {
  const target = pubsub as unknown as { sendRpc: (id: string, rpc: unknown) => boolean, streamsOutbound: Map<string, unknown> }
  const original = target.sendRpc.bind(pubsub)
  target.sendRpc = (id, rpc) => {
    const sent = original(id, rpc)
    if (!sent && target.streamsOutbound.has(id)) dropped()
    return sent
  }
}

/**
 * Gossipsub drops a peer's inbound stream when a frame exceeds its limit
 * (`maxInboundDataLength`) but does not penalise the peer; this hook (the
 * library's documented error handler of the read stream) adds the penalty.
 */
export function penaliseOversizedFrames (pubsub: GossipSub, penalise: (peerId: string) => void): void {
  const target = pubsub as unknown as { handlePeerReadStreamError: (err: unknown, peerId: PeerId) => void }
  const original = target.handlePeerReadStreamError.bind(pubsub)
  target.handlePeerReadStreamError = (err, peerId) => {
    // [PENALISE] a frame over the RPC size limit (it-length-prefixed's error name).
    if (err instanceof Error && err.name === 'InvalidDataLengthError') penalise(peerId.toString())
    original(err, peerId)
  }
}

/**
 * Gossipsub's seen cache (a map of message ids, in the order they were put,
 * each kept `seenTTL`) is bounded by time only; this hook bounds it by count
 * too: a put beyond `maxIds` forgets the oldest ids first. Forgetting the
 * oldest keeps the map's order (the cache's pruning relies on it). An id
 * forgotten early only means a later copy of that message is validated again
 * (the engine drops it as a duplicate). Returns a reader of the cache's size.
 */
export function boundSeenCache (pubsub: GossipSub, maxIds: number): () => number {
  const cache = (pubsub as unknown as { seenCache: { entries: Map<string, unknown>, put: (key: string, value?: unknown) => boolean } }).seenCache
  const original = cache.put.bind(cache)
  cache.put = (key, value) => {
    const collision = original(key, value)
    while (cache.entries.size > maxIds) {
      const oldest = cache.entries.keys().next().value
      if (oldest === undefined) break
      cache.entries.delete(oldest)
    }
    return collision
  }
  return () => cache.entries.size
}

/** Entries of gossipsub's own caches (see {@link gossipsubCaches}). */
export interface GossipsubCacheSizes {
  /** Messages in the message cache, kept `mcacheLength` heartbeats (5 s) to answer IWANT. */
  messages: number
  /** Message ids peers asked this node not to send (IDONTWANT), all peers, each kept 5 heartbeats. */
  idontwant: number
}

/**
 * A reader of gossipsub's message cache and IDONTWANT sizes, from its
 * internals (`mcache.size`; `idontwants`, a map per peer of message ids):
 * the message cache's size is a getter and the IDONTWANT count one map
 * size per peer, so a scrape costs no more than the peer count. The reader
 * throws if a gossipsub version lacks either (the gauge then keeps no value).
 */
export function gossipsubCaches (pubsub: GossipSub): () => GossipsubCacheSizes {
  const internals = pubsub as unknown as { mcache?: { size?: unknown }, idontwants?: unknown }
  return () => {
    const messages = internals.mcache?.size
    const idontwants = internals.idontwants
    if (typeof messages !== 'number' || !(idontwants instanceof Map)) throw new Error('gossipsub caches not found')
    let idontwant = 0
    for (const ids of idontwants.values()) idontwant += (ids as Map<string, number>).size
    return { messages, idontwant }
  }
}

/**
 * Each peer's fair share of this node's gossip validation.
 *
 * Gossipsub validates a message from any peer as it arrives, and each topic
 * bounds the messages in validation at once (gossip.ts,
 * `maxValidatingPerTopic`). Without a per-peer bound one fast peer could fill
 * that queue and make the node IGNORE every other peer's messages. So each
 * message a peer relays (the *propagation source*, not the author) is checked
 * here first, before gossipsub hashes it or marks its id seen:
 *
 * - **share**: the messages and bytes of one peer on one topic that gossipsub
 *   is still handling (validating) are bounded (`maxValidatingPerPeer`,
 *   `maxValidatingBytesPerPeer`, half the topic's bounds): beyond,
 *   `ERR_GOSSIP_PEER_QUEUE_FULL`;
 * - **rate**: one token bucket per peer, all topics together
 *   (`peerMessagesPerSecond`, `peerMessageBurst`; rate-limit.ts): beyond,
 *   `ERR_GOSSIP_PEER_RATE`.
 *
 * A message beyond either is dropped unread: not penalised (an honest relay
 * of a burst is not at fault), not forwarded, and not marked seen, so the
 * same message relayed by another peer is still taken. The defaults and their
 * arithmetic are in docs/bounds.md ("Gossip").
 */
import type { GossipSub } from '@chainsafe/libp2p-gossipsub'
import type { PeerId } from '@libp2p/interface'
import { ERR_GOSSIP_PEER_QUEUE_FULL, ERR_GOSSIP_PEER_RATE } from './errors.ts'
import { KeyedTokenBuckets } from './rate-limit.ts'

/** Bounds of one peer's gossip. */
export interface GossipPeerShareOptions {
  /** Messages of one peer on one topic handled at once; more are dropped unread (`ERR_GOSSIP_PEER_QUEUE_FULL`). */
  maxValidatingPerPeer: number
  /** Bytes of one peer's messages on one topic handled at once; more are dropped unread (`ERR_GOSSIP_PEER_QUEUE_FULL`). */
  maxValidatingBytesPerPeer: number
  /** Messages taken from one peer per second, all topics together, sustained; more are dropped unread (`ERR_GOSSIP_PEER_RATE`). */
  peerMessagesPerSecond: number
  /** Messages taken from one peer at once, beyond its sustained rate (the bucket's size). */
  peerMessageBurst: number
}

/** Peers whose buckets are kept: every connected peer (validators and observers) several times over. */
const MAX_TRACKED_PEERS = 4096

/** The per-peer shares of one node's gossip validation. */
export class GossipPeerShare {
  readonly #options: GossipPeerShareOptions
  readonly #buckets: KeyedTokenBuckets
  /** `peer topic` → messages and bytes being handled; an entry goes when its count is back at 0. */
  readonly #handling = new Map<string, { count: number, bytes: number }>()

  /** `now` is the clock in ms (tests may pass their own). */
  constructor (options: GossipPeerShareOptions, now: () => number = Date.now) {
    this.#options = options
    this.#buckets = new KeyedTokenBuckets({ ratePerSecond: options.peerMessagesPerSecond, burst: options.peerMessageBurst }, MAX_TRACKED_PEERS, now)
  }

  /** Peers whose message rate is tracked now (at most 4096). */
  get rateKeys (): number {
    return this.#buckets.size
  }

  /**
   * Takes a message of `bytes` from `peer` on `topic`: null when it fits
   * (call {@link release} once it is handled), else the code it is dropped
   * with. A message over its share spends no token.
   */
  admit (peer: string, topic: string, bytes: number): string | null {
    const key = `${peer} ${topic}`
    const held = this.#handling.get(key) ?? { count: 0, bytes: 0 }
    if (held.count >= this.#options.maxValidatingPerPeer || held.bytes + bytes > this.#options.maxValidatingBytesPerPeer) return ERR_GOSSIP_PEER_QUEUE_FULL
    if (!this.#buckets.take(peer)) return ERR_GOSSIP_PEER_RATE
    held.count++
    held.bytes += bytes
    this.#handling.set(key, held)
    return null
  }

  /** Gives back what {@link admit} took for a message now handled. */
  release (peer: string, topic: string, bytes: number): void {
    const key = `${peer} ${topic}`
    const held = this.#handling.get(key)
    if (held === undefined) return
    held.count--
    held.bytes -= bytes
    if (held.count <= 0) this.#handling.delete(key)
  }

  /** Messages being handled now, all peers and topics. */
  get handling (): number {
    let n = 0
    for (const h of this.#handling.values()) n += h.count
    return n
  }
}

/**
 * Puts `share` in front of gossipsub's handling of each received message
 * (its `handleReceivedMessage`, called per message of an RPC after the
 * topic is checked against `allowedTopics`, before the message id is
 * computed or marked seen). A message over its peer's share or rate never
 * reaches gossipsub; `dropped` is told its topic, peer and code.
 */
export function shareReceivedMessages (pubsub: GossipSub, share: GossipPeerShare, dropped: (topic: string, peer: PeerId, code: string) => void): void {
  type Handle = (from: PeerId, rpcMsg: { topic: string, data?: Uint8Array | null }) => Promise<void>
  const target = pubsub as unknown as { handleReceivedMessage: Handle }
  const original: Handle = target.handleReceivedMessage.bind(pubsub)
  target.handleReceivedMessage = async (from, rpcMsg) => {
    const peer = from.toString()
    const bytes = rpcMsg.data?.byteLength ?? 0
    // [IGNORE] over the peer's share of the topic's validation or over its rate: dropped unread, not penalised, not marked seen.
    const code = share.admit(peer, rpcMsg.topic, bytes)
    if (code !== null) {
      dropped(rpcMsg.topic, from, code)
      return
    }
    try {
      await original(from, rpcMsg)
    } finally {
      share.release(peer, rpcMsg.topic, bytes)
    }
  }
}

/**
 * Options of gossip (gossip.ts) and the gossipsub init built from them: no
 * gossipsub signatures, content message ids, flood publish, bounded RPC
 * decoding, the seen cache's lifetime and the outbound queue's bound. Each
 * default has its reason beside it; docs/bounds.md gathers them.
 */
import { createHash } from 'node:crypto'
import type { GossipsubOpts } from '@chainsafe/libp2p-gossipsub'
import type { Message } from '@libp2p/interface'
import { MAX_MESSAGE_BYTES } from '../../protocol/constants.ts'
import type { GossipPeerShareOptions } from './gossip-peer-share.ts'
import { buildScoreConfig, type GossipScoreOptions } from './gossip-score.ts'

/** Tunables of gossip (each peer's share of validation: gossip-peer-share.ts). */
export interface GossipOptions extends GossipPeerShareOptions {
  /** Largest message data accepted or published, checked before any decoding. */
  maxMessageBytes: number
  /** Largest gossipsub RPC frame read from a peer (one frame can bundle several messages). */
  maxRpcBytes: number
  /** A validator still running after this long is abandoned with IGNORE. */
  validationTimeoutMs: number
  /** Messages of one topic in validation at once; more are IGNOREd unread (`ERR_GOSSIP_QUEUE_FULL`). */
  maxValidatingPerTopic: number
  /** Bytes of the messages of one topic in validation at once; more are IGNOREd unread (`ERR_GOSSIP_QUEUE_FULL`). */
  maxValidatingBytesPerTopic: number
  /** How long a message id is remembered to drop duplicates. */
  seenTtlMs: number
  /** Message ids the seen cache holds at most; beyond, the oldest is forgotten early (gossipsub-hooks.ts `boundSeenCache`). */
  maxSeenIds: number
  /** Bytes of RPCs waiting to be sent to one peer; an RPC beyond is dropped for that peer (gossipsub's `maxOutboundBufferSize`, unbounded by default). */
  maxOutboundBufferBytes: number
  /** REJECT JSON messages that are not in canonical encoding, before the validator (canonical-gate.ts). */
  requireCanonicalJson: boolean
}

/** Defaults of {@link GossipOptions}. */
export const DEFAULT_GOSSIP_OPTIONS: GossipOptions = {
  // The protocol's limit on a job, vote or evidence message.
  maxMessageBytes: MAX_MESSAGE_BYTES,
  // An IWANT reply may carry up to 16 full-size messages; also gossipsub's usual 1 MiB bound.
  maxRpcBytes: 1024 * 1024,
  // A vote verifies in ~0.1 ms and a job in a few; 5 s means the validator is stuck or the node overloaded.
  validationTimeoutMs: 5000,
  // One job's votes of both rounds and its seed shares at the largest network (3 × 1000 validators) fit,
  // with room for a second job's; a node that keeps up holds a handful.
  maxValidatingPerTopic: 4096,
  // 4096 votes of about 1 KiB fit four times over; full-size (64 KiB) junk from a flood stops at 256 messages.
  maxValidatingBytesPerTopic: 16 * 1024 * 1024,
  // Gossipsub's default seen-cache lifetime (2 minutes): votes of one job arrive well within it.
  seenTtlMs: 2 * 60 * 1000,
  // About 180 bytes each, 45 MiB in all. Honest traffic up to 2184 messages/s never evicts within seenTtlMs; at the
  // per-peer rate below (what one core verifies) an id is still kept 32 s, far beyond gossipsub's 5 s message cache
  // and a mesh's relay delay: an id forgotten early costs one more validation of a duplicate (docs/bounds.md).
  maxSeenIds: 262_144,
  // Half the topic's bounds: one relay passing on a whole job's votes of both rounds at the largest network
  // (2 × 1000) fits, and one peer never takes more than half the topic's queue from the others.
  maxValidatingPerPeer: 2048,
  maxValidatingBytesPerPeer: 8 * 1024 * 1024,
  // A relay passes on everybody's messages. Sustained: a vote or share verifies in ~0.1 ms on the node's one main
  // thread, so 8192/s is most of a core; an honest network faster than this would overload every validator anyway.
  peerMessagesPerSecond: 8192,
  // At once: four jobs' messages at the largest network (3 × 1000 each: seed shares and both rounds' votes), with room.
  peerMessageBurst: 16_384,
  // 16 RPC frames of the largest size (maxRpcBytes), thousands of votes: a peer that reads at all never lags so far;
  // one that stopped reading holds no more of our memory, and catches up on what it missed (docs/bounds.md).
  maxOutboundBufferBytes: 16 * 1024 * 1024,
  // Every job, vote and evidence message is signed canonical JSON: any other encoding is a replay in disguise.
  requireCanonicalJson: true
}

/**
 * Bounds on what one RPC may carry, so decoding a frame never allocates
 * without limit (gossipsub's defaults are unbounded). We have 3 topics; a
 * heartbeat's IHAVE lists at most a few thousand ids.
 */
const DECODE_RPC_LIMITS = {
  maxSubscriptions: 32,
  maxMessages: 64,
  maxIhaveMessageIDs: 5000,
  maxIwantMessageIDs: 5000,
  maxIdontwantMessageIDs: 5000,
  maxControlMessages: 128,
  maxPeerInfos: 16
}

/** Content message id: sha256 of the message data. */
export function contentMessageId (msg: Message): Uint8Array {
  return createHash('sha256').update(msg.data).digest()
}

/**
 * The gossipsub init for a network with the given topics. `appSpecificScore`
 * is the node's P5 callback (see gossip-score.ts).
 */
export function gossipsubInit (topics: string[], options: GossipOptions, score: GossipScoreOptions, appSpecificScore: (peerId: string) => number): Partial<GossipsubOpts> {
  const { scoreParams, scoreThresholds } = buildScoreConfig(topics, score, appSpecificScore)
  return {
    globalSignaturePolicy: 'StrictNoSign',
    msgIdFn: contentMessageId,
    emitSelf: false,
    // Flood-publish our own messages to every subscribed peer above the publish threshold: one hop to all.
    floodPublish: true,
    fallbackToFloodsub: false,
    doPX: false,
    asyncValidation: false,
    // Publishing with no subscribed peer throws (caught in publish()) *before* the id is marked
    // seen, so the same bytes can be published again once peers arrive.
    allowPublishToZeroTopicPeers: false,
    ignoreDuplicatePublishError: true,
    seenTTL: options.seenTtlMs,
    maxInboundDataLength: options.maxRpcBytes,
    maxOutboundBufferSize: options.maxOutboundBufferBytes,
    decodeRpcLimits: DECODE_RPC_LIMITS,
    allowedTopics: topics,
    scoreParams,
    scoreThresholds
  }
}

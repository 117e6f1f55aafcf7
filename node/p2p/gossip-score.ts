/**
 * Gossipsub peer scoring: the parameters, the thresholds and the mapping of a
 * validator's reputation to the application-specific score (P5).
 *
 * Scale: penalties are in the hundreds, rewards are capped at
 * {@link DEFAULT_GOSSIP_SCORE_OPTIONS}.topicScoreCap = 10. So good behaviour
 * can never bank enough credit to hide an invalid message, and one invalid
 * message (a REJECT: something no honest node forwards) is enough to push a
 * peer below 0, which takes it out of our mesh at the next heartbeat.
 *
 * | messages rejected | P4 = -100·n² | consequence (rewards add at most +10) |
 * |---|---|---|
 * | 1 | -100 | below 0: pruned from the mesh at the next heartbeat; no gossip without rewards |
 * | 2 | -400 | below the gossip and publish thresholds; graylisted without rewards |
 * | 3 | -900 | graylisted: its RPCs are dropped unread |
 *
 * The invalid-message counter decays by 0.99 per second (half-life ≈ 69 s),
 * so a graylisted peer with 3 rejects is heard again after ≈ 40 s.
 */
import type { PeerScoreParams, PeerScoreThresholds, TopicScoreParams } from '@chainsafe/libp2p-gossipsub/score'

/** Tunables of peer scoring (see the module comment for the scale). */
export interface GossipScoreOptions {
  /** Weight of each of our topics in the peer score. */
  topicWeight: number
  /** P4 weight per rejected message (squared counter); negative. */
  invalidMessageWeight: number
  /** P4 counter decay per decay interval, in (0, 1). */
  invalidMessageDecay: number
  /** P1 weight per quantum of time in the mesh; positive. */
  timeInMeshWeight: number
  /** P1 quantum in milliseconds. */
  timeInMeshQuantumMs: number
  /** P1 cap, in quanta. */
  timeInMeshCap: number
  /** P2 weight per first delivery of a valid message; positive. */
  firstDeliveryWeight: number
  /** P2 counter decay per decay interval, in (0, 1). */
  firstDeliveryDecay: number
  /** P2 cap. */
  firstDeliveryCap: number
  /** Cap on the positive sum of all topic contributions. */
  topicScoreCap: number
  /** P5 weight applied to the injected application score. */
  appSpecificWeight: number
  /** P7 weight (broken IWANT promises, GRAFT during backoff); negative. */
  behaviourPenaltyWeight: number
  /** P7 counter value tolerated before a penalty applies. */
  behaviourPenaltyThreshold: number
  /** P7 counter decay per decay interval, in (0, 1). */
  behaviourPenaltyDecay: number
  /** How long the counters of a disconnected peer are kept, in milliseconds. */
  retainScoreMs: number
  /** Below this score no gossip (IHAVE/IWANT) is exchanged with a peer. */
  gossipThreshold: number
  /** Below this score our own messages are not flood-published to a peer. */
  publishThreshold: number
  /** Below this score every RPC of the peer is dropped unread. */
  graylistThreshold: number
  /** Median mesh score below which better peers are grafted opportunistically. */
  opportunisticGraftThreshold: number
}

/** Defaults of {@link GossipScoreOptions}. */
export const DEFAULT_GOSSIP_SCORE_OPTIONS: GossipScoreOptions = {
  // Jobs, votes and evidence all matter for consensus: one weight for all.
  topicWeight: 1,
  // One REJECT puts a peer at the gossip threshold, two at the graylist (table above).
  invalidMessageWeight: -100,
  // Half-life ≈ 69 s at the 1 s decay interval: a graylisted peer is heard again within minutes.
  invalidMessageDecay: 0.99,
  // P1: +0.01 per second in the mesh, at most +3 after 5 minutes.
  timeInMeshWeight: 0.01,
  timeInMeshQuantumMs: 1000,
  timeInMeshCap: 300,
  // P2: +1 per first delivery, at most +5; traffic is sparse (a job, a few votes), so the cap is low.
  firstDeliveryWeight: 1,
  firstDeliveryDecay: 0.99,
  firstDeliveryCap: 5,
  // Rewards stay small beside penalties (see the module comment).
  topicScoreCap: 10,
  // The node's app score is already in score units (see appScoreFromReputation).
  appSpecificWeight: 1,
  // P7: a few broken promises happen in honest races (threshold 4); ten cost (10-4)²·10 = 360.
  behaviourPenaltyWeight: -10,
  behaviourPenaltyThreshold: 4,
  behaviourPenaltyDecay: 0.9,
  // Reconnecting does not reset a penalty for 10 minutes.
  retainScoreMs: 10 * 60 * 1000,
  // One rejected message (-100) reaches it.
  gossipThreshold: -100,
  publishThreshold: -200,
  // Two rejected messages (-400) or an untrusted validator (reputation 0.5) reach it.
  graylistThreshold: -400,
  // Small positive, below the reward cap of 10, as the gossipsub spec suggests.
  opportunisticGraftThreshold: 3
}

/**
 * Disabled parameters, and why:
 * - P3/P3b (mesh message delivery rate): traffic is sparse and bursty (one job,
 *   then a few votes), so a delivery-rate deficit would penalise honest peers.
 * - P6 (IP colocation): the Sybil defence is the validator list (`allowPeer`)
 *   and application signatures; validators behind one NAT, and every test on
 *   127.0.0.1, would be punished for sharing an address.
 */
const DISABLED_TOPIC_PARAMS = {
  meshMessageDeliveriesWeight: 0,
  meshMessageDeliveriesDecay: 0.5,
  meshMessageDeliveriesCap: 1,
  meshMessageDeliveriesThreshold: 1,
  meshMessageDeliveriesWindow: 0,
  meshMessageDeliveriesActivation: 1000,
  meshFailurePenaltyWeight: 0,
  meshFailurePenaltyDecay: 0.5
}

/** Score parameters and thresholds for gossipsub, scoring exactly `topics`. */
export function buildScoreConfig (topics: string[], options: GossipScoreOptions, appSpecificScore: (peerId: string) => number): { scoreParams: PeerScoreParams, scoreThresholds: PeerScoreThresholds } {
  const topicParams: TopicScoreParams = {
    topicWeight: options.topicWeight,
    timeInMeshWeight: options.timeInMeshWeight,
    timeInMeshQuantum: options.timeInMeshQuantumMs,
    timeInMeshCap: options.timeInMeshCap,
    firstMessageDeliveriesWeight: options.firstDeliveryWeight,
    firstMessageDeliveriesDecay: options.firstDeliveryDecay,
    firstMessageDeliveriesCap: options.firstDeliveryCap,
    invalidMessageDeliveriesWeight: options.invalidMessageWeight,
    invalidMessageDeliveriesDecay: options.invalidMessageDecay,
    ...DISABLED_TOPIC_PARAMS
  }
  const scoreParams: PeerScoreParams = {
    topics: Object.fromEntries(topics.map((t) => [t, { ...topicParams }])),
    topicScoreCap: options.topicScoreCap,
    appSpecificScore: (peerId) => safeAppScore(appSpecificScore, peerId),
    appSpecificWeight: options.appSpecificWeight,
    IPColocationFactorWeight: 0,
    IPColocationFactorThreshold: 1,
    IPColocationFactorWhitelist: new Set(),
    behaviourPenaltyWeight: options.behaviourPenaltyWeight,
    behaviourPenaltyThreshold: options.behaviourPenaltyThreshold,
    behaviourPenaltyDecay: options.behaviourPenaltyDecay,
    // The gossipsub heartbeat is 1 s and the library refuses a shorter interval.
    decayInterval: 1000,
    // Counters below 0.01 count as zero (gossipsub spec's suggested value).
    decayToZero: 0.01,
    retainScore: options.retainScoreMs
  }
  const scoreThresholds: PeerScoreThresholds = {
    gossipThreshold: options.gossipThreshold,
    publishThreshold: options.publishThreshold,
    graylistThreshold: options.graylistThreshold,
    // Peer exchange is off (doPX false), so no peer is trusted to hand out others.
    acceptPXThreshold: Math.max(100, options.topicScoreCap * 10),
    opportunisticGraftThreshold: options.opportunisticGraftThreshold
  }
  return { scoreParams, scoreThresholds }
}

/** How reputation maps to the app score (see {@link appScoreFromReputation}). */
export interface ReputationScoreOptions {
  /** At or above this reputation the app score is 0 (no effect). */
  fullTrustAt: number
  /** At this reputation the app score equals `graylistScore`. */
  graylistAt: number
  /** The score reached at `graylistAt`: the graylist threshold. */
  graylistScore: number
}

/** Defaults of {@link ReputationScoreOptions}. */
export const DEFAULT_REPUTATION_SCORE_OPTIONS: ReputationScoreOptions = {
  // A few failed verifications (-0.05 each) from a reputation near 1 cost nothing on the wire.
  fullTrustAt: 0.75,
  // The protocol's untrusted line: reputation below 0.5 means untrusted.
  graylistAt: 0.5,
  graylistScore: DEFAULT_GOSSIP_SCORE_OPTIONS.graylistThreshold
}

/**
 * A suggested application-specific score (P5) for a validator of the given
 * reputation in [0, 1]: 0 down to `fullTrustAt`, then falling linearly to the
 * graylist threshold at `graylistAt` (and further below it). On the way down a
 * peer first leaves the mesh (score < 0), then gets no gossip, then is
 * graylisted exactly when the protocol stops trusting it.
 */
export function appScoreFromReputation (reputation: number, options: ReputationScoreOptions = DEFAULT_REPUTATION_SCORE_OPTIONS): number {
  if (!Number.isFinite(reputation)) return options.graylistScore
  if (reputation >= options.fullTrustAt) return 0
  const slope = options.graylistScore / (options.fullTrustAt - options.graylistAt)
  return (options.fullTrustAt - reputation) * slope
}

/** Calls the injected app score; a throw or a non-finite value counts as 0, never as a crash inside gossipsub. */
function safeAppScore (fn: (peerId: string) => number, peerId: string): number {
  try {
    const v = fn(peerId)
    return Number.isFinite(v) ? v : 0
  } catch {
    return 0
  }
}

/**
 * Gossip topic names and protocol ids. Every name carries the protocol
 * version and the network id, so nodes of two networks (or of two
 * incompatible versions) never share a topic even if they connect.
 */
import { PROTOCOL_VERSION } from '../../protocol/constants.ts'
import { TrustEngineError } from '../../protocol/errors.ts'
import { networkIdSchema } from '../../protocol/fields.ts'
import { ERR_P2P_OPTIONS, ERR_UNKNOWN_TOPIC } from './errors.ts'

/** The kinds of gossip message, one topic each. */
export const TOPIC_KINDS = ['jobs', 'votes', 'evidence', 'seeds'] as const

/** One kind of gossip message. */
export type TopicKind = typeof TOPIC_KINDS[number]

/** The topic names of one network, by kind. */
export type NetworkTopics = Readonly<Record<TopicKind, string>>

/** `/trust-engine/<version>/<networkId>/<kind>`, e.g. `/trust-engine/1/mainnet/votes`. */
export function topicName (networkId: string, kind: TopicKind, protocolVersion: number = PROTOCOL_VERSION): string {
  checkNetworkId(networkId)
  return `/trust-engine/${protocolVersion}/${networkId}/${kind}`
}

/** The topic names of a network. */
export function networkTopics (networkId: string, protocolVersion: number = PROTOCOL_VERSION): NetworkTopics {
  return {
    jobs: topicName(networkId, 'jobs', protocolVersion),
    votes: topicName(networkId, 'votes', protocolVersion),
    evidence: topicName(networkId, 'evidence', protocolVersion),
    seeds: topicName(networkId, 'seeds', protocolVersion)
  }
}

/** The kind of `topic` within `topics`; throws `ERR_UNKNOWN_TOPIC` for any other name. */
export function topicKind (topics: NetworkTopics, topic: string): TopicKind {
  for (const kind of TOPIC_KINDS) if (topics[kind] === topic) return kind
  throw new TrustEngineError(ERR_UNKNOWN_TOPIC, 'not a topic of this network', { action: 'ignore' })
}

/**
 * The protocol id a node registers to say which network and version it
 * belongs to: `/trust-engine/net/<networkId>/<version>.0.0`. Peers learn it
 * through identify; a peer that does not list ours is refused
 * (see `network-gate.ts`).
 */
export function networkProtocolId (networkId: string, protocolVersion: number = PROTOCOL_VERSION): string {
  checkNetworkId(networkId)
  return `/trust-engine/net/${networkId}/${protocolVersion}.0.0`
}

function checkNetworkId (networkId: string): void {
  if (!networkIdSchema.safeParse(networkId).success) {
    throw new TrustEngineError(ERR_P2P_OPTIONS, 'network id must be 1-63 lowercase letters, digits or dashes')
  }
}

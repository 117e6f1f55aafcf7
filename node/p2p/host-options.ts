/**
 * Options of a libp2p host (host.ts `createHost`) and their defaults; the
 * plain-data fields are checked with a schema.
 */
import type { Logger } from 'pino'
import { multiaddr } from '@multiformats/multiaddr'
import { z } from 'zod'
import { PROTOCOL_VERSION } from '../../protocol/constants.ts'
import { networkIdSchema } from '../../protocol/fields.ts'
import type { AdmissionOptions } from './admission.ts'
import type { P2pCounters } from './counters.ts'
import type { GossipMessageHandler, GossipOptions } from './gossip.ts'
import type { GossipScoreOptions } from './gossip-score.ts'
import type { AllowPeer } from './network-gate.ts'
import type { PeerBookOptions, PeerBookPersistence } from './peer-book.ts'
import type { PeerPenaltyOptions } from './peer-penalties.ts'
import type { RedialOptions } from './redial.ts'

/** An ed25519 private key in libp2p's raw form (32-byte seed then 32-byte public key). */
export interface HostPrivateKey {
  readonly type: string
  readonly raw: Uint8Array
}

/** Options of {@link createHost}. Plain-data fields are checked with a schema (`ERR_P2P_OPTIONS`). */
export interface HostOptions {
  /**
   * The node's ed25519 libp2p key (e.g. node/keys.ts `libp2pPrivateKey`);
   * the same key gives the same peer id after a restart. Typed by shape,
   * because `@libp2p/crypto` and libp2p 2 declare keys with two versions of
   * `@libp2p/interface` whose types differ though the objects are alike.
   */
  privateKey: HostPrivateKey
  /** The network this node belongs to (lowercase letters, digits, dashes). */
  networkId: string
  /** Wire protocol version, part of topic names and of the network protocol id. */
  protocolVersion?: number
  /** Listen multiaddrs. */
  listen?: string[]
  /** Peers to connect to and keep connected (multiaddrs, best with `/p2p/<id>`). */
  bootstrap?: string[]
  /**
   * Addresses other hosts should dial (libp2p's announce addresses), told to
   * peers by identify instead of the listen addresses: a published port
   * behind Docker or NAT, or a DNS name. Empty: the listen addresses.
   */
  announce?: string[]
  /** Receives each accepted gossip message once, after validation. */
  onMessage?: GossipMessageHandler
  /** The node's P5 score of a peer (see gossip-score.ts `appScoreFromReputation`). */
  appSpecificScore?: (peerId: string) => number
  /** When given, only these peer ids may connect (e.g. the validators of the network file); no observers. */
  allowPeer?: AllowPeer
  /**
   * Tells validators (e.g. peer ids of the network file) from observers,
   * which get small quotas (admission.ts). Without it every peer counts as a
   * validator.
   */
  isValidator?: (peerId: string) => boolean
  /** Admission policy: observer slots, per-IP bound, quotas, ban length (admission.ts). */
  admission?: Partial<AdmissionOptions>
  /** Stream-abuse penalties and the graylist check (peer-penalties.ts). */
  penalties?: Partial<PeerPenaltyOptions>
  /** Where met peers are remembered; known peers are dialled at start. */
  peerBook?: PeerBookPersistence
  gossip?: Partial<GossipOptions>
  score?: Partial<GossipScoreOptions>
  redial?: Partial<RedialOptions>
  peerBookOptions?: Partial<PeerBookOptions>
  /** Hang up a peer that has not passed the network check after this long (ms). */
  admissionTimeoutMs?: number
  /** New inbound connections accepted per second from one IP address (the node's own bound, connection-limits.ts; libp2p's is 4 times as many). */
  inboundConnectionsPerSecond?: number
  /** Connections open at once; a new inbound one beyond is refused before its handshake (connection-limits.ts; libp2p's bound is 320 more). */
  maxConnections?: number
  /** Inbound connections in their encryption handshake at once; more are refused (connection-limits.ts; libp2p's bound is twice as many). */
  maxPendingConnections?: number
  /** An inbound connection not encrypted after this long is aborted (libp2p's inbound upgrade timeout, ms). */
  handshakeTimeoutMs?: number
  counters?: P2pCounters
  logger?: Logger
}

/**
 * How often libp2p's connection monitor checks each connection, ms (its
 * default is 10 s). Each check opens a stream and runs multistream-select
 * with the peer (two round trips; no node serves the ping protocol, so the
 * peer answers "not supported", which counts as alive), and a check that
 * times out aborts the connection. That was most of an idle node's CPU
 * (docs/protocol.md, "Where a job's time goes"); a peer that closes or
 * resets its connections is seen at once by TCP, so the check only serves a
 * peer that vanished without either, found within a minute instead of ten
 * seconds.
 */
export const CONNECTION_MONITOR_INTERVAL_MS = 60_000

/** Defaults of the plain-data {@link HostOptions}. */
export const DEFAULT_HOST_OPTIONS = {
  protocolVersion: PROTOCOL_VERSION,
  // Loopback with an OS-chosen port: nothing is exposed unless the operator says so.
  listen: ['/ip4/127.0.0.1/tcp/0'],
  bootstrap: [] as string[],
  announce: [] as string[],
  // Twice identify's default 5 s timeout: an honest peer is identified well before.
  admissionTimeoutMs: 10_000,
  // libp2p's default is 5; several validators may share a NAT address and a
  // restart of a 10-node test cluster dials one node 9 times at once.
  inboundConnectionsPerSecond: 50,
  // The largest network's 1000 validators (always admitted once past this bound) and 16 observers, with room for a
  // quarter more: two peers dialling each other at once hold two connections until one closes, and a peer that
  // redials may open its new connection before the old one is gone. libp2p's own default (300) would refuse validators.
  maxConnections: 1280,
  // libp2p's default: a handshake takes milliseconds, so 10 at once admit hundreds of honest redials a second.
  maxPendingConnections: 10,
  // libp2p's default inbound upgrade timeout.
  handshakeTimeoutMs: 10_000
}

const multiaddrString = z.string().min(1).max(512).refine((s) => {
  try { multiaddr(s); return true } catch { return false }
}, 'not a multiaddr')

/** Schema of the plain-data {@link HostOptions} fields (`createHost` answers `ERR_P2P_OPTIONS` on a mismatch). */
export const hostPlainOptionsSchema = z.object({
  networkId: networkIdSchema,
  protocolVersion: z.int().min(1).max(1000),
  listen: z.array(multiaddrString).min(1).max(16),
  bootstrap: z.array(multiaddrString).max(256),
  announce: z.array(multiaddrString).max(16),
  admissionTimeoutMs: z.int().min(100).max(600_000),
  inboundConnectionsPerSecond: z.int().min(1).max(10_000),
  maxConnections: z.int().min(1).max(100_000),
  maxPendingConnections: z.int().min(1).max(10_000),
  handshakeTimeoutMs: z.int().min(100).max(3_600_000)
})

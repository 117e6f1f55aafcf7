/** Peers: peerId → what this node knows of a peer, so it can redial known peers after a restart. */
import { z } from 'zod'
import { BUCKETS } from '../buckets.ts'
import type { Store } from '../db.ts'
import { stringKey } from '../key-codec.ts'
import { Repository } from '../repository.ts'

/** Most addresses kept per peer (libp2p's peer store keeps a handful; 32 is generous). */
export const MAX_PEER_MULTIADDRS = 32

/** Schema of a stored peer. */
export const PeerRecordSchema = z.strictObject({
  /** Multiaddrs as strings, e.g. `/ip4/127.0.0.1/tcp/4001`. */
  multiaddrs: z.array(z.string().min(1).max(1024)).max(MAX_PEER_MULTIADDRS),
  /** When the peer was last seen, milliseconds since the epoch (from the node's clock). */
  lastSeen: z.number().int().nonnegative(),
  /** The network id the peer announced. */
  networkId: z.string().min(1).max(128)
})

/** A stored peer. */
export type PeerRecord = z.infer<typeof PeerRecordSchema>

/** The peers repository, keyed by the peer id string. */
export function peersRepository (store: Store): Repository<string, PeerRecord> {
  return new Repository(store, { bucket: BUCKETS.peers, key: stringKey, value: PeerRecordSchema })
}

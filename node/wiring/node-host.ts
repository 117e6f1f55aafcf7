/**
 * The node's libp2p host: its key and addresses, validators admitted with
 * their quotas (other peers as observers), each validator's gossip score
 * from this node's reputation view, the peer book kept in LevelDB, and the
 * host's counters in the node's metrics.
 */
import type { Logger } from 'pino'
import { PROTOCOL_VERSION } from '../../protocol/constants.ts'
import type { NetworkConfig } from '../../protocol/network.ts'
import { type KeyFile, libp2pPrivateKey, peerIdOf } from '../keys.ts'
import type { NodeMetrics } from '../metrics.ts'
import { DEFAULT_REPUTATION_SCORE_OPTIONS, appScoreFromReputation } from '../p2p/gossip-score.ts'
import { type Host, createHost } from '../p2p/host.ts'
import type { peersRepository } from '../store/repositories/index.ts'
import type { Store } from '../store/db.ts'
import type { Shutdown } from './shutdown.ts'

/**
 * How a validator's reputation becomes its gossipsub application score (P5):
 * any deviation costs (fullTrustAt 1), so a lying validator leaves the meshes
 * after its first false vote (score below 0), stops receiving our flood
 * publishes after about three (publish threshold −200), and is graylisted when
 * the protocol stops trusting it (reputation 0.5, graylist threshold −400).
 */
export const REPUTATION_SCORE = { ...DEFAULT_REPUTATION_SCORE_OPTIONS, fullTrustAt: 1 }

/** What the host is wired to. */
export interface NodeHostComponents {
  network: NetworkConfig
  keyFile: KeyFile
  store: Store
  peers: ReturnType<typeof peersRepository>
  metrics: NodeMetrics
  /** The node's base logger (the host logs as module `p2p`). */
  logger: Logger
  /** A validator's reputation in this node's view, or null while the job engine is not there yet. */
  reputationOf: (publicKey: string) => number | null
  shutdown: Shutdown
}

/** Where the host listens, dials and says it can be reached (the `NodeInit` fields). */
export interface NodeHostOptions {
  listen?: string[]
  bootstrap?: string[]
  announce?: string[]
}

/** Creates the node's host (not started: nothing listens until `host.start()`). */
export async function openHost (components: NodeHostComponents, options: NodeHostOptions): Promise<Host> {
  const { network, keyFile, store, peers, metrics, logger, reputationOf, shutdown } = components
  const peerToKey = new Map(network.validators.map((v) => [peerIdOf(v.publicKey).toString(), v.publicKey]))
  const host = await createHost({
    privateKey: libp2pPrivateKey(keyFile),
    networkId: network.networkId,
    protocolVersion: PROTOCOL_VERSION,
    listen: options.listen ?? ['/ip4/127.0.0.1/tcp/0'],
    bootstrap: options.bootstrap ?? [],
    // Validators are admitted with their quotas; other peers only as observers (node/p2p/admission.ts).
    isValidator: (peerId) => peerToKey.has(peerId),
    announce: options.announce ?? [],
    appSpecificScore: (peerId) => {
      const key = peerToKey.get(peerId)
      const reputation = key === undefined ? null : reputationOf(key)
      return reputation === null ? 0 : appScoreFromReputation(reputation, REPUTATION_SCORE)
    },
    peerBook: {
      load: async () => (await peers.list()).map((e) => ({ peerId: e.key, multiaddrs: e.value.multiaddrs, lastSeen: e.value.lastSeen })),
      save: async (rec) => {
        await store.write((batch) => { peers.put(batch, rec.peerId, { multiaddrs: rec.multiaddrs, lastSeen: rec.lastSeen, networkId: network.networkId }) })
      }
    },
    counters: {
      gossipResult: (topic, result, code) => { metrics.gossip.validationResults.inc({ topic: topicLabel(topic), result, code: result === 'accept' && code === 'OK' ? 'none' : code }) },
      peerRefused: (code) => { metrics.peers.refused.inc({ code }) },
      blob: (side, outcome) => { (side === 'fetch' ? metrics.blobs.fetches : metrics.blobs.serves).inc({ result: outcome }) },
      blobBytesSent: (bytes) => { metrics.blobs.bytes.inc({ direction: 'sent' }, bytes) },
      offence: (code) => { metrics.peers.offences.inc({ code }) },
      outboundDropped: () => { metrics.gossip.outboundDropped.inc() }
    },
    logger: logger.child({ module: 'p2p' })
  })
  shutdown.defer(async () => { await host.stop() })
  return host
}

/** Keeps the connected-peers gauge current (every second) until the node stops. */
export function countPeers (host: Host, metrics: NodeMetrics, shutdown: Shutdown): void {
  const timer = setInterval(() => { metrics.peers.connected.set(host.admittedPeers().length) }, 1000)
  timer.unref()
  shutdown.defer(() => { clearInterval(timer) })
}

/** The topic kind (`jobs`, `votes`, `evidence`, `seeds`) as a low-cardinality metric label. */
function topicLabel (topic: string): string {
  return topic.slice(topic.lastIndexOf('/') + 1)
}

/**
 * The libp2p host of a node: TCP, Noise, Yamux, identify and gossipsub, with
 * network-id gating (network-gate.ts), gossip validation (gossip.ts),
 * reconnection with backoff (redial.ts) and a persisted peer book
 * (peer-book.ts).
 *
 * Nothing runs until `start()`: creating a host opens no socket and starts
 * no timer. `start()` and `stop()` may each be called twice; a stopped host
 * does not start again (create a new one; a persistent private key keeps the
 * peer id).
 */
import { gossipsub, type GossipSub } from '@chainsafe/libp2p-gossipsub'
import { privateKeyFromRaw } from '@libp2p/crypto/keys'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify, type Identify } from '@libp2p/identify'
import type { Libp2p, PeerId, PrivateKey, PubSub } from '@libp2p/interface'
import { tcp } from '@libp2p/tcp'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import type { Logger } from 'pino'
import { TrustEngineError } from '../../protocol/errors.ts'
import { VERSION } from '../version.ts'
import { NO_COUNTERS, type P2pCounters } from './counters.ts'
import { ERR_HOST_STOPPED, ERR_P2P_OPTIONS } from './errors.ts'
import { DEFAULT_GOSSIP_OPTIONS, GossipAdapter, gossipsubInit, type GossipOptions } from './gossip.ts'
import { DEFAULT_GOSSIP_SCORE_OPTIONS, type GossipScoreOptions } from './gossip-score.ts'
import { silentLogger } from './logger.ts'
import { Admission, DEFAULT_ADMISSION_OPTIONS, ipOf, type PeerQuota } from './admission.ts'
import { InboundLimits, libp2pConnectionLimits, type ConnectionLimitOptions } from './connection-limits.ts'
import { ERR_GOSSIP_FRAME_TOO_LARGE, ERR_GRAYLISTED } from './errors.ts'
import { NetworkGate } from './network-gate.ts'
import { DEFAULT_PEER_PENALTY_OPTIONS, PeerPenalties, type PeerPenaltyOptions } from './peer-penalties.ts'
import { DEFAULT_PEER_BOOK_OPTIONS, PeerBook } from './peer-book.ts'
import { DEFAULT_REDIAL_OPTIONS, Redialer, type RedialOptions } from './redial.ts'
import { networkProtocolId, networkTopics, type NetworkTopics } from './topics.ts'
import { countOutboundDrops, penaliseOversizedFrames } from './gossipsub-hooks.ts'
import { CONNECTION_MONITOR_INTERVAL_MS, DEFAULT_HOST_OPTIONS, hostPlainOptionsSchema, type HostOptions } from './host-options.ts'

export { DEFAULT_HOST_OPTIONS, hostPlainOptionsSchema, type HostOptions, type HostPrivateKey } from './host-options.ts'

/** Services of the libp2p node inside a {@link Host}. */
// A type alias, not an interface: libp2p's ServiceMap needs an index signature.
export type HostServices = {
  identify: Identify
  pubsub: PubSub
}

/** A started or stoppable libp2p host for one Trust Engine network. */
export class Host {
  /** The libp2p node (for stream protocols such as the blob protocol). */
  readonly libp2p: Libp2p<HostServices>
  /** This node's peer id. */
  readonly peerId: PeerId
  /** The network id. */
  readonly networkId: string
  /** The gossip topic names of this network. */
  readonly topics: NetworkTopics
  /** Gossip validation, delivery and publishing. */
  readonly gossip: GossipAdapter
  /** The protocol id announcing our network (see network-gate.ts). */
  readonly networkProtocol: string

  /** Who may connect and with what quotas. */
  readonly admission: Admission
  /** The counters this host reports to (the node's metrics), for the stream protocols served and fetched over it. */
  readonly counters: P2pCounters
  readonly #gate: NetworkGate
  readonly #penalties: PeerPenalties
  readonly #penaltyOptions: PeerPenaltyOptions
  readonly #graylistThreshold: number
  readonly #counters: P2pCounters
  #graylistTimer: NodeJS.Timeout | undefined
  readonly #redialer: Redialer
  readonly #peerBook: PeerBook | undefined
  readonly #bootstrap: string[]
  readonly #redialOptions: RedialOptions
  readonly #log: Logger
  #starting: Promise<void> | undefined
  #stopping: Promise<void> | undefined

  /** Use {@link createHost}. */
  constructor (init: { libp2p: Libp2p<HostServices>, networkId: string, topics: NetworkTopics, networkProtocol: string, gossip: GossipAdapter, gate: NetworkGate, admission: Admission, penalties: PeerPenalties, penaltyOptions: PeerPenaltyOptions, graylistThreshold: number, counters: P2pCounters, peerBook: PeerBook | undefined, bootstrap: string[], redial: RedialOptions, logger: Logger }) {
    this.libp2p = init.libp2p
    this.peerId = init.libp2p.peerId
    this.networkId = init.networkId
    this.topics = init.topics
    this.networkProtocol = init.networkProtocol
    this.gossip = init.gossip
    this.#gate = init.gate
    this.admission = init.admission
    this.#penalties = init.penalties
    this.#penaltyOptions = init.penaltyOptions
    this.#graylistThreshold = init.graylistThreshold
    this.#counters = init.counters
    this.counters = init.counters
    this.#peerBook = init.peerBook
    this.#bootstrap = init.bootstrap
    this.#redialOptions = init.redial
    this.#log = init.logger
    this.#redialer = new Redialer({
      libp2p: init.libp2p,
      isAdmitted: (p) => init.gate.isAdmitted(p),
      onAdmit: (listener) => init.gate.onAdmit((p) => { listener(p) }),
      options: init.redial,
      logger: init.logger
    })
  }

  /** Listens, then dials known and bootstrap peers. Safe to call twice. */
  async start (): Promise<void> {
    if (this.#stopping !== undefined) throw new TrustEngineError(ERR_HOST_STOPPED, 'a stopped host cannot start again; create a new one')
    this.#starting ??= this.#start()
    await this.#starting
  }

  /** Stops dialling, closes every connection and the listeners. Safe to call twice. */
  async stop (): Promise<void> {
    this.#stopping ??= this.#stop()
    await this.#stopping
  }

  /** The addresses we tell peers (the announce addresses if set, else the listen addresses), with `/p2p/<id>`, sorted. */
  multiaddrs (): string[] {
    return this.libp2p.getMultiaddrs().map((a) => a.toString()).sort()
  }

  /** Connected peers that passed the network check, sorted. */
  admittedPeers (): string[] {
    return this.#gate.admitted()
  }

  /**
   * Admitted peers that told us they subscribe to every topic of the network,
   * sorted: those a message published now reaches directly. A peer just
   * admitted may not be among them yet (its subscriptions come over its
   * gossip stream a round trip later).
   */
  gossipPeers (): string[] {
    const subscribed = Object.values(this.topics).map((t) => new Set(this.gossip.subscribers(t)))
    return this.admittedPeers().filter((p) => subscribed.every((s) => s.has(p)))
  }

  /**
   * The fewest peers in this node's gossip mesh over the network's topics:
   * those a message it relays goes to. Gossipsub builds and tops up its
   * meshes at its heartbeat (every second), so a peer whose subscriptions
   * just arrived joins them up to a second later; until then a message this
   * node relays does not reach it (one it publishes does: flood publish).
   */
  meshPeers (): number {
    return Math.min(...Object.values(this.topics).map((t) => this.gossip.meshPeers(t).length))
  }

  /** Calls `listener` with each peer when it is admitted (again, after a reconnect); returns a function that removes it. */
  onAdmit (listener: (peerId: string) => void): () => void {
    return this.#gate.onAdmit((peerId) => { listener(peerId.toString()) })
  }

  /** True when `peerId` is connected and passed the network check. */
  isAdmitted (peerId: PeerId | string): boolean {
    return this.#gate.isAdmitted(peerId)
  }

  /** The quotas of a peer (validator or observer; admission.ts). */
  quota (peerId: PeerId | string): PeerQuota {
    return this.admission.quota(peerId)
  }

  /**
   * Records an offence of `peerId` against a stream protocol: counted, its
   * application score lowered (peer-penalties.ts); once the penalty alone
   * reaches the graylist threshold the peer is hung up and banned.
   */
  penalise (peerId: PeerId | string, code: string): void {
    const id = peerId.toString()
    this.#penalties.penalise(id, code)
    this.#counters.offence?.(code)
    this.#log.debug({ peer: id, code }, 'peer penalised')
    if (-this.#penalties.penaltyOf(id) <= this.#graylistThreshold) this.#disconnect(id, ERR_GRAYLISTED)
  }

  /** The current stream-abuse penalty of a peer (0 when none). */
  penaltyOf (peerId: PeerId | string): number {
    return this.#penalties.penaltyOf(peerId)
  }

  #disconnect (peerId: string, code: string): void {
    if (this.admission.isBanned(peerId)) return
    this.admission.ban(peerId)
    this.#counters.offence?.(code)
    this.#log.debug({ peer: peerId, code }, 'peer disconnected and banned')
    const conns = this.libp2p.getConnections().filter((c) => c.remotePeer.toString() === peerId)
    for (const c of conns) c.abort(new TrustEngineError(code, 'peer banned'))
  }

  /** Hangs up connected peers whose gossip score fell below the graylist threshold. */
  #checkGraylist = (): void => {
    for (const peer of this.libp2p.getPeers()) {
      const id = peer.toString()
      if (this.gossip.getScore(id) < this.#graylistThreshold) this.#disconnect(id, ERR_GRAYLISTED)
    }
  }

  async #start (): Promise<void> {
    // Registered before listening, so no peer ever identifies us without it.
    await this.libp2p.handle(this.networkProtocol, ({ stream }) => { void stream.close().catch(() => {}) }, { maxInboundStreams: 1 })
    this.#gate.start(this.libp2p)
    if (this.#peerBook !== undefined) {
      const book = this.#peerBook
      this.#gate.onAdmit((peerId, addrs) => {
        // Announced addresses are the peer's word only: keep them for validators, and only those
        // on the IP address the authenticated connection actually comes from, so no peer can make
        // this node dial someone else's address at its next start.
        if (this.admission.classOf(peerId) !== 'validator') return
        const remote = new Set(this.libp2p.getConnections(peerId).map((c) => ipOf(c.remoteAddr)))
        const verified = addrs.filter((a) => { try { return remote.has(ipOf(multiaddr(a))) } catch { return false } })
        if (verified.length === 0) return
        book.record(peerId.toString(), verified).catch((err: unknown) => { this.#log.warn({ err: String(err) }, 'cannot save peer record') })
      })
    }
    this.admission.attach(this.libp2p)
    await this.libp2p.start()
    this.gossip.start()
    this.#graylistTimer = setInterval(this.#checkGraylist, this.#penaltyOptions.checkIntervalMs)
    this.#graylistTimer.unref()
    const self = this.peerId.toString()
    const bootstrapIds = new Set<string>()
    for (const addr of this.#bootstrap) {
      const ma = multiaddr(addr)
      const id = ma.getPeerId()
      if (id === self) continue
      if (id !== null) bootstrapIds.add(id)
      this.#redialer.add({ addrs: [ma], maxFailures: Infinity })
    }
    if (this.#peerBook !== undefined) {
      let known: Awaited<ReturnType<PeerBook['load']>> = []
      try {
        known = await this.#peerBook.load()
      } catch (err) {
        this.#log.warn({ err: String(err) }, 'cannot load the peer book')
      }
      for (const rec of known) {
        if (rec.peerId === self || bootstrapIds.has(rec.peerId)) continue
        const addrs = rec.multiaddrs.map((a) => multiaddr(`${a}/p2p/${rec.peerId}`))
        this.#redialer.add({ addrs, maxFailures: this.#redialOptions.knownPeerMaxFailures })
      }
    }
    this.#log.info({ peerId: self, networkId: this.networkId, addrs: this.multiaddrs() }, 'p2p host started')
  }

  /** Peers this host keeps redialling now: its bootstrap peers and the peer book's, less those given up (redial.ts). */
  get redialTargets (): number {
    return this.#redialer.targets
  }

  async #stop (): Promise<void> {
    // Let a start in progress finish first, so nothing it opens outlives the stop.
    await this.#starting?.catch(() => {})
    clearInterval(this.#graylistTimer)
    await this.#redialer.stop()
    this.gossip.close()
    this.#gate.stop()
    await this.libp2p.stop()
    this.#log.info({ peerId: this.peerId.toString() }, 'p2p host stopped')
  }
}

/**
 * Creates (without starting) a host for `options.networkId`. Throws
 * `ERR_P2P_OPTIONS` on malformed options.
 */
export async function createHost (options: HostOptions): Promise<Host> {
  const parsed = hostPlainOptionsSchema.safeParse({
    networkId: options.networkId,
    protocolVersion: options.protocolVersion ?? DEFAULT_HOST_OPTIONS.protocolVersion,
    listen: options.listen ?? DEFAULT_HOST_OPTIONS.listen,
    bootstrap: options.bootstrap ?? DEFAULT_HOST_OPTIONS.bootstrap,
    announce: options.announce ?? DEFAULT_HOST_OPTIONS.announce,
    admissionTimeoutMs: options.admissionTimeoutMs ?? DEFAULT_HOST_OPTIONS.admissionTimeoutMs,
    inboundConnectionsPerSecond: options.inboundConnectionsPerSecond ?? DEFAULT_HOST_OPTIONS.inboundConnectionsPerSecond,
    maxConnections: options.maxConnections ?? DEFAULT_HOST_OPTIONS.maxConnections,
    maxPendingConnections: options.maxPendingConnections ?? DEFAULT_HOST_OPTIONS.maxPendingConnections,
    handshakeTimeoutMs: options.handshakeTimeoutMs ?? DEFAULT_HOST_OPTIONS.handshakeTimeoutMs
  })
  if (!parsed.success) {
    const where = parsed.error.issues.slice(0, 4).map((i) => i.path.join('.')).join(', ')
    throw new TrustEngineError(ERR_P2P_OPTIONS, `invalid p2p options at ${where}`)
  }
  const opts = parsed.data
  if (options.privateKey.type !== 'Ed25519' || options.privateKey.raw.byteLength !== 64) {
    throw new TrustEngineError(ERR_P2P_OPTIONS, 'the private key must be an ed25519 libp2p key')
  }
  const privateKey = privateKeyFromRaw(options.privateKey.raw) as unknown as PrivateKey
  const logger = options.logger ?? silentLogger()
  const counters = options.counters ?? NO_COUNTERS
  const topics = networkTopics(opts.networkId, opts.protocolVersion)
  const topicList = Object.values(topics)
  const gossipOptions: GossipOptions = { ...DEFAULT_GOSSIP_OPTIONS, ...options.gossip }
  const scoreOptions: GossipScoreOptions = { ...DEFAULT_GOSSIP_SCORE_OPTIONS, ...options.score }
  const injectedScore = options.appSpecificScore ?? (() => 0)
  const penaltyOptions: PeerPenaltyOptions = { ...DEFAULT_PEER_PENALTY_OPTIONS, ...options.penalties }
  const penalties = new PeerPenalties(penaltyOptions)
  // P5 is the node's score (reputation) minus the stream-abuse penalty.
  const appScore = (peerId: string): number => injectedScore(peerId) - penalties.penaltyOf(peerId)
  const connectionLimits: ConnectionLimitOptions = {
    maxConnections: opts.maxConnections,
    maxPendingConnections: opts.maxPendingConnections,
    inboundConnectionsPerSecond: opts.inboundConnectionsPerSecond,
    handshakeTimeoutMs: opts.handshakeTimeoutMs
  }
  const admission = new Admission({
    inbound: new InboundLimits(connectionLimits),
    isValidator: options.isValidator,
    allowPeer: options.allowPeer,
    options: { ...DEFAULT_ADMISSION_OPTIONS, ...options.admission },
    counters,
    logger
  })
  const libp2p = await createLibp2p({
    start: false,
    privateKey,
    addresses: { listen: opts.listen, ...(opts.announce.length === 0 ? {} : { announce: opts.announce }) },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: admission.gater(),
    // Above the node's own bounds, which the gater checks first and counts (connection-limits.ts).
    connectionManager: libp2pConnectionLimits(connectionLimits),
    nodeInfo: { name: 'trust-engine', version: VERSION },
    connectionMonitor: { pingInterval: CONNECTION_MONITOR_INTERVAL_MS },
    services: {
      identify: identify({ agentVersion: `trust-engine/${VERSION}` }),
      pubsub: gossipsub(gossipsubInit(topicList, gossipOptions, scoreOptions, appScore))
    }
  })
  penaliseOversizedFrames(libp2p.services.pubsub as unknown as GossipSub, (peerId) => hostRef?.penalise(peerId, ERR_GOSSIP_FRAME_TOO_LARGE))
  countOutboundDrops(libp2p.services.pubsub as unknown as GossipSub, () => { counters.outboundDropped?.() })
  let hostRef: Host | undefined
  const networkProtocol = networkProtocolId(opts.networkId, opts.protocolVersion)
  const gate = new NetworkGate({ networkProtocol, admissionTimeoutMs: opts.admissionTimeoutMs, counters, logger })
  const gossip = new GossipAdapter({
    pubsub: libp2p.services.pubsub as unknown as GossipSub,
    topics: topicList,
    onMessage: options.onMessage ?? (() => {}),
    counters,
    logger,
    options: gossipOptions
  })
  const peerBook = options.peerBook === undefined
    ? undefined
    : new PeerBook(options.peerBook, { ...DEFAULT_PEER_BOOK_OPTIONS, ...options.peerBookOptions }, logger)
  hostRef = new Host({
    libp2p,
    networkId: opts.networkId,
    topics,
    networkProtocol,
    gossip,
    gate,
    admission,
    penalties,
    penaltyOptions,
    graylistThreshold: scoreOptions.graylistThreshold,
    counters,
    peerBook,
    bootstrap: opts.bootstrap,
    redial: { ...DEFAULT_REDIAL_OPTIONS, ...options.redial },
    logger
  })
  return hostRef
}

/**
 * Gossip: gossipsub configured for Trust Engine, and one adapter between it
 * and the node's validation rules.
 *
 * - No gossipsub signatures (`StrictNoSign`): every message is signed by the
 *   application (protocol/signing.ts), so signing twice would only cost time.
 *   Messages carry no author, sequence number or key; gossipsub rejects any
 *   that do.
 * - Message id = sha256 of the data: the same bytes are one message however
 *   many peers relay them or re-publish them.
 * - Validation runs through `pubsub.topicValidators`, which gossipsub awaits
 *   before it delivers or forwards a message; a rejected or ignored message
 *   never reaches `onMessage` and is never forwarded. (Gossipsub's own
 *   `asyncValidation` flag stays off: with topic validators it would only add
 *   a second, manual report step, and its plain `message` event would fire
 *   before validation.)
 * - Gossipsub starts each message's validation as it arrives, without
 *   waiting for earlier ones, so each topic bounds the messages in
 *   validation at once, in count and in bytes: a message beyond is IGNOREd
 *   unread (`ERR_GOSSIP_QUEUE_FULL`, not penalised, not forwarded; gossipsub
 *   marked its id seen, and the adapter forgets it again so that a later
 *   copy is validated; catch-up also brings it back: docs/bounds.md).
 *   Before that, each relaying peer gets only its share of the topic's queue
 *   and a rate (gossip-peer-share.ts): one fast peer cannot fill the queue.
 * - Gossipsub's seen cache is bounded by count as well as time
 *   (`maxSeenIds`, gossipsub-hooks.ts).
 * - The injected validator throws a `TrustEngineError` to refuse a message;
 *   its `action` picks REJECT (penalised, P4) or IGNORE (dropped, not
 *   penalised). Any other exception is a bug in the validator: IGNORE, so an
 *   honest peer is never punished for our bug, and logged at error.
 */
import type { GossipSub, GossipsubMessage } from '@chainsafe/libp2p-gossipsub'
import { TopicValidatorResult } from '@libp2p/interface'
import type { Message, PeerId } from '@libp2p/interface'
import type { Logger } from 'pino'
import { TrustEngineError, isTrustEngineError } from '../../protocol/errors.ts'
import type { GossipResult, P2pCounters } from './counters.ts'
import { isCanonicalOrNotJson } from './canonical-gate.ts'
import { ERR_GOSSIP_QUEUE_FULL, ERR_MESSAGE_TOO_LARGE, ERR_NOT_CANONICAL, ERR_NO_VALIDATOR, ERR_P2P_OPTIONS, ERR_UNKNOWN_TOPIC, ERR_VALIDATION_TIMEOUT, ERR_VALIDATOR_BUG } from './errors.ts'
import { contentMessageId, type GossipOptions } from './gossip-options.ts'
import { GossipPeerShare, shareReceivedMessages } from './gossip-peer-share.ts'
import { boundSeenCache, type GossipsubCacheSizes, gossipsubCaches } from './gossipsub-hooks.ts'

export { DEFAULT_GOSSIP_OPTIONS, contentMessageId, gossipsubInit, type GossipOptions } from './gossip-options.ts'

/** Validates one message; returns normally to accept, throws a `TrustEngineError` to reject or ignore. */
export type GossipValidator = (data: Uint8Array, from: PeerId) => void | Promise<void>

/** How a topic's validator is run. */
export interface GossipValidatorOptions {
  /**
   * The validator itself REJECTs JSON that is not in canonical encoding, with
   * `ERR_NOT_CANONICAL`, before it checks any signature (protocol/decode.ts
   * `decodeSignedJson`, in its one parse of the message), so the adapter's
   * own gate would only parse and encode the message a second time.
   */
  checksCanonicalJson?: boolean
  /**
   * Largest message of this topic, checked before any decoding, in place of
   * the adapter's `maxMessageBytes` (the seeds topic: a large network's seed
   * certificate, protocol/seed.ts `maxSeedCertificateBytes`). At most
   * `maxRpcBytes`, since one frame must carry it.
   */
  maxMessageBytes?: number
}

/** Receives each accepted message once, after validation. `from` is the relaying peer, not the author. */
export type GossipMessageHandler = (topic: string, data: Uint8Array, from: PeerId) => void | Promise<void>

/**
 * The parts of gossipsub (@chainsafe/libp2p-gossipsub 14.1) that
 * {@link GossipAdapter.publishTo} reaches behind its public API: the seen
 * cache, the id-to-string function of its keys, and the send of one RPC to
 * one peer (false when no stream to it is open). The adapter's queue bound
 * also deletes from the seen cache (see `#validate`).
 */
interface GossipsubInternals {
  seenCache: { has: (id: string) => boolean, put: (id: string) => void, entries: Map<string, unknown> }
  msgIdToStrFn: (id: Uint8Array) => string
  sendRpc: (peer: string, rpc: { subscriptions: [], messages: Array<{ topic: string, data: Uint8Array }> }) => boolean
}

/** Initialisation of a {@link GossipAdapter}. */
export interface GossipAdapterInit {
  /** The started or not-yet-started gossipsub service. */
  pubsub: GossipSub
  /** Topics this adapter may subscribe to and publish on. */
  topics: string[]
  /** Receives every accepted message once. */
  onMessage: GossipMessageHandler
  counters: P2pCounters
  logger: Logger
  options: GossipOptions
}

/** The one place where gossip messages are validated, counted and delivered. */
export class GossipAdapter {
  readonly #pubsub: GossipSub
  readonly #topics: Set<string>
  readonly #validators = new Map<string, GossipValidator>()
  /** Per topic: its largest message (GossipValidatorOptions.maxMessageBytes), once its validator is set. */
  readonly #maxBytes = new Map<string, number>()
  readonly #onMessage: GossipMessageHandler
  readonly #counters: P2pCounters
  readonly #log: Logger
  readonly #options: GossipOptions
  readonly #subscribed = new Set<string>()
  #listening = false
  #validating = 0
  #delivering = 0
  /** Messages and bytes in validation, per topic. */
  readonly #inValidation = new Map<string, { count: number, bytes: number }>()
  readonly #seenIds: () => number
  readonly #share: GossipPeerShare
  readonly #caches: () => GossipsubCacheSizes

  /** Puts each peer's share (gossip-peer-share.ts) and the seen cache's count bound on `init.pubsub`. */
  constructor (init: GossipAdapterInit) {
    this.#pubsub = init.pubsub
    this.#topics = new Set(init.topics)
    this.#onMessage = init.onMessage
    this.#counters = init.counters
    this.#log = init.logger
    this.#options = init.options
    this.#share = new GossipPeerShare(init.options)
    shareReceivedMessages(init.pubsub, this.#share, (topic, peer, code) => { this.#result(topic, 'ignore', code, peer) })
    this.#seenIds = boundSeenCache(init.pubsub, init.options.maxSeenIds)
    this.#caches = gossipsubCaches(init.pubsub)
  }

  /**
   * Sets the validator of `topic` (replacing any earlier one). Messages on a
   * topic are validated only once a validator is set; {@link subscribe}
   * refuses a topic without one.
   */
  setValidator (topic: string, validator: GossipValidator, options: GossipValidatorOptions = {}): void {
    this.#checkTopic(topic)
    this.#validators.set(topic, validator)
    const limit = options.maxMessageBytes ?? this.#options.maxMessageBytes
    if (!Number.isInteger(limit) || limit < 1 || limit > this.#options.maxRpcBytes) {
      throw new TrustEngineError(ERR_P2P_OPTIONS, `a topic's message limit must be an integer from 1 to maxRpcBytes (${this.#options.maxRpcBytes})`)
    }
    this.#maxBytes.set(topic, limit)
    const gate = this.#options.requireCanonicalJson && options.checksCanonicalJson !== true
    this.#pubsub.topicValidators.set(topic, async (peer, msg) => await this.#validate(topic, validator, gate, peer, msg))
  }

  /**
   * Subscribes to `topic` (at once when the host runs, else when it starts);
   * throws `ERR_NO_VALIDATOR` when no validator was set for it.
   */
  subscribe (topic: string): void {
    this.#checkTopic(topic)
    if (!this.#validators.has(topic)) throw new TrustEngineError(ERR_NO_VALIDATOR, 'set a validator before subscribing')
    this.#subscribed.add(topic)
    this.#listen()
    if (this.#pubsub.isStarted()) this.#pubsub.subscribe(topic)
  }

  /** Unsubscribes from `topic`. */
  unsubscribe (topic: string): void {
    this.#checkTopic(topic)
    this.#subscribed.delete(topic)
    if (this.#pubsub.isStarted()) this.#pubsub.unsubscribe(topic)
  }

  /** Applies the subscriptions made before the pubsub service started (called by the host). */
  start (): void {
    for (const topic of [...this.#subscribed].sort()) this.#pubsub.subscribe(topic)
  }

  /**
   * Publishes `data` on `topic` and returns how many peers it was sent to:
   * 0 when no peer is subscribed yet (a one-node network) or when these
   * exact bytes were already published or received (same content id).
   * Throws `ERR_MESSAGE_TOO_LARGE` above the message limit. Our own messages
   * are not delivered to our own `onMessage`.
   */
  async publish (topic: string, data: Uint8Array): Promise<number> {
    this.#checkTopic(topic)
    const limit = this.#maxBytesOf(topic)
    if (data.byteLength > limit) {
      throw new TrustEngineError(ERR_MESSAGE_TOO_LARGE, `message of ${data.byteLength} bytes exceeds ${limit}`)
    }
    try {
      const res = await this.#pubsub.publish(topic, data)
      return res.recipients.length
    } catch (err) {
      if (err instanceof Error && err.message === 'PublishError.NoPeersSubscribedToTopic') return 0
      throw err
    }
  }

  /**
   * Messages waiting in this node now: `validating` (in a topic validator;
   * gossipsub forwards and delivers a message only after it) and
   * `delivering` (accepted, their handler still running).
   */
  get queued (): { validating: number, delivering: number } {
    return { validating: this.#validating, delivering: this.#delivering }
  }

  /** Peers whose gossip message rate is tracked now (gossip-peer-share.ts, at most 4096). */
  get peerRateKeys (): number {
    return this.#share.rateKeys
  }

  /** Entries of gossipsub's message cache and IDONTWANT lists now; throws when this gossipsub version lacks them. */
  get caches (): GossipsubCacheSizes {
    return this.#caches()
  }

  /** Message ids in gossipsub's seen cache now (at most `maxSeenIds`). */
  get seenIds (): number {
    return this.#seenIds()
  }

  /**
   * Sends `data` on `topic` straight to the listed peers only, as one
   * gossipsub message each of them then validates and relays like any
   * other; returns how many it went to (0 when these bytes were already
   * published or received). The message is marked seen here, so a copy
   * relayed back is dropped. Gossipsub has no per-peer publish, so this goes
   * through its internal send and seen cache (`GossipsubInternals`). Only
   * a simulated equivocator uses it (node/job/faults.ts): an honest node
   * sends every message to every peer.
   */
  publishTo (topic: string, data: Uint8Array, peers: readonly string[]): number {
    this.#checkTopic(topic)
    const limit = this.#maxBytesOf(topic)
    if (data.byteLength > limit) {
      throw new TrustEngineError(ERR_MESSAGE_TOO_LARGE, `message of ${data.byteLength} bytes exceeds ${limit}`)
    }
    const internals = this.#pubsub as unknown as GossipsubInternals
    const id = internals.msgIdToStrFn(contentMessageId({ type: 'unsigned', topic, data }))
    if (internals.seenCache.has(id)) return 0
    internals.seenCache.put(id)
    let sent = 0
    // StrictNoSign: a raw message is its topic and data only.
    for (const peer of peers) if (internals.sendRpc(peer, { subscriptions: [], messages: [{ topic, data }] })) sent++
    return sent
  }

  /** Current gossipsub score of a peer, as this node sees it (0 for an unknown peer). */
  getScore (peerId: PeerId | string): number {
    return this.#pubsub.getScore(peerId.toString())
  }

  /** Peer ids in our mesh for `topic`, sorted. */
  meshPeers (topic: string): string[] {
    return [...this.#pubsub.getMeshPeers(topic)].sort()
  }

  /** Peer ids known to be subscribed to `topic`, sorted. */
  subscribers (topic: string): string[] {
    return this.#pubsub.getSubscribers(topic).map((p) => p.toString()).sort()
  }

  /** Stops delivering messages (the pubsub service itself is stopped by the host). */
  close (): void {
    if (!this.#listening) return
    this.#pubsub.removeEventListener('gossipsub:message', this.#onGossipMessage)
    this.#listening = false
  }

  #listen (): void {
    if (this.#listening) return
    this.#pubsub.addEventListener('gossipsub:message', this.#onGossipMessage)
    this.#listening = true
  }

  // Gossipsub dispatches this only for messages every check (ours included) accepted,
  // and only once per message id within the seen TTL.
  #onGossipMessage = (evt: CustomEvent<GossipsubMessage>): void => {
    const { msg, propagationSource } = evt.detail
    if (!this.#validators.has(msg.topic)) return
    this.#deliver(msg.topic, msg.data, propagationSource)
  }

  /** Hands an accepted message to `onMessage`, counted in `queued.delivering` while its handler runs. */
  #deliver (topic: string, data: Uint8Array, from: PeerId): void {
    this.#delivering++
    Promise.resolve()
      .then(async () => { await this.#onMessage(topic, data, from) })
      .catch((err: unknown) => {
        this.#log.error({ topic, err: describe(err) }, 'message handler failed')
      })
      .finally(() => { this.#delivering-- })
  }

  async #validate (topic: string, validator: GossipValidator, gate: boolean, peer: PeerId, msg: Message): Promise<TopicValidatorResult> {
    const size = msg.data.byteLength
    let queue = this.#inValidation.get(topic)
    if (queue === undefined) {
      queue = { count: 0, bytes: 0 }
      this.#inValidation.set(topic, queue)
    }
    // [IGNORE] the topic's validation queue is full: dropped unread, not penalised (an oversized message is still REJECTed below).
    // Gossipsub marked its id seen before calling us; the id is forgotten again, so the next copy (another
    // peer's relay, an IWANT answer, a re-publish) is validated once there is room instead of dropped as a
    // duplicate for the seen cache's 2 minutes. This costs nothing more: a flood of copies meets this same cheap check.
    if (size <= this.#maxBytesOf(topic) && (queue.count >= this.#options.maxValidatingPerTopic || queue.bytes + size > this.#options.maxValidatingBytesPerTopic)) {
      this.#forgetSeen(msg)
      return this.#result(topic, 'ignore', ERR_GOSSIP_QUEUE_FULL, peer)
    }
    queue.count++
    queue.bytes += size
    this.#validating++
    try {
      return await this.#check(topic, validator, gate, peer, msg)
    } finally {
      this.#validating--
      queue.count--
      queue.bytes -= size
    }
  }

  /** Deletes `msg`'s id from gossipsub's seen cache (deleting keeps the cache's insertion order, which its pruning relies on). */
  #forgetSeen (msg: Message): void {
    const internals = this.#pubsub as unknown as GossipsubInternals
    internals.seenCache.entries.delete(internals.msgIdToStrFn(contentMessageId(msg)))
  }

  async #check (topic: string, validator: GossipValidator, gate: boolean, peer: PeerId, msg: Message): Promise<TopicValidatorResult> {
    // [REJECT] larger than any valid message: refused before anything reads it.
    if (msg.data.byteLength > this.#maxBytesOf(topic)) {
      return this.#result(topic, 'reject', ERR_MESSAGE_TOO_LARGE, peer)
    }
    // [REJECT] JSON in any encoding but the canonical one: refused before the validator checks a signature
    // (by the validator itself when it said so: it checks in its own parse, before any signature).
    if (gate && !isCanonicalOrNotJson(msg.data)) {
      return this.#result(topic, 'reject', ERR_NOT_CANONICAL, peer)
    }
    let timer: NodeJS.Timeout | undefined
    const validation = Promise.resolve().then(async () => { await validator(msg.data, peer) })
    const timeout = new Promise<'timeout'>((resolve) => { timer = setTimeout(() => { resolve('timeout') }, this.#options.validationTimeoutMs) })
    try {
      // [IGNORE] not settled in time; it goes on, and is published on if it then accepts (#afterTimeout).
      if (await Promise.race([validation, timeout]) === 'timeout') {
        this.#afterTimeout(topic, validation, peer, msg)
        return this.#result(topic, 'ignore', ERR_VALIDATION_TIMEOUT, peer)
      }
      return this.#result(topic, 'accept', 'OK', peer)
    } catch (err) {
      if (isTrustEngineError(err)) return this.#result(topic, err.action, err.code, peer)
      this.#log.error({ topic, err: describe(err) }, 'validator threw a non-typed error (a bug); message ignored')
      return this.#result(topic, 'ignore', ERR_VALIDATOR_BUG, peer)
    } finally {
      clearTimeout(timer)
    }
  }

  /**
   * A validator that ran past `validationTimeoutMs` goes on (nothing cancels
   * it), and the node takes the message in (validators are its handlers);
   * gossipsub, told IGNORE, forwarded it to no one and keeps its id seen. So
   * when the validator then accepts, this node forgets the id and publishes
   * the message itself (to every subscribed peer: flood publish) and delivers
   * it: one overloaded node on the way no longer cuts off the peers behind it
   * (an announcement, a vote, a seed share). Peers that have it drop the copy
   * as seen. Counted as `accept` with code `LATE`.
   */
  #afterTimeout (topic: string, validation: Promise<void>, peer: PeerId, msg: Message): void {
    validation.then(async () => {
      // Stopped meanwhile: the message is the node's, but there is nobody to pass it on to.
      if (!this.#listening || !this.#pubsub.isStarted()) return
      this.#result(topic, 'accept', 'LATE', peer)
      this.#forgetSeen(msg)
      const sent = await this.publish(topic, msg.data)
      this.#log.info({ topic, peers: sent }, 'message accepted after its validation timed out: published on')
      this.#deliver(msg.topic, msg.data, peer)
    }).catch((err: unknown) => {
      if (!isTrustEngineError(err)) this.#log.error({ topic, err: describe(err) }, 'late validation or its publication failed')
    })
  }

  #result (topic: string, result: GossipResult, code: string, peer: PeerId): TopicValidatorResult {
    this.#counters.gossipResult(topic, result, code)
    if (result !== 'accept') this.#log.debug({ topic, result, code, peer: peer.toString() }, 'gossip message refused')
    return result === 'accept' ? TopicValidatorResult.Accept : result === 'reject' ? TopicValidatorResult.Reject : TopicValidatorResult.Ignore
  }

  /** The largest message of `topic`: its own limit, or the adapter's. */
  #maxBytesOf (topic: string): number {
    return this.#maxBytes.get(topic) ?? this.#options.maxMessageBytes
  }

  #checkTopic (topic: string): void {
    if (!this.#topics.has(topic)) throw new TrustEngineError(ERR_UNKNOWN_TOPIC, 'not a topic of this network')
  }
}

/** A short description of an error for logs: name, code and message, never peer data. */
function describe (err: unknown): string {
  if (isTrustEngineError(err)) return `${err.code}: ${err.message}`
  if (err instanceof Error) return `${err.name}: ${err.message}`
  return String(err)
}

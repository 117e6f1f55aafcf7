/**
 * Network-id gating: which connected peers are admitted.
 *
 * How it works. Every node registers the protocol id
 * `/trust-engine/net/<networkId>/<version>.0.0` (topics.ts). libp2p's
 * identify runs on every new connection and tells each side the other's
 * protocol list. When identify completes, a peer that lists our network
 * protocol is admitted; any other peer is refused: the refusal is counted as
 * `ERR_WRONG_NETWORK` and the peer is hung up. A connection whose peer is
 * still not admitted after `admissionTimeoutMs` (identify never finished) is
 * hung up too (`ERR_HANDSHAKE_TIMEOUT`).
 *
 * Why identify and not a handshake stream of our own: identify already runs
 * once per connection on both sides with its own timeout, and libp2p only
 * starts gossipsub on a connection after identify reported the gossipsub
 * protocol, so the check costs no extra round trip and no extra code path.
 * Gossip topics also carry the network id, so even a connection in the
 * moment before its refusal cannot deliver a message of the wrong network.
 *
 * Which peer ids may connect at all, and with what quotas, is decided
 * earlier, at the connection gater (admission.ts), right after the
 * encryption handshake has proved the remote peer id.
 */
import type { IdentifyResult, Libp2p, PeerId } from '@libp2p/interface'
import type { Logger } from 'pino'
import type { P2pCounters } from './counters.ts'
import { ERR_HANDSHAKE_TIMEOUT, ERR_WRONG_NETWORK } from './errors.ts'

/** Decides whether a peer id may connect at all (checked after encryption). */
export type AllowPeer = (peerId: string) => boolean

/** Called when a peer is admitted, with what identify reported about it. */
export type AdmitListener = (peerId: PeerId, listenAddrs: string[]) => void

/** Initialisation of a {@link NetworkGate}. */
export interface NetworkGateInit {
  /** Our network protocol id, e.g. `/trust-engine/net/mainnet/1.0.0`. */
  networkProtocol: string
  /** Hang up a connection whose peer is not admitted after this long (ms). */
  admissionTimeoutMs: number
  counters: P2pCounters
  logger: Logger
}

/** Tracks which connected peers are admitted, and hangs up the others. */
export class NetworkGate {
  readonly #init: NetworkGateInit
  readonly #admitted = new Set<string>()
  readonly #timers = new Map<string, NodeJS.Timeout>()
  readonly #listeners = new Set<AdmitListener>()
  #libp2p: Libp2p | undefined

  constructor (init: NetworkGateInit) {
    this.#init = init
  }

  /** Starts watching connections of `libp2p`. Safe to call twice. */
  start (libp2p: Libp2p): void {
    if (this.#libp2p !== undefined) return
    this.#libp2p = libp2p
    libp2p.addEventListener('connection:open', this.#onConnectionOpen)
    libp2p.addEventListener('peer:identify', this.#onIdentify)
    libp2p.addEventListener('peer:disconnect', this.#onDisconnect)
  }

  /** Stops watching and clears every timer. Safe to call twice. */
  stop (): void {
    const libp2p = this.#libp2p
    if (libp2p === undefined) return
    libp2p.removeEventListener('connection:open', this.#onConnectionOpen)
    libp2p.removeEventListener('peer:identify', this.#onIdentify)
    libp2p.removeEventListener('peer:disconnect', this.#onDisconnect)
    for (const t of this.#timers.values()) clearTimeout(t)
    this.#timers.clear()
    this.#admitted.clear()
    this.#libp2p = undefined
  }

  /** True when `peerId` is connected and was admitted. */
  isAdmitted (peerId: PeerId | string): boolean {
    return this.#admitted.has(peerId.toString())
  }

  /** Admitted peer ids, sorted. */
  admitted (): string[] {
    return [...this.#admitted].sort()
  }

  /** Registers a listener called on each admission; returns a function that removes it. */
  onAdmit (listener: AdmitListener): () => void {
    this.#listeners.add(listener)
    return () => { this.#listeners.delete(listener) }
  }

  #onConnectionOpen = (evt: CustomEvent<{ remotePeer: PeerId }>): void => {
    const peer = evt.detail.remotePeer.toString()
    if (this.#admitted.has(peer) || this.#timers.has(peer)) return
    const timer = setTimeout(() => {
      this.#timers.delete(peer)
      if (this.#admitted.has(peer)) return
      this.#refuse(evt.detail.remotePeer, ERR_HANDSHAKE_TIMEOUT)
    }, this.#init.admissionTimeoutMs)
    timer.unref()
    this.#timers.set(peer, timer)
  }

  #onIdentify = (evt: CustomEvent<IdentifyResult>): void => {
    const { peerId, protocols, listenAddrs } = evt.detail
    const peer = peerId.toString()
    this.#clearTimer(peer)
    if (!protocols.includes(this.#init.networkProtocol)) {
      this.#admitted.delete(peer)
      this.#refuse(peerId, ERR_WRONG_NETWORK)
      return
    }
    if (this.#admitted.has(peer)) return
    this.#admitted.add(peer)
    this.#init.logger.debug({ peer }, 'peer admitted')
    const addrs = listenAddrs.map((a) => a.toString())
    for (const listener of this.#listeners) {
      try {
        listener(peerId, addrs)
      } catch (err) {
        this.#init.logger.error({ err: String(err) }, 'admit listener failed')
      }
    }
  }

  #onDisconnect = (evt: CustomEvent<PeerId>): void => {
    const peer = evt.detail.toString()
    this.#admitted.delete(peer)
    this.#clearTimer(peer)
  }

  #refuse (peerId: PeerId, code: string): void {
    this.#init.counters.peerRefused(code)
    this.#init.logger.debug({ peer: peerId.toString(), code }, 'peer refused')
    this.#libp2p?.hangUp(peerId).catch((err: unknown) => {
      this.#init.logger.debug({ err: String(err) }, 'hang up failed')
    })
  }

  #clearTimer (peer: string): void {
    const t = this.#timers.get(peer)
    if (t !== undefined) {
      clearTimeout(t)
      this.#timers.delete(peer)
    }
  }
}

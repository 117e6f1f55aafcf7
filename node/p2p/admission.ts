/**
 * Admission: who may connect, and with what quotas.
 *
 * Two classes of peers. A *validator* is a peer id of the network file's
 * validator set (the node injects `isValidator`); validators are always
 * admitted, with quotas sized for honest catch-up and blob fetching.
 * Everyone else is an *observer*: admitted only while there is room (at most
 * `maxObservers` observer peers, at most `maxObserverConnectionsPerIp`
 * observer connections from one IP address), with small quotas of blob
 * streams, blob bytes per second and catch-up requests. Observers can watch
 * the gossip (and relay it; every message is still validated), but a
 * hundred fresh identities from one machine get no more than a few slots.
 *
 * Refusing an identity costs its encryption handshake (a Noise key exchange
 * and a signature check) before its peer id is known, and a refused identity
 * redials. So once an IP address had an identity refused for lack of room
 * (the per-IP bound, or every observer slot taken), that address is in
 * *backoff* for `ipBackoffMs`: its inbound
 * connections are refused before the handshake (`ERR_IP_BACKOFF`), except
 * one every `ipBackoffProbeMs`, which lets a validator sharing the address
 * in (validators are always admitted; this node also dials the validators it
 * knows, which the backoff never touches). Each identity refused for lack
 * of room restarts the backoff. However many identities a farm on one
 * address runs, it costs this node at most `maxObserverConnectionsPerIp`
 * admitted observers plus one handshake per probe interval; a farm spread
 * over many addresses, once the observer slots are full, one handshake per
 * address and probe interval (an address is all the gater knows before the
 * handshake, and a validator may dial from any).
 *
 * A peer that abused a stream protocol or fell below the gossip graylist
 * threshold is banned for `banMs` (peer-penalties.ts): refused at the gater
 * before any protocol stream, and never dialled.
 *
 * Before any of this, the node's own bounds on inbound connections (count,
 * handshakes in progress, rate per IP address: connection-limits.ts) refuse
 * a connection before its handshake, counted like every refusal here.
 *
 * This module is the one place of the admission policy; every number below
 * is an option with its default beside it.
 */
export { ipOf } from './ip.ts'
import type { ConnectionGater, Libp2p, MultiaddrConnection, PeerId } from '@libp2p/interface'
import type { Logger } from 'pino'
import type { InboundLimits } from './connection-limits.ts'
import type { P2pCounters } from './counters.ts'
import { ipOf } from './ip.ts'
import { ERR_IP_BACKOFF, ERR_OBSERVER_LIMIT, ERR_PEER_BANNED, ERR_PEER_NOT_ALLOWED, ERR_TOO_MANY_CONNECTIONS_PER_IP } from './errors.ts'

/** The class of a peer. */
export type PeerClass = 'validator' | 'observer'

/** What one peer may use of this node. */
export interface PeerQuota {
  /** Blob streams served to this peer at once (more are reset and penalised). */
  blobStreams: number
  /** Blob bytes per second served to this peer (streams are paced to it). */
  blobBytesPerSecond: number
  /** Catch-up requests (votes, open jobs) answered per minute; more are refused and penalised. */
  syncRequestsPerMinute: number
}

/** The admission policy (documented in docs/networking.md). */
export interface AdmissionOptions {
  /** Observer peers (outside the validator set) connected at once; 0 admits validators only. */
  maxObservers: number
  /** Observer connections from one IP address at once. */
  maxObserverConnectionsPerIp: number
  /** How long a banned peer is refused (ms). */
  banMs: number
  /** How long an IP address whose identities went beyond `maxObserverConnectionsPerIp` is refused before the handshake (ms); 0 turns the backoff off. */
  ipBackoffMs: number
  /** During an IP address's backoff, one inbound handshake from it is let through this often (ms). */
  ipBackoffProbeMs: number
  /** Quotas of a validator. */
  validator: PeerQuota
  /** Quotas of an observer. */
  observer: PeerQuota
}

/** Defaults of {@link AdmissionOptions}. */
export const DEFAULT_ADMISSION_OPTIONS: AdmissionOptions = {
  // A few dashboards, explorers or standby nodes; each costs connections and gossip fan-out.
  maxObservers: 16,
  // A NATed office may run a few observers; a sybil farm on one address gets no more.
  maxObserverConnectionsPerIp: 8,
  // Gossipsub retains a peer's score for 10 minutes; a ban lasts as long.
  banMs: 10 * 60 * 1000,
  // A refused identity redials within seconds (1, 2, 4, ... s); a minute of backoff
  // turns a farm's redials into refusals that cost an accept and a close each.
  ipBackoffMs: 60 * 1000,
  // A validator behind the farm's address (e.g. one NAT) still gets a handshake
  // within seconds of redialling, and the farm gets no more than one in 5 s.
  ipBackoffProbeMs: 5 * 1000,
  validator: {
    // The job engine fetches one blob per job at a time; 8 covers several jobs at once.
    blobStreams: 8,
    // 64 MiB (the largest blob) in about 4 s; 8 MiB/s from each of several validators is a LAN's share.
    blobBytesPerSecond: 16 * 1024 * 1024,
    // A restarted node asks for the votes of every open job (up to 256) once, and for open jobs a few times.
    syncRequestsPerMinute: 600
  },
  observer: {
    blobStreams: 1,
    // A 64 MiB blob in about 1 minute.
    blobBytesPerSecond: 1024 * 1024,
    syncRequestsPerMinute: 30
  }
}

/** Decides the class, quota and admission of peers; the connection gater of a host. */
export class Admission {
  readonly options: AdmissionOptions
  readonly #isValidator: ((peerId: string) => boolean) | undefined
  readonly #allowPeer: ((peerId: string) => boolean) | undefined
  readonly #bans = new Map<string, number>()
  /** IP address → end of its backoff and time of its next probe handshake (ms). */
  readonly #ipBackoff = new Map<string, { until: number, nextProbe: number }>()
  readonly #counters: P2pCounters
  readonly #log: Logger
  readonly #now: () => number
  readonly #inbound: InboundLimits | undefined
  #libp2p: Libp2p | undefined

  /**
   * `isValidator` tells validators apart; without it every peer counts as a
   * validator (a library host without a validator set). `allowPeer`, when
   * given, refuses every other peer id outright (no observers). `inbound`,
   * when given, bounds inbound connections before their handshake.
   */
  constructor (init: { isValidator?: (peerId: string) => boolean, allowPeer?: (peerId: string) => boolean, inbound?: InboundLimits, options: AdmissionOptions, counters: P2pCounters, logger: Logger, now?: () => number }) {
    this.options = init.options
    this.#isValidator = init.isValidator
    this.#allowPeer = init.allowPeer
    this.#counters = init.counters
    this.#log = init.logger
    this.#now = init.now ?? Date.now
    this.#inbound = init.inbound
  }

  /** Inbound connections in their encryption handshake now (0 without inbound bounds). */
  get pendingHandshakes (): number {
    return this.#inbound?.pending ?? 0
  }

  /** Addresses whose inbound connection rate is tracked now (connection-limits.ts, at most 4096). */
  get inboundRateKeys (): number {
    return this.#inbound?.rateKeys ?? 0
  }

  /** Gives the gater the libp2p node whose connections it counts (set by the host). */
  attach (libp2p: Libp2p): void {
    this.#libp2p = libp2p
  }

  /** The class of `peerId`. */
  classOf (peerId: PeerId | string): PeerClass {
    if (this.#isValidator === undefined) return 'validator'
    return safe(() => this.#isValidator!(peerId.toString()), false, this.#log) ? 'validator' : 'observer'
  }

  /** The quotas of `peerId`. */
  quota (peerId: PeerId | string): PeerQuota {
    return this.classOf(peerId) === 'validator' ? this.options.validator : this.options.observer
  }

  /** Refuses `peerId` for `banMs` from now. */
  ban (peerId: PeerId | string): void {
    const id = peerId.toString()
    this.#bans.delete(id)
    this.#bans.set(id, this.#now() + this.options.banMs)
    // Bounded: bans are only made for connected peers, themselves bounded; drop the oldest beyond 4096.
    if (this.#bans.size > 4096) this.#bans.delete(this.#bans.keys().next().value!)
  }

  /** True while `peerId` is banned. */
  isBanned (peerId: PeerId | string): boolean {
    const id = peerId.toString()
    const until = this.#bans.get(id)
    if (until === undefined) return false
    if (until > this.#now()) return true
    this.#bans.delete(id)
    return false
  }

  /** True while inbound connections from `ip` are refused before the handshake (outside probes). */
  inBackoff (ip: string): boolean {
    const b = this.#ipBackoff.get(ip)
    if (b === undefined) return false
    if (b.until > this.#now()) return true
    this.#ipBackoff.delete(ip)
    return false
  }

  /** The connection gater to give libp2p. */
  gater (): ConnectionGater {
    return {
      denyInboundConnection: (maConn) => this.#denyBeforeHandshake(maConn),
      denyDialPeer: (peerId) => this.#deny(peerId, null, 'dial'),
      denyInboundEncryptedConnection: (peerId, maConn) => {
        this.#inbound?.handshakeDone(maConn)
        return this.#deny(peerId, maConn, 'inbound')
      },
      denyOutboundEncryptedConnection: (peerId) => this.#deny(peerId, null, 'outbound')
    }
  }

  /** Why `peerId` would be refused now, or null. Inbound observers also need a free slot. */
  #refusal (peerId: PeerId, maConn: MultiaddrConnection | null): string | null {
    const id = peerId.toString()
    if (this.#allowPeer !== undefined && !safe(() => this.#allowPeer!(id), false, this.#log)) return ERR_PEER_NOT_ALLOWED
    if (this.isBanned(id)) return ERR_PEER_BANNED
    if (this.classOf(id) === 'validator' || maConn === null) return null
    const libp2p = this.#libp2p
    if (libp2p === undefined) return null
    const ip = ipOf(maConn.remoteAddr)
    const observers = new Set<string>()
    let fromIp = 0
    for (const conn of libp2p.getConnections()) {
      const other = conn.remotePeer.toString()
      if (other === id || this.classOf(other) === 'validator') continue
      observers.add(other)
      if (ip !== null && ipOf(conn.remoteAddr) === ip) fromIp++
    }
    if (fromIp >= this.options.maxObserverConnectionsPerIp) return ERR_TOO_MANY_CONNECTIONS_PER_IP
    if (observers.size >= this.options.maxObservers) return ERR_OBSERVER_LIMIT
    return null
  }

  /**
   * Refuses an inbound connection before any handshake: from an IP address in
   * backoff (except one probe per interval), or beyond the node's inbound
   * bounds (connection-limits.ts).
   */
  #denyBeforeHandshake (maConn: MultiaddrConnection): boolean {
    const code = this.#backoffRefusal(maConn) ?? this.#inbound?.admit(maConn, this.#libp2p?.getConnections().length ?? 0) ?? null
    if (code === null) return false
    this.#counters.peerRefused(code)
    this.#log.debug({ addr: maConn.remoteAddr.toString(), code }, 'connection refused before the handshake')
    return true
  }

  /** `ERR_IP_BACKOFF` for a connection from an address in backoff, except one probe per interval; else null. */
  #backoffRefusal (maConn: MultiaddrConnection): string | null {
    const ip = ipOf(maConn.remoteAddr)
    if (ip === null || !this.inBackoff(ip)) return null
    const b = this.#ipBackoff.get(ip)!
    const now = this.#now()
    if (now >= b.nextProbe) {
      b.nextProbe = now + this.options.ipBackoffProbeMs
      return null
    }
    return ERR_IP_BACKOFF
  }

  /** Starts (or restarts) the backoff of `ip`. */
  #backOff (ip: string): void {
    if (this.options.ipBackoffMs <= 0) return
    const now = this.#now()
    this.#ipBackoff.delete(ip)
    this.#ipBackoff.set(ip, { until: now + this.options.ipBackoffMs, nextProbe: now + this.options.ipBackoffProbeMs })
    // Bounded: one entry per refusing address; drop the oldest beyond 4096.
    if (this.#ipBackoff.size > 4096) this.#ipBackoff.delete(this.#ipBackoff.keys().next().value!)
  }

  #deny (peerId: PeerId, maConn: MultiaddrConnection | null, _direction: string): boolean {
    const code = this.#refusal(peerId, maConn)
    if (code === null) return false
    // Refused for lack of room, the address would redial into the same refusal: it waits before the handshake instead.
    if ((code === ERR_TOO_MANY_CONNECTIONS_PER_IP || code === ERR_OBSERVER_LIMIT) && maConn !== null) {
      const ip = ipOf(maConn.remoteAddr)
      if (ip !== null) this.#backOff(ip)
    }
    this.#counters.peerRefused(code)
    this.#log.debug({ peer: peerId.toString(), code }, 'peer refused')
    return true
  }
}

function safe (fn: () => boolean, fallback: boolean, log: Logger): boolean {
  try {
    return fn()
  } catch (err) {
    log.error({ err: String(err) }, 'admission callback threw')
    return fallback
  }
}

/**
 * The node's own bounds on inbound connections, checked by its connection
 * gater (admission.ts) before the encryption handshake, so that each
 * refusal is counted with its code:
 *
 * - connections open at once (`maxConnections`): `ERR_TOO_MANY_CONNECTIONS`;
 * - handshakes in progress at once (`maxPendingConnections`):
 *   `ERR_TOO_MANY_PENDING_CONNECTIONS`;
 * - new inbound connections per second from one IP address
 *   (`inboundConnectionsPerSecond`, a token bucket per address with a burst of
 *   a second's worth, rate-limit.ts): `ERR_CONNECTION_RATE`.
 *
 * libp2p has the same three limits and refuses silently, before the gater is
 * asked. {@link libp2pConnectionLimits} sets them above the node's, so the
 * node's own checks refuse first and libp2p's stay a backstop.
 *
 * A handshake counts as in progress from the gater's first look at the
 * connection until its encryption is done (the gater's second look), its
 * socket closes, or `handshakeTimeoutMs` passes (libp2p aborts it then).
 */
import type { MultiaddrConnection } from '@libp2p/interface'
import { ipOf } from './ip.ts'
import { ERR_CONNECTION_RATE, ERR_TOO_MANY_CONNECTIONS, ERR_TOO_MANY_PENDING_CONNECTIONS } from './errors.ts'
import { KeyedTokenBuckets } from './rate-limit.ts'

/** The node's bounds on inbound connections. */
export interface ConnectionLimitOptions {
  /** Connections open at once (all peers, both directions); a new inbound one beyond is refused before its handshake. */
  maxConnections: number
  /** Inbound connections in their encryption handshake at once; more are refused. */
  maxPendingConnections: number
  /** New inbound connections accepted per second from one IP address (burst as many). */
  inboundConnectionsPerSecond: number
  /** An inbound connection still not encrypted after this long is aborted by libp2p (its inbound upgrade timeout, ms). */
  handshakeTimeoutMs: number
}

/** libp2p's connection manager limits for the node's {@link ConnectionLimitOptions}. */
export interface Libp2pConnectionLimits {
  maxConnections: number
  maxIncomingPendingConnections: number
  inboundConnectionThreshold: number
  inboundUpgradeTimeout: number
}

/**
 * libp2p's own limits, set above the node's so that the node refuses (and
 * counts) first: connections 320 more (this node's own dials, bootstrap 256
 * and peer book 64, are outbound and not refused by the gater; libp2p closes
 * connections beyond its bound), handshakes twice as many (libp2p counts a
 * handshake until its muxer is negotiated, the node until encryption), and
 * four times the rate (libp2p counts per fixed second, the node's bucket
 * lets a second's burst through on top of its rate).
 */
export function libp2pConnectionLimits (o: ConnectionLimitOptions): Libp2pConnectionLimits {
  return {
    maxConnections: o.maxConnections + 320,
    maxIncomingPendingConnections: o.maxPendingConnections * 2,
    inboundConnectionThreshold: o.inboundConnectionsPerSecond * 4,
    inboundUpgradeTimeout: o.handshakeTimeoutMs
  }
}

/** Addresses whose buckets are kept (least recently used forgotten). */
const MAX_TRACKED_ADDRESSES = 4096

/** The node's inbound connection bounds, checked by the gater. */
export class InboundLimits {
  readonly #options: ConnectionLimitOptions
  readonly #rate: KeyedTokenBuckets
  readonly #now: () => number
  /** Handshakes in progress, by the connection's timeline (one object, kept through libp2p's copies of the connection). */
  readonly #pending = new Map<MultiaddrConnection['timeline'], number>()

  /** `now` is the clock in ms (tests may pass their own). */
  constructor (options: ConnectionLimitOptions, now: () => number = Date.now) {
    this.#options = options
    this.#now = now
    this.#rate = new KeyedTokenBuckets({ ratePerSecond: options.inboundConnectionsPerSecond, burst: options.inboundConnectionsPerSecond }, MAX_TRACKED_ADDRESSES, now)
  }

  /**
   * Checks a new inbound connection, `open` connections being open now: null
   * admits it (its handshake is then in progress), else the refusal's code.
   */
  admit (maConn: MultiaddrConnection, open: number): string | null {
    this.#prune()
    if (this.#pending.size >= this.#options.maxPendingConnections) return ERR_TOO_MANY_PENDING_CONNECTIONS
    const ip = ipOf(maConn.remoteAddr)
    if (ip !== null && !this.#rate.take(ip)) return ERR_CONNECTION_RATE
    if (open >= this.#options.maxConnections) return ERR_TOO_MANY_CONNECTIONS
    this.#pending.set(maConn.timeline, this.#now())
    return null
  }

  /** The encryption handshake of `maConn` is done (or `maConn` is gone). */
  handshakeDone (maConn: MultiaddrConnection): void {
    this.#pending.delete(maConn.timeline)
  }

  /** Addresses whose inbound connection rate is tracked now (at most 4096). */
  get rateKeys (): number {
    return this.#rate.size
  }

  /** Inbound handshakes in progress now. */
  get pending (): number {
    this.#prune()
    return this.#pending.size
  }

  /** Forgets handshakes whose socket closed or whose time is up. */
  #prune (): void {
    const oldest = this.#now() - this.#options.handshakeTimeoutMs
    for (const [timeline, at] of this.#pending) {
      if (timeline.close !== undefined || at < oldest) this.#pending.delete(timeline)
    }
  }
}

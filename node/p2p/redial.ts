/**
 * Keeping connections to chosen peers: dial, and when the dial fails or the
 * connection ends, dial again after an exponentially growing delay.
 *
 * The delay starts at `initialDelayMs`, doubles after each failure and is
 * capped at `maxDelayMs`. It goes back to the initial delay only once the
 * peer was *admitted* (same network, see network-gate.ts), so a peer that
 * connects and is then refused is retried at a slowing pace, never in a busy
 * loop. Every wait and every dial stops at once when the redialer stops.
 */
import type { Libp2p, PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { Logger } from 'pino'
import { sleep } from '../async/sleep.ts'

/** Tunables of reconnection. */
export interface RedialOptions {
  /** First delay after a failure or a disconnect (ms). */
  initialDelayMs: number
  /** Largest delay between two dials (ms). */
  maxDelayMs: number
  /** Bound on one dial, including the encryption and muxer handshakes (ms). */
  dialTimeoutMs: number
  /** Consecutive failures after which a known (non-bootstrap) peer is given up. */
  knownPeerMaxFailures: number
}

/** Defaults of {@link RedialOptions}. */
export const DEFAULT_REDIAL_OPTIONS: RedialOptions = {
  // Short enough that a restarted neighbour is back within seconds.
  initialDelayMs: 1000,
  // A peer down for long costs one dial a minute.
  maxDelayMs: 60_000,
  // A TCP + Noise + Yamux handshake takes milliseconds on a LAN and well under a second across continents.
  dialTimeoutMs: 10_000,
  // 1+2+4+...+60 s: a known peer gone for about 4 minutes is dropped until it is seen again.
  knownPeerMaxFailures: 8
}

/** One peer to keep a connection to. */
export interface RedialTarget {
  /** Addresses to dial (with or without a `/p2p/<id>` suffix). */
  addrs: Multiaddr[]
  /** Consecutive failures before giving up; `Infinity` for bootstrap peers. */
  maxFailures: number
}

/** Initialisation of a {@link Redialer}. */
export interface RedialerInit {
  libp2p: Libp2p
  /** True when the peer is admitted on the network. */
  isAdmitted: (peerId: PeerId) => boolean
  /** Registers an admission listener and returns its remover. */
  onAdmit: (listener: (peerId: PeerId) => void) => () => void
  options: RedialOptions
  logger: Logger
}

/** The next delay after `delay`, doubled and capped. */
export function nextDelay (delay: number, options: RedialOptions): number {
  return Math.min(delay * 2, options.maxDelayMs)
}

/** Runs one reconnection loop per target until stopped. */
export class Redialer {
  readonly #init: RedialerInit
  readonly #controller = new AbortController()
  readonly #loops = new Set<Promise<void>>()

  constructor (init: RedialerInit) {
    this.#init = init
  }

  /** Starts keeping a connection to `target`. Does nothing once stopped. */
  add (target: RedialTarget): void {
    if (this.#controller.signal.aborted || target.addrs.length === 0) return
    const loop = this.#run(target).catch((err: unknown) => {
      this.#init.logger.error({ err: String(err) }, 'redial loop failed')
    })
    this.#loops.add(loop)
    void loop.finally(() => this.#loops.delete(loop))
  }

  /** Targets kept now: one loop each, until it gives up (a known peer after `knownPeerMaxFailures`) or the redialer stops. */
  get targets (): number {
    return this.#loops.size
  }

  /** Stops every loop and waits for them to end. Safe to call twice. */
  async stop (): Promise<void> {
    this.#controller.abort()
    await Promise.all([...this.#loops])
  }

  async #run (target: RedialTarget): Promise<void> {
    const { libp2p, options, logger } = this.#init
    const signal = this.#controller.signal
    let delay = options.initialDelayMs
    let failures = 0
    while (!signal.aborted) {
      let admitted = false
      try {
        const conn = await libp2p.dial(target.addrs, { signal: AbortSignal.any([signal, AbortSignal.timeout(options.dialTimeoutMs)]) })
        admitted = await this.#waitForDisconnect(conn.remotePeer, signal)
      } catch (err) {
        if (signal.aborted) return
        logger.debug({ addr: target.addrs[0]?.toString(), err: String(err) }, 'dial failed')
      }
      if (admitted) {
        delay = options.initialDelayMs
        failures = 0
      } else {
        failures++
        if (failures >= target.maxFailures) {
          logger.debug({ addr: target.addrs[0]?.toString(), failures }, 'giving up on peer')
          return
        }
      }
      await sleep(delay, signal)
      if (!admitted) delay = nextDelay(delay, options)
    }
  }

  /** Resolves when `peer` has no connection left; returns whether it was admitted meanwhile. */
  async #waitForDisconnect (peer: PeerId, signal: AbortSignal): Promise<boolean> {
    const { libp2p, isAdmitted, onAdmit } = this.#init
    const id = peer.toString()
    let admitted = isAdmitted(peer)
    let removeAdmit = (): void => {}
    let onDisconnect = (_evt: CustomEvent<PeerId>): void => {}
    let onAbort = (): void => {}
    try {
      await new Promise<void>((resolve) => {
        removeAdmit = onAdmit((p) => { if (p.toString() === id) admitted = true })
        onDisconnect = (evt) => { if (evt.detail.toString() === id) resolve() }
        onAbort = () => { resolve() }
        libp2p.addEventListener('peer:disconnect', onDisconnect)
        signal.addEventListener('abort', onAbort, { once: true })
        // The connection may already be gone (refused at identify before we got here).
        if (signal.aborted || libp2p.getConnections(peer).length === 0) resolve()
      })
    } finally {
      removeAdmit()
      libp2p.removeEventListener('peer:disconnect', onDisconnect)
      signal.removeEventListener('abort', onAbort)
    }
    return admitted || isAdmitted(peer)
  }
}

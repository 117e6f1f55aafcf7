/**
 * Penalties for abusing stream protocols, and the disconnection of
 * graylisted peers.
 *
 * Gossipsub scores only gossip. A peer that floods the blob or catch-up
 * protocols, or sends a gossip frame over the size limit, is penalised here:
 * each offence adds `offencePenalty` to the peer's penalty, which decays by
 * `decayPerSecond` (like gossipsub's P4) and is subtracted from the peer's
 * application score (P5), so the abuser leaves the meshes and, past the
 * graylist threshold, is graylisted.
 *
 * Every `checkIntervalMs` the host's connected peers are checked: a peer
 * whose gossip score is below the graylist threshold is hung up and banned
 * for `banMs` (admission.ts), so a graylisted peer does not keep its
 * connection (and its stream quotas) while its messages are dropped unread.
 */
import type { PeerId } from '@libp2p/interface'

/** Tunables of stream-abuse penalties. */
export interface PeerPenaltyOptions {
  /** Added to a peer's penalty per offence (subtracted from its P5 score). */
  offencePenalty: number
  /** Multiplier applied to a penalty each second. */
  decayPerSecond: number
  /** How often connected peers' gossip scores are checked against the graylist threshold (ms). */
  checkIntervalMs: number
}

/** Defaults of {@link PeerPenaltyOptions}. */
export const DEFAULT_PEER_PENALTY_OPTIONS: PeerPenaltyOptions = {
  // Like one invalid gossip message (P4 = -100): five quick offences pass the graylist threshold (-400).
  offencePenalty: 100,
  // Gossipsub's P4 decay (half-life about 69 s).
  decayPerSecond: 0.99,
  // Gossipsub's heartbeat.
  checkIntervalMs: 1000
}

interface Penalty {
  value: number
  at: number
}

/** Decaying penalties per peer, bounded to the peers that offended recently. */
export class PeerPenalties {
  readonly #options: PeerPenaltyOptions
  readonly #now: () => number
  readonly #penalties = new Map<string, Penalty>()
  readonly #offences = new Map<string, number>()

  constructor (options: PeerPenaltyOptions, now: () => number = Date.now) {
    this.#options = options
    this.#now = now
  }

  /** Records one offence of `peerId` (with its code, for counting). */
  penalise (peerId: PeerId | string, code: string): void {
    const id = peerId.toString()
    const p = this.#current(id)
    this.#penalties.delete(id)
    this.#penalties.set(id, { value: p + this.#options.offencePenalty, at: this.#now() })
    if (this.#penalties.size > 4096) this.#penalties.delete(this.#penalties.keys().next().value!)
    this.#offences.set(code, (this.#offences.get(code) ?? 0) + 1)
  }

  /** The current (decayed) penalty of `peerId`, 0 when none. */
  penaltyOf (peerId: PeerId | string): number {
    return this.#current(peerId.toString())
  }

  /** Offences counted so far, by code. */
  offences (): Record<string, number> {
    return Object.fromEntries([...this.#offences.entries()].sort())
  }

  #current (id: string): number {
    const p = this.#penalties.get(id)
    if (p === undefined) return 0
    const value = p.value * Math.pow(this.#options.decayPerSecond, (this.#now() - p.at) / 1000)
    if (value < 0.01) {
      this.#penalties.delete(id)
      return 0
    }
    return value
  }
}

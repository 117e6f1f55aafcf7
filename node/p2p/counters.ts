/**
 * Counting hooks of the networking layer. The node feeds them into its
 * metrics registry; labels are low-cardinality (topic, result, code), never a
 * peer id, so a hostile peer cannot blow up the metric space.
 */

/** Outcome of validating one gossip message. */
export type GossipResult = 'accept' | 'reject' | 'ignore'

/** Injected counters; every method is called synchronously and must not throw. */
export interface P2pCounters {
  /** One gossip validation result; `code` is `OK` for an accepted message. */
  gossipResult: (topic: string, result: GossipResult, code: string) => void
  /** One refused peer connection (`ERR_WRONG_NETWORK`, `ERR_PEER_NOT_ALLOWED`, `ERR_HANDSHAKE_TIMEOUT`; before the handshake `ERR_IP_BACKOFF`, `ERR_TOO_MANY_CONNECTIONS`, `ERR_TOO_MANY_PENDING_CONNECTIONS`, `ERR_CONNECTION_RATE`; ...). */
  peerRefused: (code: string) => void
  /** One blob request served (`side` = serve) or fetch finished (`side` = fetch); `outcome` is `OK`, a status or a code. */
  blob: (side: 'serve' | 'fetch', outcome: string) => void
  /** Blob bytes sent to a peer (one call per chunk served). */
  blobBytesSent?: (bytes: number) => void
  /** One penalised offence of a peer (`ERR_STREAM_QUOTA`, `ERR_GOSSIP_FRAME_TOO_LARGE`, `ERR_GRAYLISTED`, ...). */
  offence?: (code: string) => void
  /** One gossip RPC not sent to a peer because its outbound queue was full (`maxOutboundBufferBytes`). */
  outboundDropped?: () => void
}

/** Counters that count nothing (the default when the caller passes none). */
export const NO_COUNTERS: P2pCounters = {
  gossipResult: () => {},
  peerRefused: () => {},
  blob: () => {},
  blobBytesSent: () => {},
  offence: () => {},
  outboundDropped: () => {}
}

/**
 * Counters kept in memory, keyed `kind|label|label...`. Used by tools and
 * tests that read counts without a metrics registry.
 */
export class CounterTally implements P2pCounters {
  readonly #counts = new Map<string, number>()

  /** Counts one gossip validation result. */
  gossipResult = (topic: string, result: GossipResult, code: string): void => { this.#add(`gossip|${topic}|${result}|${code}`) }
  /** Counts one refused peer. */
  peerRefused = (code: string): void => { this.#add(`refused|${code}`) }
  /** Counts one blob outcome. */
  blob = (side: 'serve' | 'fetch', outcome: string): void => { this.#add(`blob|${side}|${outcome}`) }
  /** Counts blob bytes sent, under `blob|serve|bytes`. */
  blobBytesSent = (bytes: number): void => { this.#add('blob|serve|bytes', bytes) }
  /** Counts one penalised offence. */
  offence = (code: string): void => { this.#add(`offence|${code}`) }
  /** Counts one gossip RPC dropped for a full outbound queue. */
  outboundDropped = (): void => { this.#add('gossip|outbound-dropped') }

  /** The count under `key` (0 when never counted). */
  get (key: string): number {
    return this.#counts.get(key) ?? 0
  }

  /** All counts, keys in sorted order. */
  snapshot (): Record<string, number> {
    const out: Record<string, number> = {}
    for (const key of [...this.#counts.keys()].sort()) out[key] = this.#counts.get(key)!
    return out
  }

  #add (key: string, n = 1): void {
    this.#counts.set(key, (this.#counts.get(key) ?? 0) + n)
  }
}

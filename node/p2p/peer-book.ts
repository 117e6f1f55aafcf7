/**
 * The peer book: peers of our network this node has met, kept across
 * restarts so a node finds its neighbours again even without bootstrap
 * addresses.
 *
 * Each admitted peer is recorded with its identify listen addresses and the
 * time it was last seen, through an injected persistence interface (the node
 * passes its LevelDB `peers` repository). Records read back are untrusted
 * (disk corruption, an older version): each is checked against a schema and
 * the bad ones are skipped, not fatal.
 */
import { multiaddr } from '@multiformats/multiaddr'
import { peerIdFromString } from '@libp2p/peer-id'
import type { Logger } from 'pino'
import { z } from 'zod'

/** What is remembered of one peer. */
export interface PeerRecord {
  /** The peer id, base58 (`12D3Koo...`). */
  peerId: string
  /** Its listen addresses as multiaddr strings, without the `/p2p/` suffix. */
  multiaddrs: string[]
  /** When it was last admitted, in ms since the Unix epoch. */
  lastSeen: number
}

/** Where peer records live. `save` replaces the record of the same peer id. */
export interface PeerBookPersistence {
  load: () => Promise<PeerRecord[]>
  save: (record: PeerRecord) => Promise<void>
}

/** Tunables of the peer book. */
export interface PeerBookOptions {
  /** Most records dialled at start (the most recently seen first). */
  maxPeers: number
  /** Most addresses kept per peer. */
  maxAddrsPerPeer: number
  /** A record not refreshed for this long (ms) is expired: neither dialled nor listed. */
  maxAgeMs: number
}

/** Defaults of {@link PeerBookOptions}. */
export const DEFAULT_PEER_BOOK_OPTIONS: PeerBookOptions = {
  // A network has at most 1000 validators (protocol MAX_VALIDATORS); 64 neighbours are plenty for gossip (D = 6).
  maxPeers: 64,
  // A host has a handful of interfaces (IPv4, IPv6, a LAN and a public address).
  maxAddrsPerPeer: 8,
  // A week: a validator down for maintenance is found again; an address from long ago is not dialled.
  maxAgeMs: 7 * 24 * 60 * 60 * 1000
}

/** Schema of a stored record; a multiaddr is at most 256 characters. */
export const peerRecordSchema = z.strictObject({
  peerId: z.string().min(1).max(128),
  multiaddrs: z.array(z.string().min(1).max(256)).max(64),
  lastSeen: z.int().nonnegative()
})

/** Reads and writes peer records, bounded and checked. */
export class PeerBook {
  readonly #persistence: PeerBookPersistence
  readonly #options: PeerBookOptions
  readonly #log: Logger
  readonly #now: () => number

  constructor (persistence: PeerBookPersistence, options: PeerBookOptions, logger: Logger, now: () => number = Date.now) {
    this.#persistence = persistence
    this.#options = options
    this.#log = logger
    this.#now = now
  }

  /**
   * The stored peers that pass the schema, whose id and addresses parse and
   * that were seen within `maxAgeMs`, most recently seen first (ties by peer
   * id), at most `maxPeers`.
   */
  async load (): Promise<PeerRecord[]> {
    const raw = await this.#persistence.load()
    const byId = new Map<string, PeerRecord>()
    let skipped = 0
    const oldest = this.#now() - this.#options.maxAgeMs
    for (const value of raw) {
      const rec = checkRecord(value, this.#options.maxAddrsPerPeer)
      if (rec === null) { skipped++; continue }
      if (rec.lastSeen < oldest) continue
      const prev = byId.get(rec.peerId)
      if (prev === undefined || prev.lastSeen < rec.lastSeen) byId.set(rec.peerId, rec)
    }
    if (skipped > 0) this.#log.warn({ skipped }, 'skipped unreadable peer records')
    return [...byId.values()]
      .sort((a, b) => b.lastSeen - a.lastSeen || (a.peerId < b.peerId ? -1 : a.peerId > b.peerId ? 1 : 0))
      .slice(0, this.#options.maxPeers)
  }

  /** Records that `peerId` was seen now with these listen addresses. */
  async record (peerId: string, multiaddrs: string[]): Promise<void> {
    const addrs = [...new Set(multiaddrs.map(stripPeerId))].filter((a) => a.length <= 256).sort().slice(0, this.#options.maxAddrsPerPeer)
    await this.#persistence.save({ peerId, multiaddrs: addrs, lastSeen: this.#now() })
  }
}

/** The record if it is well formed (valid peer id, parseable addresses), else null. */
function checkRecord (value: unknown, maxAddrs: number): PeerRecord | null {
  const parsed = peerRecordSchema.safeParse(value)
  if (!parsed.success) return null
  try {
    peerIdFromString(parsed.data.peerId)
    const addrs = parsed.data.multiaddrs.slice(0, maxAddrs)
    for (const a of addrs) multiaddr(a)
    return { ...parsed.data, multiaddrs: addrs }
  } catch {
    return null
  }
}

/** The address without a trailing `/p2p/<id>`. */
function stripPeerId (addr: string): string {
  const i = addr.indexOf('/p2p/')
  return i < 0 ? addr : addr.slice(0, i)
}

/**
 * The IP address of a peer's multiaddr: what the connection gater knows of a
 * peer before its handshake, the key of per-address bounds.
 */
import type { Multiaddr } from '@multiformats/multiaddr'

/** The IP address of a multiaddr (`/ip4/…` or `/ip6/…`), or null. */
export function ipOf (addr: Multiaddr): string | null {
  const [first] = addr.stringTuples()
  if (first === undefined) return null
  const [code, value] = first
  // 4 = ip4, 41 = ip6 (multiaddr protocol table).
  return (code === 4 || code === 41) && value !== undefined ? value : null
}

/**
 * Which ed25519 public keys the protocol accepts.
 *
 * node:crypto verifies ed25519 signatures with the cofactored equation and
 * accepts any encoding it can decode, so for a small-order public key A (the
 * identity, for one) the signature R = identity, S = 0 verifies over ANY
 * bytes: whoever lists such a key could vote or equivocate as its validator
 * without a private key. A key is therefore accepted only when it is the
 * canonical RFC 8032 encoding of a point (y < p, no "negative zero" x) whose
 * order is not small (8·A ≠ identity). Every signature check (signing.ts)
 * and the network file (network.ts) apply this rule, so votes, jobs,
 * evidence and seed shares signed by such keys never verify.
 */
import { ed25519 } from '@noble/curves/ed25519.js'
import { declareCode } from './errors.ts'

/** Code of a public key that is not a canonical encoding of a point of large order. */
export const ERR_WEAK_KEY = declareCode('ERR_WEAK_KEY', { action: 'reject', status: 400 })

const HEX32 = /^[0-9a-f]{64}$/
/** Bound on the memo of checked keys; a network has at most 1000 validators. */
const MEMO_LIMIT = 4096
const memo = new Map<string, boolean>()

/**
 * True when `publicKeyHex` is 32 bytes of lowercase hex that decode (RFC 8032,
 * strictly) to a point of large order and re-encode to the same bytes.
 */
export function isStrongPublicKey (publicKeyHex: string): boolean {
  const known = memo.get(publicKeyHex)
  if (known !== undefined) return known
  const strong = check(publicKeyHex)
  if (memo.size >= MEMO_LIMIT) memo.delete(memo.keys().next().value!)
  memo.set(publicKeyHex, strong)
  return strong
}

function check (hex: string): boolean {
  if (!HEX32.test(hex)) return false
  try {
    const point = ed25519.ExtendedPoint.fromHex(hex, false)
    return point.toHex() === hex && !point.isSmallOrder()
  } catch {
    return false
  }
}

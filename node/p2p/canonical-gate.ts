/**
 * The canonical-encoding gate of gossip: a signed message has exactly one
 * valid encoding, its canonical JSON (protocol/canonical.ts). Any other
 * encoding of the same value (whitespace, key order, `1.0` for `1`, escaped
 * characters, duplicate keys) would be a new message id carrying an old,
 * validly signed message: free work for every node (parse, schema, signature
 * check) and, before this gate, no penalty. The gate re-encodes and compares
 * bytes, which costs a parse and an encode (microseconds for a vote), and
 * runs before the validator, so such a message is REJECTed
 * (`ERR_NOT_CANONICAL`, penalised) before any signature is verified.
 *
 * Bytes that are not JSON at all pass through to the validator, which
 * rejects them with its own code (`ERR_MALFORMED`).
 */
import { canonicalEncode } from '../../protocol/canonical.ts'

const decoder = new TextDecoder('utf-8', { fatal: true })

/** False when `data` is JSON whose canonical encoding differs from `data`; true otherwise. */
export function isCanonicalOrNotJson (data: Uint8Array): boolean {
  let value: unknown
  try {
    value = JSON.parse(decoder.decode(data))
  } catch {
    return true
  }
  let canonical: Uint8Array
  try {
    canonical = canonicalEncode(value)
  } catch {
    // JSON with no canonical form (a number that overflows to Infinity): not a signed message.
    return false
  }
  return Buffer.compare(canonical, data) === 0
}

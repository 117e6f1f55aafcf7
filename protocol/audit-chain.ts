/**
 * The audit trail's hashes and signatures, pure so that the node that writes
 * the trail (node/store/audit.ts), its offline verifier
 * (node/store/audit-verify.ts) and the console that checks it in a browser
 * compute them with the same code:
 *
 * - an entry's `hash` is `sha256Hex(canonicalEncode({ seq, prevHash, time, kind, data }))`,
 *   its `prevHash` the previous entry's hash (64 zeros for seq 0);
 * - its `signature` is the node's over `signedBytes('audit', networkId, { seq, hash })`;
 * - the head `{ seq, hash, signature }` is signed in its own domain `head`,
 *   so no entry signature can stand in for a head.
 */
import { canonicalEncode } from './canonical.ts'
import { sha256Hex } from './hash.ts'
import { signedBytes, verifyBytes, verifyMessage } from './signing.ts'

/** `prevHash` of entry 0. */
export const GENESIS_PREV_HASH = '0'.repeat(64)

/** The hashed fields of an entry. */
export interface AuditEntryBody {
  seq: number
  prevHash: string
  time: number
  kind: string
  data: unknown
}

/** What a signature over an entry or a head names. */
export interface AuditSigned {
  seq: number
  hash: string
  signature: string
}

/** `hash` of an entry: sha256 of the canonical encoding of its other fields except the signature. */
export function auditEntryHash (body: AuditEntryBody): string {
  return sha256Hex(canonicalEncode({ seq: body.seq, prevHash: body.prevHash, time: body.time, kind: body.kind, data: body.data }))
}

/** The bytes an entry's signature signs. */
export function auditSignedBytes (networkId: string, seq: number, hash: string): Uint8Array {
  return signedBytes('audit', networkId, { seq, hash })
}

/** True when `entry.signature` is `publicKey`'s signature of the entry in `networkId`. */
export function verifyAuditSignature (entry: AuditSigned, publicKey: string, networkId: string): boolean {
  return verifyBytes(publicKey, auditSignedBytes(networkId, entry.seq, entry.hash), entry.signature)
}

/** True when `head.signature` is `publicKey`'s head signature in `networkId`. */
export function verifyAuditHead (head: AuditSigned, publicKey: string, networkId: string): boolean {
  const message: AuditSigned = { seq: head.seq, hash: head.hash, signature: head.signature }
  return verifyMessage('head', networkId, message, publicKey)
}

/**
 * The audit page's check of a node's trail, in the browser, with the
 * protocol's own code (protocol/audit-chain.ts, bundled): the signed head's
 * ed25519 signature first, then every entry from 0 to the head — its
 * previous hash links to the entry before, its hash matches its content, its
 * signature verifies — and the last entry is the one the head names. Codes
 * are the node's (node/store/errors.ts), as `trust-engine audit verify`
 * reports them for the database.
 *
 * Against the key the caller gives: the node's own (`GET /v1/node`) shows a
 * trail was not edited after the node signed it; a key known from elsewhere
 * (the network file) also shows whose trail it is.
 */
import { auditEntryHash, GENESIS_PREV_HASH, verifyAuditHead, verifyAuditSignature } from '../../protocol/audit-chain.ts'
import { ERR_AUDIT_GAP, ERR_AUDIT_HASH, ERR_AUDIT_HEAD, ERR_AUDIT_LINK, ERR_AUDIT_SIGNATURE } from '../../node/store/errors.ts'
import type { AuditEntry } from './types.ts'

/** The signed head as `GET /v1/audit` serves it. */
export interface AuditHeadView { seq: number, hash: string, signature: string }

/** One page of `GET /v1/audit`. */
export interface AuditPageView { entries: AuditEntry[], head: AuditHeadView | null }

/** The key the trail must be signed with. */
export interface AuditKey { publicKey: string, networkId: string }

/** Outcome of {@link checkAuditTrail}: `code` and `seq` name the first failure. */
export type AuditCheck =
  | { ok: true, length: number, head: AuditHeadView | null }
  | { ok: false, code: string, seq: number, reason: string }

/**
 * Checks the trail page by page (`getPage(from)` answers `GET /v1/audit?from=`)
 * up to the head of the first page, so entries appended meanwhile are left
 * out. `onProgress` gets the number of entries checked after each page.
 */
export async function checkAuditTrail (getPage: (from: number) => Promise<AuditPageView>, key: AuditKey, onProgress?: (checked: number) => void): Promise<AuditCheck> {
  const fail = (code: string, seq: number, reason: string): AuditCheck => ({ ok: false, code, seq, reason })
  let page = await getPage(0)
  const head = page.head
  if (head === null) return page.entries.length === 0 ? { ok: true, length: 0, head: null } : fail(ERR_AUDIT_HEAD, 0, 'entries exist but no signed head')
  if (!verifyAuditHead(head, key.publicKey, key.networkId)) return fail(ERR_AUDIT_HEAD, head.seq, 'the head signature does not verify under the node key')
  let prevHash = GENESIS_PREV_HASH
  let expected = 0
  while (expected <= head.seq) {
    if (page.entries.length === 0) return fail(ERR_AUDIT_HEAD, expected, `the signed head names entry ${head.seq} but the trail ends at ${expected - 1} (truncated)`)
    for (const e of page.entries) {
      if (e.seq > head.seq) break
      if (e.seq !== expected) return fail(ERR_AUDIT_GAP, expected, `entry ${expected} is missing (the next one served is ${e.seq})`)
      if (e.prevHash !== prevHash) return fail(ERR_AUDIT_LINK, e.seq, 'its previous hash is not the hash of the entry before')
      if (auditEntryHash(e) !== e.hash) return fail(ERR_AUDIT_HASH, e.seq, 'its hash does not match its content')
      if (!verifyAuditSignature(e, key.publicKey, key.networkId)) return fail(ERR_AUDIT_SIGNATURE, e.seq, 'its signature does not verify under the node key')
      prevHash = e.hash
      expected++
    }
    onProgress?.(expected)
    if (expected <= head.seq) page = await getPage(expected)
  }
  if (prevHash !== head.hash) return fail(ERR_AUDIT_HEAD, head.seq, 'the signed head hash is not the last entry hash')
  return { ok: true, length: expected, head }
}

/**
 * Full verification of a store's audit trail.
 *
 * Reads the signed head and every entry from one snapshot and checks, entry by
 * entry in key order, stopping at the first failure:
 *
 * | check | code | catches |
 * |---|---|---|
 * | the record parses as an entry, its key is `audit ‖ 8-byte seq` | `ERR_AUDIT_MALFORMED` | garbage written into the bucket |
 * | the key's seq is the next expected one | `ERR_AUDIT_GAP` | a removed entry (seq = the missing one) |
 * | `hash` is the hash of the entry's fields | `ERR_AUDIT_HASH` | an edited entry |
 * | `signature` verifies under the node key | `ERR_AUDIT_SIGNATURE` | a forged or re-signed entry (edited and re-hashed) |
 * | the first signature checked (entry 0's, or the head's with `signatures: 'head'`) that fails under the given network id verifies under the store's recorded one | `ERR_AUDIT_NETWORK_MISMATCH` | a check against the wrong network id (the trail is not broken) |
 * | the entry's own `seq` is its key's seq and `prevHash` is the previous hash | `ERR_AUDIT_LINK` | reordered or moved entries |
 * | the signed head verifies and names the last entry's seq and hash | `ERR_AUDIT_HEAD` | a truncated tail, a removed or forged head |
 *
 * Limit: the head lives in the same database. Someone who can write the
 * database and kept an older copy can roll back both the tail and the head to
 * that older signed state; the result verifies, because it is a state the node
 * once signed. Only a head seen elsewhere (e.g. fetched earlier from the
 * node's `GET /v1/audit` by another party) reveals such a rollback: compare
 * it with {@link AuditVerifyOk.head}, or check that its entry is still in the
 * chain with the same hash.
 */
import { TrustEngineError } from '../../protocol/errors.ts'
import {
  auditedRecordBucket, auditEntryHash, AuditEntrySchema, GENESIS_PREV_HASH, readAuditHead, verifyAuditHead, verifyAuditSignature,
  type AuditEntry, type AuditHead
} from './audit.ts'
import { BUCKETS } from './buckets.ts'
import { parseStoredJson } from './corruption.ts'
import { openStore, type Store, type StoreSnapshot } from './db.ts'
import {
  ERR_AUDIT_GAP, ERR_AUDIT_HASH, ERR_AUDIT_HEAD, ERR_AUDIT_LINK, ERR_AUDIT_MALFORMED, ERR_AUDIT_NETWORK_MISMATCH,
  ERR_AUDIT_SIGNATURE, ERR_STORE_NO_IDENTITY
} from './errors.ts'
import { seqFromBytes } from './key-codec.ts'

/** The trail is intact. */
export interface AuditVerifyOk {
  ok: true
  /** Number of entries. */
  length: number
  /** The verified signed head, null for an empty trail. */
  head: AuditHead | null
}

/** The trail is broken; `seq` names the first bad entry (or the missing one). */
export interface AuditVerifyFailure {
  ok: false
  /** One of the `ERR_AUDIT_*` codes. */
  code: string
  /** The entry where verification stopped. */
  seq: number
  /** What was found, for humans. */
  reason: string
  /**
   * With `ERR_AUDIT_NETWORK_MISMATCH`: the network id the trail is signed
   * under (the store's recorded one, proven by the signature that verifies).
   */
  chainNetworkId?: string
}

/** Result of {@link verifyAudit}. */
export type AuditVerifyResult = AuditVerifyOk | AuditVerifyFailure

/** Options of {@link verifyAudit}. */
export interface AuditVerifyOptions {
  /**
   * `every` (default) checks every entry's signature; `head` checks the
   * hashes and links of every entry and the signature of the head only. The
   * signed head names the last hash and each entry's hash covers its
   * \`prevHash\`, so `head` proves the same chain at the cost of a hash per
   * entry instead of an ed25519 verification (the node's check at start,
   * docs/store.md); `every` also names the first entry whose own signature
   * was forged.
   */
  signatures: 'every' | 'head'
}

/** Defaults of {@link AuditVerifyOptions}. */
export const DEFAULT_AUDIT_VERIFY_OPTIONS: AuditVerifyOptions = { signatures: 'every' }

/**
 * Verifies the audit trail of an open store, or of the database folder
 * `source` (opened without creating, then closed; `ERR_STORE_LOCKED` while a
 * node has it open). `publicKey` and `networkId` default to the identity the
 * store recorded at its first open; pass them to check against a key known
 * from elsewhere (the network file), since a recorded identity is only as
 * trustworthy as the database holding it.
 */
export async function verifyAudit (source: Store | string, publicKey?: string, networkId?: string, options: Partial<AuditVerifyOptions> = {}): Promise<AuditVerifyResult> {
  if (typeof source === 'string') {
    const store = await openStore(source, { createIfMissing: false })
    try {
      return await verifyAudit(store, publicKey, networkId, options)
    } finally {
      await store.close()
    }
  }
  const key = publicKey ?? source.identity?.publicKey
  const network = networkId ?? source.identity?.networkId
  if (key === undefined || network === undefined) {
    throw new TrustEngineError(ERR_STORE_NO_IDENTITY, 'the store records no identity; give the public key and network id')
  }
  const snapshot = source.snapshot()
  try {
    return await verifyFrom(source, snapshot, key, network, { ...DEFAULT_AUDIT_VERIFY_OPTIONS, ...options }, source.identity?.networkId)
  } finally {
    await snapshot.close()
  }
}

async function verifyFrom (
  store: Store, snapshot: StoreSnapshot, publicKey: string, networkId: string, options: AuditVerifyOptions, recordedNetworkId: string | undefined
): Promise<AuditVerifyResult> {
  let expected = 0
  let prevHash = GENESIS_PREV_HASH
  const fail = (code: string, seq: number, reason: string): AuditVerifyFailure => ({ ok: false, code, seq, reason })
  /**
   * A first signature that fails under `networkId` but verifies under the
   * store's recorded network id means the trail was checked against the
   * wrong network, not that it was forged: a signature binds its network id,
   * so no edit of the trail makes one verify under another id.
   */
  const otherNetwork = (seq: number, verifiesUnder: (network: string) => boolean): AuditVerifyFailure | null => {
    if (recordedNetworkId === undefined || recordedNetworkId === networkId || !verifiesUnder(recordedNetworkId)) return null
    return {
      ...fail(ERR_AUDIT_NETWORK_MISMATCH, seq, `the audit trail is signed under network ${JSON.stringify(recordedNetworkId)}, not ${JSON.stringify(networkId)}`),
      chainNetworkId: recordedNetworkId
    }
  }
  const range = { gte: Uint8Array.of(BUCKETS.audit), lt: Uint8Array.of(BUCKETS.audit + 1), snapshot }
  for await (const [key, value] of store.iterate(range)) {
    const seq = seqFromBytes(key.subarray(1))
    if (seq === null) return fail(ERR_AUDIT_MALFORMED, expected, 'a key in the audit bucket is not an 8-byte sequence number')
    if (seq !== expected) return fail(ERR_AUDIT_GAP, expected, `entry ${expected} is missing (next stored entry is ${seq})`)
    let entry: AuditEntry
    try {
      const parsed = AuditEntrySchema.safeParse(parseStoredJson(value, store.options.maxValueBytes))
      if (!parsed.success) return fail(ERR_AUDIT_MALFORMED, seq, 'the record does not match the audit entry schema')
      entry = parsed.data as AuditEntry
    } catch {
      return fail(ERR_AUDIT_MALFORMED, seq, 'the record is not valid JSON')
    }
    if (auditEntryHash(entry) !== entry.hash) return fail(ERR_AUDIT_HASH, seq, 'the entry hash does not match its fields (edited entry)')
    if (options.signatures === 'every' && !verifyAuditSignature(entry, publicKey, networkId)) {
      if (seq === 0) {
        const mismatch = otherNetwork(seq, (network) => verifyAuditSignature(entry, publicKey, network))
        if (mismatch !== null) return mismatch
      }
      return fail(ERR_AUDIT_SIGNATURE, seq, 'the entry signature does not verify under the node key')
    }
    if (entry.seq !== seq) return fail(ERR_AUDIT_LINK, seq, `the entry at position ${seq} is entry ${entry.seq} (reordered)`)
    if (entry.prevHash !== prevHash) return fail(ERR_AUDIT_LINK, seq, 'prevHash is not the hash of the previous entry')
    prevHash = entry.hash
    expected++
  }

  let head: AuditHead | null
  try {
    head = await readAuditHead(store, snapshot)
  } catch {
    return fail(ERR_AUDIT_HEAD, expected === 0 ? 0 : expected - 1, 'the stored head is malformed')
  }
  if (head === null) {
    if (expected > 0) return fail(ERR_AUDIT_HEAD, expected - 1, 'entries exist but the signed head is missing')
    // An empty trail is whole only in a store that never wrote what is written with audit entries.
    if (await auditedRecordBucket(store, snapshot) !== null) return fail(ERR_AUDIT_HEAD, 0, 'the trail and its signed head are missing but the store holds jobs or votes (removed trail)')
    return { ok: true, length: 0, head: null }
  }
  if (!verifyAuditHead(head, publicKey, networkId)) {
    if (options.signatures === 'head') {
      const signed = head
      const mismatch = otherNetwork(head.seq, (network) => verifyAuditHead(signed, publicKey, network))
      if (mismatch !== null) return mismatch
    }
    return fail(ERR_AUDIT_HEAD, head.seq, 'the head signature does not verify under the node key')
  }
  if (head.seq >= expected) {
    return fail(ERR_AUDIT_HEAD, expected, `the signed head names entry ${head.seq} but the trail ends ${expected === 0 ? 'empty' : `at ${expected - 1}`} (truncated)`)
  }
  if (head.seq !== expected - 1) return fail(ERR_AUDIT_HEAD, head.seq + 1, `entries after the signed head (seq ${head.seq}) exist`)
  if (head.hash !== prevHash) return fail(ERR_AUDIT_HEAD, head.seq, 'the signed head hash is not the last entry hash')
  return { ok: true, length: expected, head }
}

/**
 * The node's audit trail: an append-only, hash-chained, signed log of every
 * decision (job accepted, own vote, vote received, job finalized, reputation
 * updated), stored in the `audit` bucket.
 *
 * Entry `seq` (0, 1, 2, ... with no gaps) is stored under `audit ‖ seq` as 8
 * big-endian bytes, so key order is chain order. Each entry is
 *
 *     { seq, prevHash, time, kind, data, hash, signature }
 *
 * - `prevHash` is the previous entry's `hash` (64 zeros for seq 0);
 * - `hash = sha256Hex(canonicalEncode({ seq, prevHash, time, kind, data }))`;
 * - `signature` is the node's ed25519 signature over
 *   `signedBytes('audit', networkId, { seq, hash })`. The hash covers every
 *   field, so signing `{ seq, hash }` signs the whole entry while keeping the
 *   signed bytes small and fixed in size.
 *
 * The head `{ seq, hash, signature }`, signed over
 * `signedBytes('head', networkId, { seq, hash })`, is stored in the meta
 * bucket under `audit.head`, in the same atomic batch as the entries it
 * covers. Its own signing domain matters: with the entry domain, the
 * signature of any older entry would also be a valid head, and a truncated
 * tail would go unnoticed. See `audit-verify.ts` for what verification
 * detects and its limit.
 */
import { z } from 'zod'
import { canonicalEncode } from '../../protocol/canonical.ts'
import { auditEntryHash, auditSignedBytes, GENESIS_PREV_HASH, verifyAuditHead, verifyAuditSignature } from '../../protocol/audit-chain.ts'
import { TrustEngineError, isTrustEngineError } from '../../protocol/errors.ts'
import { publicKeyOf, signBytes, signMessage } from '../../protocol/signing.ts'
import { BUCKETS } from './buckets.ts'
import { parseStoredJson } from './corruption.ts'
import type { Store, StoreIdentity, StoreSnapshot } from './db.ts'
import {
  ERR_AUDIT_ALREADY_OPEN, ERR_AUDIT_BAD_ENTRY, ERR_AUDIT_HASH, ERR_AUDIT_HEAD, ERR_AUDIT_LINK, ERR_AUDIT_SIGNATURE,
  ERR_STORE_CORRUPT, ERR_STORE_IDENTITY_MISMATCH, ERR_STORE_NO_IDENTITY
} from './errors.ts'
import { concatBytes, seqBytes, seqFromBytes, stringKey } from './key-codec.ts'
import type { WriteBatch } from './write-batch.ts'

/** Meta name of the signed head. */
export const AUDIT_HEAD_NAME = 'audit.head'

/**
 * Largest `data` of one entry (canonical bytes). 64 KiB, the largest gossip
 * message (`MAX_MESSAGE_BYTES`): an entry can embed a whole vote or piece of
 * evidence; bigger things (certificates, blobs) are recorded by hash.
 */
export const MAX_AUDIT_DATA_BYTES = 64 * 1024

/** Largest page of {@link listAudit}: bounds one HTTP response (1000 entries of a few hundred bytes). */
export const MAX_AUDIT_PAGE = 1000

/** Entry kinds: dotted lowercase words, e.g. `job.accepted`, `vote.own`, at most 64 characters. */
export const AUDIT_KIND_PATTERN = /^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)*$/

const hex64 = z.string().regex(/^[0-9a-f]{64}$/)
const seqSchema = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER)

/** Schema of a stored audit entry. */
export const AuditEntrySchema = z.strictObject({
  seq: seqSchema,
  prevHash: hex64,
  time: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  kind: z.string().max(64).regex(AUDIT_KIND_PATTERN),
  data: z.unknown().refine((v) => v !== undefined, 'data is required'),
  hash: hex64,
  signature: z.string().regex(/^[0-9a-f]{128}$/)
})

/** One audit entry. */
export interface AuditEntry {
  seq: number
  prevHash: string
  time: number
  kind: string
  data: unknown
  hash: string
  signature: string
}

/** Schema of the stored signed head. */
export const AuditHeadSchema = z.strictObject({
  seq: seqSchema,
  hash: hex64,
  signature: z.string().regex(/^[0-9a-f]{128}$/)
})

/** The signed head: the last entry's seq and hash. */
export type AuditHead = z.infer<typeof AuditHeadSchema>

/** The chain's hashes and signatures live in protocol/audit-chain.ts, shared with the console. */
export { auditEntryHash, auditSignedBytes, verifyAuditHead, verifyAuditSignature, GENESIS_PREV_HASH, type AuditEntryBody } from '../../protocol/audit-chain.ts'

/** Full store key of entry `seq`. */
export function auditKey (seq: number): Uint8Array {
  return concatBytes(Uint8Array.of(BUCKETS.audit), seqBytes(seq))
}

/** Full store key of the signed head. */
export const AUDIT_HEAD_KEY = concatBytes(Uint8Array.of(BUCKETS.meta), stringKey.encode(AUDIT_HEAD_NAME))

const logs = new WeakSet<Store>()

interface Pending {
  seq: number
  hash: string
}

/**
 * The writer of a store's audit trail. One per store: open it once with
 * {@link AuditLog.open} and append inside `store.write`.
 */
export class AuditLog {
  /** The store it writes to. */
  readonly store: Store
  readonly #privateKey: string
  readonly #identity: StoreIdentity
  #head: AuditHead | null
  readonly #pending = new WeakMap<WriteBatch, Pending>()

  private constructor (store: Store, privateKey: string, identity: StoreIdentity, head: AuditHead | null) {
    this.store = store
    this.#privateKey = privateKey
    this.#identity = identity
    this.#head = head
  }

  /**
   * Opens the audit trail of `store` for appending, signed by `privateKey`
   * (hex seed), whose public key must be the store's recorded identity. Checks
   * that the stored head is signed and matches the last entry, so a node
   * never extends a chain whose tail was cut or edited (`ERR_AUDIT_HEAD`,
   * `ERR_AUDIT_HASH`, `ERR_AUDIT_SIGNATURE`); a full check of every entry is
   * {@link verifyAudit}.
   */
  static async open (store: Store, privateKey: string): Promise<AuditLog> {
    const identity = store.identity
    if (identity === null) throw new TrustEngineError(ERR_STORE_NO_IDENTITY, 'the store has no recorded identity; open it with { identity }')
    if (publicKeyOf(privateKey) !== identity.publicKey) {
      throw new TrustEngineError(ERR_STORE_IDENTITY_MISMATCH, 'the private key is not the key the store was opened for')
    }
    if (logs.has(store)) throw new TrustEngineError(ERR_AUDIT_ALREADY_OPEN, 'an audit log is already open on this store')
    logs.add(store) // before the first await, so two concurrent opens cannot both succeed
    try {
      return new AuditLog(store, privateKey, identity, await loadCheckedHead(store, identity))
    } catch (err) {
      logs.delete(store)
      throw err
    }
  }

  /** The committed signed head, or null while the trail is empty. */
  get head (): AuditHead | null {
    return this.#head
  }

  /** Number of committed entries. */
  get length (): number {
    return this.#head === null ? 0 : this.#head.seq + 1
  }

  /**
   * Adds entry `kind`/`data` at `time` (milliseconds from the caller's clock)
   * to `batch`, chained after the last entry committed or already added to
   * this batch, and (once per batch) the new signed head. The committed head
   * advances only when the batch commits. Returns the entry.
   */
  append (batch: WriteBatch, kind: string, data: unknown, time: number): AuditEntry {
    if (batch.owner !== this.store) throw new TrustEngineError(ERR_AUDIT_BAD_ENTRY, 'the batch belongs to another store')
    if (typeof kind !== 'string' || kind.length > 64 || !AUDIT_KIND_PATTERN.test(kind)) {
      throw new TrustEngineError(ERR_AUDIT_BAD_ENTRY, 'kind must be dotted lowercase words of at most 64 characters')
    }
    if (!Number.isSafeInteger(time) || time < 0) throw new TrustEngineError(ERR_AUDIT_BAD_ENTRY, 'time must be a non-negative integer (ms)')
    let dataBytes: Uint8Array
    try {
      dataBytes = canonicalEncode(data)
    } catch (err) {
      if (isTrustEngineError(err)) throw new TrustEngineError(ERR_AUDIT_BAD_ENTRY, `data has no canonical encoding: ${err.message}`, { cause: err })
      throw err
    }
    if (dataBytes.length > MAX_AUDIT_DATA_BYTES) {
      throw new TrustEngineError(ERR_AUDIT_BAD_ENTRY, `data of ${dataBytes.length} bytes exceeds ${MAX_AUDIT_DATA_BYTES}`)
    }
    const pending = this.#pending.get(batch)
    const prev: Pending | null = pending ?? this.#head
    const seq = prev === null ? 0 : prev.seq + 1
    const prevHash = prev === null ? GENESIS_PREV_HASH : prev.hash
    const hash = auditEntryHash({ seq, prevHash, time, kind, data })
    const signature = signBytes(this.#privateKey, auditSignedBytes(this.#identity.networkId, seq, hash))
    const entry: AuditEntry = { seq, prevHash, time, kind, data, hash, signature }
    batch.put(auditKey(seq), entry)
    if (pending === undefined) {
      const state: Pending = { seq, hash }
      this.#pending.set(batch, state)
      let headRecord: AuditHead | null = null
      batch.beforeCommit(() => {
        headRecord = signMessage('head', this.#identity.networkId, { seq: state.seq, hash: state.hash }, this.#privateKey)
        batch.put(AUDIT_HEAD_KEY, headRecord)
      })
      batch.afterCommit(() => { if (headRecord !== null) this.#head = headRecord })
    } else {
      pending.seq = seq
      pending.hash = hash
    }
    return entry
  }

  /** Up to `limit` (at most {@link MAX_AUDIT_PAGE}) committed entries from `fromSeq` on. */
  async list (fromSeq: number, limit: number = MAX_AUDIT_PAGE): Promise<AuditEntry[]> {
    return await listAudit(this.store, fromSeq, limit)
  }
}

/**
 * Up to `limit` (at most {@link MAX_AUDIT_PAGE}) stored entries of `store`
 * from `fromSeq` on, in order, as stored (not verified: see {@link verifyAudit}).
 * A stored record that is not an entry gives `ERR_STORE_CORRUPT`.
 */
export async function listAudit (store: Store, fromSeq: number, limit: number = MAX_AUDIT_PAGE): Promise<AuditEntry[]> {
  const n = Math.min(Math.max(0, Math.floor(limit)), MAX_AUDIT_PAGE)
  if (n === 0) return []
  const out: AuditEntry[] = []
  for await (const [key, value] of store.iterate({ gte: auditKey(fromSeq), lt: Uint8Array.of(BUCKETS.audit + 1), limit: n })) {
    out.push(parseAuditEntry(value, store.options.maxValueBytes, key))
  }
  return out
}

/** The stored signed head of `store` (not verified), or null when there is none. */
export async function readAuditHead (store: Store, snapshot?: StoreSnapshot): Promise<AuditHead | null> {
  const bytes = await store.get(AUDIT_HEAD_KEY, snapshot === undefined ? {} : { snapshot })
  if (bytes === null) return null
  const parsed = AuditHeadSchema.safeParse(parseStoredJson(bytes, store.options.maxValueBytes))
  if (!parsed.success) throw new TrustEngineError(ERR_STORE_CORRUPT, 'the stored audit head is malformed')
  return parsed.data
}

/** Parses stored entry bytes (`ERR_STORE_CORRUPT` when they are not an entry). */
export function parseAuditEntry (bytes: Uint8Array, maxBytes: number, key?: Uint8Array): AuditEntry {
  const parsed = AuditEntrySchema.safeParse(parseStoredJson(bytes, maxBytes))
  if (!parsed.success) {
    throw new TrustEngineError(ERR_STORE_CORRUPT, 'stored audit record is not an entry', {
      details: key === undefined ? {} : { key: Buffer.from(key).toString('hex') }
    })
  }
  return parsed.data as AuditEntry
}

/**
 * Buckets whose records are only ever written in a batch that appends audit
 * entries (jobs, votes, verdicts, the own votes, evidence, certificates,
 * economy schedules: node/job/job-writes.ts, node/economy/economy-offline.ts).
 * One of them holding a record while the trail is empty means the trail was
 * removed, not that it never began.
 */
export const AUDITED_BUCKETS: readonly number[] = [BUCKETS.jobs, BUCKETS.votes, BUCKETS.verdicts, BUCKETS.ownVotes, BUCKETS.evidence, BUCKETS.certificates, BUCKETS.schedules]

/** The first audited bucket (see {@link AUDITED_BUCKETS}) that holds a record, or null. */
export async function auditedRecordBucket (store: Store, snapshot?: StoreSnapshot): Promise<number | null> {
  for (const bucket of AUDITED_BUCKETS) {
    for await (const _ of store.iterate({ gte: Uint8Array.of(bucket), lt: Uint8Array.of(bucket + 1), limit: 1, ...(snapshot === undefined ? {} : { snapshot }) })) return bucket
  }
  return null
}

/** Reads head and last entry from one snapshot and checks that they agree. */
async function loadCheckedHead (store: Store, identity: StoreIdentity): Promise<AuditHead | null> {
  const snapshot = store.snapshot()
  try {
    let head: AuditHead | null
    try {
      head = await readAuditHead(store, snapshot)
    } catch (err) {
      throw new TrustEngineError(ERR_AUDIT_HEAD, 'the stored audit head is malformed', { cause: err })
    }
    let last: AuditEntry | null = null
    let lastKeySeq: number | null = null
    for await (const [key, value] of store.iterate({ gte: Uint8Array.of(BUCKETS.audit), lt: Uint8Array.of(BUCKETS.audit + 1), reverse: true, limit: 1, snapshot })) {
      last = parseAuditEntry(value, store.options.maxValueBytes, key)
      lastKeySeq = seqFromBytes(key.subarray(1))
    }
    if (head === null && last === null) {
      // A store that holds jobs or votes had a trail: all of it and its head were deleted (a wipe verifies otherwise).
      const bucket = await auditedRecordBucket(store, snapshot)
      if (bucket !== null) throw new TrustEngineError(ERR_AUDIT_HEAD, 'the audit trail and its signed head are missing but the store holds records written with audit entries (removed trail)', { details: { seq: 0, bucket } })
      return null
    }
    if (head === null || last === null) {
      throw new TrustEngineError(ERR_AUDIT_HEAD, head === null ? 'audit entries exist but the signed head is missing' : 'a signed head exists but the audit trail is empty')
    }
    if (!verifyAuditHead(head, identity.publicKey, identity.networkId)) {
      throw new TrustEngineError(ERR_AUDIT_HEAD, 'the audit head signature does not verify', { details: { seq: head.seq } })
    }
    if (auditEntryHash(last) !== last.hash) {
      throw new TrustEngineError(ERR_AUDIT_HASH, `the last audit entry (seq ${last.seq}) was edited`, { details: { seq: last.seq } })
    }
    if (!verifyAuditSignature(last, identity.publicKey, identity.networkId)) {
      throw new TrustEngineError(ERR_AUDIT_SIGNATURE, `the last audit entry (seq ${last.seq}) has an invalid signature`, { details: { seq: last.seq } })
    }
    if (lastKeySeq !== last.seq) {
      throw new TrustEngineError(ERR_AUDIT_LINK, `the last audit entry (seq ${last.seq}) is stored at another position`, { details: { seq: last.seq } })
    }
    if (last.seq !== head.seq || last.hash !== head.hash) {
      throw new TrustEngineError(ERR_AUDIT_HEAD, `the signed head (seq ${head.seq}) does not match the last entry (seq ${last.seq})`, { details: { seq: head.seq } })
    }
    return head
  } finally {
    await snapshot.close()
  }
}

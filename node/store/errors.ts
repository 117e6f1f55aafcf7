/**
 * Error codes of the node's store and audit trail. Codes are stable: tests,
 * the CLI and the HTTP API rely on them.
 */
import { declareCode } from '../../protocol/errors.ts'

/** The database is locked by another process or another open store (LevelDB's exclusive lock). */
export const ERR_STORE_LOCKED = declareCode('ERR_STORE_LOCKED', { status: 409 })
/** No database exists at the location and creating one was not asked for. */
export const ERR_STORE_MISSING = declareCode('ERR_STORE_MISSING', { status: 404 })
/** Any other failure of the underlying database (open, read, write). */
export const ERR_STORE_IO = declareCode('ERR_STORE_IO', { status: 500 })
/** The store was closed; no further reads or writes. */
export const ERR_STORE_CLOSED = declareCode('ERR_STORE_CLOSED', { status: 503 })
/**
 * A write asked for by an API client (`refuseWhenBusy`) found `busyWritesWaiting`
 * writes already waiting for the store's one writer: refused, nothing written; retry later.
 */
export const ERR_STORE_BUSY = declareCode('ERR_STORE_BUSY', { status: 503 })
/** A value read back does not parse or does not match its schema. */
export const ERR_STORE_CORRUPT = declareCode('ERR_STORE_CORRUPT', { status: 500 })
/** A key given to a repository is malformed (e.g. not 32 bytes of hex). */
export const ERR_STORE_BAD_KEY = declareCode('ERR_STORE_BAD_KEY', { status: 500 })
/** A value given to a repository does not match its schema, has no canonical encoding, or is too large. */
export const ERR_STORE_BAD_VALUE = declareCode('ERR_STORE_BAD_VALUE', { status: 500 })
/** A write batch was used after it was committed or discarded. */
export const ERR_STORE_BATCH_CLOSED = declareCode('ERR_STORE_BATCH_CLOSED', { status: 500 })
/** The store records another node identity (public key, network) than the one given. */
export const ERR_STORE_IDENTITY_MISMATCH = declareCode('ERR_STORE_IDENTITY_MISMATCH', { status: 409 })
/** The store has no recorded identity and none was given. */
export const ERR_STORE_NO_IDENTITY = declareCode('ERR_STORE_NO_IDENTITY', { status: 404 })
/** An attempt to store a second, different own vote for the same job and round. */
export const ERR_DOUBLE_SIGN = declareCode('ERR_DOUBLE_SIGN', { status: 409 })

/** An audit entry's hash is not the hash of its fields (an edited entry). */
export const ERR_AUDIT_HASH = declareCode('ERR_AUDIT_HASH', { status: 500 })
/** An audit entry's signature does not verify (a forged or re-signed entry). */
export const ERR_AUDIT_SIGNATURE = declareCode('ERR_AUDIT_SIGNATURE', { status: 500 })
/**
 * The trail's signatures verify under the store's recorded network id but not
 * under the one given to check it against: the trail was written in another
 * network (a wrong `--network-id`), not forged.
 */
export const ERR_AUDIT_NETWORK_MISMATCH = declareCode('ERR_AUDIT_NETWORK_MISMATCH', { status: 409 })
/** A sequence number is missing (a removed entry). */
export const ERR_AUDIT_GAP = declareCode('ERR_AUDIT_GAP', { status: 500 })
/** An entry does not link to the one before it, or sits at another position than its seq (reordered entries). */
export const ERR_AUDIT_LINK = declareCode('ERR_AUDIT_LINK', { status: 500 })
/** The signed head disagrees with the chain (truncated tail, missing or forged head). */
export const ERR_AUDIT_HEAD = declareCode('ERR_AUDIT_HEAD', { status: 500 })
/** A stored audit record does not parse or does not match the entry schema. */
export const ERR_AUDIT_MALFORMED = declareCode('ERR_AUDIT_MALFORMED', { status: 500 })
/** An entry given to append is invalid (kind, time, data). */
export const ERR_AUDIT_BAD_ENTRY = declareCode('ERR_AUDIT_BAD_ENTRY', { status: 500 })
/** A second audit log was opened on one store (each store has one chain and one writer). */
export const ERR_AUDIT_ALREADY_OPEN = declareCode('ERR_AUDIT_ALREADY_OPEN', { status: 409 })
/** The store opens but its audit trail does not verify at start: the node refuses to extend it. */
export const ERR_STORE_AUDIT_BROKEN = declareCode('ERR_STORE_AUDIT_BROKEN', { status: 500 })

/**
 * Error codes of the node's store and audit trail. Codes are stable: tests,
 * the CLI and the HTTP API rely on them.
 */
import { declareCode } from '../../protocol/errors.ts'

/** The database is locked by another process or another open store (LevelDB's exclusive lock). */
export const ERR_STORE_LOCKED = 'ERR_STORE_LOCKED'
/** No database exists at the location and creating one was not asked for. */
export const ERR_STORE_MISSING = 'ERR_STORE_MISSING'
/** Any other failure of the underlying database (open, read, write). */
export const ERR_STORE_IO = 'ERR_STORE_IO'
/** The store was closed; no further reads or writes. */
export const ERR_STORE_CLOSED = declareCode('ERR_STORE_CLOSED', { status: 503 })
/** A value read back does not parse or does not match its schema. */
export const ERR_STORE_CORRUPT = 'ERR_STORE_CORRUPT'
/** A key given to a repository is malformed (e.g. not 32 bytes of hex). */
export const ERR_STORE_BAD_KEY = 'ERR_STORE_BAD_KEY'
/** A value given to a repository does not match its schema, has no canonical encoding, or is too large. */
export const ERR_STORE_BAD_VALUE = 'ERR_STORE_BAD_VALUE'
/** A write batch was used after it was committed or discarded. */
export const ERR_STORE_BATCH_CLOSED = 'ERR_STORE_BATCH_CLOSED'
/** The store records another node identity (public key, network) than the one given. */
export const ERR_STORE_IDENTITY_MISMATCH = 'ERR_STORE_IDENTITY_MISMATCH'
/** The store has no recorded identity and none was given. */
export const ERR_STORE_NO_IDENTITY = 'ERR_STORE_NO_IDENTITY'
/** An attempt to store a second, different own vote for the same job and round. */
export const ERR_DOUBLE_SIGN = 'ERR_DOUBLE_SIGN'

/** An audit entry's hash is not the hash of its fields (an edited entry). */
export const ERR_AUDIT_HASH = 'ERR_AUDIT_HASH'
/** An audit entry's signature does not verify (a forged or re-signed entry). */
export const ERR_AUDIT_SIGNATURE = 'ERR_AUDIT_SIGNATURE'
/** A sequence number is missing (a removed entry). */
export const ERR_AUDIT_GAP = 'ERR_AUDIT_GAP'
/** An entry does not link to the one before it, or sits at another position than its seq (reordered entries). */
export const ERR_AUDIT_LINK = 'ERR_AUDIT_LINK'
/** The signed head disagrees with the chain (truncated tail, missing or forged head). */
export const ERR_AUDIT_HEAD = 'ERR_AUDIT_HEAD'
/** A stored audit record does not parse or does not match the entry schema. */
export const ERR_AUDIT_MALFORMED = 'ERR_AUDIT_MALFORMED'
/** An entry given to append is invalid (kind, time, data). */
export const ERR_AUDIT_BAD_ENTRY = 'ERR_AUDIT_BAD_ENTRY'
/** A second audit log was opened on one store (each store has one chain and one writer). */
export const ERR_AUDIT_ALREADY_OPEN = 'ERR_AUDIT_ALREADY_OPEN'

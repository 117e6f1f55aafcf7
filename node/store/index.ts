/**
 * The node's store: LevelDB with numbered buckets, typed repositories and the
 * hash-chained signed audit trail. A node opens it like this:
 *
 *     const layout = dataDirLayout(dataDir)
 *     const key = loadOrCreateKeyFile(layout.keyFile)              // node/keys.ts
 *     const store = await openStore(layout.db, { identity: { publicKey: key.publicKey, networkId } })
 *     const audit = await AuditLog.open(store, key.privateKey)
 *     const repos = createRepositories(store)
 *     await store.write(async (batch) => {
 *       await repos.ownVotes.putOwnVote(batch, { jobId, round }, vote)  // forces an fsynced commit
 *       audit.append(batch, 'vote.own', { jobId, round }, clock.now())
 *     })
 *     // only now gossip the vote
 *
 * See docs/store.md.
 */
export { BUCKETS, RETIRED_BUCKETS, bucketPrefix, type Bucket, type BucketName } from './buckets.ts'
export {
  DEFAULT_STORE_OPTIONS, DEFAULT_WRITE_OPTIONS, META_IDENTITY, openStore, Store, StoreIdentitySchema,
  type KeyRange, type OpenStoreOptions, type StoreIdentity, type StoreOptions, type StoreSnapshot, type WriteOptions
} from './db.ts'
export { corruptError, parseStoredJson, repairAdvice, repairCommand } from './corruption.ts'
export { WriteBatch, type BatchOperation } from './write-batch.ts'
export {
  DEFAULT_LIST_LIMIT, JsonObjectSchema, JsonValueSchema, Repository,
  type Entry, type JsonObject, type ListOptions, type RepositoryOptions, type ValueSchema
} from './repository.ts'
export * from './repositories/index.ts'
export * from './errors.ts'
export { hex32Key, stringKey, type KeyCodec } from './key-codec.ts'
export {
  AUDIT_HEAD_NAME, AUDIT_KIND_PATTERN, AuditEntrySchema, AuditHeadSchema, AuditLog, GENESIS_PREV_HASH, MAX_AUDIT_DATA_BYTES,
  MAX_AUDIT_PAGE, auditEntryHash, auditKey, auditSignedBytes, listAudit, readAuditHead, verifyAuditHead, verifyAuditSignature,
  type AuditEntry, type AuditEntryBody, type AuditHead
} from './audit.ts'
export { DEFAULT_AUDIT_VERIFY_OPTIONS, verifyAudit, type AuditVerifyOptions, type AuditVerifyFailure, type AuditVerifyOk, type AuditVerifyResult } from './audit-verify.ts'
export { dataDirLayout, type DataDirLayout } from './data-dir.ts'
export { checkStore, scanStore, DEFAULT_STORE_CHECK_OPTIONS, type StoreCheck, type StoreCheckOptions, type StoreScan } from './integrity.ts'

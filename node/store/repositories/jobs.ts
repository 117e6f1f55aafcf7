/** Jobs: jobId → stored job record, with the job index kept in step (job-index.ts). */
import { BUCKETS } from '../buckets.ts'
import type { Store } from '../db.ts'
import { hex32Key } from '../key-codec.ts'
import { JsonObjectSchema, Repository, type JsonObject, type ValueSchema } from '../repository.ts'
import type { WriteBatch } from '../write-batch.ts'
import { TrustEngineError } from '../../../protocol/errors.ts'
import { ERR_STORE_BAD_KEY } from '../errors.ts'
import { delJobIndex, jobIndexFieldsOf, pageJobIndex, putJobIndex, type JobIndexPage, type JobIndexPageOptions } from './job-index.ts'

/**
 * Jobs by job id (64 hex). Every put also writes the record's job index
 * entries (by createdAt, and by status) into the same batch, so a page of
 * the jobs list is a bounded index scan ({@link JobsRepository.page}).
 * A record is deleted with {@link JobsRepository.remove}, which needs the
 * record to name its index entries; a bare `del` is refused.
 */
export class JobsRepository<V> extends Repository<string, V> {
  /** Adds the record and its index entries to `batch`. */
  override put (batch: WriteBatch, key: string, value: V): void {
    super.put(batch, key, value)
    const fields = jobIndexFieldsOf(value)
    if (fields !== null && fields.jobId === key) putJobIndex(batch, fields)
  }

  /** Adds to `batch` the delete of the record `value` stored under `key` and of its index entries. */
  remove (batch: WriteBatch, key: string, value: V): void {
    super.del(batch, key)
    const fields = jobIndexFieldsOf(value)
    if (fields !== null && fields.jobId === key) delJobIndex(batch, fields)
  }

  /** Refused with `ERR_STORE_BAD_KEY`: a job record goes with {@link JobsRepository.remove}, which also removes its index entries. */
  override del (_batch: WriteBatch, _key: string): void {
    throw new TrustEngineError(ERR_STORE_BAD_KEY, 'a job record is deleted with remove(batch, key, record), which also deletes its index entries')
  }

  /** One page of job ids, newest first, read from the index. */
  async page (options: JobIndexPageOptions): Promise<JobIndexPage> {
    return await pageJobIndex(this.store, options)
  }
}

/** Jobs by job id (64 hex): the job as this node accepted it. Values are plain JSON objects unless a schema is given. */
export function jobsRepository (store: Store): JobsRepository<JsonObject>
/** Jobs by job id (64 hex): the job as this node accepted it. Values are checked by `schema`. */
export function jobsRepository<V> (store: Store, schema: ValueSchema<V>): JobsRepository<V>
export function jobsRepository (store: Store, schema: ValueSchema<unknown> = JsonObjectSchema): JobsRepository<unknown> {
  return new JobsRepository(store, { bucket: BUCKETS.jobs, key: hex32Key, value: schema })
}

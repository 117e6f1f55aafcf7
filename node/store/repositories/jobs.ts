/** Jobs: jobId → stored job record, with the job index kept in step (job-index.ts). */
import { BUCKETS } from '../buckets.ts'
import { parseStoredJson } from '../corruption.ts'
import type { Store } from '../db.ts'
import { hex32Key } from '../key-codec.ts'
import { JsonObjectSchema, Repository, type JsonObject, type ValueSchema } from '../repository.ts'
import type { WriteBatch } from '../write-batch.ts'
import { TrustEngineError } from '../../../protocol/errors.ts'
import { ERR_STORE_BAD_KEY, ERR_STORE_BAD_VALUE } from '../errors.ts'
import { delJobIndex, jobIndexFieldsOf, pageJobIndex, putJobIndex, type JobIndexPage, type JobIndexPageOptions } from './job-index.ts'

/**
 * Jobs by job id (64 hex). Every write ({@link JobsRepository.putRecord}) also writes the record's job index
 * entries (by createdAt, and by status) into the same batch, so a page of
 * the jobs list is a bounded index scan ({@link JobsRepository.page}).
 * A record is deleted with {@link JobsRepository.remove}, which needs the
 * record to name its index entries; a bare `del` is refused.
 */
export class JobsRepository<V> extends Repository<string, V> {
  /**
   * Adds the record and its index entries to `batch`, and the deletes of the
   * index entries of the record it replaces (read from `batch` or the store;
   * inside {@link Store.write}, whose writes are serialized, that read is the
   * state this batch replaces).
   */
  async putRecord (batch: WriteBatch, key: string, value: V): Promise<void> {
    const previous = await this.#stored(batch, key)
    super.put(batch, key, value)
    const fields = jobIndexFieldsOf(value)
    if (fields !== null && fields.jobId === key) putJobIndex(batch, fields, previous === null ? null : jobIndexFieldsOf(previous))
  }

  /**
   * Adds a value that has no index fields (no `jobId`, `status` and
   * `job.createdAt`: a bare JSON object). A job record is refused with
   * `ERR_STORE_BAD_VALUE`: it is written with {@link JobsRepository.putRecord},
   * which keeps the index in step.
   */
  override put (batch: WriteBatch, key: string, value: V): void {
    if (jobIndexFieldsOf(value) !== null) {
      throw new TrustEngineError(ERR_STORE_BAD_VALUE, 'a job record is written with putRecord(batch, key, record), which also writes its index entries')
    }
    super.put(batch, key, value)
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

  async #stored (batch: WriteBatch, key: string): Promise<unknown> {
    const full = this.keyOf(key)
    const op = batch.pending(full)
    if (op !== undefined) return op.type === 'del' ? null : parseStoredJson(op.value, this.store.options.maxValueBytes)
    const bytes = await this.store.get(full)
    return bytes === null ? null : parseStoredJson(bytes, this.store.options.maxValueBytes)
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

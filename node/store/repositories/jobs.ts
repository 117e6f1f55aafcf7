/** Jobs: jobId → stored job record. */
import { BUCKETS } from '../buckets.ts'
import type { Store } from '../db.ts'
import { hex32Key } from '../key-codec.ts'
import { JsonObjectSchema, Repository, type JsonObject, type ValueSchema } from '../repository.ts'

/** Jobs by job id (64 hex): the job as this node accepted it. Values are plain JSON objects unless a schema is given. */
export function jobsRepository (store: Store): Repository<string, JsonObject>
/** Jobs by job id (64 hex): the job as this node accepted it. Values are checked by `schema`. */
export function jobsRepository<V> (store: Store, schema: ValueSchema<V>): Repository<string, V>
export function jobsRepository (store: Store, schema: ValueSchema<unknown> = JsonObjectSchema): Repository<string, unknown> {
  return new Repository(store, { bucket: BUCKETS.jobs, key: hex32Key, value: schema })
}

/** Verdicts: jobId → outcome record (final or disputed). */
import { BUCKETS } from '../buckets.ts'
import type { Store } from '../db.ts'
import { hex32Key } from '../key-codec.ts'
import { JsonObjectSchema, Repository, type JsonObject, type ValueSchema } from '../repository.ts'

/** Verdicts by job id (64 hex): the job's final or disputed outcome. Values are plain JSON objects unless a schema is given. */
export function verdictsRepository (store: Store): Repository<string, JsonObject>
/** Verdicts by job id (64 hex): the job's final or disputed outcome. Values are checked by `schema`. */
export function verdictsRepository<V> (store: Store, schema: ValueSchema<V>): Repository<string, V>
export function verdictsRepository (store: Store, schema: ValueSchema<unknown> = JsonObjectSchema): Repository<string, unknown> {
  return new Repository(store, { bucket: BUCKETS.verdicts, key: hex32Key, value: schema })
}

/** Certificates: jobId → finality certificate. */
import { BUCKETS } from '../buckets.ts'
import type { Store } from '../db.ts'
import { hex32Key } from '../key-codec.ts'
import { JsonObjectSchema, Repository, type JsonObject, type ValueSchema } from '../repository.ts'

/** Certificates by job id (64 hex). Values are plain JSON objects unless a schema is given. */
export function certificatesRepository (store: Store): Repository<string, JsonObject>
/** Certificates by job id (64 hex). Values are checked by `schema`. */
export function certificatesRepository<V> (store: Store, schema: ValueSchema<V>): Repository<string, V>
export function certificatesRepository (store: Store, schema: ValueSchema<unknown> = JsonObjectSchema): Repository<string, unknown> {
  return new Repository(store, { bucket: BUCKETS.certificates, key: hex32Key, value: schema })
}

/** Reputations: voter public key → reputation record. */
import { BUCKETS } from '../buckets.ts'
import type { Store } from '../db.ts'
import { hex32Key } from '../key-codec.ts'
import { JsonObjectSchema, Repository, type JsonObject, type ValueSchema } from '../repository.ts'

/** Reputations by voter public key (64 hex). Values are plain JSON objects unless a schema is given. */
export function reputationsRepository (store: Store): Repository<string, JsonObject>
/** Reputations by voter public key (64 hex). Values are checked by `schema`. */
export function reputationsRepository<V> (store: Store, schema: ValueSchema<V>): Repository<string, V>
export function reputationsRepository (store: Store, schema: ValueSchema<unknown> = JsonObjectSchema): Repository<string, unknown> {
  return new Repository(store, { bucket: BUCKETS.reputations, key: hex32Key, value: schema })
}

/** Meta: name → small JSON values (store identity, audit head, versions). */
import { BUCKETS } from '../buckets.ts'
import type { Store } from '../db.ts'
import { stringKey } from '../key-codec.ts'
import { JsonValueSchema, Repository } from '../repository.ts'

/** The meta repository. Names in use: `identity` (db.ts), `audit.head` (audit.ts). */
export function metaRepository (store: Store): Repository<string, unknown> {
  return new Repository(store, { bucket: BUCKETS.meta, key: stringKey, value: JsonValueSchema })
}

/** Evidence: offender public key ‖ jobId → equivocation evidence, listed by offender. */
import { BUCKETS } from '../buckets.ts'
import type { Store } from '../db.ts'
import { ERR_STORE_CORRUPT } from '../errors.ts'
import { TrustEngineError } from '../../../protocol/errors.ts'
import { concatBytes, hex32At, hex32Bytes, type KeyCodec } from '../key-codec.ts'
import { JsonObjectSchema, Repository, type Entry, type JsonObject, type ListOptions, type ValueSchema } from '../repository.ts'

/** Key of an evidence record. */
export interface EvidenceKey {
  /** Public key of the validator that equivocated, 64 hex. */
  offender: string
  /** Job id, 64 hex. */
  jobId: string
}

/** 32-byte offender key ‖ 32-byte job id. */
export const evidenceKey: KeyCodec<EvidenceKey> = {
  encode: (k) => concatBytes(hex32Bytes(k.offender), hex32Bytes(k.jobId)),
  decode: (bytes) => {
    if (bytes.length !== 64) throw new TrustEngineError(ERR_STORE_CORRUPT, 'stored evidence key has the wrong length')
    return { offender: hex32At(bytes, 0), jobId: hex32At(bytes, 32) }
  }
}

/** Equivocation evidence. */
export class EvidenceRepository<V> extends Repository<EvidenceKey, V> {
  /** Evidence against one validator, in job id order. */
  async listByOffender (offender: string, options: Omit<ListOptions<EvidenceKey>, 'prefix'> = {}): Promise<Array<Entry<EvidenceKey, V>>> {
    return await this.list({ ...options, prefix: hex32Bytes(offender) })
  }
}

/** The evidence repository; values are plain JSON objects unless a schema is given. */
export function evidenceRepository (store: Store): EvidenceRepository<JsonObject>
/** The evidence repository; values are checked by `schema` (the protocol's evidence). */
export function evidenceRepository<V> (store: Store, schema: ValueSchema<V>): EvidenceRepository<V>
export function evidenceRepository (store: Store, schema: ValueSchema<unknown> = JsonObjectSchema): EvidenceRepository<unknown> {
  return new EvidenceRepository(store, { bucket: BUCKETS.evidence, key: evidenceKey, value: schema })
}

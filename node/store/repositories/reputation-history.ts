/**
 * Reputation history: `validator ‖ seq` → one point of a validator's
 * reputation over time. The sequence number counts that validator's points
 * (8 bytes, big-endian), so one validator's points are one key range in
 * time order: the newest page is a bounded reverse scan, and the oldest
 * point to prune is known by arithmetic.
 */
import { TrustEngineError } from '../../../protocol/errors.ts'
import { BUCKETS } from '../buckets.ts'
import type { Store } from '../db.ts'
import { ERR_STORE_CORRUPT } from '../errors.ts'
import { concatBytes, hex32At, hex32Bytes, seqBytes, seqFromBytes, type KeyCodec } from '../key-codec.ts'
import { Repository, type ValueSchema } from '../repository.ts'

/** Key of a history point: the validator and its point's sequence number. */
export interface ReputationHistoryKey { validator: string, seq: number }

/** Codec of {@link ReputationHistoryKey}: 32 bytes of public key, 8 bytes of seq. */
export const reputationHistoryKey: KeyCodec<ReputationHistoryKey> = {
  encode: (k) => concatBytes(hex32Bytes(k.validator), seqBytes(k.seq)),
  decode: (bytes) => {
    const seq = bytes.length === 40 ? seqFromBytes(bytes.subarray(32)) : null
    if (seq === null) throw new TrustEngineError(ERR_STORE_CORRUPT, 'stored reputation history key has the wrong length or encoding')
    return { validator: hex32At(bytes, 0), seq }
  }
}

/** Reputation history points by validator and sequence; values are checked by `schema`. */
export function reputationHistoryRepository<V> (store: Store, schema: ValueSchema<V>): Repository<ReputationHistoryKey, V> {
  return new Repository(store, { bucket: BUCKETS.reputationHistory, key: reputationHistoryKey, value: schema })
}

/**
 * Optimizer reports: `seq ‖ jobId` → the report of a network-optimized scene
 * job as this node made or re-made it. The sequence number (8 bytes,
 * big-endian) orders the bucket by storage, so the oldest report is the
 * first key and pruning to a bound reads only what it deletes.
 */
import { BUCKETS } from '../buckets.ts'
import type { Store } from '../db.ts'
import { ERR_STORE_CORRUPT } from '../errors.ts'
import { concatBytes, hex32At, hex32Bytes, seqBytes, seqFromBytes, type KeyCodec } from '../key-codec.ts'
import { Repository, type ValueSchema } from '../repository.ts'
import { TrustEngineError } from '../../../protocol/errors.ts'

/** Key of a stored optimizer report: its storage sequence number and its job. */
export interface OptimizerReportKey { seq: number, jobId: string }

/** Codec of {@link OptimizerReportKey}: 8 bytes of seq, 32 bytes of job id. */
export const optimizerReportKey: KeyCodec<OptimizerReportKey> = {
  encode: (k) => concatBytes(seqBytes(k.seq), hex32Bytes(k.jobId)),
  decode: (bytes) => {
    const seq = bytes.length === 40 ? seqFromBytes(bytes.subarray(0, 8)) : null
    if (seq === null) throw new TrustEngineError(ERR_STORE_CORRUPT, 'stored optimizer report key has the wrong length or encoding')
    return { seq, jobId: hex32At(bytes, 8) }
  }
}

/** Optimizer reports by storage order and job id; values are checked by `schema`. */
export function optimizerReportsRepository<V> (store: Store, schema: ValueSchema<V>): Repository<OptimizerReportKey, V> {
  return new Repository(store, { bucket: BUCKETS.optimizerReports, key: optimizerReportKey, value: schema })
}

/**
 * Schedules: scheduleId → a deferred economy scene job (its request, slot and
 * cost report, and the job id once started). A schedule id is 16 bytes in
 * hex: the creation time in milliseconds (8 bytes, big-endian) then 8 random
 * bytes, so key order is creation order and a listing in reverse key order is
 * newest first.
 */
import { TrustEngineError } from '../../../protocol/errors.ts'
import { BUCKETS } from '../buckets.ts'
import type { Store } from '../db.ts'
import { ERR_STORE_BAD_KEY, ERR_STORE_CORRUPT } from '../errors.ts'
import { concatBytes, seqBytes, type KeyCodec } from '../key-codec.ts'
import { JsonObjectSchema, Repository, type JsonObject, type ValueSchema } from '../repository.ts'

/** A schedule id: 32 lowercase hex characters (16 bytes). */
export const SCHEDULE_ID_PATTERN = /^[0-9a-f]{32}$/

/** The id of a schedule created at `createdAt` (epoch ms) with 8 bytes of `nonce`. */
export function scheduleIdOf (createdAt: number, nonce: Uint8Array): string {
  if (nonce.length !== 8) throw new TrustEngineError(ERR_STORE_BAD_KEY, 'a schedule id nonce is 8 bytes')
  return Buffer.from(concatBytes(seqBytes(createdAt), nonce)).toString('hex')
}

/** 16-byte key: the id's bytes. */
export const scheduleKey: KeyCodec<string> = {
  encode: (id) => {
    if (!SCHEDULE_ID_PATTERN.test(id)) throw new TrustEngineError(ERR_STORE_BAD_KEY, 'a schedule id is 32 lowercase hex characters')
    return Buffer.from(id, 'hex')
  },
  decode: (bytes) => {
    if (bytes.length !== 16) throw new TrustEngineError(ERR_STORE_CORRUPT, 'stored schedule key has the wrong length')
    return Buffer.from(bytes).toString('hex')
  }
}

/** Schedules by id. Values are plain JSON objects unless a schema is given. */
export function schedulesRepository (store: Store): Repository<string, JsonObject>
/** Schedules by id. Values are checked by `schema` (node/economy/schedule-record.ts). */
export function schedulesRepository<V> (store: Store, schema: ValueSchema<V>): Repository<string, V>
export function schedulesRepository (store: Store, schema: ValueSchema<unknown> = JsonObjectSchema): Repository<string, unknown> {
  return new Repository(store, { bucket: BUCKETS.schedules, key: scheduleKey, value: schema })
}

/** Votes: jobId ‖ round ‖ voter → the signed vote, listed by job (and round) in voter order. */
import { BUCKETS } from '../buckets.ts'
import type { Store } from '../db.ts'
import { TrustEngineError } from '../../../protocol/errors.ts'
import { ERR_STORE_CORRUPT } from '../errors.ts'
import { concatBytes, hex32At, hex32Bytes, roundBytes, uint32At, type KeyCodec } from '../key-codec.ts'
import { JsonObjectSchema, Repository, type Entry, type JsonObject, type ListOptions, type ValueSchema } from '../repository.ts'

/** Key of a vote: one vote per voter, job and round. */
export interface VoteKey {
  /** Job id, 64 hex. */
  jobId: string
  /** Voting round, 0 to 2^32-1. */
  round: number
  /** Voter public key, 64 hex. */
  voter: string
}

/** 32-byte job id ‖ 4-byte big-endian round ‖ 32-byte voter key. */
export const voteKey: KeyCodec<VoteKey> = {
  encode: (k) => concatBytes(hex32Bytes(k.jobId), roundBytes(k.round), hex32Bytes(k.voter)),
  decode: (bytes) => {
    if (bytes.length !== 68) throw new TrustEngineError(ERR_STORE_CORRUPT, 'stored vote key has the wrong length')
    return { jobId: hex32At(bytes, 0), round: uint32At(bytes, 32), voter: hex32At(bytes, 36) }
  }
}

/** Received (and own) signed votes. */
export class VotesRepository<V> extends Repository<VoteKey, V> {
  /** Votes of a job (all rounds, or one round), in round then voter order. */
  async listByJob (jobId: string, options: Omit<ListOptions<VoteKey>, 'prefix'> & { round?: number } = {}): Promise<Array<Entry<VoteKey, V>>> {
    const { round, ...rest } = options
    const prefix = round === undefined ? hex32Bytes(jobId) : concatBytes(hex32Bytes(jobId), roundBytes(round))
    return await this.list({ ...rest, prefix })
  }
}

/** The votes repository; values are plain JSON objects unless a schema is given. */
export function votesRepository (store: Store): VotesRepository<JsonObject>
/** The votes repository; values are checked by `schema` (the protocol's signed vote). */
export function votesRepository<V> (store: Store, schema: ValueSchema<V>): VotesRepository<V>
export function votesRepository (store: Store, schema: ValueSchema<unknown> = JsonObjectSchema): VotesRepository<unknown> {
  return new VotesRepository(store, { bucket: BUCKETS.votes, key: voteKey, value: schema })
}

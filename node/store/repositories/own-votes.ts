/**
 * Own votes: jobId ‖ round → the vote this node signed. The double-sign
 * guard: once a vote is stored for a job and round, a different one is
 * refused (`ERR_DOUBLE_SIGN`), and storing one forces a synchronous commit,
 * so the vote is on disk before the node gossips it (CometBFT's rule: a
 * validator that crashes after sending must not sign a different vote after
 * restarting). There is no delete: forgetting an own vote would re-open the
 * door to signing twice.
 */
import { canonicalEncode } from '../../../protocol/canonical.ts'
import { TrustEngineError } from '../../../protocol/errors.ts'
import { BUCKETS } from '../buckets.ts'
import type { Store } from '../db.ts'
import { ERR_DOUBLE_SIGN, ERR_STORE_BAD_VALUE, ERR_STORE_CORRUPT } from '../errors.ts'
import { concatBytes, hex32At, hex32Bytes, roundBytes, uint32At, type KeyCodec } from '../key-codec.ts'
import { JsonObjectSchema, Repository, type Entry, type JsonObject, type ListOptions, type ValueSchema } from '../repository.ts'
import type { WriteBatch } from '../write-batch.ts'

/** Key of an own vote. */
export interface OwnVoteKey {
  /** Job id, 64 hex. */
  jobId: string
  /** Voting round, 0 to 2^32-1. */
  round: number
}

/** 32-byte job id ‖ 4-byte big-endian round. */
export const ownVoteKey: KeyCodec<OwnVoteKey> = {
  encode: (k) => concatBytes(hex32Bytes(k.jobId), roundBytes(k.round)),
  decode: (bytes) => {
    if (bytes.length !== 36) throw new TrustEngineError(ERR_STORE_CORRUPT, 'stored own vote key has the wrong length')
    return { jobId: hex32At(bytes, 0), round: uint32At(bytes, 32) }
  }
}

/** What {@link OwnVotesRepository.putOwnVote} did. */
export type OwnVoteResult = 'stored' | 'unchanged'

/** This node's own signed votes, with the double-sign guard. */
export class OwnVotesRepository<V> {
  readonly #repo: Repository<OwnVoteKey, V>
  readonly #schema: ValueSchema<V>

  /** Own votes of `store`, values checked by `schema`. */
  constructor (store: Store, schema: ValueSchema<V>) {
    this.#schema = schema
    this.#repo = new Repository(store, { bucket: BUCKETS.ownVotes, key: ownVoteKey, value: schema })
  }

  /** This node's vote for a job and round, or null. */
  async get (key: OwnVoteKey): Promise<V | null> {
    return await this.#repo.get(key)
  }

  /** Own votes in job then round order. */
  async list (options: ListOptions<OwnVoteKey> = {}): Promise<Array<Entry<OwnVoteKey, V>>> {
    return await this.#repo.list(options)
  }

  /**
   * Adds this node's vote for `key` to `batch` and makes the batch commit
   * synchronously. Returns `'unchanged'` (adding nothing) when the very same
   * vote is already stored, and throws `ERR_DOUBLE_SIGN` when a different one
   * is stored or pending in the batch. Call it inside `store.write`, and gossip
   * the vote only after that write resolved.
   */
  async putOwnVote (batch: WriteBatch, key: OwnVoteKey, vote: V): Promise<OwnVoteResult> {
    if (!this.#schema.safeParse(vote).success) throw new TrustEngineError(ERR_STORE_BAD_VALUE, 'own vote does not match its schema')
    const fullKey = this.#repo.keyOf(key)
    let bytes: Uint8Array
    try {
      bytes = canonicalEncode(vote)
    } catch (err) {
      throw new TrustEngineError(ERR_STORE_BAD_VALUE, 'own vote has no canonical encoding', { cause: err })
    }
    const pending = batch.pending(fullKey)
    const existing = pending?.type === 'put' ? pending.value : pending?.type === 'del' ? null : await this.#repo.store.get(fullKey)
    if (existing !== null) {
      if (Buffer.compare(existing, bytes) === 0) return 'unchanged'
      throw new TrustEngineError(ERR_DOUBLE_SIGN, `refusing a second, different own vote for job ${key.jobId} round ${key.round}`, {
        details: { jobId: key.jobId, round: key.round }
      })
    }
    batch.requireSync()
    this.#repo.put(batch, key, vote)
    return 'stored'
  }
}

/** The own-votes repository; values are plain JSON objects unless a schema is given. */
export function ownVotesRepository (store: Store): OwnVotesRepository<JsonObject>
/** The own-votes repository; values are checked by `schema` (the protocol's signed vote). */
export function ownVotesRepository<V> (store: Store, schema: ValueSchema<V>): OwnVotesRepository<V>
export function ownVotesRepository (store: Store, schema: ValueSchema<unknown> = JsonObjectSchema): OwnVotesRepository<unknown> {
  return new OwnVotesRepository(store, schema)
}

/**
 * Each validator's reputation over time, as this node saw it change: a point
 * whenever a decided job, a judged late vote or proven equivocation changed
 * the validator's reputation record, written in the same batch as the record
 * (job-writes.ts), so history and reputation never disagree after a crash.
 *
 * Stored in LevelDB (bucket `reputationHistory`, `validator ‖ seq`), at most
 * `maxPointsPerValidator` points per validator: each new point deletes the
 * one that many before it, and opening prunes to a bound lowered since the
 * last run. Points are checked against their schema when read back.
 */
import { z } from 'zod'
import { type ReputationRecord, trustOf } from '../../protocol/consensus/reputation.ts'
import type { NetworkConfig } from '../../protocol/network.ts'
import type { Store } from '../store/db.ts'
import { hex32Bytes, prefixEnd } from '../store/key-codec.ts'
import { reputationHistoryKey, reputationHistoryRepository, type ReputationHistoryKey } from '../store/repositories/reputation-history.ts'
import type { Repository } from '../store/repository.ts'
import type { WriteBatch } from '../store/write-batch.ts'

/** What changed a validator's reputation. */
export type ReputationChangeCause = 'decided' | 'late-vote' | 'equivocation'

/** One point of a validator's reputation over time. */
export interface ReputationPoint {
  /** The validator's point number, counting from 0 (the cursor of the next page). */
  seq: number
  /** When this node applied the change, epoch ms (node clock). */
  at: number
  /** The job whose decision, late vote or equivocation changed it. */
  jobId: string
  cause: ReputationChangeCause
  /** The record after the change, and the trust the protocol derives from it (protocol/consensus/reputation.ts). */
  reputation: number
  trust: number
  verifications: number
  successes: number
  equivocated: boolean
}

/** Schema of a stored {@link ReputationPoint} (without `seq`, which is its key). */
export const reputationPointSchema = z.strictObject({
  at: z.int().min(0),
  jobId: z.string().regex(/^[0-9a-f]{64}$/),
  cause: z.enum(['decided', 'late-vote', 'equivocation']),
  reputation: z.number().min(0).max(1),
  trust: z.number().min(0).max(1),
  verifications: z.int().min(0),
  successes: z.int().min(0),
  equivocated: z.boolean()
})

type StoredPoint = z.infer<typeof reputationPointSchema>

/** Options of {@link ReputationHistory}. */
export interface ReputationHistoryOptions {
  /** Points kept per validator; a new one deletes the oldest beyond it. 1000: a validator's last thousand judged votes, about 200 KiB of LevelDB per validator. */
  maxPointsPerValidator: number
}

/** Defaults of {@link ReputationHistoryOptions}. */
export const DEFAULT_REPUTATION_HISTORY_OPTIONS: Readonly<ReputationHistoryOptions> = Object.freeze({
  maxPointsPerValidator: 1000
})

/** Options of {@link ReputationHistory.page}. */
export interface ReputationHistoryPageOptions {
  /** Points at most (newest first). */
  limit: number
  /** Only points before this seq (exclusive): the last seq of the previous page. */
  before?: number
}

/** The bounded reputation history of a network's validators in a node's store. */
export class ReputationHistory {
  /** Options in force. */
  readonly options: Readonly<ReputationHistoryOptions>
  readonly #network: NetworkConfig
  readonly #repo: Repository<ReputationHistoryKey, StoredPoint>
  /** The seq of each validator's next point. */
  readonly #next = new Map<string, number>()

  private constructor (store: Store, network: NetworkConfig, options: ReputationHistoryOptions) {
    this.#network = network
    this.options = Object.freeze(options)
    this.#repo = reputationHistoryRepository(store, reputationPointSchema)
  }

  /** Opens the history in `store`: reads each validator's last seq and deletes points beyond `maxPointsPerValidator` (a bound lowered since the last run). */
  static async open (store: Store, network: NetworkConfig, options: Partial<ReputationHistoryOptions> = {}): Promise<ReputationHistory> {
    const history = new ReputationHistory(store, network, { ...DEFAULT_REPUTATION_HISTORY_OPTIONS, ...options })
    const stale: Uint8Array[] = []
    for (const { publicKey } of network.validators) {
      // Keys only: a point whose value is damaged does not stop the node from starting (reading it gives ERR_STORE_CORRUPT).
      const from = history.#repo.keyOf({ validator: publicKey, seq: 0 })
      const end = prefixEnd(from.subarray(0, 33))
      let next = 0
      for await (const [key] of store.iterate({ gte: from, ...(end === null ? {} : { lt: end }), reverse: true, limit: 1 })) next = reputationHistoryKey.decode(key.subarray(1)).seq + 1
      history.#next.set(publicKey, next)
      const keep = next - history.options.maxPointsPerValidator
      if (keep <= 0) continue
      const to = history.#repo.keyOf({ validator: publicKey, seq: keep })
      for await (const [key] of store.iterate({ gte: from, lt: to })) stale.push(key)
    }
    if (stale.length > 0) {
      await store.write((batch) => { for (const key of stale) batch.del(key) })
    }
    return history
  }

  /**
   * Adds to `batch` one point per changed record (with the trust derived
   * from it), and deletes each validator's point that falls out of the
   * bound. The counters advance once the batch is on disk.
   */
  record (batch: WriteBatch, changed: ReadonlyMap<string, ReputationRecord>, at: number, jobId: string, cause: ReputationChangeCause): void {
    const advanced: Array<[string, number]> = []
    for (const [validator, record] of changed) {
      const seq = this.#next.get(validator) ?? 0
      this.#repo.put(batch, { validator, seq }, {
        at, jobId, cause, reputation: record.reputation, trust: trustOf(record, this.#network), verifications: record.verifications, successes: record.successes, equivocated: record.equivocated
      })
      const gone = seq - this.options.maxPointsPerValidator
      if (gone >= 0) this.#repo.del(batch, { validator, seq: gone })
      advanced.push([validator, seq + 1])
    }
    if (advanced.length > 0) batch.afterCommit(() => { for (const [validator, next] of advanced) this.#next.set(validator, next) })
  }

  /** Points kept, all validators together (each validator's are its last `maxPointsPerValidator`, numbered from 0 without gaps). */
  get points (): number {
    let n = 0
    for (const next of this.#next.values()) n += Math.min(next, this.options.maxPointsPerValidator)
    return n
  }

  /** A page of `validator`'s points, newest first. A stored point that fails its schema is `ERR_STORE_CORRUPT`. */
  async page (validator: string, options: ReputationHistoryPageOptions): Promise<ReputationPoint[]> {
    const entries = await this.#repo.list({
      prefix: hex32Bytes(validator),
      reverse: true,
      limit: options.limit,
      ...(options.before === undefined ? {} : { after: { validator, seq: options.before } })
    })
    return entries.map(({ key, value }) => ({ seq: key.seq, ...value }))
  }
}

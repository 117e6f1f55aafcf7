/**
 * This node's reputation view of the validators, and the effective weights
 * the tallies count with. Reputations change when a job is decided, a late
 * vote is judged or equivocation is proved; every change reweighs the open
 * tallies through `onChange`.
 */
import { type ReputationRecord, initialReputation } from '../../protocol/consensus/reputation.ts'
import { type EffectiveWeights, effectiveWeights } from '../../protocol/consensus/weights.ts'
import type { NetworkConfig } from '../../protocol/network.ts'
import { SerialQueues } from './serial.ts'

/** The reputation records of one node, with the weights derived from them. */
export class ReputationBook {
  readonly #network: NetworkConfig
  readonly #records = new Map<string, ReputationRecord>()
  readonly #onChange: (weights: EffectiveWeights) => void
  #weights: EffectiveWeights
  /** Changes run one at a time (see {@link change}). */
  readonly #changes = new SerialQueues()

  /** An empty book (every validator at the initial reputation); `onChange` hears of every change of weights. */
  constructor (network: NetworkConfig, onChange: (weights: EffectiveWeights) => void) {
    this.#network = network
    this.#onChange = onChange
    this.#weights = effectiveWeights(network, this.#records)
  }

  /** Takes in stored records (at start), without notifying. */
  load (records: Iterable<{ key: string, value: ReputationRecord }>): void {
    for (const { key, value } of records) this.#records.set(key, value)
    this.#weights = effectiveWeights(this.#network, this.#records)
  }

  /** The effective weights of the current view. */
  get weights (): EffectiveWeights {
    return this.#weights
  }

  /** The stored records (validators without one have the initial reputation). */
  get records (): ReadonlyMap<string, ReputationRecord> {
    return this.#records
  }

  /** One validator's reputation (the initial one when it has no record). */
  of (publicKey: string): ReputationRecord {
    return this.#records.get(publicKey) ?? initialReputation(this.#network)
  }

  /** Every validator's reputation. */
  all (): Map<string, ReputationRecord> {
    return new Map(this.#network.validators.map((v) => [v.publicKey, this.of(v.publicKey)]))
  }

  /**
   * Runs `step` after every change queued before it has finished: a change
   * reads the records, stores what it derived from them and applies it, and
   * another job's change in between would derive from the same records and
   * overwrite this one's (a lost update). Resolves or rejects as `step`.
   */
  async change<T> (step: () => Promise<T>): Promise<T> {
    return await this.#changes.run('reputation', step)
  }

  /** Applies changed records and reweighs. */
  apply (changed: ReadonlyMap<string, ReputationRecord>): void {
    if (changed.size === 0) return
    for (const [key, record] of changed) this.#records.set(key, record)
    this.#weights = effectiveWeights(this.#network, this.#records)
    this.#onChange(this.#weights)
  }
}

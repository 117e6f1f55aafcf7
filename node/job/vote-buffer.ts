/**
 * Votes for jobs this node does not know yet (gossip on the votes topic can
 * overtake the announcement on the jobs topic). Held per job, bounded in
 * total; when full the oldest job's votes are dropped first.
 */
import { canonicalString } from '../../protocol/canonical.ts'
import type { Vote } from '../../protocol/vote.ts'

/** A bounded holding area of early votes. */
export class VoteBuffer {
  readonly #byJob = new Map<string, Vote[]>()
  readonly #max: number
  #count = 0

  /** Holds at most `max` votes in total. */
  constructor (max: number) {
    this.#max = max
  }

  /** Holds `vote` (duplicates are held once). */
  add (vote: Vote): void {
    while (this.#count >= this.#max) {
      const oldest = this.#byJob.keys().next().value
      if (oldest === undefined) return
      this.#count -= this.#byJob.get(oldest)!.length
      this.#byJob.delete(oldest)
    }
    const list = this.#byJob.get(vote.jobId) ?? []
    const text = canonicalString(vote)
    if (list.some((v) => canonicalString(v) === text)) return
    list.push(vote)
    this.#byJob.set(vote.jobId, list)
    this.#count++
  }

  /** Removes and returns the votes held for `jobId`. */
  take (jobId: string): Vote[] {
    const list = this.#byJob.get(jobId) ?? []
    this.#byJob.delete(jobId)
    this.#count -= list.length
    return list
  }
}

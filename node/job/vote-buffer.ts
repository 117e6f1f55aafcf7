/**
 * Votes held before they can be counted: for jobs this node does not know
 * yet (gossip on the votes topic can overtake the announcement on the jobs
 * topic) or whose seed is not fixed yet. Bounded in total and per voter:
 * each voter may hold at most `maxPerVoter` votes (its oldest goes first),
 * and when the whole buffer is full the oldest vote of the voter holding the
 * most goes. One validator's flood of signed votes for made-up job ids thus
 * evicts only its own votes, never the early votes of others for real jobs.
 */
import { canonicalString } from '../../protocol/canonical.ts'
import type { Vote } from '../../protocol/vote.ts'

/** A bounded holding area of early votes. */
export class VoteBuffer {
  readonly #byJob = new Map<string, Vote[]>()
  /** Each voter's held votes, oldest first. */
  readonly #byVoter = new Map<string, Vote[]>()
  readonly #max: number
  readonly #maxPerVoter: number
  #count = 0

  /** Holds at most `max` votes in total and `maxPerVoter` of any one voter. */
  constructor (max: number, maxPerVoter: number = max) {
    this.#max = max
    this.#maxPerVoter = Math.max(1, Math.min(maxPerVoter, max))
  }

  /** Number of votes held. */
  get size (): number {
    return this.#count
  }

  /** Holds `vote` (duplicates are held once). */
  add (vote: Vote): void {
    const list = this.#byJob.get(vote.jobId) ?? []
    const text = canonicalString(vote)
    if (list.some((v) => canonicalString(v) === text)) return
    const own = this.#byVoter.get(vote.voter) ?? []
    if (own.length >= this.#maxPerVoter) this.#evict(own[0]!)
    while (this.#count >= this.#max) {
      let heaviest: Vote[] | undefined
      for (const votes of this.#byVoter.values()) if (heaviest === undefined || votes.length > heaviest.length) heaviest = votes
      if (heaviest === undefined || heaviest.length === 0) return
      this.#evict(heaviest[0]!)
    }
    const jobList = this.#byJob.get(vote.jobId) ?? []
    jobList.push(vote)
    this.#byJob.set(vote.jobId, jobList)
    const voterList = this.#byVoter.get(vote.voter) ?? []
    voterList.push(vote)
    this.#byVoter.set(vote.voter, voterList)
    this.#count++
  }

  /** Removes and returns the votes held for `jobId`, in arrival order. */
  take (jobId: string): Vote[] {
    const list = [...(this.#byJob.get(jobId) ?? [])]
    for (const v of list) this.#evict(v)
    return list
  }

  #evict (vote: Vote): void {
    const jobList = this.#byJob.get(vote.jobId)
    const i = jobList?.indexOf(vote) ?? -1
    if (jobList === undefined || i < 0) return
    jobList.splice(i, 1)
    if (jobList.length === 0) this.#byJob.delete(vote.jobId)
    const voterList = this.#byVoter.get(vote.voter)!
    voterList.splice(voterList.indexOf(vote), 1)
    if (voterList.length === 0) this.#byVoter.delete(vote.voter)
    this.#count--
  }
}

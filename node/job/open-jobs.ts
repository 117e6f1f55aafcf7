/**
 * The jobs still open on a node, in memory: each with its record, its votes
 * and tally per round, its deadline timer and the cancellation of its work.
 */
import { JobTally } from '../../protocol/consensus/job-tally.ts'
import type { EffectiveWeights } from '../../protocol/consensus/weights.ts'
import type { NetworkConfig } from '../../protocol/network.ts'
import { DeadlineTimer, roundDeadline, roundOver } from './deadline.ts'
import type { JobRecord, VoteRecord } from './records.ts'

/** The votes and tally of one round of an open job. */
export interface Round {
  votes: Map<string, VoteRecord>
  tally: JobTally
}

/** A job open on this node. */
export interface OpenJob {
  record: JobRecord
  rounds: Round[]
  /** Fires at the current round's deadline. */
  timer: DeadlineTimer
  /** Aborted when the node stops: cancels the job's catch-up, blob fetches and measurements (each measurement also ends at its round's deadline). */
  abort: AbortController
}

/** The open jobs by id. */
export class OpenJobs {
  readonly #network: NetworkConfig
  readonly #clock: () => number
  readonly #byId = new Map<string, OpenJob>()
  /** The open jobs of each submitter (a submitter with none is absent). */
  readonly #bySubmitter = new Map<string, Set<OpenJob>>()
  #weights: EffectiveWeights

  /** Tallies count with `weights` until {@link reweigh}. */
  constructor (network: NetworkConfig, clock: () => number, weights: EffectiveWeights) {
    this.#network = network
    this.#clock = clock
    this.#weights = weights
  }

  /** The open job, or undefined. */
  get (jobId: string): OpenJob | undefined {
    return this.#byId.get(jobId)
  }

  /** Whether the job is open. */
  has (jobId: string): boolean {
    return this.#byId.has(jobId)
  }

  /** Number of open jobs. */
  get size (): number {
    return this.#byId.size
  }

  /**
   * Open jobs of `submitter` whose current round is not over at `now` (a job
   * past its deadline is being closed, and its submitter no longer counts it;
   * job-caps.ts).
   */
  openBy (submitter: string, now: number): number {
    let n = 0
    for (const open of this.#bySubmitter.get(submitter) ?? []) if (!roundOver(open.record.job, open.record.round, now)) n++
    return n
  }

  /** The open jobs. */
  values (): IterableIterator<OpenJob> {
    return this.#byId.values()
  }

  /** Opens a job and arms its deadline timer; `onDeadline` runs when the current round's deadline is reached. */
  open (record: JobRecord, onDeadline: (open: OpenJob) => void): OpenJob {
    const was = this.#byId.get(record.jobId)
    if (was !== undefined) this.close(was)
    const open: OpenJob = { record, rounds: [], timer: new DeadlineTimer(this.#clock, () => { onDeadline(open) }), abort: new AbortController() }
    this.#byId.set(record.jobId, open)
    const { submitter } = record.job
    const own = this.#bySubmitter.get(submitter)
    if (own === undefined) this.#bySubmitter.set(submitter, new Set([open]))
    else own.add(open)
    open.timer.arm(roundDeadline(record.job, record.round))
    return open
  }

  /**
   * Closes a decided job: stops its timer. A measurement still running goes
   * on until its round's deadline, so this node's vote still reaches the
   * others, late.
   */
  close (open: OpenJob): void {
    open.timer.clear()
    this.#byId.delete(open.record.jobId)
    const { submitter } = open.record.job
    const own = this.#bySubmitter.get(submitter)
    own?.delete(open)
    if (own?.size === 0) this.#bySubmitter.delete(submitter)
  }

  /** Stops every timer and cancels all work (the node stops); the jobs stay open in the store. */
  stopAll (): void {
    for (const open of this.#byId.values()) {
      open.timer.clear()
      open.abort.abort()
    }
  }

  /** Round `round` of `open`, created empty when new. */
  round (open: OpenJob, round: number): Round {
    let r = open.rounds[round]
    if (r === undefined) {
      // Votes are counted only once the job's seed is fixed (vote-intake.ts); the tally refuses any other seed too.
      const seed = open.record.seed?.seed
      r = { votes: new Map(), tally: new JobTally({ network: this.#network, job: open.record.job, weights: this.#weights, jobId: open.record.jobId, ...(seed === undefined ? {} : { seed }) }) }
      open.rounds[round] = r
    }
    return r
  }

  /** Counts a vote in its round. */
  addVote (open: OpenJob, record: VoteRecord): void {
    const r = this.round(open, record.vote.round)
    r.votes.set(record.vote.voter, record)
    r.tally.add(record.vote)
  }

  /** Reweighs every open tally (reputations changed). */
  reweigh (weights: EffectiveWeights): void {
    this.#weights = weights
    for (const open of this.#byId.values()) for (const r of open.rounds) r?.tally.reweigh(weights)
  }
}

/** Every vote of an open job, all rounds. */
export function votesOf (open: OpenJob): VoteRecord[] {
  return open.rounds.flatMap((r) => [...r.votes.values()])
}

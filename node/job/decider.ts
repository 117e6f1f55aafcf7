/**
 * Deciding a job's round: apply the consensus rule (with this node's
 * reputation view) and the one deadline rule, take a second, larger round
 * when round 0 ends in the grey zone, or finalize: store the outcome, the
 * certificate and the new reputations in one batch, close the job and tell
 * the node. Runs on the job's decision queue, never behind a measurement.
 */
import type { Logger } from 'pino'
import { buildCertificate } from '../../protocol/certificate.ts'
import { type GreyZone, MAX_GREY_ZONE_ROUND, greyZoneOfVotes } from '../../protocol/consensus/grey-zone.ts'
import type { ReputationRecord } from '../../protocol/consensus/reputation.ts'
import { REASON_DEADLINE } from '../../protocol/consensus/tally-types.ts'
import { type Tally, updateReputations } from '../../protocol/consensus/tally.ts'
import { intervalsToWire, type MetricName } from '../../protocol/metrics.ts'
import type { NetworkConfig } from '../../protocol/network.ts'
import type { Vote } from '../../protocol/vote.ts'
import type { NodeMetrics } from '../metrics.ts'
import type { JobView } from '../types.ts'
import { beforeDeadlines, roundDeadline, roundOver } from './deadline.ts'
import type { JobViews } from './job-views.ts'
import type { JobWrites } from './job-writes.ts'
import { type OpenJob, type OpenJobs, type Round, votesOf } from './open-jobs.ts'
import { type JobRecord, type VoteRecord, isTerminal } from './records.ts'
import type { ReputationBook } from './reputation-book.ts'

/** Reason of a job closed because its inputs cannot be measured (node/wiring/measurability.ts), before its deadline. */
export const REASON_UNMEASURABLE = 'unmeasurable'

/** What the decider is wired to. */
export interface JobDeciderComponents {
  network: NetworkConfig
  clock: () => number
  logger: Logger
  metrics: NodeMetrics
  writes: JobWrites
  reputations: ReputationBook
  jobs: OpenJobs
  views: JobViews
  /** A job was decided. */
  onFinal: (view: JobView) => void
  /** A job went to round `round` (grey zone): this node measures it again. */
  onNextRound: (open: OpenJob, round: number) => void
}

/** Decides the rounds of a node's open jobs and keeps the jobs-by-status gauge. */
export class JobDecider {
  readonly #components: JobDeciderComponents
  /** Decided jobs by status, for the jobs gauge. */
  readonly #decided = new Map<string, number>()
  /** The grey-zone judgement of each agreeing set (JobTally.agreeingVotes keeps one array per set): judged again only when the set changes. */
  readonly #greyZones = new WeakMap<readonly Vote[], GreyZone>()

  /** A decider over the given parts. */
  constructor (components: JobDeciderComponents) {
    this.#components = components
  }

  /** Counts a job decided before this start (for the gauge). */
  countDecided (status: string): void {
    this.#decided.set(status, (this.#decided.get(status) ?? 0) + 1)
  }

  /** Takes back a count of {@link countDecided} (a disputed job that a certificate then decided). */
  uncountDecided (status: string): void {
    this.#decided.set(status, Math.max(0, (this.#decided.get(status) ?? 0) - 1))
  }

  /** Sets the jobs-by-status gauge. */
  refreshGauge (): void {
    const { metrics, jobs } = this.#components
    metrics.jobs.byStatus.set({ status: 'pending' }, jobs.size)
    for (const [status, n] of this.#decided) metrics.jobs.byStatus.set({ status }, n)
  }

  /**
   * Tallies the job's current round and decides it when the rule says so.
   * `received` is a vote just counted (vote-intake.ts) and not stored yet: it
   * is stored in the batch that decides the job when it completes a quorum
   * (one write on the way to finality instead of two), else in a write of
   * its own, queued in the store's one writer (behind the writes before it,
   * ahead of those after) before this returns but not waited for here:
   * `stored` settles when it is done, so the caller waits for it after the
   * job's decision queue has gone on to its next step (the next vote).
   */
  async retally (open: OpenJob, received?: VoteRecord): Promise<{ stored: Promise<void> }> {
    const { network, clock, jobs } = this.#components
    if (isTerminal(open.record.status) || !jobs.has(open.record.jobId)) return { stored: this.#store(received) }
    const { job, round } = open.record
    const r = jobs.round(open, round)
    // The tally is asked for its verdict before any deadline; the one deadline rule is roundOver (deadline.ts).
    let t = r.tally.result(beforeDeadlines(job))
    if (t.status === 'pending' && roundOver(job, round, clock())) t = { ...t, status: 'disputed', reason: REASON_DEADLINE }
    // The grey-zone judgement, once per agreeing set: its intervals go to the record, its verdict may open a round.
    const grey = t.values === null || t.agreeing.length === 0 ? null : this.#greyZone(r, network, job.thresholds)
    open.record = { ...open.record, values: t.values, checks: t.checks, caveats: t.caveats, intervals: grey === null ? null : intervalsToWire(grey.intervals), byzantine: t.deviating }
    if (t.status === 'pending') return { stored: this.#store(received) }
    if (t.final && round < MAX_GREY_ZONE_ROUND && grey?.grey === true) {
      const stored = this.#store(received)
      await this.#enterGreyZone(open, t, grey.metrics)
      return { stored }
    }
    return await this.#finalize(open, t, received)
  }

  /** The grey-zone judgement of the round's agreeing votes (protocol/consensus/grey-zone.ts), kept while they do not change. */
  #greyZone (r: Round, network: NetworkConfig, thresholds: JobRecord['job']['thresholds']): GreyZone {
    const agreeing = r.tally.agreeingVotes()
    let grey = this.#greyZones.get(agreeing)
    if (grey === undefined) {
      grey = greyZoneOfVotes(agreeing, network, thresholds)
      this.#greyZones.set(agreeing, grey)
    }
    return grey
  }

  /**
   * Queues the write of a counted vote that no deciding batch took (at once:
   * the store's writer takes writes in the order they are asked) and returns
   * its promise, already handled so a caller that does not wait for it
   * leaves no unhandled rejection.
   */
  #store (received: VoteRecord | undefined): Promise<void> {
    if (received === undefined) return Promise.resolve()
    const stored = this.#components.writes.received(received, received.receivedAt)
    stored.catch((err: unknown) => { this.#components.logger.error({ jobId: received.vote.jobId, err: err instanceof Error ? err.message : String(err) }, 'a counted vote could not be stored') })
    return stored
  }

  /**
   * Closes a job whose inputs no honest node can measure (own-vote.ts):
   * decided as the votes already say when they reach a verdict, otherwise
   * disputed now with reason {@link REASON_UNMEASURABLE}, not at the
   * deadline. Honest nodes judge the inputs alike, so none of them will vote;
   * a certificate made by others still replaces the disputed status later.
   */
  async closeUnmeasurable (open: OpenJob): Promise<void> {
    await this.retally(open)
    if (isTerminal(open.record.status) || !this.#components.jobs.has(open.record.jobId)) return
    const r = this.#components.jobs.round(open, open.record.round)
    const t = r.tally.result(beforeDeadlines(open.record.job))
    await this.#finalize(open, { ...t, status: 'disputed', final: false, reason: REASON_UNMEASURABLE })
  }

  async #enterGreyZone (open: OpenJob, t: Tally, metrics: MetricName[]): Promise<void> {
    const { writes, logger, clock } = this.#components
    const next = open.record.round + 1
    open.record = { ...open.record, round: next, greyZone: { values: t.values!, intervals: open.record.intervals!, metrics }, values: null, checks: null, caveats: null, intervals: null, byzantine: [] }
    await writes.greyZone(open.record, t, metrics, clock())
    logger.info({ jobId: open.record.jobId, round: next, metrics }, 'grey zone: a second, larger round')
    open.timer.arm(roundDeadline(open.record.job, next))
    this.#components.onNextRound(open, next)
    await this.retally(open)
  }

  /** Decides the job (`received` goes in its batch) and resolves with the write of a vote that stays open after all (a missing seed certificate). */
  async #finalize (open: OpenJob, t: Tally, received?: VoteRecord): Promise<{ stored: Promise<void> }> {
    // One reputation change at a time: derived from the records, stored and applied before another job's reads them.
    let unstored: Promise<void> = Promise.resolve()
    const decided = await this.#components.reputations.change(async () => await this.#decide(open, t, received, (s) => { unstored = s }))
    if (!decided) return { stored: unstored }
    const { metrics, logger, views } = this.#components
    const { job } = open.record
    this.#decided.set(t.status, (this.#decided.get(t.status) ?? 0) + 1)
    metrics.jobs.finalityLatencySeconds.observe(Math.max(0, open.record.finalizedAt! - job.createdAt) / 1000)
    this.refreshGauge()
    logger.info({ jobId: open.record.jobId, status: t.status, reason: t.reason, round: open.record.round }, 'job decided')
    this.#components.onFinal(views.of(open.record, votesOf(open)))
    return { stored: Promise.resolve() }
  }

  /** Stores and applies the decision of `open` with its reputation changes; false when the job stays open (then `unstored` hears the write of `received`). */
  async #decide (open: OpenJob, t: Tally, received: VoteRecord | undefined, unstored: (stored: Promise<void>) => void): Promise<boolean> {
    const { network, clock, writes, reputations, jobs, logger } = this.#components
    const { jobId, job } = open.record
    const now = clock()
    const reps = t.final ? updateReputations(t, reputations.records, network) : new Map<string, ReputationRecord>()
    // Votes are counted only once the seed is fixed (vote-intake.ts), so a final tally has its seed certificate.
    // Should one ever be missing, the job stays open (pending) rather than final without a certificate.
    if (t.final && open.record.seed === null) {
      logger.error({ jobId, round: open.record.round }, 'final tally without a seed certificate: the job stays open')
      unstored(this.#store(received))
      return false
    }
    const votes: Vote[] = t.final ? [...jobs.round(open, open.record.round).votes.values()].map((x) => x.vote) : []
    const cert = t.final ? buildCertificate(network, job, t, votes, open.record.seed!.certificate) : null
    // The decided record is shown only once its batch (with the certificate) is on disk: clients read an
    // open job's record from memory (job-views.ts), and a final status before the certificate is stored
    // would answer a certificate request with "final; it has no certificate".
    const decided: JobRecord = { ...open.record, status: t.status, reason: t.reason, finalizedAt: now }
    await writes.decided(decided, t, cert, reps, now, received)
    open.record = decided
    reputations.apply(reps)
    jobs.close(open)
    return true
  }
}


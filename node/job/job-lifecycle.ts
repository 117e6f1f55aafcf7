/**
 * The steps of a job's life on this node, and the queue each runs on. Each
 * job has two queues (serial.ts). Its decision queue runs the short steps
 * one at a time (accept the announcement, count and hold votes, judge late
 * votes and evidence, store the seed, tally, decide, cast the own vote), so
 * they never race; its work queue runs the long ones (fetch the blobs, wait
 * for the seed, measure), whose result is then cast on the decision queue.
 * Intake (called from gossip validators with a time limit) and the deadline
 * decision therefore never wait behind a measurement.
 */
import { canonicalEncode } from '../../protocol/canonical.ts'
import { TrustEngineError } from '../../protocol/errors.ts'
import type { JobAnnouncement } from '../../protocol/job.ts'
import type { SeedCertificate } from '../../protocol/seed.ts'
import type { JobView } from '../types.ts'
import type { BackgroundTasks } from './background.ts'
import type { CatchUp } from './catch-up.ts'
import type { JobDecider } from './decider.ts'
import type { DrainLedger } from './drain.ts'
import type { JobCaps } from './job-caps.ts'
import { ERR_DUPLICATE } from './errors.ts'
import type { JobViews } from './job-views.ts'
import type { JobWrites } from './job-writes.ts'
import type { OpenJob, OpenJobs } from './open-jobs.ts'
import type { OwnVote } from './own-vote.ts'
import type { JobNetworkPort } from './ports.ts'
import { type JobRecord, isTerminal, newJobRecord } from './records.ts'
import type { NodeRepositories } from './repositories.ts'
import type { ReputationBook } from './reputation-book.ts'
import type { SeedPhase } from './seed-phase.ts'
import { SerialQueues } from './serial.ts'
import type { VoteBuffer } from './vote-buffer.ts'
import type { VoteIntake } from './vote-intake.ts'

/** What the steps are wired to. */
export interface JobLifecycleComponents {
  repos: NodeRepositories
  net: JobNetworkPort
  clock: () => number
  writes: JobWrites
  jobs: OpenJobs
  views: JobViews
  reputations: ReputationBook
  decider: JobDecider
  intake: VoteIntake
  ownVote: OwnVote
  seeds: SeedPhase
  buffer: VoteBuffer
  catchUp: CatchUp
  tasks: BackgroundTasks
  /** The own work in flight and, once the node is stopping, how it ended (drain.ts). */
  drain: DrainLedger
  /** A job was accepted. */
  onAccepted: (view: JobView) => void
  /** Steps a job's decision queue holds at most before a step from outside ({@link JobLifecycle.admit}) is refused (engine.ts `decisionStepsPerValidator`). */
  maxDecisionSteps: number
  /** The open-jobs cap per submitter (job-caps.ts). */
  caps: JobCaps
}

/** The steps of the jobs of one node on their queues. */
export class JobLifecycle {
  readonly #components: JobLifecycleComponents
  /** Short steps of a job, one at a time (see the module comment). */
  readonly #decisions = new SerialQueues()
  /** Blob fetching and measurement of a job, one round at a time. */
  readonly #work = new SerialQueues()
  /** Announcements being accepted from the network, by job id ({@link accepting}). */
  readonly #accepting = new Map<string, JobAnnouncement>()

  /** The steps over the given parts. */
  constructor (components: JobLifecycleComponents) {
    this.#components = components
  }

  /** Runs `step` on the job's decision queue, after the steps queued before it. */
  decision<T> (jobId: string, step: () => Promise<T>): Promise<T> {
    return this.#decisions.run(jobId, step)
  }

  /**
   * Runs a step started from outside (a gossip message, or one catch-up
   * brought) on the job's decision queue, unless the queue holds
   * `maxDecisionSteps` already: then `ERR_DECISION_QUEUE_FULL` (IGNORE), the
   * step never runs. A gossip validation that timed out still has its step
   * queued, so this bound, not the topic's validation bound, is what keeps
   * one job's queue finite. The node's own steps are never refused.
   */
  admit<T> (jobId: string, step: () => Promise<T>): Promise<T> {
    return this.#decisions.admit(jobId, this.#components.maxDecisionSteps, step)
  }

  /** Decision steps queued or running, all jobs together and of the busiest job. */
  get decisionSteps (): { all: number, longest: number } {
    return this.#decisions.queued
  }

  /** Resolves once every queued step and measurement has settled. */
  async idle (): Promise<void> {
    await this.#work.idle()
    await this.#decisions.idle()
  }

  /**
   * Accepts a checked announcement from the network, unless this node knows
   * the job already (`ERR_DUPLICATE`, IGNORE) or its submitter has its cap of
   * open jobs here (`ERR_TOO_MANY_OPEN_JOBS`, IGNORE, job-caps.ts). From the
   * call until the job is open (or refused) it is {@link accepting}.
   */
  async announced (job: JobAnnouncement, jobId: string): Promise<void> {
    const { jobs, repos, caps } = this.#components
    // Set before the first await: a message of another topic validated meanwhile finds the announcement here.
    const first = !this.#accepting.has(jobId)
    if (first) this.#accepting.set(jobId, job)
    try {
      await this.admit(jobId, async () => {
        if (jobs.has(jobId) || (await repos.jobs.has(jobId))) {
          throw new TrustEngineError(ERR_DUPLICATE, 'job already known', { action: 'ignore' }) // [IGNORE] duplicate
        }
        caps.checkAnnounced(job)
        await this.#accept(job, jobId)
      })
    } finally {
      if (first) this.#accepting.delete(jobId)
    }
  }

  /**
   * The checked announcement of a job this node is taking in from the
   * network now (between {@link announced} and the job's opening or
   * refusal), else null. Its acceptance reads and writes the store, and
   * gossip validates the messages of other topics meanwhile: a seed
   * certificate that overtakes it is checked against this announcement
   * (seed-phase.ts), not held as one for a job this node missed.
   */
  accepting (jobId: string): JobAnnouncement | null {
    return this.#accepting.get(jobId) ?? null
  }

  /** Accepts a job this node signed (before it is gossiped). */
  async submitted (job: JobAnnouncement, jobId: string): Promise<void> {
    await this.decision(jobId, async () => { await this.#accept(job, jobId) })
  }

  /**
   * Resumes a job still open in the store after a restart: its seed phase,
   * its stored votes of the current round and earlier, the votes held while
   * it waited for this (vote-intake.ts), catch-up on the votes
   * gossiped meanwhile, and either the own vote again (re-gossiped, then a
   * tally) or, when there is none, the measurement.
   */
  async resume (record: JobRecord): Promise<void> {
    const { repos, net, jobs, seeds, catchUp, tasks, buffer, intake } = this.#components
    const open = this.#open(record)
    await seeds.accepted(record.job, record.jobId, record.seed)
    if (record.seed === null) tasks.spawn(catchUp.seedWhileMissing(open))
    for (const { value } of await repos.votes.listByJob(record.jobId)) {
      if (value.vote.round <= record.round) jobs.addVote(open, value)
    }
    // Votes that came while the job waited for its resume (vote-intake.ts) are counted now; without the seed, once it is fixed (seeded).
    if (record.seed !== null) {
      tasks.spawn(this.decision(record.jobId, async () => {
        for (const vote of buffer.take(record.jobId)) await intake.vote(vote).catch(() => {})
      }))
    }
    tasks.spawn(catchUp.votes(open))
    const own = await repos.ownVotes.get({ jobId: record.jobId, round: record.round })
    if (own === null) this.startMeasuring(open, record.round)
    else {
      tasks.spawn(net.publish('votes', canonicalEncode(own)))
      tasks.spawn(this.decide(open))
    }
  }

  /** The job's seed was fixed at `fixedAt`: store it with the job, then count the votes held until now (on the decision queue). */
  async seeded (jobId: string, seed: string, certificate: SeedCertificate, fixedAt: number): Promise<void> {
    const { jobs, clock, writes, buffer, intake, decider } = this.#components
    await this.decision(jobId, async () => {
      const open = jobs.get(jobId)
      if (open === undefined || open.record.seed !== null) return
      // The time the seed was fixed (the measurement starts then), not the time this step got its turn.
      open.record = { ...open.record, seed: { seed, certificate }, seededAt: fixedAt }
      await writes.seeded(open.record, clock())
      for (const vote of buffer.take(jobId)) await intake.vote(vote).catch(() => {})
      // A tally the decider left open for want of the seed certificate is decided now.
      if (open.rounds.length > 0) await decider.retally(open)
    })
  }

  /** Re-tallies a job on its decision queue. */
  async decide (open: OpenJob): Promise<void> {
    await this.decision(open.record.jobId, async () => { await this.#components.decider.retally(open) })
  }

  /**
   * Queues the own measurement of `round` on the job's work queue; its vote
   * (or failure) is cast on the decision queue. None starts once the node is
   * stopping (the next start resumes the job); work queued before may finish
   * (drain.ts).
   */
  startMeasuring (open: OpenJob, round: number): void {
    const { ownVote, tasks, drain } = this.#components
    if (tasks.stopped || drain.draining || isTerminal(open.record.status) || !ownVote.votes(open, round)) return
    const { jobId } = open.record
    drain.started(jobId, round)
    let outcome: 'finished' | 'abandoned' | 'skipped' = 'abandoned'
    tasks.spawn(this.#work.run(jobId, async () => {
      if (tasks.stopped) return
      if (!ownVote.votes(open, round)) { outcome = 'skipped'; return }
      const measured = await ownVote.measure(open, round)
      if (tasks.stopped) return
      await this.decision(jobId, async () => {
        if (measured.ok) await ownVote.cast(open, round, measured.measurement, measured.seed)
        else await ownVote.failed(open, round, measured.code, measured.message)
      })
      outcome = 'finished'
    }).finally(() => { drain.ended(jobId, outcome) }))
  }

  /** Resolves once the own work queued so far has settled (the drain of a stop waits for it, bounded by the caller). */
  async workIdle (): Promise<void> {
    await this.#work.idle()
  }

  /**
   * Validators proved to equivocate in `jobId` by evidence that arrived
   * before the job (stored, and counted at their reputation, but with no job
   * record to name them in): the new record names them. Only validators
   * already marked as equivocators can have such evidence.
   */
  async heldEquivocators (jobId: string): Promise<string[]> {
    const { reputations, repos } = this.#components
    const out: string[] = []
    for (const [offender, rep] of reputations.all()) {
      if (rep.equivocated && await repos.evidence.has({ offender, jobId })) out.push(offender)
    }
    return out.sort()
  }

  /**
   * Opens a job (on its decision queue): stores it, starts its seed phase
   * (this validator's share) and the measurement of round 0, which fetches
   * the blobs meanwhile and waits for the seed. Votes held for the job are
   * counted once the seed is fixed ({@link seeded}).
   */
  async #accept (job: JobAnnouncement, jobId: string): Promise<void> {
    const { clock, writes, views, decider, seeds, catchUp, tasks } = this.#components
    // The seed share needs the job id alone: out before the job is stored, so the seed phase does not wait for the write.
    tasks.spawn(seeds.share(jobId))
    const record = { ...newJobRecord(jobId, job, clock()), equivocators: await this.heldEquivocators(jobId) }
    await writes.accepted(record)
    const open = this.#open(record)
    this.#components.onAccepted(views.of(record, []))
    decider.refreshGauge()
    tasks.spawn(seeds.accepted(job, jobId, null))
    tasks.spawn(catchUp.seedWhileMissing(open))
    this.startMeasuring(open, 0)
  }

  /** Tracks an open job; its deadline timer decides it on the decision queue. */
  #open (record: JobRecord): OpenJob {
    const { jobs, tasks } = this.#components
    return jobs.open(record, (open) => { tasks.spawn(this.decide(open)) })
  }
}

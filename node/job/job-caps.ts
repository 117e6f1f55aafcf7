/**
 * The bound on open jobs per submitter (docs/decisions.md, "Open jobs per
 * submitter"), in two places that must agree:
 *
 * - Announcements: a job announced by a submitter that already has
 *   `maxOpenJobsPerSubmitter` jobs open on this node, their current round not
 *   over by this node's clock, is not taken in (`ERR_TOO_MANY_OPEN_JOBS`,
 *   IGNORE, not penalised, counted in `jobs_ignored_total{code}`): this node
 *   neither tracks nor measures it.
 * - This node's own submissions: refused (`ERR_TOO_MANY_OPEN_JOBS`, 503) while
 *   `maxOpenJobsPerSubmitter` of its own jobs may still be open anywhere: a
 *   job counts from its signing until every round it can have is over by
 *   every honest clock (its last grey-zone round's deadline plus the
 *   network's clock-skew tolerance), decided here or not. Another honest
 *   node counts a job of this submitter only while its round is not over by
 *   its own clock, at most that long; so an honest submitter never meets
 *   another node's cap, and only a submitter that ignores its own loses jobs.
 */
import { MAX_GREY_ZONE_ROUND } from '../../protocol/consensus/grey-zone.ts'
import { TrustEngineError } from '../../protocol/errors.ts'
import type { JobAnnouncement } from '../../protocol/job.ts'
import type { NetworkConfig } from '../../protocol/network.ts'
import type { NodeMetrics } from '../metrics.ts'
import { roundDeadline } from './deadline.ts'
import { ERR_TOO_MANY_OPEN_JOBS } from './errors.ts'
import type { OpenJobs } from './open-jobs.ts'

/** What the caps read. */
export interface JobCapsComponents {
  network: NetworkConfig
  /** This node's public key (its own jobs are the ones it submits). */
  publicKey: string
  clock: () => number
  metrics: NodeMetrics
  jobs: OpenJobs
}

/** The open-jobs cap of one node. */
export class JobCaps {
  readonly #components: JobCapsComponents
  readonly #max: number
  /** This node's own jobs that may still be open somewhere: job id → the instant every honest node has closed it. */
  readonly #own = new Map<string, number>()

  /** Caps at `maxOpenJobsPerSubmitter` open jobs per submitter. */
  constructor (components: JobCapsComponents, maxOpenJobsPerSubmitter: number) {
    this.#components = components
    this.#max = Math.max(1, maxOpenJobsPerSubmitter)
  }

  /** The instant by which every honest node has closed `job`: its last round's deadline plus the clock-skew tolerance. */
  closedEverywhereBy (job: JobAnnouncement): number {
    return roundDeadline(job, MAX_GREY_ZONE_ROUND) + this.#components.network.deadlines.clockSkewMs
  }

  /** Remembers a job this node signed (at submission, and for its stored jobs at start) while it may be open somewhere. */
  own (job: JobAnnouncement, jobId: string): void {
    if (job.submitter !== this.#components.publicKey) return
    const until = this.closedEverywhereBy(job)
    if (until > this.#components.clock()) this.#own.set(jobId, until)
  }

  /** This node's own jobs that may still be open somewhere now. */
  get ownOpen (): number {
    const now = this.#components.clock()
    for (const [jobId, until] of this.#own) if (until <= now) this.#own.delete(jobId)
    return this.#own.size
  }

  /** Throws `ERR_TOO_MANY_OPEN_JOBS` (503) when this node may not submit another job now. */
  checkOwn (): void {
    const open = this.ownOpen
    if (open >= this.#max) {
      throw new TrustEngineError(ERR_TOO_MANY_OPEN_JOBS, `this node has ${open} jobs that may still be open on other nodes (at most ${this.#max}); try again once one is over`, { details: { open, max: this.#max } })
    }
  }

  /** Throws `ERR_TOO_MANY_OPEN_JOBS` (IGNORE), counted, when the announcement's submitter has its cap of jobs open here. */
  checkAnnounced (job: JobAnnouncement): void {
    const { jobs, clock, metrics } = this.#components
    if (jobs.openBy(job.submitter, clock()) < this.#max) return
    metrics.jobs.ignored.inc({ code: ERR_TOO_MANY_OPEN_JOBS })
    throw new TrustEngineError(ERR_TOO_MANY_OPEN_JOBS, `the submitter has ${this.#max} jobs open on this node already`, { action: 'ignore' }) // [IGNORE]
  }
}

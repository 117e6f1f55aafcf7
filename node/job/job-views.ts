/**
 * How the engine shows jobs to clients: from memory while a job is open (its
 * votes are there), from the store otherwise.
 */
import { TrustEngineError } from '../../protocol/errors.ts'
import { ERR_STORE_CORRUPT } from '../store/errors.ts'
import type { JobStatus, JobView } from '../types.ts'
import { type OpenJobs, votesOf } from './open-jobs.ts'
import { type JobRecord, type VoteRecord, toJobView } from './records.ts'
import type { NodeRepositories } from './repositories.ts'

/** Options of {@link JobViews.list}. */
export interface JobListOptions {
  /** Largest number of jobs. */
  limit: number
  /** Only jobs of this status. */
  status?: JobStatus
  /** Only jobs after this one (a job id) in the list's order. */
  before?: string
}

/** Client views of a node's jobs. */
export class JobViews {
  readonly #repos: NodeRepositories
  readonly #jobs: OpenJobs
  readonly #names: Map<string, string>

  /** Views over the store and the open jobs; `names` maps validator keys to names. */
  constructor (repos: NodeRepositories, jobs: OpenJobs, names: Map<string, string>) {
    this.#repos = repos
    this.#jobs = jobs
    this.#names = names
  }

  /** The view of a record with its votes (the votes are sorted in place by round, then voter). */
  of (record: JobRecord, votes: VoteRecord[]): JobView {
    const byzantine = new Set(record.byzantine)
    const judged = record.values === null
      ? null
      : new Set(votes.filter((v) => v.vote.round === record.round && !byzantine.has(v.vote.voter)).map((v) => v.vote.voter))
    votes.sort((a, b) => a.vote.round - b.vote.round || (a.vote.voter < b.vote.voter ? -1 : 1))
    return toJobView(record, votes, this.#names, judged)
  }

  /** The view of a job, or null when unknown. */
  async get (jobId: string): Promise<JobView | null> {
    const open = this.#jobs.get(jobId)
    return open !== undefined ? this.of(open.record, votesOf(open)) : await this.#stored(jobId)
  }

  /**
   * Views of known jobs, newest first (ties by job id), read from the job
   * index: at most `limit` index entries and `limit` records, however many
   * jobs the store holds. `status` keeps one status; `before` (a job id)
   * starts after that job, the last one of the previous page. Null when
   * `before` names no known job.
   */
  async list (options: JobListOptions): Promise<JobView[] | null> {
    let before: { createdAt: number, jobId: string } | undefined
    if (options.before !== undefined) {
      const record = this.#jobs.get(options.before)?.record ?? await this.#repos.jobs.get(options.before)
      if (record === null) return null
      before = { createdAt: record.job.createdAt, jobId: record.jobId }
    }
    const page = await this.#repos.jobs.page({
      limit: options.limit,
      ...(options.status === undefined ? {} : { status: options.status }),
      ...(before === undefined ? {} : { before })
    })
    const out: JobView[] = []
    for (const jobId of page.jobIds) {
      const view = await this.get(jobId)
      if (view === null) throw new TrustEngineError(ERR_STORE_CORRUPT, `the job index names job ${jobId}, which has no record`)
      out.push(view)
    }
    return out
  }

  /**
   * The view of a job that is not open, from the store: its votes are read
   * before its record. A vote and what it changes in the record (a late
   * vote's judgement among the deviating, `byzantine`) are written in one
   * batch, so every vote read is judged in the record read after it. Read
   * the other way round, a late vote written between the two reads showed
   * beside a record that had not judged it, and a deviating vote showed as
   * agreeing.
   */
  async #stored (jobId: string): Promise<JobView | null> {
    const votes = (await this.#repos.votes.listByJob(jobId)).map((e) => e.value)
    const record = await this.#repos.jobs.get(jobId)
    if (record === null) return null
    // Opened meanwhile (a restart's resume): memory holds the newest state.
    const open = this.#jobs.get(jobId)
    if (open !== undefined) return this.of(open.record, votesOf(open))
    return this.of(record, record.prunedAt === null ? votes : await this.certifiedVotes(record))
  }

  /**
   * The votes of a job whose stored votes retention pruned: its
   * certificate's (the agreeing votes of the deciding round), taken as
   * received when the job was decided; none for a job without a certificate.
   */
  async certifiedVotes (record: JobRecord): Promise<VoteRecord[]> {
    const cert = await this.#repos.certificates.get(record.jobId)
    return cert === null ? [] : cert.votes.map((vote) => ({ vote, receivedAt: record.finalizedAt ?? record.prunedAt ?? 0, late: false }))
  }
}

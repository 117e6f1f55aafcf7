/**
 * How the engine shows jobs to clients: from memory while a job is open (its
 * votes are there), from the store otherwise.
 */
import type { JobView } from '../types.ts'
import { type OpenJobs, votesOf } from './open-jobs.ts'
import { type JobRecord, type VoteRecord, toJobView } from './records.ts'
import type { NodeRepositories } from './repositories.ts'

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
    const record = this.#jobs.get(jobId)?.record ?? await this.#repos.jobs.get(jobId)
    return record === null ? null : await this.#ofRecord(record)
  }

  /** Views of known jobs, newest first. */
  async list (limit: number): Promise<JobView[]> {
    const records: JobRecord[] = []
    for await (const { value } of this.#repos.jobs.entries()) records.push(value)
    records.sort((a, b) => b.job.createdAt - a.job.createdAt || (a.jobId < b.jobId ? -1 : 1))
    const out: JobView[] = []
    for (const r of records.slice(0, limit)) out.push(await this.#ofRecord(r))
    return out
  }

  async #ofRecord (record: JobRecord): Promise<JobView> {
    const open = this.#jobs.get(record.jobId)
    if (open !== undefined) return this.of(open.record, votesOf(open))
    return this.of(record, (await this.#repos.votes.listByJob(record.jobId)).map((e) => e.value))
  }
}

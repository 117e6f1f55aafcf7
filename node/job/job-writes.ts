/**
 * What a node stores about a job, one atomic LevelDB batch per step: each
 * function writes the records that belong together with the audit entry
 * that describes them, so a crash leaves either all of a step or none.
 * A change of reputation adds its point to the reputation history
 * (reputation-history.ts) in the same batch. Accepting a job records the
 * blobs it needs, and deciding it queues it for retention
 * (node/store/repositories/retention.ts), each in the same batch.
 */
import type { Certificate } from '../../protocol/certificate.ts'
import type { ReputationRecord } from '../../protocol/consensus/reputation.ts'
import type { Tally } from '../../protocol/consensus/tally.ts'
import type { Evidence } from '../../protocol/evidence.ts'
import type { Vote } from '../../protocol/vote.ts'
import { blobsOfJob, putBlobRefs, queueForRetention } from '../store/repositories/retention.ts'
import type { WriteBatch } from '../store/write-batch.ts'
import type { JobRecord, VoteRecord } from './records.ts'
import type { NodeRepositories } from './repositories.ts'
import type { ReputationHistory } from './reputation-history.ts'

/** The atomic writes of a job's life on a node. */
export class JobWrites {
  readonly #repos: NodeRepositories
  readonly #history: ReputationHistory | null

  /** Writes to `repos`; with `history`, every change of reputation also adds a point to it in the same batch. */
  constructor (repos: NodeRepositories, history: ReputationHistory | null = null) {
    this.#repos = repos
    this.#history = history
  }

  /** A job accepted: its record, the blobs it needs, and `job.accepted`. */
  async accepted (record: JobRecord): Promise<void> {
    const { jobId, job } = record
    await this.#repos.store.write(async (batch) => {
      await this.#repos.jobs.putRecord(batch, jobId, record)
      putBlobRefs(batch, jobId, blobsOfJob(job))
      await this.#repos.audit.append(batch, 'job.accepted', { jobId, kind: job.kind, submitter: job.submitter }, record.receivedAt)
    })
  }

  /** The job's seed was fixed by its seed certificate: the record (with the seed) and `job.seeded`. */
  async seeded (record: JobRecord, now: number): Promise<void> {
    await this.#repos.store.write(async (batch) => {
      await this.#repos.jobs.putRecord(batch, record.jobId, record)
      await this.#repos.audit.append(batch, 'job.seeded', { jobId: record.jobId, seed: record.seed?.seed ?? null, shares: record.seed?.certificate.shares.length ?? 0 }, now)
    })
  }

  /** This node could not measure: the record (with its error) and `job.measure-failed`. */
  async measureFailed (record: JobRecord, round: number, code: string, now: number): Promise<void> {
    await this.#repos.store.write(async (batch) => {
      await this.#repos.jobs.putRecord(batch, record.jobId, record)
      await this.#repos.audit.append(batch, 'job.measure-failed', { jobId: record.jobId, round, code }, now)
    })
  }

  /**
   * This node's own vote: the double-sign guard (`ERR_DOUBLE_SIGN` for a
   * different vote), the vote, the record and `vote.own`, synchronously on
   * disk before the vote is gossiped (a restart never signs a different vote).
   */
  async ownVote (record: JobRecord, vote: Vote, voteRecord: VoteRecord, now: number): Promise<void> {
    const { jobId } = record
    await this.#repos.store.write(async (batch) => {
      await this.#repos.ownVotes.putOwnVote(batch, { jobId, round: vote.round }, vote)
      this.#repos.votes.put(batch, { jobId, round: vote.round, voter: vote.voter }, voteRecord)
      await this.#repos.jobs.putRecord(batch, jobId, record)
      await this.#repos.audit.append(batch, 'vote.own', { jobId, round: vote.round, metrics: vote.metrics, samples: vote.samples }, now)
    })
  }

  /** Another validator's vote, in time: the vote and `vote.received`. */
  async received (voteRecord: VoteRecord, now: number): Promise<void> {
    await this.#repos.store.write(async (batch) => { await this.#putReceived(batch, voteRecord, now) })
  }

  async #putReceived (batch: WriteBatch, voteRecord: VoteRecord, now: number): Promise<void> {
    const { vote } = voteRecord
    this.#repos.votes.put(batch, { jobId: vote.jobId, round: vote.round, voter: vote.voter }, voteRecord)
    await this.#repos.audit.append(batch, 'vote.received', { jobId: vote.jobId, round: vote.round, voter: vote.voter, metrics: vote.metrics }, now)
  }

  /** A late vote: the vote, the record when it changed, the voter's reputation when judged, and `vote.late`. */
  async late (vote: Vote, record: JobRecord | null, reputation: ReputationRecord | null, agreed: boolean | null, now: number): Promise<void> {
    await this.#repos.store.write(async (batch) => {
      this.#repos.votes.put(batch, { jobId: vote.jobId, round: vote.round, voter: vote.voter }, { vote, receivedAt: now, late: true })
      if (record !== null) await this.#repos.jobs.putRecord(batch, record.jobId, record)
      if (reputation !== null) {
        this.#repos.reputations.put(batch, vote.voter, reputation)
        this.#history?.record(batch, new Map([[vote.voter, reputation]]), now, vote.jobId, 'late-vote')
      }
      await this.#repos.audit.append(batch, 'vote.late', { jobId: vote.jobId, round: vote.round, voter: vote.voter, metrics: vote.metrics, agreed }, now)
    })
  }

  /** Equivocation: the evidence, the offender's reputation, the job's record (when known) and `evidence.equivocation`. */
  async evidence (evidence: Evidence, offender: string, reputation: ReputationRecord, record: JobRecord | null, now: number): Promise<void> {
    const jobId = evidence.voteA.jobId
    await this.#repos.store.write(async (batch) => {
      this.#repos.evidence.put(batch, { offender, jobId }, evidence)
      this.#repos.reputations.put(batch, offender, reputation)
      this.#history?.record(batch, new Map([[offender, reputation]]), now, jobId, 'equivocation')
      if (record !== null) await this.#repos.jobs.putRecord(batch, jobId, record)
      await this.#repos.audit.append(batch, 'evidence.equivocation', { jobId, offender }, now)
    })
  }

  /** Round 0 ended in the grey zone: the record (now in round `record.round`) and `job.grey-zone`. */
  async greyZone (record: JobRecord, t: Tally, metrics: string[], now: number): Promise<void> {
    await this.#repos.store.write(async (batch) => {
      await this.#repos.jobs.putRecord(batch, record.jobId, record)
      await this.#repos.audit.append(batch, 'job.grey-zone', { jobId: record.jobId, round: record.round, values: t.values, metrics }, now)
    })
  }

  /**
   * A job decided elsewhere, taken from a peer's verified certificate
   * (certified-jobs.ts): its record, the certificate, its votes, the
   * verdict, the blobs it names and its retention queue entry, and
   * `job.certified`. Reputations do not change.
   */
  async certified (record: JobRecord, cert: Certificate, votes: VoteRecord[], verdict: Parameters<NodeRepositories['verdicts']['put']>[2], now: number): Promise<void> {
    const { jobId } = record
    await this.#repos.store.write(async (batch) => {
      await this.#repos.jobs.putRecord(batch, jobId, record)
      putBlobRefs(batch, jobId, blobsOfJob(record.job))
      queueForRetention(batch, jobId, now)
      this.#repos.certificates.put(batch, jobId, cert)
      for (const v of votes) this.#repos.votes.put(batch, { jobId, round: v.vote.round, voter: v.vote.voter }, v)
      this.#repos.verdicts.put(batch, jobId, verdict)
      await this.#repos.audit.append(batch, 'job.certified', {
        jobId, round: record.round, status: record.status, values: record.values, votes: votes.length
      }, now)
    })
  }

  /**
   * A job decided: its record, the verdict, the certificate (when final), the
   * changed reputations, its retention queue entry, `job.finalized` or
   * `job.disputed`, and `reputation.updated` when reputations changed. With
   * `received`, the vote that decided it goes first in the same batch, as
   * {@link received} would have written it just before: one write on the way
   * to finality instead of two.
   */
  async decided (record: JobRecord, t: Tally, cert: Certificate | null, reps: ReadonlyMap<string, ReputationRecord>, now: number, received?: VoteRecord): Promise<void> {
    const { jobId } = record
    await this.#repos.store.write(async (batch) => {
      if (received !== undefined) await this.#putReceived(batch, received, received.receivedAt)
      await this.#repos.jobs.putRecord(batch, jobId, record)
      queueForRetention(batch, jobId, now)
      this.#repos.verdicts.put(batch, jobId, { status: t.status, reason: t.reason, values: t.values, agreeing: t.agreeing, deviating: t.deviating, agreeWeight: t.agreeWeight, totalWeight: t.totalWeight, finalizedAt: now })
      if (cert !== null) this.#repos.certificates.put(batch, jobId, cert)
      for (const [key, rec] of reps) this.#repos.reputations.put(batch, key, rec)
      this.#history?.record(batch, reps, now, jobId, 'decided')
      await this.#repos.audit.append(batch, t.final ? 'job.finalized' : 'job.disputed', {
        jobId, round: record.round, status: t.status, reason: t.reason, values: t.values, agreeing: t.agreeing, deviating: t.deviating
      }, now)
      if (reps.size > 0) await this.#repos.audit.append(batch, 'reputation.updated', { jobId, voters: [...reps.keys()].sort() }, now)
    })
  }
}

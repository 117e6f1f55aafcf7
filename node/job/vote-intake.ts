/**
 * Intake of votes and evidence, after their signatures were checked: count a
 * vote in its open job (stored first), hold it when the job is not known yet,
 * judge it against the outcome when the job is decided (a late vote), and turn
 * a second, different vote of one validator into evidence. Intake runs on the
 * job's decision queue and never waits on blob fetching or measurement, so it
 * answers well inside the gossip validator's time limit.
 */
import { agreesWithConsensus } from '../../protocol/consensus/agreement.ts'
import { caveatsOf } from '../../protocol/caveats.ts'
import { applyOutcome, markEquivocated } from '../../protocol/consensus/reputation.ts'
import { canonicalEncode } from '../../protocol/canonical.ts'
import { TrustEngineError } from '../../protocol/errors.ts'
import { type Evidence, detectEquivocation } from '../../protocol/evidence.ts'
import { metricsFromWire } from '../../protocol/metrics.ts'
import type { NetworkConfig } from '../../protocol/network.ts'
import { type Vote, voteMetrics } from '../../protocol/vote.ts'
import type { NodeMetrics } from '../metrics.ts'
import type { JobDecider } from './decider.ts'
import { ERR_DUPLICATE, ERR_EQUIVOCATION, ERR_EVIDENCE_REDUNDANT, ERR_JOB_PRUNED, ERR_SEED_MISMATCH, ERR_UNKNOWN_JOB } from './errors.ts'
import type { JobWrites } from './job-writes.ts'
import type { OpenJobs } from './open-jobs.ts'
import type { JobNetworkPort } from './ports.ts'
import { type JobRecord, type VoteRecord, isTerminal } from './records.ts'
import type { NodeRepositories } from './repositories.ts'
import type { ReputationBook } from './reputation-book.ts'
import type { VoteBuffer } from './vote-buffer.ts'

/** What vote intake is wired to. */
export interface VoteIntakeComponents {
  network: NetworkConfig
  repos: NodeRepositories
  net: JobNetworkPort
  clock: () => number
  metrics: NodeMetrics
  writes: JobWrites
  reputations: ReputationBook
  jobs: OpenJobs
  buffer: VoteBuffer
  decider: JobDecider
  /** Equivocation of `offender` in `jobId` was proved. */
  onEvidence: (offender: string, jobId: string) => void
}

/** Counts, holds or judges verified votes, and records evidence. */
export class VoteIntake {
  readonly #components: VoteIntakeComponents

  /** Intake over the given parts. */
  constructor (components: VoteIntakeComponents) {
    this.#components = components
  }

  /**
   * Takes in a verified vote; throws a typed IGNORE error for unknown jobs,
   * duplicates and equivocation. A vote counted in an open job without
   * deciding it has its write queued, not done, when this resolves: the
   * returned `stored` settles when it is (decider.ts `retally`), so the job's
   * decision queue takes its next step meanwhile.
   */
  async vote (vote: Vote): Promise<{ stored: Promise<void> } | undefined> {
    const { repos, clock, jobs, buffer, metrics, decider } = this.#components
    const open = jobs.get(vote.jobId)
    if (open === undefined) {
      const record = await repos.jobs.get(vote.jobId)
      if (record === null) {
        buffer.add(vote)
        throw new TrustEngineError(ERR_UNKNOWN_JOB, 'vote for a job this node does not know (held for a while)', { action: 'ignore' })
      }
      if (!isTerminal(record.status)) {
        // Open in the store but not resumed yet (the node is starting): held until its resume counts it, on
        // time (job-lifecycle.ts resume). Taken as late here, it was stored late and then counted on time.
        buffer.add(vote)
        metrics.votes.received.inc({ outcome: 'held' })
        return undefined
      }
      await this.#late(record, vote)
      return undefined
    }
    const seed = open.record.seed?.seed ?? null
    if (seed === null) {
      // Valid and for a known job, so accepted (forwarded); counted once the seed certificate fixes which seed votes must name.
      buffer.add(vote)
      metrics.votes.received.inc({ outcome: 'held' })
      return undefined
    }
    if (vote.seed !== seed) {
      metrics.votes.received.inc({ outcome: 'other-seed' })
      throw new TrustEngineError(ERR_SEED_MISMATCH, 'vote measured with another seed than the job\'s seed certificate fixes', { action: 'ignore' }) // [IGNORE]
    }
    const existing = open.rounds[vote.round]?.votes.get(vote.voter)
    if (existing !== undefined) await this.#conflict(existing.vote, vote)
    const voteRecord: VoteRecord = { vote, receivedAt: clock(), late: false }
    jobs.addVote(open, voteRecord)
    metrics.votes.received.inc({ outcome: 'accepted' })
    // Stored by the decider: with the decision when this vote completes a quorum, else on its own (queued).
    return await decider.retally(open, voteRecord)
  }

  /** Records proved equivocation of `offender` (reputation, job record, audit), optionally gossips it, and re-tallies. */
  async evidence (evidence: Evidence, offender: string, publish: boolean): Promise<void> {
    const { repos, clock, writes, reputations, jobs, net, decider } = this.#components
    const jobId = evidence.voteA.jobId
    const now = clock()
    const open = jobs.get(jobId)
    const stored = open?.record ?? await repos.jobs.get(jobId)
    const record = stored === null ? null : { ...stored, equivocators: [...new Set([...stored.equivocators, offender])].sort() }
    // One reputation change at a time (reputation-book.ts): read, stored and applied before another job's reads it.
    await reputations.change(async () => {
      // A proved equivocator's proofs for jobs this node does not hold change nothing (its trust is 0 for good);
      // storing each would let one validator sign a record, an audit entry and a forwarded message per job id
      // it makes up. Checked here, where reputation changes are serial, so concurrent proofs cannot all pass.
      if (reputations.of(offender).equivocated && open === undefined && stored === null) {
        throw new TrustEngineError(ERR_EVIDENCE_REDUNDANT, 'the offender is already proved to equivocate and this node does not hold the job', { action: 'ignore' }) // [IGNORE]
      }
      const rep = markEquivocated(reputations.of(offender))
      await writes.evidence(evidence, offender, rep, record, now)
      reputations.apply(new Map([[offender, rep]]))
    })
    if (open !== undefined && record !== null) open.record = record
    this.#components.onEvidence(offender, jobId)
    if (publish) await net.publish('evidence', canonicalEncode(evidence))
    if (open !== undefined) await decider.retally(open)
  }

  /** A vote from a voter already counted: a duplicate (IGNORE) or equivocation (evidence, then IGNORE). */
  async #conflict (existing: Vote, vote: Vote): Promise<never> {
    const { metrics } = this.#components
    const evidence = detectEquivocation(existing, vote)
    if (evidence === null) {
      metrics.votes.received.inc({ outcome: 'duplicate' })
      throw new TrustEngineError(ERR_DUPLICATE, 'vote already counted', { action: 'ignore' })
    }
    metrics.votes.received.inc({ outcome: 'equivocation' })
    // One proof per voter and job is kept (the evidence bucket's key): a third, fourth, ... different vote proves
    // nothing new, and recording each let one validator sign an audit entry, a reputation point and a gossiped
    // message per vote it made up. Runs on the job's decision queue, as every evidence write of the job does.
    if (await this.#components.repos.evidence.has({ offender: vote.voter, jobId: vote.jobId })) {
      throw new TrustEngineError(ERR_EQUIVOCATION, 'another different vote from a validator already proved to equivocate in this job', { action: 'ignore' })
    }
    await this.evidence(evidence, vote.voter, true)
    throw new TrustEngineError(ERR_EQUIVOCATION, 'second, different vote from one validator', { action: 'ignore' })
  }

  /**
   * A vote for a decided job: stored (served to peers, shown in the job) and
   * judged against the final values of its round (none after a dispute) in
   * the audit trail. It never raises reputation: agreeing after the fact
   * costs nothing (the values are public in the certificate), so crediting it
   * would let a validator regain reputation without work. A late vote that
   * deviates from the final values is penalised like a timely one: it is a
   * signed wrong measurement, and a slow liar must not escape the penalty.
   */
  async #late (record: JobRecord, vote: Vote): Promise<void> {
    const { network, repos, clock, writes, metrics, reputations } = this.#components
    // [IGNORE] the job's votes were pruned: a replayed vote would be judged a second time.
    if (record.prunedAt !== null) throw new TrustEngineError(ERR_JOB_PRUNED, 'vote for a decided job whose votes were pruned', { action: 'ignore' })
    const existing = await repos.votes.get({ jobId: vote.jobId, round: vote.round, voter: vote.voter })
    if (existing !== null) await this.#conflict(existing.vote, vote)
    const now = clock()
    const final = (record.status === 'validated' || record.status === 'rejected') && vote.round === record.round && record.values !== null
    const agreed = final
      ? agreesWithConsensus({ values: voteMetrics(vote), checks: vote.checks, caveats: caveatsOf(vote) }, { values: metricsFromWire(record.values!), checks: record.checks, caveats: record.caveats ?? [] }, record.job.thresholds, network.tolerances)
      : null
    const nextRecord = agreed === false ? { ...record, byzantine: [...new Set([...record.byzantine, vote.voter])].sort() } : record
    // One reputation change at a time (reputation-book.ts): read, stored and applied before another job's reads it.
    await reputations.change(async () => {
      const penalised = agreed === false ? applyOutcome(reputations.of(vote.voter), false, network) : null
      await writes.late(vote, nextRecord !== record ? nextRecord : null, penalised, agreed, now)
      if (penalised !== null) reputations.apply(new Map([[vote.voter, penalised]]))
    })
    metrics.votes.received.inc({ outcome: 'late' })
  }
}

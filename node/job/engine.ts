/**
 * A job's life on a node: accept the announcement, fetch the blobs, measure,
 * store then sign and gossip the own vote, collect votes, apply the
 * consensus rule with this node's reputation view, take a second, larger
 * round when round 0 ends in the grey zone, finalize or dispute (at the
 * latest at the deadline), update reputations, keep the certificate, and
 * append every step to the audit trail. Late votes are still recorded and
 * judged. A restarted node picks up its open jobs.
 *
 * Work on one job is serialised, so votes, measurements and deadlines never
 * race; writes that belong together go to the store in one atomic batch.
 */
import { randomBytes } from 'node:crypto'
import type { Logger } from 'pino'
import { canonicalEncode } from '../../protocol/canonical.ts'
import { type Certificate, buildCertificate } from '../../protocol/certificate.ts'
import { agreesWithConsensus } from '../../protocol/consensus/agreement.ts'
import { MAX_GREY_ZONE_ROUND, greyZoneOf } from '../../protocol/consensus/grey-zone.ts'
import { JobTally } from '../../protocol/consensus/job-tally.ts'
import { type ReputationRecord, applyOutcome, initialReputation, markEquivocated } from '../../protocol/consensus/reputation.ts'
import { type Tally, updateReputations } from '../../protocol/consensus/tally.ts'
import { REASON_DEADLINE } from '../../protocol/consensus/tally-types.ts'
import { type EffectiveWeights, effectiveWeights } from '../../protocol/consensus/weights.ts'
import { TrustEngineError } from '../../protocol/errors.ts'
import { type Evidence, checkEvidence, decodeEvidence, detectEquivocation } from '../../protocol/evidence.ts'
import { type JobAnnouncement, decodeJob, jobIdOf, newJob, signJob, verifyJob } from '../../protocol/job.ts'
import { metricToWire, metricsFromWire } from '../../protocol/metrics.ts'
import type { NetworkConfig } from '../../protocol/network.ts'
import { type Vote, decodeVote, newVote, signVote, verifyVote, voteMetrics } from '../../protocol/vote.ts'
import type { NodeMetrics } from '../metrics.ts'
import type { JobView, SubmitJobRequest } from '../types.ts'
import { ERR_DUPLICATE, ERR_EQUIVOCATION, ERR_JOB_EXPIRED, ERR_NOT_VALIDATOR, ERR_UNKNOWN_JOB, ERR_UNSUPPORTED_ROUND } from './errors.ts'
import { type Fault, lieAbout } from './faults.ts'
import type { BlobPort, JobNetworkPort, Measurement, MeasurePort } from './ports.ts'
import { type JobRecord, type VoteRecord, isTerminal, newJobRecord, toJobView } from './records.ts'
import type { NodeRepositories } from './repositories.ts'
import { JobWrites } from './job-writes.ts'
import { SerialQueues } from './serial.ts'
import { VoteBuffer } from './vote-buffer.ts'
import { DeadlineTimer, roundDeadline, roundOver } from './deadline.ts'

/** Options of the job engine. */
export interface JobEngineOptions {
  /** Votes for jobs not yet known are held this many at most (then IGNOREd). 4096 × < 1 KiB bounds memory to a few MiB. */
  maxBufferedVotes: number
  /** Announcements whose deadline passed longer ago than this are ignored (ms): 60 s covers clock skew between nodes. */
  expiredGraceMs: number
}

/** Defaults of {@link JobEngineOptions}. */
export const DEFAULT_JOB_ENGINE_OPTIONS: JobEngineOptions = {
  maxBufferedVotes: 4096,
  expiredGraceMs: 60_000
}

/** What the engine is wired to. */
export interface JobEngineComponents {
  network: NetworkConfig
  key: { publicKey: string, privateKey: string }
  repos: NodeRepositories
  net: JobNetworkPort
  blobs: BlobPort
  measure: MeasurePort
  clock: () => number
  logger: Logger
  metrics: NodeMetrics
  fault: Fault
  onFinal: (view: JobView) => void
  onAccepted: (view: JobView) => void
  onEvidence: (offender: string, jobId: string) => void
}

interface Round {
  votes: Map<string, VoteRecord>
  tally: JobTally
}

interface OpenJob {
  record: JobRecord
  rounds: Round[]
  timer: DeadlineTimer
  abort: AbortController
}

/** The job engine of one node. */
export class JobEngine {
  readonly #c: JobEngineComponents
  readonly #o: JobEngineOptions
  readonly #open = new Map<string, OpenJob>()
  readonly #serial = new SerialQueues()
  readonly #buffer: VoteBuffer
  readonly #reps = new Map<string, ReputationRecord>()
  #weights: EffectiveWeights
  readonly #names: Map<string, string>
  readonly #isValidator: boolean
  readonly #work = new Set<Promise<unknown>>()
  /** Decided jobs by status, for the jobs gauge. */
  readonly #decided = new Map<string, number>()
  #stopped = false
  readonly #lifetime = new AbortController()
  readonly #writes: JobWrites

  constructor (components: JobEngineComponents, options: Partial<JobEngineOptions> = {}) {
    this.#c = components
    this.#o = { ...DEFAULT_JOB_ENGINE_OPTIONS, ...options }
    this.#buffer = new VoteBuffer(this.#o.maxBufferedVotes)
    this.#writes = new JobWrites(components.repos)
    this.#names = new Map(components.network.validators.map((v) => [v.publicKey, v.name]))
    this.#isValidator = this.#names.has(components.key.publicKey)
    this.#weights = effectiveWeights(components.network, this.#reps)
  }

  /** Loads reputations and resumes open jobs (re-gossiping the own vote, or measuring again when there is none). */
  async start (): Promise<void> {
    for (const { key, value } of await this.#c.repos.reputations.list()) this.#reps.set(key, value)
    this.#weights = effectiveWeights(this.#c.network, this.#reps)
    for await (const { value: record } of this.#c.repos.jobs.entries()) {
      if (isTerminal(record.status)) {
        this.#decided.set(record.status, (this.#decided.get(record.status) ?? 0) + 1)
        continue
      }
      const open = this.#track(record)
      for (const { value } of await this.#c.repos.votes.listByJob(record.jobId)) {
        if (value.vote.round <= record.round) this.#addToRound(open, value)
      }
      this.#spawn(this.#catchUp(open))
      const own = await this.#c.repos.ownVotes.get({ jobId: record.jobId, round: record.round })
      if (own !== null) {
        this.#spawn(this.#c.net.publish('votes', canonicalEncode(own)))
        this.#spawn(this.#serial.run(record.jobId, async () => await this.#retally(open)))
      } else {
        this.#spawn(this.#serial.run(record.jobId, async () => await this.#measureAndVote(open, record.round)))
      }
    }
    this.#refreshStatusGauge()
    this.#spawn(this.#catchUpJobs())
  }

  /** Stops timers and in-flight measurements, and waits for pending writes. */
  async stop (): Promise<void> {
    this.#stopped = true
    this.#lifetime.abort()
    for (const open of this.#open.values()) {
      open.timer.clear()
      open.abort.abort()
    }
    await Promise.allSettled([...this.#work])
    await this.#serial.idle()
  }

  /** This node's reputation view (validators without a record have the initial reputation). */
  reputations (): Map<string, ReputationRecord> {
    const out = new Map<string, ReputationRecord>()
    for (const v of this.#c.network.validators) out.set(v.publicKey, this.#rep(v.publicKey))
    return out
  }

  /** One validator's reputation in this node's view (the initial one when it has no record). */
  reputationOf (publicKey: string): ReputationRecord {
    return this.#rep(publicKey)
  }

  /** Number of jobs still pending on this node. */
  get openJobs (): number {
    return this.#open.size
  }

  /**
   * Creates, signs, stores and gossips a job; this node then measures and
   * votes like every other. `optimize` marks a scene job whose candidate this
   * node made with the optimizer (see node/node.ts).
   */
  async submit (request: SubmitJobRequest & { optimize?: { profile: string, ratio: number } }): Promise<JobView> {
    if (!this.#isValidator) throw new TrustEngineError(ERR_NOT_VALIDATOR, 'only a validator of the network can announce jobs')
    const thresholds = { ...this.#c.network.thresholds, ...request.thresholds }
    const unsigned = newJob(this.#c.network, {
      kind: request.kind,
      submitter: this.#c.key.publicKey,
      createdAt: this.#c.clock(),
      reference: request.reference,
      candidate: request.candidate,
      nonce: randomBytes(16).toString('hex'),
      thresholds,
      ...(request.profile === undefined ? {} : { profile: request.profile }),
      ...(request.optimize === undefined ? {} : { optimize: request.optimize }),
      ...(request.deadlineMs === undefined ? {} : { voteMs: request.deadlineMs })
    })
    const job = signJob(unsigned, this.#c.key.privateKey)
    verifyJob(job, this.#c.network)
    const jobId = jobIdOf(job)
    await this.#serial.run(jobId, async () => await this.#accept(job, jobId))
    await this.#c.net.publish('jobs', canonicalEncode(job))
    return (await this.view(jobId))!
  }

  /** Gossip validator and handler of the jobs topic: throws a typed error to REJECT or IGNORE. */
  async onJobMessage (data: Uint8Array): Promise<void> {
    const job = decodeJob(data) // [REJECT] malformed, oversized or schema-invalid
    verifyJob(job, this.#c.network) // [REJECT] other network, non-validator submitter, bad deadline, bad signature
    const jobId = jobIdOf(job)
    if (roundDeadline(job, MAX_GREY_ZONE_ROUND) + this.#o.expiredGraceMs < this.#c.clock()) {
      throw new TrustEngineError(ERR_JOB_EXPIRED, 'job deadline passed long ago', { action: 'ignore' }) // [IGNORE] stale replay
    }
    await this.#serial.run(jobId, async () => {
      if (this.#open.has(jobId) || (await this.#c.repos.jobs.has(jobId))) {
        throw new TrustEngineError(ERR_DUPLICATE, 'job already known', { action: 'ignore' }) // [IGNORE] duplicate
      }
      await this.#accept(job, jobId)
    })
  }

  /** Gossip validator and handler of the votes topic. */
  async onVoteMessage (data: Uint8Array): Promise<void> {
    let vote: Vote
    try {
      vote = decodeVote(data) // [REJECT] malformed, oversized, schema-invalid, metrics out of range
      verifyVote(vote, this.#c.network) // [REJECT] other network, non-validator, bad signature
    } catch (err) {
      this.#c.metrics.votes.received.inc({ outcome: 'invalid' })
      throw err
    }
    if (vote.round > MAX_GREY_ZONE_ROUND) throw new TrustEngineError(ERR_UNSUPPORTED_ROUND, `rounds above ${MAX_GREY_ZONE_ROUND} are not counted`, { action: 'ignore' })
    await this.#serial.run(vote.jobId, async () => await this.#intakeVote(vote))
  }

  /** Gossip validator and handler of the evidence topic. */
  async onEvidenceMessage (data: Uint8Array): Promise<void> {
    const evidence = decodeEvidence(data) // [REJECT] malformed
    const offender = checkEvidence(evidence, this.#c.network) // [REJECT] does not prove equivocation
    const jobId = evidence.voteA.jobId
    await this.#serial.run(jobId, async () => {
      if (await this.#c.repos.evidence.has({ offender, jobId })) {
        throw new TrustEngineError(ERR_DUPLICATE, 'evidence already known', { action: 'ignore' }) // [IGNORE] duplicate
      }
      await this.#recordEvidence(evidence, offender, false)
    })
  }

  /** The client view of a job, or null. */
  async view (jobId: string): Promise<JobView | null> {
    const record = this.#open.get(jobId)?.record ?? await this.#c.repos.jobs.get(jobId)
    return record === null ? null : await this.#viewOfRecord(record)
  }

  /** Views of known jobs, newest first. */
  async list (limit: number): Promise<JobView[]> {
    const records: JobRecord[] = []
    for await (const { value } of this.#c.repos.jobs.entries()) records.push(value)
    records.sort((a, b) => b.job.createdAt - a.job.createdAt || (a.jobId < b.jobId ? -1 : 1))
    const out: JobView[] = []
    for (const r of records.slice(0, limit)) out.push(await this.#viewOfRecord(r))
    return out
  }

  /** Announcements of the jobs still open on this node, as gossiped (served to peers catching up). */
  openAnnouncements (): Uint8Array[] {
    return [...this.#open.values()].map((o) => canonicalEncode(o.record.job))
  }

  /** The signed votes this node holds for a job, as gossiped (served to peers catching up). */
  async votesFor (jobId: string): Promise<Uint8Array[]> {
    const open = this.#open.get(jobId)
    const votes = open !== undefined
      ? open.rounds.flatMap((r) => [...r.votes.values()])
      : (await this.#c.repos.votes.listByJob(jobId)).map((e) => e.value)
    return votes.map((v) => canonicalEncode(v.vote))
  }

  /** The certificate of a final job, or null. */
  async certificate (jobId: string): Promise<Certificate | null> {
    return await this.#c.repos.certificates.get(jobId)
  }

  // ---- accepting and measuring -----------------------------------------

  /** The view of a job: from memory while it is open (its votes are there), from the store otherwise. */
  async #viewOfRecord (record: JobRecord): Promise<JobView> {
    const open = this.#open.get(record.jobId)
    if (open !== undefined) return this.#viewOf(open.record, open.rounds.flatMap((r) => [...r.votes.values()]))
    return this.#viewOf(record, (await this.#c.repos.votes.listByJob(record.jobId)).map((e) => e.value))
  }

  #viewOf (record: JobRecord, votes: VoteRecord[]): JobView {
    const byzantine = new Set(record.byzantine)
    const judged = record.values === null
      ? null
      : new Set(votes.filter((v) => v.vote.round === record.round && !byzantine.has(v.vote.voter)).map((v) => v.vote.voter))
    votes.sort((a, b) => a.vote.round - b.vote.round || (a.vote.voter < b.vote.voter ? -1 : 1))
    return toJobView(record, votes, this.#names, judged)
  }

  async #accept (job: JobAnnouncement, jobId: string): Promise<void> {
    const record = newJobRecord(jobId, job, this.#c.clock())
    await this.#writes.accepted(record)
    const open = this.#track(record)
    this.#c.onAccepted(this.#viewOf(record, []))
    this.#refreshStatusGauge()
    for (const vote of this.#buffer.take(jobId)) await this.#intakeVote(vote).catch(() => {})
    this.#spawn(this.#serial.run(jobId, async () => await this.#measureAndVote(open, 0)))
  }

  #track (record: JobRecord): OpenJob {
    const timer = new DeadlineTimer(this.#c.clock, () => {
      this.#spawn(this.#serial.run(record.jobId, async () => await this.#retally(open)))
    })
    const open: OpenJob = { record, rounds: [], timer, abort: new AbortController() }
    this.#open.set(record.jobId, open)
    this.#schedule(open)
    return open
  }

  /** Arms the deadline timer of the job's current round. */
  #schedule (open: OpenJob): void {
    open.timer.arm(roundDeadline(open.record.job, open.record.round))
  }

  #round (open: OpenJob, round: number): Round {
    let r = open.rounds[round]
    if (r === undefined) {
      r = { votes: new Map(), tally: new JobTally({ network: this.#c.network, job: open.record.job, weights: this.#weights, jobId: open.record.jobId }) }
      open.rounds[round] = r
    }
    return r
  }

  #addToRound (open: OpenJob, record: VoteRecord): void {
    const r = this.#round(open, record.vote.round)
    r.votes.set(record.vote.voter, record)
    r.tally.add(record.vote)
  }

  async #measureAndVote (open: OpenJob, round: number): Promise<void> {
    if (this.#stopped || !this.#isValidator || this.#c.fault === 'silent' || isTerminal(open.record.status)) return
    if (open.rounds[round]?.votes.has(this.#c.key.publicKey) === true) return
    const { jobId, job } = open.record
    let measurement: Measurement
    try {
      const reference: Uint8Array[] = []
      const candidate: Uint8Array[] = []
      for (const h of job.reference) reference.push(await this.#c.blobs.get(h, job.submitter, open.abort.signal))
      for (const h of job.candidate) candidate.push(await this.#c.blobs.get(h, job.submitter, open.abort.signal))
      measurement = await this.#c.measure(job, jobId, { reference, candidate }, open.abort.signal, round)
    } catch (err) {
      if (this.#stopped) return
      const code = err instanceof TrustEngineError ? err.code : 'ERR_MEASURE'
      const message = err instanceof Error ? err.message : String(err)
      this.#c.logger.warn({ jobId, round, code }, 'could not measure job')
      open.record = { ...open.record, error: { code, message } }
      const record = open.record
      await this.#writes.measureFailed(record, round, code, this.#c.clock())
      return
    }
    if (isTerminal(open.record.status)) return
    const reported = this.#c.fault === 'lie' ? lieAbout(measurement) : measurement
    const vote = this.#sign(jobId, round, reported)
    const now = this.#c.clock()
    const ownMeasurement = {
      metrics: vote.metrics,
      samples: vote.samples,
      ...(measurement.plan === undefined ? {} : { plan: measurement.plan }),
      ...(measurement.checks?.candidateHashMatches === undefined ? {} : { candidateHashMatches: measurement.checks.candidateHashMatches })
    }
    open.record = { ...open.record, measuredAt: now, ownMeasurement, error: null }
    const record = open.record
    const voteRecord: VoteRecord = { vote, receivedAt: now, late: false }
    // Stored (synchronously) before it is gossiped: a restart never signs a different vote.
    await this.#writes.ownVote(record, vote, voteRecord, now)
    this.#addToRound(open, voteRecord)
    this.#c.metrics.votes.own.inc()
    await this.#c.net.publish('votes', canonicalEncode(vote))
    if (this.#c.fault === 'equivocate') {
      // Simulated Byzantine behaviour: a second, different vote, bypassing the double-sign guard.
      await this.#c.net.publish('votes', canonicalEncode(this.#sign(jobId, round, lieAbout(measurement))))
    }
    await this.#retally(open)
  }

  #sign (jobId: string, round: number, m: Measurement): Vote {
    return signVote(newVote({
      networkId: this.#c.network.networkId,
      jobId,
      round,
      voter: this.#c.key.publicKey,
      metrics: m.metrics,
      intervals: m.intervals,
      samples: m.samples,
      ...(m.checks === undefined ? {} : { checks: m.checks })
    }), this.#c.key.privateKey)
  }

  // ---- votes and evidence ----------------------------------------------

  /**
   * After a start: asks peers for the jobs still open there that this node
   * missed while it was down, takes each announcement in as if it came over
   * gossip, and catches up on the votes of those it accepts.
   */
  async #catchUpJobs (): Promise<void> {
    const announcements = await this.#c.net.openJobs(this.#lifetime.signal)
    let taken = 0
    for (const bytes of announcements) {
      if (this.#stopped) return
      let jobId: string
      try {
        jobId = jobIdOf(decodeJob(bytes))
        await this.onJobMessage(bytes)
      } catch {
        continue
      }
      taken++
      const open = this.#open.get(jobId)
      if (open !== undefined) this.#spawn(this.#catchUp(open))
    }
    if (taken > 0) this.#c.logger.info({ jobs: taken }, 'caught up on open jobs')
  }

  /**
   * After a restart: asks peers for the votes of an open job gossiped while
   * this node was down, and takes each in as if it came over gossip.
   */
  async #catchUp (open: OpenJob): Promise<void> {
    const votes = await this.#c.net.catchUp(open.record.jobId, open.abort.signal)
    let taken = 0
    for (const bytes of votes) {
      if (this.#stopped || isTerminal(open.record.status)) break
      await this.onVoteMessage(bytes).then(() => { taken++ }, () => {})
    }
    if (taken > 0) this.#c.logger.info({ jobId: open.record.jobId, votes: taken }, 'caught up on votes')
  }

  async #intakeVote (vote: Vote): Promise<void> {
    const open = this.#open.get(vote.jobId)
    if (open === undefined) {
      const record = await this.#c.repos.jobs.get(vote.jobId)
      if (record === null) {
        this.#buffer.add(vote)
        throw new TrustEngineError(ERR_UNKNOWN_JOB, 'vote for a job this node does not know (held for a while)', { action: 'ignore' })
      }
      await this.#lateVote(record, vote)
      return
    }
    const existing = open.rounds[vote.round]?.votes.get(vote.voter)
    if (existing !== undefined) {
      await this.#conflict(existing.vote, vote)
      return
    }
    const now = this.#c.clock()
    const voteRecord: VoteRecord = { vote, receivedAt: now, late: false }
    await this.#writes.received(voteRecord, now)
    this.#addToRound(open, voteRecord)
    this.#c.metrics.votes.received.inc({ outcome: 'accepted' })
    await this.#retally(open)
  }

  /** A vote from a voter already counted: a duplicate (IGNORE) or equivocation (evidence, then IGNORE). */
  async #conflict (existing: Vote, vote: Vote): Promise<never> {
    const evidence = detectEquivocation(existing, vote)
    if (evidence === null) {
      this.#c.metrics.votes.received.inc({ outcome: 'duplicate' })
      throw new TrustEngineError(ERR_DUPLICATE, 'vote already counted', { action: 'ignore' })
    }
    this.#c.metrics.votes.received.inc({ outcome: 'equivocation' })
    await this.#recordEvidence(evidence, vote.voter, true)
    throw new TrustEngineError(ERR_EQUIVOCATION, 'second, different vote from one validator', { action: 'ignore' })
  }

  async #lateVote (record: JobRecord, vote: Vote): Promise<void> {
    const key = { jobId: vote.jobId, round: vote.round, voter: vote.voter }
    const existing = await this.#c.repos.votes.get(key)
    if (existing !== null) await this.#conflict(existing.vote, vote)
    const now = this.#c.clock()
    // A late vote of the deciding round is judged against the final values; after a dispute there are none.
    const final = (record.status === 'validated' || record.status === 'rejected') && vote.round === record.round && record.values !== null
    const agreed = final
      ? agreesWithConsensus({ values: voteMetrics(vote), checks: vote.checks }, { values: metricsFromWire(record.values!), checks: record.checks }, record.job.thresholds, this.#c.network.tolerances)
      : null
    const updated = agreed === null ? null : applyOutcome(this.#rep(vote.voter), agreed, this.#c.network)
    const nextRecord = agreed === false ? { ...record, byzantine: [...new Set([...record.byzantine, vote.voter])].sort() } : record
    await this.#writes.late(vote, nextRecord !== record ? nextRecord : null, updated, agreed, now)
    if (updated !== null) this.#setReputations(new Map([[vote.voter, updated]]))
    this.#c.metrics.votes.received.inc({ outcome: 'late' })
  }

  async #recordEvidence (evidence: Evidence, offender: string, publish: boolean): Promise<void> {
    const jobId = evidence.voteA.jobId
    const now = this.#c.clock()
    const rep = markEquivocated(this.#rep(offender))
    const open = this.#open.get(jobId)
    const stored = open?.record ?? await this.#c.repos.jobs.get(jobId)
    const record = stored === null ? null : { ...stored, equivocators: [...new Set([...stored.equivocators, offender])].sort() }
    await this.#writes.evidence(evidence, offender, rep, record, now)
    this.#setReputations(new Map([[offender, rep]]))
    if (open !== undefined && record !== null) open.record = record
    this.#c.onEvidence(offender, jobId)
    if (publish) await this.#c.net.publish('evidence', canonicalEncode(evidence))
    if (open !== undefined) await this.#retally(open)
  }

  // ---- deciding ----------------------------------------------------------

  async #retally (open: OpenJob): Promise<void> {
    if (isTerminal(open.record.status) || !this.#open.has(open.record.jobId)) return
    const round = open.record.round
    const r = this.#round(open, round)
    const now = this.#c.clock()
    // The tally is asked for its verdict before any deadline; the one deadline rule is roundOver (deadline.ts).
    let t = r.tally.result(open.record.job.deadline - 1)
    if (t.status === 'pending' && roundOver(open.record.job, round, now)) t = { ...t, status: 'disputed', reason: REASON_DEADLINE }
    const votes = [...r.votes.values()].map((x) => x.vote)
    open.record = { ...open.record, values: t.values, checks: t.checks, intervals: intervalsOf(t, votes, this.#c.network, open.record.job), byzantine: t.deviating }
    if (t.status === 'pending') return
    if (t.final && round < MAX_GREY_ZONE_ROUND) {
      const grey = greyZoneOf(t, votes, this.#c.network, open.record.job.thresholds)
      if (grey.grey) {
        await this.#enterGreyZone(open, t, grey.metrics)
        return
      }
    }
    await this.#finalize(open, t, votes)
  }

  async #enterGreyZone (open: OpenJob, t: Tally, metrics: Array<'ssim' | 'psnr'>): Promise<void> {
    const { jobId } = open.record
    const next = open.record.round + 1
    const now = this.#c.clock()
    open.record = { ...open.record, round: next, greyZone: { values: t.values!, intervals: open.record.intervals!, metrics }, values: null, checks: null, intervals: null, byzantine: [] }
    const record = open.record
    await this.#writes.greyZone(record, t, metrics, now)
    this.#c.logger.info({ jobId, round: next, metrics }, 'grey zone: a second, larger round')
    this.#schedule(open)
    this.#spawn(this.#serial.run(jobId, async () => await this.#measureAndVote(open, next)))
    await this.#retally(open)
  }

  async #finalize (open: OpenJob, t: Tally, votes: Vote[]): Promise<void> {
    const { jobId, job } = open.record
    const now = this.#c.clock()
    const reps = t.final ? updateReputations(t, this.#reps, this.#c.network) : new Map<string, ReputationRecord>()
    const cert = t.final ? buildCertificate(this.#c.network, job, t, votes) : null
    open.record = { ...open.record, status: t.status, reason: t.reason, finalizedAt: now }
    const record = open.record
    await this.#writes.decided(record, t, cert, reps, now)
    this.#setReputations(reps)
    open.timer.clear()
    open.abort.abort()
    this.#open.delete(jobId)
    this.#decided.set(t.status, (this.#decided.get(t.status) ?? 0) + 1)
    this.#c.metrics.jobs.finalityLatencySeconds.observe(Math.max(0, now - job.createdAt) / 1000)
    this.#refreshStatusGauge()
    this.#c.logger.info({ jobId, status: t.status, reason: t.reason, round: record.round }, 'job decided')
    this.#c.onFinal(this.#viewOf(record, open.rounds.flatMap((r) => [...r.votes.values()])))
  }

  // ---- helpers -----------------------------------------------------------

  #rep (key: string): ReputationRecord {
    return this.#reps.get(key) ?? initialReputation(this.#c.network)
  }

  /** Applies changed reputation records and reweighs the open tallies. */
  #setReputations (changed: ReadonlyMap<string, ReputationRecord>): void {
    if (changed.size === 0) return
    for (const [key, rec] of changed) this.#reps.set(key, rec)
    this.#weights = effectiveWeights(this.#c.network, this.#reps)
    for (const open of this.#open.values()) for (const r of open.rounds) r?.tally.reweigh(this.#weights)
  }

  #spawn (p: Promise<unknown>): void {
    const tracked = p.catch((err: unknown) => {
      if (!this.#stopped) this.#c.logger.error({ err }, 'job work failed')
    })
    this.#work.add(tracked)
    void tracked.then(() => this.#work.delete(tracked))
  }

  #refreshStatusGauge (): void {
    this.#c.metrics.jobs.byStatus.set({ status: 'pending' }, this.#open.size)
    for (const [status, n] of this.#decided) this.#c.metrics.jobs.byStatus.set({ status }, n)
  }
}

/** Consensus intervals: the base-weighted median of the agreeing votes' bounds (see grey-zone.ts), in wire form. */
function intervalsOf (t: Tally, votes: Vote[], network: NetworkConfig, job: JobAnnouncement): JobRecord['intervals'] {
  if (t.values === null || t.agreeing.length === 0) return null
  const { intervals } = greyZoneOf(t, votes, network, job.thresholds)
  return {
    ssim: [metricToWire(intervals.ssim[0]), metricToWire(intervals.ssim[1])],
    psnr: [metricToWire(intervals.psnr[0]), metricToWire(intervals.psnr[1])]
  }
}

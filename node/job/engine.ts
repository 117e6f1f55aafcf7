/**
 * A job's life on a node: accept the announcement, fetch the blobs, measure,
 * store then sign and gossip the own vote, collect votes, apply the
 * consensus rule with this node's reputation view, finalize or dispute (at
 * the latest at the deadline), update reputations, keep the certificate, and
 * append every step to the audit trail. Late votes are still recorded and
 * judged. A restarted node picks up its open jobs.
 *
 * Work on one job is serialised (a promise chain per job), so votes, the
 * measurement and the deadline never race; writes that belong together go
 * to the store in one atomic batch.
 */
import { randomBytes } from 'node:crypto'
import type { Logger } from 'pino'
import { canonicalEncode, canonicalString } from '../../protocol/canonical.ts'
import { type Certificate, buildCertificate } from '../../protocol/certificate.ts'
import { type ReputationRecord, applyOutcome, initialReputation, markEquivocated } from '../../protocol/consensus/reputation.ts'
import { type Tally, tally, updateReputations } from '../../protocol/consensus/tally.ts'
import { agreesWithConsensus } from '../../protocol/consensus/agreement.ts'
import { TrustEngineError } from '../../protocol/errors.ts'
import { type Evidence, checkEvidence, decodeEvidence, detectEquivocation } from '../../protocol/evidence.ts'
import { type JobAnnouncement, decodeJob, jobIdOf, newJob, signJob, verifyJob } from '../../protocol/job.ts'
import { metricsFromWire } from '../../protocol/metrics.ts'
import type { NetworkConfig } from '../../protocol/network.ts'
import { type Vote, decodeVote, newVote, signVote, verifyVote, voteMetrics } from '../../protocol/vote.ts'
import type { NodeMetrics } from '../metrics.ts'
import type { JobView, SubmitJobRequest } from '../types.ts'
import { type Fault, lieAbout } from './faults.ts'
import type { BlobPort, JobNetworkPort, Measurement, MeasurePort } from './ports.ts'
import { type JobRecord, type VoteRecord, isTerminal, newJobRecord, toJobView } from './records.ts'
import type { NodeRepositories } from './repositories.ts'
import { ERR_DUPLICATE, ERR_EQUIVOCATION, ERR_JOB_EXPIRED, ERR_NOT_VALIDATOR, ERR_UNKNOWN_JOB, ERR_UNSUPPORTED_ROUND } from './errors.ts'

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

interface OpenJob {
  record: JobRecord
  votes: Map<string, VoteRecord>
  timer: NodeJS.Timeout | null
  abort: AbortController
  lastTally: Tally | null
}

/** The job engine of one node. */
export class JobEngine {
  readonly #c: JobEngineComponents
  readonly #o: JobEngineOptions
  readonly #open = new Map<string, OpenJob>()
  readonly #chains = new Map<string, Promise<unknown>>()
  readonly #buffered = new Map<string, Vote[]>()
  #bufferedCount = 0
  readonly #reps = new Map<string, ReputationRecord>()
  readonly #names: Map<string, string>
  readonly #isValidator: boolean
  readonly #work = new Set<Promise<unknown>>()
  /** Decided jobs by status, for the jobs gauge. */
  readonly #decided = new Map<string, number>()
  #stopped = false

  constructor (components: JobEngineComponents, options: Partial<JobEngineOptions> = {}) {
    this.#c = components
    this.#o = { ...DEFAULT_JOB_ENGINE_OPTIONS, ...options }
    this.#names = new Map(components.network.validators.map((v) => [v.publicKey, v.name]))
    this.#isValidator = this.#names.has(components.key.publicKey)
  }

  /** Loads reputations and resumes open jobs (re-gossiping the own vote, or measuring again when there is none). */
  async start (): Promise<void> {
    for (const { key, value } of await this.#c.repos.reputations.list()) this.#reps.set(key, value)
    for await (const { value: record } of this.#c.repos.jobs.entries()) {
      if (isTerminal(record.status)) {
        this.#decided.set(record.status, (this.#decided.get(record.status) ?? 0) + 1)
        continue
      }
      const votes = new Map<string, VoteRecord>()
      for (const { value } of await this.#c.repos.votes.listByJob(record.jobId, { round: 0 })) votes.set(value.vote.voter, value)
      const open = this.#track(record, votes)
      const own = await this.#c.repos.ownVotes.get({ jobId: record.jobId, round: 0 })
      if (own !== null) {
        this.#spawn(this.#c.net.publish('votes', canonicalEncode(own)))
        this.#spawn(this.#serial(record.jobId, async () => await this.#retally(open)))
      } else {
        this.#spawn(this.#serial(record.jobId, async () => await this.#measureAndVote(open)))
      }
    }
    this.#refreshStatusGauge()
  }

  /** Stops timers and in-flight measurements, and waits for pending writes. */
  async stop (): Promise<void> {
    this.#stopped = true
    for (const open of this.#open.values()) {
      if (open.timer !== null) clearTimeout(open.timer)
      open.abort.abort()
    }
    await Promise.allSettled([...this.#work, ...this.#chains.values()])
  }

  /** This node's reputation view (validators without a record have the initial reputation). */
  reputations (): Map<string, ReputationRecord> {
    const out = new Map<string, ReputationRecord>()
    for (const v of this.#c.network.validators) out.set(v.publicKey, this.#reps.get(v.publicKey) ?? initialReputation(this.#c.network))
    return out
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
    await this.#serial(jobId, async () => await this.#accept(job, jobId))
    await this.#c.net.publish('jobs', canonicalEncode(job))
    return (await this.view(jobId))!
  }

  /** Gossip validator and handler of the jobs topic: throws a typed error to REJECT or IGNORE. */
  async onJobMessage (data: Uint8Array): Promise<void> {
    const job = decodeJob(data) // [REJECT] malformed, oversized or schema-invalid
    verifyJob(job, this.#c.network) // [REJECT] other network, non-validator submitter, bad deadline, bad signature
    const jobId = jobIdOf(job)
    if (job.deadline + this.#o.expiredGraceMs < this.#c.clock()) {
      throw new TrustEngineError(ERR_JOB_EXPIRED, 'job deadline passed long ago', { action: 'ignore' }) // [IGNORE] stale replay
    }
    await this.#serial(jobId, async () => {
      if (this.#open.has(jobId) || (await this.#c.repos.jobs.get(jobId)) !== null) {
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
    if (vote.round !== 0) throw new TrustEngineError(ERR_UNSUPPORTED_ROUND, 'only round 0 is counted by this version', { action: 'ignore' })
    await this.#serial(vote.jobId, async () => await this.#intakeVote(vote))
  }

  /** Gossip validator and handler of the evidence topic. */
  async onEvidenceMessage (data: Uint8Array): Promise<void> {
    const evidence = decodeEvidence(data) // [REJECT] malformed
    const offender = checkEvidence(evidence, this.#c.network) // [REJECT] does not prove equivocation
    const jobId = evidence.voteA.jobId
    await this.#serial(jobId, async () => {
      if ((await this.#c.repos.evidence.get({ offender, jobId })) !== null) {
        throw new TrustEngineError(ERR_DUPLICATE, 'evidence already known', { action: 'ignore' }) // [IGNORE] duplicate
      }
      await this.#recordEvidence(evidence, offender, false)
    })
  }

  /** The client view of a job, or null. */
  async view (jobId: string): Promise<JobView | null> {
    const open = this.#open.get(jobId)
    if (open !== undefined) return this.#viewOf(open.record, [...open.votes.values()])
    const record = await this.#c.repos.jobs.get(jobId)
    if (record === null) return null
    const votes = (await this.#c.repos.votes.listByJob(jobId)).map((e) => e.value)
    return this.#viewOf(record, votes)
  }

  /** Views of known jobs, newest first. */
  async list (limit: number): Promise<JobView[]> {
    const records = (await this.#c.repos.jobs.list()).map((e) => e.value)
    records.sort((a, b) => b.job.createdAt - a.job.createdAt || (a.jobId < b.jobId ? -1 : 1))
    const out: JobView[] = []
    for (const r of records.slice(0, limit)) out.push((await this.view(r.jobId))!)
    return out
  }

  /** The certificate of a final job, or null. */
  async certificate (jobId: string): Promise<Certificate | null> {
    return await this.#c.repos.certificates.get(jobId)
  }

  // ---- internals -------------------------------------------------------

  #viewOf (record: JobRecord, votes: VoteRecord[]): JobView {
    const byzantine = new Set(record.byzantine)
    const agreeing = record.values === null ? null : new Set(votes.map((v) => v.vote.voter).filter((k) => !byzantine.has(k)))
    votes.sort((a, b) => (a.vote.voter < b.vote.voter ? -1 : 1))
    return toJobView(record, votes, this.#names, agreeing)
  }

  async #accept (job: JobAnnouncement, jobId: string): Promise<void> {
    const record = newJobRecord(jobId, job, this.#c.clock())
    await this.#c.repos.store.write(async (batch) => {
      this.#c.repos.jobs.put(batch, jobId, record)
      await this.#c.repos.audit.append(batch, 'job.accepted', { jobId, kind: job.kind, submitter: job.submitter }, record.receivedAt)
    })
    const open = this.#track(record, new Map())
    this.#c.onAccepted(this.#viewOf(record, []))
    this.#refreshStatusGauge()
    for (const vote of this.#takeBuffered(jobId)) await this.#intakeVote(vote).catch(() => {})
    this.#spawn(this.#serial(jobId, async () => await this.#measureAndVote(open)))
  }

  #track (record: JobRecord, votes: Map<string, VoteRecord>): OpenJob {
    const open: OpenJob = { record, votes, timer: null, abort: new AbortController(), lastTally: null }
    this.#open.set(record.jobId, open)
    const delay = Math.max(0, record.job.deadline - this.#c.clock())
    open.timer = setTimeout(() => {
      open.timer = null
      this.#spawn(this.#serial(record.jobId, async () => await this.#retally(open)))
    }, delay)
    return open
  }

  async #measureAndVote (open: OpenJob): Promise<void> {
    if (this.#stopped || !this.#isValidator || this.#c.fault === 'silent' || isTerminal(open.record.status)) return
    const { jobId, job } = open.record
    let measurement: Measurement
    try {
      const reference: Uint8Array[] = []
      const candidate: Uint8Array[] = []
      for (const h of job.reference) reference.push(await this.#c.blobs.get(h, job.submitter, open.abort.signal))
      for (const h of job.candidate) candidate.push(await this.#c.blobs.get(h, job.submitter, open.abort.signal))
      measurement = await this.#c.measure(job, jobId, { reference, candidate }, open.abort.signal)
    } catch (err) {
      if (this.#stopped) return
      const code = err instanceof TrustEngineError ? err.code : 'ERR_MEASURE'
      const message = err instanceof Error ? err.message : String(err)
      this.#c.logger.warn({ jobId, code }, 'could not measure job')
      open.record = { ...open.record, error: { code, message } }
      await this.#c.repos.store.write(async (batch) => {
        this.#c.repos.jobs.put(batch, jobId, open.record)
        await this.#c.repos.audit.append(batch, 'job.measure-failed', { jobId, code }, this.#c.clock())
      })
      return
    }
    const reported = this.#c.fault === 'lie' ? lieAbout(measurement) : measurement
    const vote = this.#sign(jobId, reported)
    const now = this.#c.clock()
    const ownMeasurement = {
      metrics: vote.metrics,
      samples: vote.samples,
      ...(measurement.plan === undefined ? {} : { plan: measurement.plan }),
      ...(measurement.checks?.candidateHashMatches === undefined ? {} : { candidateHashMatches: measurement.checks.candidateHashMatches })
    }
    open.record = { ...open.record, measuredAt: now, ownMeasurement }
    const voteRecord: VoteRecord = { vote, receivedAt: now, late: false }
    // Stored (synchronously) before it is gossiped: a restart never signs a different vote.
    await this.#c.repos.store.write(async (batch) => {
      await this.#c.repos.ownVotes.putOwnVote(batch, { jobId, round: 0 }, vote)
      this.#c.repos.votes.put(batch, { jobId, round: 0, voter: vote.voter }, voteRecord)
      this.#c.repos.jobs.put(batch, jobId, open.record)
      await this.#c.repos.audit.append(batch, 'vote.own', { jobId, metrics: vote.metrics, samples: vote.samples }, now)
    })
    open.votes.set(vote.voter, voteRecord)
    this.#c.metrics.votes.own.inc()
    await this.#c.net.publish('votes', canonicalEncode(vote))
    if (this.#c.fault === 'equivocate') {
      // Simulated Byzantine behaviour: a second, different vote, bypassing the double-sign guard.
      await this.#c.net.publish('votes', canonicalEncode(this.#sign(jobId, lieAbout(measurement))))
    }
    await this.#retally(open)
  }

  #sign (jobId: string, m: Measurement): Vote {
    return signVote(newVote({
      networkId: this.#c.network.networkId,
      jobId,
      round: 0,
      voter: this.#c.key.publicKey,
      metrics: m.metrics,
      intervals: m.intervals,
      samples: m.samples,
      ...(m.checks === undefined ? {} : { checks: m.checks })
    }), this.#c.key.privateKey)
  }

  async #intakeVote (vote: Vote): Promise<void> {
    const open = this.#open.get(vote.jobId)
    if (open === undefined) {
      const record = await this.#c.repos.jobs.get(vote.jobId)
      if (record === null) {
        this.#buffer(vote)
        throw new TrustEngineError(ERR_UNKNOWN_JOB, 'vote for a job this node does not know (held for a while)', { action: 'ignore' })
      }
      await this.#lateVote(record, vote)
      return
    }
    const existing = open.votes.get(vote.voter)
    if (existing !== undefined) {
      const evidence = detectEquivocation(existing.vote, vote)
      if (evidence === null) {
        this.#c.metrics.votes.received.inc({ outcome: 'duplicate' })
        throw new TrustEngineError(ERR_DUPLICATE, 'vote already counted', { action: 'ignore' })
      }
      this.#c.metrics.votes.received.inc({ outcome: 'equivocation' })
      await this.#recordEvidence(evidence, vote.voter, true)
      throw new TrustEngineError(ERR_EQUIVOCATION, 'second, different vote from one validator', { action: 'ignore' })
    }
    const now = this.#c.clock()
    const voteRecord: VoteRecord = { vote, receivedAt: now, late: false }
    await this.#c.repos.store.write(async (batch) => {
      this.#c.repos.votes.put(batch, { jobId: vote.jobId, round: 0, voter: vote.voter }, voteRecord)
      await this.#c.repos.audit.append(batch, 'vote.received', { jobId: vote.jobId, voter: vote.voter, metrics: vote.metrics }, now)
    })
    open.votes.set(vote.voter, voteRecord)
    this.#c.metrics.votes.received.inc({ outcome: 'accepted' })
    await this.#retally(open)
  }

  async #lateVote (record: JobRecord, vote: Vote): Promise<void> {
    const key = { jobId: vote.jobId, round: 0, voter: vote.voter }
    const existing = await this.#c.repos.votes.get(key)
    if (existing !== null) {
      const evidence = detectEquivocation(existing.vote, vote)
      if (evidence === null) {
        this.#c.metrics.votes.received.inc({ outcome: 'duplicate' })
        throw new TrustEngineError(ERR_DUPLICATE, 'vote already counted', { action: 'ignore' })
      }
      this.#c.metrics.votes.received.inc({ outcome: 'equivocation' })
      await this.#recordEvidence(evidence, vote.voter, true)
      throw new TrustEngineError(ERR_EQUIVOCATION, 'second, different vote from one validator', { action: 'ignore' })
    }
    const now = this.#c.clock()
    // A late vote is judged against the final values; after a dispute there are none to judge by.
    const final = record.status === 'validated' || record.status === 'rejected'
    const agreed = final && record.values !== null
      ? agreesWithConsensus({ values: voteMetrics(vote), checks: vote.checks }, { values: metricsFromWire(record.values), checks: null }, record.job.thresholds, this.#c.network.tolerances)
      : null
    const updated = agreed === null ? null : applyOutcome(this.#rep(vote.voter), agreed, this.#c.network)
    const nextRecord = agreed === false ? { ...record, byzantine: [...new Set([...record.byzantine, vote.voter])].sort() } : record
    await this.#c.repos.store.write(async (batch) => {
      this.#c.repos.votes.put(batch, key, { vote, receivedAt: now, late: true })
      if (nextRecord !== record) this.#c.repos.jobs.put(batch, record.jobId, nextRecord)
      if (updated !== null) this.#c.repos.reputations.put(batch, vote.voter, updated)
      await this.#c.repos.audit.append(batch, 'vote.late', { jobId: vote.jobId, voter: vote.voter, metrics: vote.metrics, agreed }, now)
    })
    if (updated !== null) this.#reps.set(vote.voter, updated)
    this.#c.metrics.votes.received.inc({ outcome: 'late' })
  }

  async #recordEvidence (evidence: Evidence, offender: string, publish: boolean): Promise<void> {
    const jobId = evidence.voteA.jobId
    const now = this.#c.clock()
    const rep = markEquivocated(this.#rep(offender))
    const open = this.#open.get(jobId)
    const stored = open?.record ?? await this.#c.repos.jobs.get(jobId)
    const record = stored === null ? null : { ...stored, equivocators: [...new Set([...stored.equivocators, offender])].sort() }
    await this.#c.repos.store.write(async (batch) => {
      this.#c.repos.evidence.put(batch, { offender, jobId }, evidence)
      this.#c.repos.reputations.put(batch, offender, rep)
      if (record !== null) this.#c.repos.jobs.put(batch, jobId, record)
      await this.#c.repos.audit.append(batch, 'evidence.equivocation', { jobId, offender }, now)
    })
    this.#reps.set(offender, rep)
    if (open !== undefined && record !== null) open.record = record
    this.#c.onEvidence(offender, jobId)
    if (publish) await this.#c.net.publish('evidence', canonicalEncode(evidence))
    if (open !== undefined) await this.#retally(open)
  }

  async #retally (open: OpenJob): Promise<void> {
    if (isTerminal(open.record.status) || !this.#open.has(open.record.jobId)) return
    const votes = [...open.votes.values()].map((r) => r.vote)
    const t = tally({ network: this.#c.network, job: open.record.job, votes, reputations: this.#reps, now: this.#c.clock(), jobId: open.record.jobId })
    open.lastTally = t
    open.record = { ...open.record, values: t.values, intervals: intervalsOf(t, votes), byzantine: t.deviating }
    if (t.status !== 'pending') await this.#finalize(open, t, votes)
  }

  async #finalize (open: OpenJob, t: Tally, votes: Vote[]): Promise<void> {
    const { jobId, job } = open.record
    const now = this.#c.clock()
    const reps = t.final ? updateReputations(t, this.#reps, this.#c.network) : new Map<string, ReputationRecord>()
    const cert = t.final ? buildCertificate(this.#c.network, job, t, votes) : null
    open.record = { ...open.record, status: t.status, reason: t.reason, finalizedAt: now }
    const record = open.record
    await this.#c.repos.store.write(async (batch) => {
      this.#c.repos.jobs.put(batch, jobId, record)
      this.#c.repos.verdicts.put(batch, jobId, { status: t.status, reason: t.reason, values: t.values, agreeing: t.agreeing, deviating: t.deviating, agreeWeight: t.agreeWeight, totalWeight: t.totalWeight, finalizedAt: now })
      if (cert !== null) this.#c.repos.certificates.put(batch, jobId, cert)
      for (const [key, rec] of reps) this.#c.repos.reputations.put(batch, key, rec)
      await this.#c.repos.audit.append(batch, t.final ? 'job.finalized' : 'job.disputed', {
        jobId, status: t.status, reason: t.reason, values: t.values, agreeing: t.agreeing, deviating: t.deviating
      }, now)
      if (reps.size > 0) await this.#c.repos.audit.append(batch, 'reputation.updated', { jobId, voters: [...reps.keys()].sort() }, now)
    })
    for (const [key, rec] of reps) this.#reps.set(key, rec)
    if (open.timer !== null) clearTimeout(open.timer)
    open.abort.abort()
    this.#open.delete(jobId)
    this.#decided.set(t.status, (this.#decided.get(t.status) ?? 0) + 1)
    this.#c.metrics.jobs.finalityLatencySeconds.observe(Math.max(0, now - job.createdAt) / 1000)
    this.#refreshStatusGauge()
    this.#c.logger.info({ jobId, status: t.status, reason: t.reason }, 'job decided')
    this.#c.onFinal(this.#viewOf(record, [...open.votes.values()]))
  }

  #rep (key: string): ReputationRecord {
    return this.#reps.get(key) ?? initialReputation(this.#c.network)
  }

  #buffer (vote: Vote): void {
    if (this.#bufferedCount >= this.#o.maxBufferedVotes) {
      const oldest = this.#buffered.keys().next().value
      if (oldest === undefined) return
      this.#bufferedCount -= this.#buffered.get(oldest)!.length
      this.#buffered.delete(oldest)
    }
    const list = this.#buffered.get(vote.jobId) ?? []
    if (list.some((v) => canonicalString(v) === canonicalString(vote))) return
    list.push(vote)
    this.#buffered.set(vote.jobId, list)
    this.#bufferedCount++
  }

  #takeBuffered (jobId: string): Vote[] {
    const list = this.#buffered.get(jobId) ?? []
    this.#buffered.delete(jobId)
    this.#bufferedCount -= list.length
    return list
  }

  #serial<T> (jobId: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.#chains.get(jobId) ?? Promise.resolve()
    const next = prev.then(fn, fn)
    const settled = next.catch(() => {})
    this.#chains.set(jobId, settled)
    void settled.then(() => { if (this.#chains.get(jobId) === settled) this.#chains.delete(jobId) })
    return next
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

/** Intervals of the consensus values: those of the first weighted vote at the median of each metric. */
function intervalsOf (t: Tally, votes: Vote[]): JobRecord['intervals'] {
  if (t.values === null) return null
  const pick = (metric: 'ssim' | 'psnr'): Vote | undefined => votes.find((v) => v.metrics[metric] === t.values![metric] && t.agreeing.includes(v.voter))
  const s = pick('ssim')
  const p = pick('psnr')
  if (s === undefined || p === undefined) return null
  return { ssim: s.intervals.ssim, psnr: p.intervals.psnr }
}

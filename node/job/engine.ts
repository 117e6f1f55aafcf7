/**
 * A job's life on a node: accept the announcement, fetch the blobs, measure,
 * store then sign and gossip the own vote, collect votes, apply the
 * consensus rule with this node's reputation view, take a second, larger
 * round when round 0 ends in the grey zone, finalize or dispute (at the
 * latest at the deadline), update reputations, keep the certificate, and
 * append every step to the audit trail. Late votes are still recorded and
 * judged. A restarted node picks up its open jobs.
 *
 * Each job has two queues. Its decision queue runs the short steps one at a
 * time (accept, vote and evidence intake, tally, deadline, grey zone,
 * finalize, casting the own vote), so they never race; its work queue runs
 * blob fetching and measurement, whose result is then cast on the decision
 * queue. Intake (called from gossip validators with a time limit) and the
 * deadline decision therefore never wait behind a measurement. Writes that
 * belong together go to the store in one atomic batch (job-writes.ts).
 *
 * Before measuring, the seed phase ({@link SeedPhase}, seed-phase.ts) fixes
 * the job's sampling seed; votes are counted once it is fixed.
 *
 * The parts: {@link VoteIntake} (vote-intake.ts), {@link JobDecider}
 * (decider.ts), {@link OwnVote} (own-vote.ts), {@link OpenJobs}
 * (open-jobs.ts), {@link ReputationBook} (reputation-book.ts), {@link JobViews}
 * (job-views.ts) and the deadline rule (deadline.ts).
 */
import { randomBytes } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Logger } from 'pino'
import { canonicalEncode } from '../../protocol/canonical.ts'
import type { Certificate } from '../../protocol/certificate.ts'
import { MAX_GREY_ZONE_ROUND } from '../../protocol/consensus/grey-zone.ts'
import type { ReputationRecord } from '../../protocol/consensus/reputation.ts'
import { TrustEngineError } from '../../protocol/errors.ts'
import { MAX_SEED_CERTIFICATE_BYTES } from '../../protocol/constants.ts'
import { decodeJson } from '../../protocol/decode.ts'
import type { SeedCertificate } from '../../protocol/seed.ts'
import { checkEvidence, decodeEvidence } from '../../protocol/evidence.ts'
import { type JobAnnouncement, type UnsignedJob, decodeJob, jobIdOf, newJob, signJob, verifyJob } from '../../protocol/job.ts'
import type { NetworkConfig } from '../../protocol/network.ts'
import { type Vote, decodeVote, verifyVote } from '../../protocol/vote.ts'
import type { NodeMetrics } from '../metrics.ts'
import type { JobView, SubmitJobRequest } from '../types.ts'
import { CertifiedJobs } from './certified-jobs.ts'
import { roundDeadline } from './deadline.ts'
import { JobDecider } from './decider.ts'
import { ERR_DUPLICATE, ERR_JOB_EXPIRED, ERR_JOB_FUTURE, ERR_UNKNOWN_JOB, ERR_UNSUPPORTED_ROUND } from './errors.ts'
import { ERR_SEED_UNKNOWN_JOB, SeedPhase } from './seed-phase.ts'
import type { Fault } from './faults.ts'
import { JobViews, type JobListOptions } from './job-views.ts'
import { JobWrites } from './job-writes.ts'
import { type OpenJob, OpenJobs, votesOf } from './open-jobs.ts'
import { OwnVote } from './own-vote.ts'
import type { BlobPort, InputCheckPort, JobNetworkPort, MeasurePort } from './ports.ts'
import { type JobRecord, isTerminal, newJobRecord } from './records.ts'
import type { NodeRepositories } from './repositories.ts'
import { ReputationBook } from './reputation-book.ts'
import { SerialQueues } from './serial.ts'
import { VoteBuffer } from './vote-buffer.ts'
import { VoteIntake } from './vote-intake.ts'

/** Options of the job engine. */
export interface JobEngineOptions {
  /** Votes for jobs not yet known (or not yet seeded) are held this many at most. 4096 × ~1 KiB bounds memory to a few MiB. */
  maxBufferedVotes: number
  /** Of which one validator may fill at most this many (64 jobs ahead of their announcement), so one validator's flood of votes for made-up jobs evicts only its own. */
  maxBufferedVotesPerVoter: number
  /** A job still without a seed asks peers for its seed certificate this often: 1 s is several gossip round trips, and well inside the catch-up rate limits. */
  seedFetchMs: number
  /** A peer is asked for the certificates of jobs decided while this node was away at most this often (at start, then when it is admitted again): a minute keeps reconnect storms cheap and well inside the catch-up quotas. */
  certificateSyncMs: number
  /** Of which at most this many peers within `certificateSyncMs`: one honest peer has every certificate, three outvote a liar that is penalised at its first forgery, and a node reconnecting to a hundred peers does not decode a hundred copies. */
  certificatePeers: number
  /** A vote or seed message for a job this node does not know makes it ask its peers for their open jobs, at most this often: an announcement missed on gossip (a mesh not yet formed after a connect, a short cut) is then learnt within seconds instead of never, and votes for made-up jobs cost at most one paged, rate-limited catch-up per interval. */
  missedJobFetchMs: number
}

/** Defaults of {@link JobEngineOptions}. */
export const DEFAULT_JOB_ENGINE_OPTIONS: JobEngineOptions = {
  maxBufferedVotes: 4096,
  maxBufferedVotesPerVoter: 64,
  seedFetchMs: 1_000,
  certificateSyncMs: 60_000,
  certificatePeers: 3,
  missedJobFetchMs: 5_000
}

/** What the engine is wired to. */
export interface JobEngineComponents {
  network: NetworkConfig
  key: { publicKey: string, privateKey: string }
  repos: NodeRepositories
  net: JobNetworkPort
  blobs: BlobPort
  measure: MeasurePort
  /** Refuses a job no honest node measures, from its fetched blobs (none by default: every job is measured). */
  check?: InputCheckPort
  clock: () => number
  logger: Logger
  metrics: NodeMetrics
  fault: Fault
  onFinal: (view: JobView) => void
  onAccepted: (view: JobView) => void
  onEvidence: (offender: string, jobId: string) => void
}

/** The job engine of one node. */
export class JobEngine {
  readonly #components: JobEngineComponents
  readonly #options: JobEngineOptions
  readonly #reputations: ReputationBook
  readonly #jobs: OpenJobs
  readonly #views: JobViews
  readonly #decider: JobDecider
  readonly #intake: VoteIntake
  readonly #ownVote: OwnVote
  readonly #writes: JobWrites
  readonly #buffer: VoteBuffer
  readonly #seeds: SeedPhase
  readonly #certified: CertifiedJobs
  /** When each peer was last asked for certificates (see `certificateSyncMs`). */
  readonly #certificatesAskedAt = new Map<string, number>()
  /** When this node last asked its peers for open jobs because of a message for an unknown job (see `missedJobFetchMs`). */
  #missedJobsAskedAt: number | null = null
  /** Short steps of a job, one at a time (see the module comment). */
  readonly #decisions = new SerialQueues()
  /** Blob fetching and measurement of a job, one round at a time. */
  readonly #work = new SerialQueues()
  readonly #pending = new Set<Promise<unknown>>()
  readonly #lifetime = new AbortController()
  #stopped = false

  constructor (components: JobEngineComponents, options: Partial<JobEngineOptions> = {}) {
    const { network, clock, repos } = components
    this.#components = components
    this.#options = { ...DEFAULT_JOB_ENGINE_OPTIONS, ...options }
    this.#buffer = new VoteBuffer(this.#options.maxBufferedVotes, this.#options.maxBufferedVotesPerVoter)
    this.#seeds = new SeedPhase({
      network,
      key: components.key,
      // Every validator gives its seed share, a `silent` one too: that fault is about votes.
      shares: network.validators.some((v) => v.publicKey === components.key.publicKey),
      publish: async (data) => await components.net.publish('seeds', data),
      jobOf: (jobId) => this.#jobs.get(jobId)?.record.job ?? null,
      onSeed: async (jobId, seed, certificate) => { await this.#seeded(jobId, seed, certificate) }
    })
    this.#writes = new JobWrites(repos)
    this.#reputations = new ReputationBook(network, (weights) => { this.#jobs.reweigh(weights) })
    this.#jobs = new OpenJobs(network, clock, this.#reputations.weights)
    this.#views = new JobViews(repos, this.#jobs, new Map(network.validators.map((v) => [v.publicKey, v.name])))
    const parts = { ...components, writes: this.#writes, reputations: this.#reputations, jobs: this.#jobs }
    this.#certified = new CertifiedJobs({
      ...parts,
      views: this.#views,
      serial: async (jobId, fn) => { await this.#decisions.run(jobId, fn) },
      isOpen: (jobId) => this.#jobs.has(jobId),
      equivocatorsOf: async (jobId) => await this.#heldEquivocators(jobId),
      onCertified: (view, was) => {
        if (was !== null) this.#decider.uncountDecided(was)
        this.#decider.countDecided(view.status)
        this.#decider.refreshGauge()
        this.#seeds.forget(view.jobId)
        components.onFinal(view)
      }
    })
    const onFinal = (view: JobView): void => {
      if (view.final) this.#certified.decided(view.timings.createdAt, view.jobId)
      components.onFinal(view)
      this.#afterDecided(view)
    }
    this.#decider = new JobDecider({ ...parts, onFinal, views: this.#views, onNextRound: (open, round) => { this.#startMeasuring(open, round) } })
    this.#intake = new VoteIntake({ ...parts, buffer: this.#buffer, decider: this.#decider })
    this.#ownVote = new OwnVote({ ...parts, decider: this.#decider, seeds: this.#seeds })
  }

  /** Loads reputations and resumes open jobs (re-gossiping the own vote, or measuring again when there is none). */
  async start (): Promise<void> {
    const { repos, net } = this.#components
    this.#reputations.load(await repos.reputations.list())
    for await (const { value: record } of repos.jobs.entries()) {
      this.#certified.saw(record)
      if (isTerminal(record.status)) {
        this.#decider.countDecided(record.status)
        continue
      }
      const open = this.#open(record)
      await this.#seeds.accepted(record.job, record.jobId, record.seed)
      if (record.seed === null) this.#spawn(this.#fetchSeedWhileMissing(open))
      for (const { value } of await repos.votes.listByJob(record.jobId)) {
        if (value.vote.round <= record.round) this.#jobs.addVote(open, value)
      }
      this.#spawn(this.#catchUpVotes(open))
      const own = await repos.ownVotes.get({ jobId: record.jobId, round: record.round })
      if (own === null) this.#startMeasuring(open, record.round)
      else {
        this.#spawn(net.publish('votes', canonicalEncode(own)))
        this.#spawn(this.#decide(open))
      }
    }
    this.#decider.refreshGauge()
    this.#spawn(this.#catchUpJobs())
    this.#spawn(this.#catchUpCertificates())
  }

  /** Stops timers and in-flight work, and waits for pending writes. */
  async stop (): Promise<void> {
    this.#stopped = true
    this.#lifetime.abort()
    this.#jobs.stopAll()
    await Promise.allSettled([...this.#pending])
    await this.#work.idle()
    await this.#decisions.idle()
  }

  /** This node's reputation view (validators without a record have the initial reputation). */
  reputations (): Map<string, ReputationRecord> {
    return this.#reputations.all()
  }

  /** One validator's reputation in this node's view (the initial one when it has no record). */
  reputationOf (publicKey: string): ReputationRecord {
    return this.#reputations.of(publicKey)
  }

  /** Number of jobs still pending on this node. */
  get openJobs (): number {
    return this.#jobs.size
  }

  /**
   * Creates, signs, stores and gossips a job; this node then measures and
   * votes like every other. The node's admission rules ran before
   * (node/wiring/job-admission.ts); the protocol refuses a submitter that is
   * not a validator (`ERR_UNKNOWN_SIGNER`). `optimize` marks a scene job whose candidate this
   * node made with the optimizer (see node/node.ts).
   */
  async submit (request: SubmitJobRequest & { optimize?: { profile: string, ratio: number } }): Promise<JobView> {
    const { network, key, clock, net } = this.#components
    const unsigned = newJob(network, {
      kind: request.kind,
      submitter: key.publicKey,
      createdAt: clock(),
      reference: request.reference,
      candidate: request.candidate,
      nonce: randomBytes(16).toString('hex'),
      thresholds: { ...network.thresholds, ...request.thresholds },
      ...(request.profile === undefined ? {} : { profile: request.profile }),
      ...(request.optimize === undefined ? {} : { optimize: request.optimize }),
      ...(request.deadlineMs === undefined ? {} : { voteMs: request.deadlineMs })
    })
    if (this.#components.fault?.nonce !== undefined) unsigned.nonce = await this.#simulatedNonce(unsigned)
    const job = signJob(unsigned, key.privateKey)
    verifyJob(job, network)
    const jobId = jobIdOf(job)
    await this.#decisions.run(jobId, async () => { await this.#accept(job, jobId) })
    await net.publish('jobs', canonicalEncode(job))
    return (await this.#views.get(jobId))!
  }

  /** The nonce a simulated fault chooses for a job this node submits (node/job/faults.ts). */
  async #simulatedNonce (unsigned: UnsignedJob): Promise<string> {
    const { blobs, key, fault } = this.#components
    const read = async (hashes: string[]): Promise<Uint8Array[]> => await Promise.all(hashes.map(async (h) => await blobs.get(h, key.publicKey, this.#lifetime.signal)))
    const material = { reference: await read(unsigned.reference), candidate: await read(unsigned.candidate) }
    return await fault!.nonce!({ job: unsigned, jobIdFor: (nonce) => jobIdOf({ ...unsigned, nonce }), blobs: material })
  }

  /** A simulated launderer's late copy of a decided job's public values (node/job/faults.ts). */
  #afterDecided (view: JobView): void {
    const late = this.#components.fault?.afterDecided?.(view) ?? null
    if (late !== null) this.#spawn(this.#ownVote.publishLate(view.jobId, view.round, late))
  }

  /** Gossip validator and handler of the jobs topic: throws a typed error to REJECT or IGNORE. */
  async onJobMessage (data: Uint8Array): Promise<void> {
    const { network, clock, repos } = this.#components
    const job = decodeJob(data) // [REJECT] malformed, oversized or schema-invalid
    verifyJob(job, network) // [REJECT] other network, non-validator submitter, bad deadline, bad signature
    const jobId = jobIdOf(job)
    const now = clock()
    const skew = network.deadlines.clockSkewMs
    if (roundDeadline(job, MAX_GREY_ZONE_ROUND) + skew < now) {
      throw new TrustEngineError(ERR_JOB_EXPIRED, 'job deadline passed long ago', { action: 'ignore' }) // [IGNORE] stale replay
    }
    if (job.createdAt > now + skew) {
      throw new TrustEngineError(ERR_JOB_FUTURE, 'job created further in the future than the clock-skew tolerance', { action: 'ignore' }) // [IGNORE] clock far off
    }
    await this.#decisions.run(jobId, async () => {
      if (this.#jobs.has(jobId) || (await repos.jobs.has(jobId))) {
        throw new TrustEngineError(ERR_DUPLICATE, 'job already known', { action: 'ignore' }) // [IGNORE] duplicate
      }
      await this.#accept(job, jobId)
    })
  }

  /** Gossip validator and handler of the votes topic; never waits on a measurement. */
  async onVoteMessage (data: Uint8Array): Promise<void> {
    const { network, metrics } = this.#components
    let vote: Vote
    try {
      vote = decodeVote(data) // [REJECT] malformed, oversized, schema-invalid, metrics out of range
      verifyVote(vote, network) // [REJECT] other network, non-validator, bad signature
    } catch (err) {
      metrics.votes.received.inc({ outcome: 'invalid' })
      throw err
    }
    if (vote.round > MAX_GREY_ZONE_ROUND) throw new TrustEngineError(ERR_UNSUPPORTED_ROUND, `rounds above ${MAX_GREY_ZONE_ROUND} are not counted`, { action: 'ignore' })
    await this.#decisions.run(vote.jobId, async () => { await this.#intake.vote(vote) }).catch((err: unknown) => this.#onUnknownJob(err))
  }

  /** Gossip validator and handler of the seeds topic: seed shares and seed certificates (protocol/seed.ts). */
  async onSeedMessage (data: Uint8Array): Promise<void> {
    await this.#seeds.onMessage(data).catch((err: unknown) => this.#onUnknownJob(err))
  }

  /**
   * Rethrows `err`; when it says the message was for a job this node does not
   * know, first asks peers for their open jobs (at most once per
   * `missedJobFetchMs`), so a missed announcement is learnt and the held votes
   * counted.
   */
  #onUnknownJob (err: unknown): never {
    const code = (err as { code?: unknown } | null)?.code
    if (code === ERR_UNKNOWN_JOB || code === ERR_SEED_UNKNOWN_JOB) {
      const now = this.#components.clock()
      if (!this.#stopped && (this.#missedJobsAskedAt === null || now - this.#missedJobsAskedAt >= this.#options.missedJobFetchMs)) {
        this.#missedJobsAskedAt = now
        this.#spawn(this.#catchUpJobs())
      }
    }
    throw err
  }

  /** Gossip validator and handler of the evidence topic. */
  async onEvidenceMessage (data: Uint8Array): Promise<void> {
    const { network, repos } = this.#components
    const evidence = decodeEvidence(data) // [REJECT] malformed
    const offender = checkEvidence(evidence, network) // [REJECT] does not prove equivocation
    const jobId = evidence.voteA.jobId
    await this.#decisions.run(jobId, async () => {
      if (await repos.evidence.has({ offender, jobId })) {
        throw new TrustEngineError(ERR_DUPLICATE, 'evidence already known', { action: 'ignore' }) // [IGNORE] duplicate
      }
      await this.#intake.evidence(evidence, offender, false)
    })
  }

  /** The client view of a job, or null. */
  async view (jobId: string): Promise<JobView | null> {
    return await this.#views.get(jobId)
  }

  /** A page of known jobs, newest first, from the job index (job-views.ts); null when `before` names no known job. */
  async list (options: JobListOptions): Promise<JobView[] | null> {
    return await this.#views.list(options)
  }

  /** Announcements of the jobs still open on this node, as gossiped (served to peers catching up). */
  openAnnouncements (): Uint8Array[] {
    return [...this.#jobs.values()].map((o) => canonicalEncode(o.record.job))
  }

  /** The signed votes this node holds for a job, as gossiped (served to peers catching up). */
  async votesFor (jobId: string): Promise<Uint8Array[]> {
    const open = this.#jobs.get(jobId)
    const votes = open !== undefined ? votesOf(open) : (await this.#components.repos.votes.listByJob(jobId)).map((e) => e.value)
    const seed = open?.record.seed ?? (await this.#components.repos.jobs.get(jobId))?.seed ?? null
    // The seed certificate goes first: a node catching up needs it to count the votes and to measure.
    // Without one yet, the shares held go first instead, so a submitter that missed some can still certify.
    const seedMessages = seed !== null ? [seed.certificate] : this.#seeds.sharesOf(jobId)
    return [...seedMessages.map((m) => canonicalEncode(m)), ...votes.map((v) => canonicalEncode(v.vote))]
  }

  /** Job ids of this node's final jobs created at or after `since`, newest first, at most `limit` (served to peers catching up). */
  finalJobsSince (since: number, limit: number): string[] {
    return this.#certified.list(since, limit)
  }

  /** The canonical bytes of a final job's certificate, or null (served to peers catching up). */
  async certificateBytes (jobId: string): Promise<Uint8Array | null> {
    return await this.#certified.load(jobId)
  }

  /** A peer was admitted (again): ask it for the certificates of jobs decided meanwhile, unless it or `certificatePeers` others were asked within `certificateSyncMs`. */
  onPeerAdmitted (peer: string): void {
    if (this.#stopped) return
    this.#spawn(this.#certificatesFrom(peer))
  }

  /** The certificate of a final job, or null. */
  async certificate (jobId: string): Promise<Certificate | null> {
    return await this.#components.repos.certificates.get(jobId)
  }

  // ---- steps -------------------------------------------------------------

  /**
   * Opens a job (on its decision queue): stores it, starts its seed phase
   * (this validator's share) and the measurement of round 0, which fetches
   * the blobs meanwhile and waits for the seed. Votes held for the job are
   * counted once the seed is fixed ({@link #seeded}).
   */
  async #accept (job: JobAnnouncement, jobId: string): Promise<void> {
    const record = { ...newJobRecord(jobId, job, this.#components.clock()), equivocators: await this.#heldEquivocators(jobId) }
    await this.#writes.accepted(record)
    const open = this.#open(record)
    this.#components.onAccepted(this.#views.of(record, []))
    this.#decider.refreshGauge()
    this.#spawn(this.#seeds.accepted(job, jobId, null))
    this.#spawn(this.#fetchSeedWhileMissing(open))
    this.#startMeasuring(open, 0)
  }

  /**
   * Validators proved to equivocate in `jobId` by evidence that arrived
   * before the job (stored, and counted at their reputation, but with no job
   * record to name them in): the new record names them. Only validators
   * already marked as equivocators can have such evidence.
   */
  async #heldEquivocators (jobId: string): Promise<string[]> {
    const out: string[] = []
    for (const [offender, rep] of this.#reputations.all()) {
      if (rep.equivocated && await this.#components.repos.evidence.has({ offender, jobId })) out.push(offender)
    }
    return out.sort()
  }

  /** The job's seed is fixed: store it with the job, then count the votes held until now (on the decision queue). */
  async #seeded (jobId: string, seed: string, certificate: SeedCertificate): Promise<void> {
    await this.#decisions.run(jobId, async () => {
      const open = this.#jobs.get(jobId)
      if (open === undefined || open.record.seed !== null) return
      open.record = { ...open.record, seed: { seed, certificate }, seededAt: this.#components.clock() }
      await this.#writes.seeded(open.record, this.#components.clock())
      for (const vote of this.#buffer.take(jobId)) await this.#intake.vote(vote).catch(() => {})
      // A tally the decider left open for want of the seed certificate is decided now.
      if (open.rounds.length > 0) await this.#decider.retally(open)
    })
  }

  /**
   * Gossip delivers a seed certificate once; a node that joined the seeds
   * topic's mesh a moment too late (just started or reconnected) would wait
   * for it until the deadline. So while the seed is missing, ask peers for
   * the job's votes stream, which starts with the seed certificate, every
   * `seedFetchMs`, within the round. Where peers have no certificate
   * either, the stream starts with the seed shares they hold: the
   * submitter thereby collects shares gossip lost (a partition, its own
   * restart) and certifies.
   */
  async #fetchSeedWhileMissing (open: OpenJob): Promise<void> {
    const { jobId } = open.record
    const wait = this.#options.seedFetchMs
    while (!this.#stopped && this.#jobs.has(jobId) && this.#seeds.knownSeed(jobId) === null) {
      try {
        await sleep(wait, undefined, { signal: open.abort.signal })
      } catch {
        return
      }
      if (this.#seeds.knownSeed(jobId) !== null || this.#components.clock() >= roundDeadline(open.record.job, open.record.round)) return
      await this.#catchUpVotes(open)
    }
  }

  /** Tracks an open job; its deadline timer decides it on the decision queue. */
  #open (record: JobRecord): OpenJob {
    return this.#jobs.open(record, (open) => { this.#spawn(this.#decide(open)) })
  }

  /** Re-tallies a job on its decision queue. */
  async #decide (open: OpenJob): Promise<void> {
    await this.#decisions.run(open.record.jobId, async () => { await this.#decider.retally(open) })
  }

  /** Queues the own measurement of `round` on the job's work queue; its vote (or failure) is cast on the decision queue. */
  #startMeasuring (open: OpenJob, round: number): void {
    if (this.#stopped || isTerminal(open.record.status) || !this.#ownVote.votes(open, round)) return
    const { jobId } = open.record
    this.#spawn(this.#work.run(jobId, async () => {
      if (this.#stopped || !this.#ownVote.votes(open, round)) return
      const outcome = await this.#ownVote.measure(open, round)
      if (this.#stopped) return
      await this.#decisions.run(jobId, async () => {
        if (outcome.ok) await this.#ownVote.cast(open, round, outcome.measurement, outcome.seed)
        else await this.#ownVote.failed(open, round, outcome.code, outcome.message)
      })
    }))
  }

  /**
   * After a start, and after a message for a job this node does not know:
   * asks peers for the jobs still open there that this node missed, takes
   * each announcement in as if it came over gossip, and catches up on the
   * votes of those it accepts.
   */
  async #catchUpJobs (): Promise<void> {
    const announcements = await this.#components.net.openJobs(this.#lifetime.signal)
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
      const open = this.#jobs.get(jobId)
      if (open !== undefined) this.#spawn(this.#catchUpVotes(open))
    }
    if (taken > 0) this.#components.logger.info({ jobs: taken }, 'caught up on open jobs')
  }

  /** After a start: asks up to a few admitted peers for the certificates of jobs decided while this node was away. */
  async #catchUpCertificates (): Promise<void> {
    for (const peer of await this.#components.net.catchUpPeers(this.#lifetime.signal)) await this.#certificatesFrom(peer)
  }

  /** Asks one peer for certificates (verified and stored by {@link CertifiedJobs}); a peer that serves a bad one is penalised with its code. */
  async #certificatesFrom (peer: string): Promise<void> {
    const { net, clock } = this.#components
    const now = clock()
    const window = this.#options.certificateSyncMs
    const last = this.#certificatesAskedAt.get(peer)
    const recent = [...this.#certificatesAskedAt.values()].filter((t) => now - t < window).length
    if (this.#stopped || (last !== undefined && now - last < window) || recent >= this.#options.certificatePeers) return
    this.#certificatesAskedAt.delete(peer)
    this.#certificatesAskedAt.set(peer, now)
    if (this.#certificatesAskedAt.size > 4096) this.#certificatesAskedAt.delete(this.#certificatesAskedAt.keys().next().value!)
    const items = net.certificates(peer, this.#certified.since(), this.#lifetime.signal)
    await this.#certified.catchUpFrom(peer, items, (p, code) => { net.penalise(p, code) })
  }

  /**
   * After a (re)start: asks peers for the votes of an open job gossiped while
   * this node was down, and takes each in as if it came over gossip.
   */
  async #catchUpVotes (open: OpenJob): Promise<void> {
    const votes = await this.#components.net.catchUp(open.record.jobId, open.abort.signal)
    let taken = 0
    for (const bytes of votes) {
      if (this.#stopped || isTerminal(open.record.status)) break
      const taken1 = isSeedMessageBytes(bytes) ? this.onSeedMessage(bytes) : this.onVoteMessage(bytes)
      await taken1.then(() => { taken++ }, () => {})
    }
    if (taken > 0) this.#components.logger.info({ jobId: open.record.jobId, votes: taken }, 'caught up on votes')
  }

  #spawn (p: Promise<unknown>): void {
    const tracked = p.catch((err: unknown) => {
      if (!this.#stopped) this.#components.logger.error({ err }, 'job work failed')
    })
    this.#pending.add(tracked)
    void tracked.then(() => this.#pending.delete(tracked))
  }
}

/** True when catch-up bytes are a JSON object of type `seed-certificate` or `seed-share` (then checked in full by the seed phase). */
function isSeedMessageBytes (bytes: Uint8Array): boolean {
  try {
    const type = (decodeJson(bytes, MAX_SEED_CERTIFICATE_BYTES, 'catch-up message') as { type?: unknown } | null)?.type
    return type === 'seed-certificate' || type === 'seed-share'
  } catch {
    return false
  }
}

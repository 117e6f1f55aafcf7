/**
 * A job's life on a node: accept the announcement, fetch the blobs, measure,
 * store then sign and gossip the own vote, collect votes, apply the
 * consensus rule with this node's reputation view, take a second, larger
 * round when round 0 ends in the grey zone, finalize or dispute (at the
 * latest at the deadline), update reputations, keep the certificate, and
 * append every step to the audit trail. Late votes are still recorded and
 * judged. A restarted node picks up its open jobs.
 *
 * The engine is the public face: it builds the parts, routes each gossip
 * message, once checked (gossip-checks.ts), to the step that takes it in,
 * and answers clients and peers. The parts: the steps of a job and the two
 * queues they run on ({@link JobLifecycle}, job-lifecycle.ts: intake and the
 * deadline never wait behind a measurement), {@link SeedPhase}
 * (seed-phase.ts), {@link VoteIntake} (vote-intake.ts), {@link JobDecider}
 * (decider.ts, with the one deadline rule of deadline.ts), {@link OwnVote}
 * (own-vote.ts), {@link CatchUp} (catch-up.ts), {@link CertifiedJobs}
 * (certified-jobs.ts), {@link OpenJobs} (open-jobs.ts),
 * {@link ReputationBook} (reputation-book.ts), {@link JobViews}
 * (job-views.ts) and {@link JobWrites} (job-writes.ts: writes that belong
 * together go to the store in one atomic batch).
 */
import { canonicalEncode } from '../../protocol/canonical.ts'
import type { JobAnnouncement } from '../../protocol/job.ts'
import type { Certificate } from '../../protocol/certificate.ts'
import type { ReputationRecord } from '../../protocol/consensus/reputation.ts'
import { TrustEngineError } from '../../protocol/errors.ts'
import type { Vote } from '../../protocol/vote.ts'
import type { JobView } from '../types.ts'
import { BackgroundTasks } from './background.ts'
import type { BlobBudget } from './blob-budget.ts'
import { CatchUp } from './catch-up.ts'
import { CertifiedJobs } from './certified-jobs.ts'
import { JobDecider } from './decider.ts'
import { DEFAULT_JOB_ENGINE_OPTIONS, type JobEngineOptions, blobBudgetOf, decisionStepBound } from './engine-options.ts'
import type { JobEngineComponents } from './engine-components.ts'
import { DrainLedger, type DrainReport, ERR_NODE_STOPPING } from './drain.ts'
import { ERR_DUPLICATE } from './errors.ts'
import { checkEvidenceMessage, checkJobMessage, checkVoteMessage } from './gossip-checks.ts'
import { JobCaps } from './job-caps.ts'
import { JobLifecycle } from './job-lifecycle.ts'
import { JobViews, type JobListOptions } from './job-views.ts'
import { JobWrites } from './job-writes.ts'
import { MAX_PIN_AGE_MS, type NewJobRequest, signNewJob } from './new-job.ts'
import { OpenJobs, votesOf } from './open-jobs.ts'
import { OwnVote } from './own-vote.ts'
import { isTerminal } from './records.ts'
import { ReputationBook } from './reputation-book.ts'
import { SeedPhase, seedJobsBound } from './seed-phase.ts'
import { VoteBuffer } from './vote-buffer.ts'
import { VoteIntake } from './vote-intake.ts'

/** The job engine of one node. */
export class JobEngine {
  readonly #components: JobEngineComponents
  readonly #tasks: BackgroundTasks
  readonly #reputations: ReputationBook
  readonly #jobs: OpenJobs
  readonly #views: JobViews
  readonly #seeds: SeedPhase
  readonly #certified: CertifiedJobs
  readonly #decider: JobDecider
  readonly #intake: VoteIntake
  readonly #ownVote: OwnVote
  readonly #catchUp: CatchUp
  readonly #lifecycle: JobLifecycle
  readonly #buffer: VoteBuffer
  readonly #drain = new DrainLedger()
  readonly #caps: JobCaps
  readonly #budget: BlobBudget

  constructor (components: JobEngineComponents, options: Partial<JobEngineOptions> = {}) {
    const { network, clock, repos, key, net, logger } = components
    const resolved = { ...DEFAULT_JOB_ENGINE_OPTIONS, ...options }
    this.#components = components
    this.#tasks = new BackgroundTasks(logger)
    const buffer = this.#buffer = new VoteBuffer(resolved.maxBufferedVotes, resolved.maxBufferedVotesPerVoter)
    this.#seeds = new SeedPhase({
      network,
      key,
      // Every validator gives its seed share, a `silent` one too: that fault is about votes.
      shares: network.validators.some((v) => v.publicKey === key.publicKey),
      publish: async (data) => await net.publish('seeds', data),
      // An open job's announcement, or one being accepted (its record not written yet).
      jobOf: (jobId) => this.#jobs.get(jobId)?.record.job ?? this.#lifecycle.accepting(jobId),
      clock,
      onSeed: async (jobId, seed, certificate, fixedAt) => { await this.#lifecycle.seeded(jobId, seed, certificate, fixedAt) }
    }, { maxHeldJobs: seedJobsBound(network, resolved.maxOpenJobsPerSubmitter) })
    const writes = new JobWrites(repos, components.reputationHistory ?? null)
    this.#reputations = new ReputationBook(network, (weights) => { this.#jobs.reweigh(weights) })
    this.#jobs = new OpenJobs(network, clock, this.#reputations.weights)
    this.#caps = new JobCaps({ network, publicKey: key.publicKey, clock, metrics: components.metrics, jobs: this.#jobs }, resolved.maxOpenJobsPerSubmitter)
    this.#views = new JobViews(repos, this.#jobs, new Map(network.validators.map((v) => [v.publicKey, v.name])))
    const parts = { ...components, writes, reputations: this.#reputations, jobs: this.#jobs, views: this.#views, seeds: this.#seeds, tasks: this.#tasks }
    this.#certified = new CertifiedJobs({
      ...parts,
      serial: async (jobId, fn) => { await this.#lifecycle.decision(jobId, fn) },
      isOpen: (jobId) => this.#jobs.has(jobId),
      equivocatorsOf: async (jobId) => await this.#lifecycle.heldEquivocators(jobId),
      onCertified: (view, was) => {
        if (was !== null) this.#decider.uncountDecided(was)
        this.#decider.countDecided(view.status)
        this.#decider.refreshGauge()
        this.#seeds.forget(view.jobId)
        components.onFinal(view)
      }
    })
    this.#decider = new JobDecider({ ...parts, onFinal: (view) => { this.#decided(view) }, onNextRound: (open, round) => { this.#lifecycle.startMeasuring(open, round) } })
    this.#intake = new VoteIntake({ ...parts, buffer, decider: this.#decider })
    this.#budget = components.blobBudget ?? blobBudgetOf(resolved)
    this.#ownVote = new OwnVote({ ...parts, decider: this.#decider, budget: this.#budget })
    // What catch-up brings is taken in like a gossip message.
    const take = {
      job: async (data: Uint8Array) => { await this.onJobMessage(data) },
      vote: async (data: Uint8Array) => { await this.onVoteMessage(data) },
      seed: async (data: Uint8Array) => { await this.onSeedMessage(data) }
    }
    this.#catchUp = new CatchUp({ ...parts, certified: this.#certified, take }, resolved)
    this.#lifecycle = new JobLifecycle({ ...parts, decider: this.#decider, intake: this.#intake, ownVote: this.#ownVote, buffer, catchUp: this.#catchUp, drain: this.#drain, maxDecisionSteps: decisionStepBound(network, resolved), caps: this.#caps })
  }

  /** Loads reputations and resumes open jobs (re-gossiping the own vote, or measuring again when there is none), then catches up with peers. */
  async start (): Promise<void> {
    const { repos } = this.#components
    this.#reputations.load(await repos.reputations.list())
    for await (const { value: record } of repos.jobs.entries()) {
      this.#certified.saw(record)
      this.#caps.own(record.job, record.jobId)
      if (isTerminal(record.status)) this.#decider.countDecided(record.status)
      else await this.#lifecycle.resume(record)
    }
    this.#decider.refreshGauge()
    this.#tasks.spawn(this.#catchUp.openJobs())
    this.#tasks.spawn(this.#catchUp.certificates())
    this.#tasks.spawn(this.#catchUp.whileStalled())
  }

  /**
   * The first step of a graceful stop (drain.ts): from now on no new job is
   * taken and no new measurement starts; resolves once the own work already
   * queued has ended, or when `signal` aborts (the node's drain bound, or a
   * forced stop), whichever comes first. Votes, seeds and decisions of the
   * open jobs go on meanwhile. Returns how many jobs still had work then.
   */
  async drain (signal: AbortSignal): Promise<number> {
    this.#drain.drain()
    if (!signal.aborted) {
      let onAbort = (): void => {}
      const aborted = new Promise<void>((resolve) => { onAbort = resolve; signal.addEventListener('abort', onAbort, { once: true }) })
      await Promise.race([this.#lifecycle.workIdle(), aborted])
      signal.removeEventListener('abort', onAbort)
    }
    return this.#drain.inFlight
  }

  /** Whether the node is stopping (it takes no new job). */
  get draining (): boolean {
    return this.#drain.draining
  }

  /** Jobs whose own work is queued or running now. */
  get workInFlight (): number {
    return this.#drain.inFlight
  }

  /** How the own work in flight ended since the stop began: finished on its own, or abandoned by {@link stop} (read after it). */
  drainReport (): DrainReport {
    return this.#drain.report()
  }

  /** Stops timers and in-flight work (what is still running is abandoned), and waits for pending writes. */
  async stop (): Promise<void> {
    this.#drain.drain()
    this.#tasks.stop()
    this.#jobs.stopAll()
    await this.#tasks.settled()
    await this.#lifecycle.idle()
  }

  /** This node's reputation view (validators without a record have the initial reputation). */
  reputations (): Map<string, ReputationRecord> {
    return this.#reputations.all()
  }

  /** One validator's reputation in this node's view (the initial one when it has no record). */
  reputationOf (publicKey: string): ReputationRecord {
    return this.#reputations.of(publicKey)
  }

  /** Number of votes held before they can be counted: their job or its seed is not known yet (vote-buffer.ts). */
  get heldVotes (): number {
    return this.#buffer.size
  }

  /** Jobs whose seed shares or certificates the seed phase holds (bounded by its `maxHeldJobs`). */
  get seedJobsHeld (): number {
    return this.#seeds.heldJobs
  }

  /** Final jobs in the certificate catch-up's serving index (bounded by `MAX_INDEXED_JOBS`). */
  get certifiedJobsIndexed (): number {
    return this.#certified.size
  }

  /** Decision steps queued or running: all jobs together, and of the job with the most (bounded by `decisionStepsPerValidator`). */
  get decisionSteps (): { all: number, longest: number } {
    return this.#lifecycle.decisionSteps
  }

  /**
   * Throws `ERR_TOO_MANY_OPEN_JOBS` (503) when this node has its cap of own
   * jobs that may still be open on other nodes (job-caps.ts); the submission
   * path asks before it optimizes anything, and {@link submit} again.
   */
  checkSubmission (): void {
    this.#caps.checkOwn()
  }

  /** Blob bytes in memory within the blob budget (reserved by transfers and measurements), and bytes waited for (blob-budget.ts). */
  get blobBytes (): { held: number, waiting: number } {
    return this.#budget.bytes
  }

  /** Number of jobs still pending on this node. */
  get openJobs (): number {
    return this.#jobs.size
  }

  /**
   * Creates, signs (new-job.ts), stores and gossips a job; this node then
   * measures and votes like every other. The node's admission rules ran
   * before (node/wiring/job-admission.ts).
   *
   * With `request.pin` (an economy slot's run, which may be a run again
   * after a crash) the job is signed with the stored pin's creation time
   * and nonce. When this node already holds that job, an earlier run
   * announced it (a job is stored before it is gossiped): it is returned,
   * and gossiped again while open (the crash may have come between the
   * two), instead of a second job. Otherwise no run announced it; a pin
   * older than {@link MAX_PIN_AGE_MS} is renewed (stored again) first, so
   * the job does not lose its voting time to a long downtime.
   */
  async submit (request: NewJobRequest): Promise<JobView> {
    if (this.#drain.draining) throw new TrustEngineError(ERR_NODE_STOPPING, 'the node is stopping: it takes no new job')
    const parts = { ...this.#components, signal: this.#tasks.signal }
    let signed: { job: JobAnnouncement, jobId: string }
    if (request.pin !== undefined) {
      const { pin, ...rest } = request
      let pinned = await pin(false)
      signed = await signNewJob(parts, { ...rest, pinned })
      const known = await this.#views.get(signed.jobId)
      if (known !== null) {
        if (this.#jobs.has(signed.jobId)) await this.#components.net.publish('jobs', canonicalEncode(signed.job))
        return known
      }
      if (this.#components.clock() - pinned.createdAt > MAX_PIN_AGE_MS) {
        pinned = await pin(true)
        signed = await signNewJob(parts, { ...rest, pinned })
      }
    } else {
      signed = await signNewJob(parts, request)
    }
    const { job, jobId } = signed
    this.#caps.checkOwn()
    this.#caps.own(job, jobId)
    await this.#lifecycle.submitted(job, jobId)
    await this.#components.net.publish('jobs', canonicalEncode(job))
    return (await this.#views.get(jobId))!
  }

  /** Gossip validator and handler of the jobs topic: throws a typed error to REJECT or IGNORE. */
  async onJobMessage (data: Uint8Array): Promise<void> {
    const { job, jobId } = checkJobMessage(data, this.#components.network, this.#components.clock())
    // [IGNORE] not penalised: the sender is right; this node learns the job from its peers after its restart if it is still open.
    if (this.#drain.draining) throw new TrustEngineError(ERR_NODE_STOPPING, 'the node is stopping: it takes no new job', { action: 'ignore' })
    await this.#lifecycle.announced(job, jobId)
  }

  /**
   * Gossip validator and handler of the votes topic; never waits on a
   * measurement. Returns the vote taken in, once it is stored: a vote that
   * decides nothing is waited for here, after its job's decision queue has
   * gone on to its next step (vote-intake.ts).
   */
  async onVoteMessage (data: Uint8Array): Promise<Vote> {
    const vote = checkVoteMessage(data, this.#components.network, this.#components.metrics)
    const taken = await this.#lifecycle.admit(vote.jobId, async () => await this.#intake.vote(vote)).catch((err: unknown) => this.#catchUp.afterUnknownJob(err))
    await taken?.stored
    return vote
  }

  /** Gossip validator and handler of the seeds topic: seed shares and seed certificates (protocol/seed.ts). */
  async onSeedMessage (data: Uint8Array): Promise<void> {
    await this.#seeds.onMessage(data).catch((err: unknown) => this.#catchUp.afterUnknownJob(err))
  }

  /** Gossip validator and handler of the evidence topic. */
  async onEvidenceMessage (data: Uint8Array): Promise<void> {
    const { evidence, offender, jobId } = checkEvidenceMessage(data, this.#components.network)
    await this.#lifecycle.admit(jobId, async () => {
      if (await this.#components.repos.evidence.has({ offender, jobId })) {
        throw new TrustEngineError(ERR_DUPLICATE, 'evidence already known', { action: 'ignore' }) // [IGNORE] duplicate
      }
      await this.#intake.evidence(evidence, offender, false)
    })
  }

  /**
   * Runs `step` on the job's decision queue, after the steps queued before
   * it: retention (node/wiring/retention.ts) prunes a decided job there, so a
   * prune never interleaves with a late vote or a certificate of that job.
   */
  async serial<T> (jobId: string, step: () => Promise<T>): Promise<T> {
    return await this.#lifecycle.decision(jobId, step)
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

  /**
   * The signed votes this node holds for a job, as gossiped (served to peers
   * catching up). For a decided job whose votes retention pruned, the
   * certificate's votes (none for a disputed one), after the seed certificate.
   */
  async votesFor (jobId: string): Promise<Uint8Array[]> {
    const open = this.#jobs.get(jobId)
    const stored = open === undefined ? await this.#components.repos.jobs.get(jobId) : null
    const votes = open !== undefined
      ? votesOf(open)
      : stored !== null && stored.prunedAt !== null
        ? await this.#views.certifiedVotes(stored)
        : (await this.#components.repos.votes.listByJob(jobId)).map((e) => e.value)
    const seed = open?.record.seed ?? stored?.seed ?? null
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

  /** The certificate of a final job, or null. */
  async certificate (jobId: string): Promise<Certificate | null> {
    return await this.#components.repos.certificates.get(jobId)
  }

  /** A peer was admitted (again): ask it for the certificates of jobs decided meanwhile and for its open jobs, paced (catch-up.ts). */
  onPeerAdmitted (peer: string): void {
    if (this.#tasks.stopped) return
    this.#tasks.spawn(this.#catchUp.certificatesFrom(peer))
    this.#tasks.spawn(this.#catchUp.openJobsOfAdmitted(peer))
  }

  /** A job was decided here: tell the node, keep the certificate listed, and let a simulated launderer publish its late copy (node/job/faults.ts). */
  #decided (view: JobView): void {
    if (view.final) this.#certified.decided(view.timings.createdAt, view.jobId)
    this.#components.onFinal(view)
    const late = this.#components.fault?.afterDecided?.(view) ?? null
    if (late !== null) this.#tasks.spawn(this.#ownVote.publishLate(view.jobId, view.round, late))
  }
}

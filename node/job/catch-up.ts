/**
 * How a node learns what gossip did not bring it (docs/networking.md): at
 * start, and from each peer admitted (again) later, the jobs still open at
 * its peers and, for each open job, the votes gossiped while it was down; while a job has no seed, that job's votes
 * stream every `seedFetchMs` (it starts with the seed certificate, or the
 * seed shares peers hold); on a message for a job it does not know, the
 * peers' open jobs again, paced; while a seeded job gains no vote for
 * `stalledJobFetchMs`, its votes again, at doubling intervals; and the
 * certificates of jobs decided while it was away, at start, when a peer is
 * admitted again and from one peer every `certificateSyncMs`, paced per
 * peer.
 *
 * Every byte that comes back is untrusted and taken in through the same
 * gossip handlers as a message from the topic.
 */
import type { Logger } from 'pino'
import type { NodeMetrics } from '../metrics.ts'
import { MAX_SEED_CERTIFICATE_BYTES } from '../../protocol/constants.ts'
import { decodeJson } from '../../protocol/decode.ts'
import { decodeJob, jobIdOf } from '../../protocol/job.ts'
import { sleep } from '../async/sleep.ts'
import type { BackgroundTasks } from './background.ts'
import type { CertifiedJobs } from './certified-jobs.ts'
import { roundOver } from './deadline.ts'
import { ERR_UNKNOWN_JOB } from './errors.ts'
import type { OpenJob, OpenJobs } from './open-jobs.ts'
import type { JobNetworkPort } from './ports.ts'
import type { JobEngineOptions } from './engine-options.ts'
import { isTerminal } from './records.ts'
import { ERR_SEED_UNKNOWN_JOB, type SeedPhase } from './seed-phase.ts'

/** Options of catch-up: the engine's options of that name, each with its reason in engine-options.ts. */
export type CatchUpOptions = Pick<JobEngineOptions, 'seedFetchMs' | 'certificateSyncMs' | 'certificatePeers' | 'missedJobFetchMs' | 'stalledJobFetchMs' | 'stalledJobsPerPass'>

/** The gossip handlers catch-up takes its answers in through. */
export interface GossipHandlers {
  job: (data: Uint8Array) => Promise<void>
  vote: (data: Uint8Array) => Promise<void>
  seed: (data: Uint8Array) => Promise<void>
}

/** What catch-up is wired to. */
export interface CatchUpComponents {
  net: JobNetworkPort
  clock: () => number
  logger: Logger
  jobs: OpenJobs
  seeds: SeedPhase
  certified: CertifiedJobs
  tasks: BackgroundTasks
  take: GossipHandlers
  /** Counts each ask made of the peers (`catch_up_asks_total{kind}`). */
  metrics: NodeMetrics
}

/**
 * Peers asked for their open jobs because they were admitted, at most this
 * many within `missedJobFetchMs`: one honest peer has every open job, three
 * outvote a peer that answers nothing, and a node reconnecting to a hundred
 * peers does not decode a hundred copies.
 */
export const ADMITTED_OPEN_JOBS_PEERS = 3

/** A node's catch-up with its peers. */
export class CatchUp {
  readonly #components: CatchUpComponents
  readonly #options: CatchUpOptions
  /** When each peer was last asked for certificates (see `certificateSyncMs`). */
  readonly #certificatesAskedAt = new Map<string, number>()
  /** When this node last asked its peers for open jobs because of a message for an unknown job (see `missedJobFetchMs`). */
  #missedJobsAskedAt: number | null = null
  /** When each peer was last asked for its open jobs on its admission (see {@link openJobsOfAdmitted}). */
  readonly #openJobsAskedAt = new Map<string, number>()
  /** Per seeded open job: its vote count when last looked at, since when it has not changed (or since the last ask), and the wait before the next ask. */
  readonly #stalled = new Map<string, { votes: number, since: number, wait: number }>()

  /** Catch-up over the given parts. */
  constructor (components: CatchUpComponents, options: CatchUpOptions) {
    this.#components = components
    this.#options = options
  }

  /**
   * Rethrows `err`; when it says the message was for a job this node does not
   * know, first asks peers for their open jobs (at most once per
   * `missedJobFetchMs`), so a missed announcement is learnt and the held votes
   * counted.
   */
  afterUnknownJob (err: unknown): never {
    const { clock, tasks } = this.#components
    const code = (err as { code?: unknown } | null)?.code
    if (code === ERR_UNKNOWN_JOB || code === ERR_SEED_UNKNOWN_JOB) {
      const now = clock()
      if (!tasks.stopped && (this.#missedJobsAskedAt === null || now - this.#missedJobsAskedAt >= this.#options.missedJobFetchMs)) {
        this.#missedJobsAskedAt = now
        tasks.spawn(this.openJobs())
      }
    }
    throw err
  }

  /**
   * After a start, and after a message for a job this node does not know:
   * asks peers for the jobs still open there that this node missed, takes
   * each announcement in as if it came over gossip, and catches up on the
   * votes of those it accepts.
   */
  async openJobs (): Promise<void> {
    const { net, tasks, metrics } = this.#components
    metrics.catchUp.asks.inc({ kind: 'open-jobs' })
    await this.#takeOpenJobs(await net.openJobs(tasks.signal))
  }

  /**
   * A peer was admitted (again): asks it for its open jobs, unless it, or
   * {@link ADMITTED_OPEN_JOBS_PEERS} others, were asked so within
   * `missedJobFetchMs`. The ask at start waits a bounded time for a first
   * admitted peer; on a loaded machine, or when the peers come up after this
   * node, admission comes later, and across a partition a node misses the
   * announcements of the other side. A job whose seed or finality waits for
   * this node's share or vote would then send it nothing that makes it ask
   * ({@link afterUnknownJob}), and stay open until its deadline.
   */
  async openJobsOfAdmitted (peer: string): Promise<void> {
    const { net, clock, tasks, metrics } = this.#components
    const now = clock()
    const window = this.#options.missedJobFetchMs
    const last = this.#openJobsAskedAt.get(peer)
    const recent = [...this.#openJobsAskedAt.values()].filter((t) => now - t < window).length
    if (tasks.stopped || (last !== undefined && now - last < window) || recent >= ADMITTED_OPEN_JOBS_PEERS) return
    this.#openJobsAskedAt.delete(peer)
    this.#openJobsAskedAt.set(peer, now)
    if (this.#openJobsAskedAt.size > 4096) this.#openJobsAskedAt.delete(this.#openJobsAskedAt.keys().next().value!)
    metrics.catchUp.asks.inc({ kind: 'open-jobs' })
    await this.#takeOpenJobs(await net.openJobs(tasks.signal, peer))
  }

  /** Takes in announcements of open jobs as if they came over gossip, and catches up on the votes of those accepted. */
  async #takeOpenJobs (announcements: Uint8Array[]): Promise<void> {
    const { tasks, jobs, take, logger } = this.#components
    let taken = 0
    for (const bytes of announcements) {
      if (tasks.stopped) return
      let jobId: string
      try {
        jobId = jobIdOf(decodeJob(bytes))
        await take.job(bytes)
      } catch {
        continue
      }
      taken++
      const open = jobs.get(jobId)
      if (open !== undefined) tasks.spawn(this.votes(open))
    }
    if (taken > 0) logger.info({ jobs: taken }, 'caught up on open jobs')
  }

  /**
   * After a (re)start: asks peers for the votes of an open job gossiped while
   * this node was down, and takes each in as if it came over gossip.
   */
  async votes (open: OpenJob): Promise<void> {
    const { net, tasks, take, logger, metrics } = this.#components
    metrics.catchUp.asks.inc({ kind: 'votes' })
    const votes = await net.catchUp(open.record.jobId, open.abort.signal)
    let taken = 0
    for (const bytes of votes) {
      if (tasks.stopped || isTerminal(open.record.status)) break
      const taking = isSeedMessageBytes(bytes) ? take.seed(bytes) : take.vote(bytes)
      await taking.then(() => { taken++ }, () => {})
    }
    if (taken > 0) logger.info({ jobId: open.record.jobId, votes: taken }, 'caught up on votes')
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
  async seedWhileMissing (open: OpenJob): Promise<void> {
    const { tasks, jobs, seeds, clock } = this.#components
    const { jobId } = open.record
    const wait = this.#options.seedFetchMs
    while (!tasks.stopped && jobs.has(jobId) && seeds.knownSeed(jobId) === null) {
      await sleep(wait, open.abort.signal)
      if (open.abort.signal.aborted) return
      if (seeds.knownSeed(jobId) !== null || roundOver(open.record.job, open.record.round, clock())) return
      await this.votes(open)
    }
  }

  /**
   * Until the engine stops, every half `stalledJobFetchMs`: {@link stalledPass};
   * and every `certificateSyncMs`, the certificates of one admitted peer (in
   * turn), so a job this node missed altogether (its announcement and its
   * votes, as an observer with one peer can) is learnt within a minute or
   * two, not only when a peer is admitted again.
   */
  async whileStalled (): Promise<void> {
    const { tasks, clock, net } = this.#components
    const every = Math.max(1, this.#options.stalledJobFetchMs / 2)
    let certificatesAt = clock()
    let turn = 0
    while (!tasks.stopped) {
      await sleep(every, tasks.signal)
      if (tasks.stopped) return
      await this.stalledPass()
      if (clock() - certificatesAt >= this.#options.certificateSyncMs) {
        certificatesAt = clock()
        const peers = await net.catchUpPeers(tasks.signal)
        if (peers.length > 0) await this.certificatesFrom(peers[turn++ % peers.length]!)
      }
    }
  }

  /**
   * Gossip can miss a vote for good (a mesh not yet formed when it was
   * published, an observer with one peer, a short cut): the job would then
   * wait for its deadline and be decided there on fewer votes than its
   * peers counted, or not at all. So a seeded open job whose vote count
   * has not changed for `stalledJobFetchMs` asks its peers for its votes
   * ({@link votes}); if still no vote comes, again after twice as long, and
   * so on. At most `stalledJobsPerPass` jobs ask per pass, the longest
   * stalled first. Jobs without a seed are left to {@link seedWhileMissing},
   * which asks every `seedFetchMs` already.
   */
  async stalledPass (): Promise<void> {
    const { jobs, seeds, clock } = this.#components
    const now = clock()
    const base = this.#options.stalledJobFetchMs
    const due: Array<{ open: OpenJob, since: number }> = []
    const seen = new Set<string>()
    for (const open of jobs.values()) {
      const { jobId } = open.record
      if (isTerminal(open.record.status) || seeds.knownSeed(jobId) === null) continue
      seen.add(jobId)
      let votes = 0
      for (const r of open.rounds) votes += r?.votes.size ?? 0
      const state = this.#stalled.get(jobId)
      if (state === undefined || state.votes !== votes) {
        this.#stalled.set(jobId, { votes, since: now, wait: base })
      } else if (now - state.since >= state.wait) {
        due.push({ open, since: state.since })
      }
    }
    for (const jobId of this.#stalled.keys()) if (!seen.has(jobId)) this.#stalled.delete(jobId)
    due.sort((a, b) => a.since - b.since)
    for (const { open } of due.slice(0, this.#options.stalledJobsPerPass)) {
      const state = this.#stalled.get(open.record.jobId)!
      state.since = now
      state.wait *= 2
      await this.votes(open)
    }
  }

  /** After a start: asks up to a few admitted peers for the certificates of jobs decided while this node was away. */
  async certificates (): Promise<void> {
    const { net, tasks } = this.#components
    for (const peer of await net.catchUpPeers(tasks.signal)) await this.certificatesFrom(peer)
  }

  /**
   * Asks one peer for certificates (verified and stored by {@link CertifiedJobs}), unless it or
   * `certificatePeers` others were asked within `certificateSyncMs`; a peer that serves a bad one is
   * penalised with its code.
   */
  async certificatesFrom (peer: string): Promise<void> {
    const { net, clock, tasks, certified, metrics } = this.#components
    const now = clock()
    const window = this.#options.certificateSyncMs
    const last = this.#certificatesAskedAt.get(peer)
    const recent = [...this.#certificatesAskedAt.values()].filter((t) => now - t < window).length
    if (tasks.stopped || (last !== undefined && now - last < window) || recent >= this.#options.certificatePeers) return
    this.#certificatesAskedAt.delete(peer)
    this.#certificatesAskedAt.set(peer, now)
    if (this.#certificatesAskedAt.size > 4096) this.#certificatesAskedAt.delete(this.#certificatesAskedAt.keys().next().value!)
    metrics.catchUp.asks.inc({ kind: 'certificates' })
    const items = net.certificates(peer, certified.since(), tasks.signal)
    await certified.catchUpFrom(peer, items, (p, code) => { net.penalise(p, code) })
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

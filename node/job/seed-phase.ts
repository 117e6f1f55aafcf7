/**
 * The seed phase of the jobs on one node (protocol/seed.ts): publish this
 * validator's VRF share when a job is accepted; as a job's submitter, collect
 * shares until they hold more than 2/3 of the base weight, then sign and
 * publish the seed certificate; take the first valid seed certificate of each
 * job and hand its seed to whoever waits for it (the measurement).
 *
 * Shares and certificates arriving before their job are held, bounded: one
 * share per validator and job, at most `maxHeldJobs` jobs, oldest dropped
 * first. A job's seed is fixed by the first valid certificate this node
 * sees; a submitter that signs two only splits its own job's votes.
 */
import { canonicalEncode } from '../../protocol/canonical.ts'
import { TrustEngineError, declareCode } from '../../protocol/errors.ts'
import type { JobAnnouncement } from '../../protocol/job.ts'
import type { NetworkConfig } from '../../protocol/network.ts'
import { baseWeightOf, totalBaseWeight } from '../../protocol/network.ts'
import {
  type SeedCertificate, type SeedShare, buildSeedCertificate, decodeSeedCertificate, decodeSeedShare, makeSeedShare,
  verifySeedCertificate, verifySeedShare
} from '../../protocol/seed.ts'
import { decodeJson } from '../../protocol/decode.ts'
import { MAX_SEED_CERTIFICATE_BYTES } from '../../protocol/constants.ts'
import { ERR_ABORTED, ERR_DUPLICATE } from './errors.ts'

/** Code of a seed message for a job this node does not know (held for a while, IGNOREd). */
export const ERR_SEED_UNKNOWN_JOB = declareCode('ERR_SEED_UNKNOWN_JOB', { status: 404 })

/** Options of the seed phase. */
export interface SeedPhaseOptions {
  /**
   * Jobs whose seed states are held: the open jobs' and those of jobs not
   * known (yet) whose shares came first. The engine sets it from the
   * open-jobs cap ({@link seedJobsBound}), so an open job's state is never
   * dropped while the open jobs stay within the cap; 256 here, for a seed
   * phase used alone.
   */
  maxHeldJobs: number
}

/** Defaults of {@link SeedPhaseOptions}. */
export const DEFAULT_SEED_PHASE_OPTIONS: SeedPhaseOptions = { maxHeldJobs: 256 }

/**
 * Seed states beyond the open jobs' for jobs this node does not track: 256
 * jobs whose shares overtook their announcement, or decided ones, × ≤ 1000
 * shares of ~300 bytes, under 100 MiB even at the largest network.
 */
export const SEED_JOBS_NOT_OPEN = 256

/**
 * `maxHeldJobs` for a node whose open jobs are capped at
 * `maxOpenJobsPerSubmitter` per submitter: every open job of every
 * validator, plus {@link SEED_JOBS_NOT_OPEN}.
 */
export function seedJobsBound (network: NetworkConfig, maxOpenJobsPerSubmitter: number): number {
  return maxOpenJobsPerSubmitter * network.validators.length + SEED_JOBS_NOT_OPEN
}

/** What the seed phase needs. */
export interface SeedPhaseComponents {
  network: NetworkConfig
  key: { publicKey: string, privateKey: string }
  /** True when this node takes part as a validator (publishes shares). */
  shares: boolean
  publish: (data: Uint8Array) => Promise<unknown>
  /** The job announcement of `jobId` when this node knows it: an open job's, or one being accepted (checked, its record not yet written). */
  jobOf: (jobId: string) => JobAnnouncement | null
  /** Called once per job when its seed is fixed (to persist it with the job), with the time it was fixed. */
  onSeed: (jobId: string, seed: string, certificate: SeedCertificate, fixedAt: number) => Promise<void>
  /** The node's clock (ms since the epoch): when a seed was fixed. */
  clock: () => number
}

interface JobSeeds {
  /** This validator's own share was made and published. */
  shared: boolean
  shares: Map<string, SeedShare>
  weight: number
  certificate: SeedCertificate | null
  seed: string | null
  waiters: Array<(seed: string) => void>
  heldCertificates: SeedCertificate[]
}

/** The seed phase of one node. */
export class SeedPhase {
  readonly #components: SeedPhaseComponents
  readonly #options: SeedPhaseOptions
  readonly #jobs = new Map<string, JobSeeds>()
  readonly #total: number

  constructor (components: SeedPhaseComponents, options: Partial<SeedPhaseOptions> = {}) {
    this.#components = components
    this.#options = { ...DEFAULT_SEED_PHASE_OPTIONS, ...options }
    this.#total = totalBaseWeight(components.network)
  }

  /**
   * Publishes this validator's share of a job once (a validator only): it
   * depends on the job id alone, so it goes out as soon as the announcement
   * is checked, before the job is stored, and the submitter's seed phase
   * need not wait for this node's write. Deterministic (the VRF proof is
   * unique), so a share published again after a restart is the same bytes.
   */
  async share (jobId: string): Promise<void> {
    if (!this.#components.shares) return
    const state = this.#state(jobId)
    if (state.shared || state.seed !== null) return
    state.shared = true
    const share = makeSeedShare(this.#components.network, jobId, this.#components.key)
    await this.#takeShare(state, share, null, jobId)
    await this.#components.publish(canonicalEncode(share))
  }

  /** A job was accepted: remembers a seed already fixed (after a restart), else publishes this validator's share (once) and takes held messages in. */
  async accepted (job: JobAnnouncement, jobId: string, known: { seed: string, certificate: SeedCertificate } | null): Promise<void> {
    const state = this.#state(jobId)
    if (known !== null) {
      this.#fix(state, known.seed, known.certificate)
      return
    }
    for (const cert of state.heldCertificates.splice(0)) await this.#takeCertificate(state, cert, job, jobId).catch(() => {})
    await this.share(jobId)
    await this.#maybeCertify(state, job, jobId)
  }

  /** The job's seed once fixed; waits for it (rejects when `signal` aborts). */
  async seedOf (jobId: string, signal: AbortSignal): Promise<string> {
    const state = this.#state(jobId)
    if (state.seed !== null) return state.seed
    return await new Promise<string>((resolve, reject) => {
      const waiter = (seed: string): void => { signal.removeEventListener('abort', onAbort); resolve(seed) }
      // A waiter that gave up is no longer one: the state of its job may go again.
      const onAbort = (): void => {
        const i = state.waiters.indexOf(waiter)
        if (i >= 0) state.waiters.splice(i, 1)
        reject(new TrustEngineError(ERR_ABORTED, 'stopped waiting for the seed'))
      }
      if (signal.aborted) { onAbort(); return }
      signal.addEventListener('abort', onAbort, { once: true })
      state.waiters.push(waiter)
    })
  }

  /** The seed certificate of a job once fixed, else null. */
  certificateOf (jobId: string): SeedCertificate | null {
    return this.#jobs.get(jobId)?.certificate ?? null
  }

  /**
   * The shares held for a job whose seed is not fixed yet (none once it is):
   * served to peers catching up, so a submitter that missed shares on gossip
   * (a partition, a restart) can still collect them.
   */
  sharesOf (jobId: string): SeedShare[] {
    const state = this.#jobs.get(jobId)
    return state === undefined || state.seed !== null ? [] : [...state.shares.values()]
  }

  /** The job's seed once fixed, else null. */
  knownSeed (jobId: string): string | null {
    return this.#jobs.get(jobId)?.seed ?? null
  }

  /** Jobs whose seed states this node holds (at most `maxHeldJobs`): open jobs, decided ones not forgotten yet, and unknown jobs whose shares came first. */
  get heldJobs (): number {
    return this.#jobs.size
  }

  /** Forgets a decided job. */
  forget (jobId: string): void {
    this.#jobs.delete(jobId)
  }

  /** Gossip validator and handler of the seeds topic: a share or a certificate. Throws a typed error to REJECT or IGNORE. */
  async onMessage (data: Uint8Array): Promise<void> {
    const type = (decodeJson(data, MAX_SEED_CERTIFICATE_BYTES, 'seed message') as { type?: unknown } | null)?.type
    if (type === 'seed-certificate') {
      const cert = decodeSeedCertificate(data) // [REJECT] oversized, malformed, schema-invalid
      const job = this.#components.jobOf(cert.jobId)
      const state = this.#state(cert.jobId)
      if (state.certificate !== null) throw new TrustEngineError(ERR_DUPLICATE, 'seed already fixed', { action: 'ignore' }) // [IGNORE]
      if (job === null) {
        if (state.heldCertificates.length < 2) state.heldCertificates.push(cert)
        throw new TrustEngineError(ERR_SEED_UNKNOWN_JOB, 'seed certificate for a job not known yet (held)', { action: 'ignore' })
      }
      await this.#takeCertificate(state, cert, job, cert.jobId) // [REJECT] does not fix a seed
      return
    }
    const share = decodeSeedShare(data) // [REJECT] oversized, malformed, schema-invalid
    verifySeedShare(share, this.#components.network) // [REJECT] other network, non-validator, bad proof
    const state = this.#state(share.jobId)
    if (state.shares.has(share.validator)) throw new TrustEngineError(ERR_DUPLICATE, 'share already held', { action: 'ignore' }) // [IGNORE]
    const job = this.#components.jobOf(share.jobId)
    await this.#takeShare(state, share, job, share.jobId)
    if (job !== null) await this.#maybeCertify(state, job, share.jobId)
  }

  #state (jobId: string): JobSeeds {
    let state = this.#jobs.get(jobId)
    if (state === undefined) {
      while (this.#jobs.size >= this.#options.maxHeldJobs) {
        // Drop the oldest state of a job this node does not track (unknown, or decided) that nobody waits for. An
        // open job's state goes only when every state held is an open job's: more open jobs than the bound, which
        // the open-jobs cap rules out when `maxHeldJobs` is sized by seedJobsBound.
        const victim = [...this.#jobs.entries()].find(([id, s]) => s.waiters.length === 0 && this.#components.jobOf(id) === null)?.[0] ?? this.#jobs.keys().next().value!
        this.#jobs.delete(victim)
      }
      state = { shared: false, shares: new Map(), weight: 0, certificate: null, seed: null, waiters: [], heldCertificates: [] }
      this.#jobs.set(jobId, state)
    }
    return state
  }

  async #takeShare (state: JobSeeds, share: SeedShare, _job: JobAnnouncement | null, _jobId: string): Promise<void> {
    if (state.shares.has(share.validator)) return
    state.shares.set(share.validator, share)
    state.weight += baseWeightOf(this.#components.network, share.validator)
  }

  /**
   * As the job's submitter: certify once the shares hold more than 2/3 (all
   * shares held then go in). The certificate is fixed here, then published
   * before it is stored: the other nodes measure as soon as it reaches them,
   * not after this node's write.
   */
  async #maybeCertify (state: JobSeeds, job: JobAnnouncement, jobId: string): Promise<void> {
    if (state.certificate !== null || job.submitter !== this.#components.key.publicKey) return
    if (!(3 * state.weight > 2 * this.#total)) return
    const cert = buildSeedCertificate(this.#components.network, jobId, [...state.shares.values()], this.#components.key.privateKey)
    const stored = this.#takeCertificate(state, cert, job, jobId)
    await this.#components.publish(canonicalEncode(cert))
    await stored
  }

  /** Verifies a certificate and, when it is the job's first, fixes its seed (waiters run at once) and stores it. */
  async #takeCertificate (state: JobSeeds, cert: SeedCertificate, job: JobAnnouncement, jobId: string): Promise<void> {
    if (state.certificate !== null) return
    const { seed } = verifySeedCertificate(cert, job, this.#components.network, jobId)
    const fixedAt = this.#components.clock()
    this.#fix(state, seed, cert)
    await this.#components.onSeed(jobId, seed, cert, fixedAt)
  }

  #fix (state: JobSeeds, seed: string, cert: SeedCertificate): void {
    state.certificate = cert
    state.seed = seed
    state.heldCertificates = []
    for (const w of state.waiters.splice(0)) w(seed)
  }
}

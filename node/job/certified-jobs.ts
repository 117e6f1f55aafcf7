/**
 * Certificate catch-up on one node: the jobs decided while it was away.
 *
 * Serving side: an index of this node's final jobs (job `createdAt`, job
 * id), newest first, from which peers page the certificates of the jobs
 * created since a moment (node/p2p/certificate-sync.ts).
 *
 * Receiving side: every certificate a peer serves is untrusted. It is
 * decoded (size, JSON, schema, metric ranges) and checked with
 * `verifyCertificate` against this node's network file, which re-applies
 * the job's rules (`checkJobRules`), the job's and every vote's signature,
 * the seed certificate, the quorum of base weight, the round that may
 * decide and the status. Only then is the job stored as final on this node:
 * its record (status, values, round, seed), the certificate, the
 * certificate's votes, a verdict and the `job.certified` audit entry, in
 * one batch. A certificate that fails is refused with its code, and the
 * peer that served it is penalised and not read further.
 *
 * Reputation does not change: a certificate holds the agreeing votes only,
 * so it cannot judge the validators that deviated, and reputation is each
 * node's own view of the votes it saw in time. Jobs still open on this node
 * are left to the live path (vote catch-up, deadline); a job this node
 * disputed at its deadline takes the certified outcome, since a valid
 * certificate proves the network's one verdict.
 */
import type { Logger } from 'pino'
import { canonicalEncode } from '../../protocol/canonical.ts'
import { type Certificate, decodeCertificate, maxCertificateBytesFor } from '../../protocol/certificate.ts'
import { ERR_CERT_NETWORK, verifyCertificate } from '../../protocol/certificate-verify.ts'
import { ERR_TOO_LARGE } from '../../protocol/decode.ts'
import { TrustEngineError } from '../../protocol/errors.ts'
import type { NetworkConfig } from '../../protocol/network.ts'
import type { JobView } from '../types.ts'
import type { JobViews } from './job-views.ts'
import type { JobWrites } from './job-writes.ts'
import { type JobRecord, type VoteRecord, newJobRecord } from './records.ts'
import type { NodeRepositories } from './repositories.ts'

/** Reason of a job stored from a peer's certificate (this node did not tally it). */
export const REASON_CERTIFICATE = 'certificate'

/** What a certificate did on intake. */
export type CertificateIntake = 'stored' | 'known' | 'open'

/** What the certified jobs are wired to. */
export interface CertifiedJobsComponents {
  network: NetworkConfig
  repos: NodeRepositories
  writes: JobWrites
  views: JobViews
  clock: () => number
  logger: Logger
  /** Runs `fn` on the job's decision queue (so intake never races the live path). */
  serial: (jobId: string, fn: () => Promise<void>) => Promise<void>
  /** True while the job is open on this node. */
  isOpen: (jobId: string) => boolean
  /** Validators this node holds equivocation evidence against for the job (named in a new record). */
  equivocatorsOf: (jobId: string) => Promise<string[]>
  /** A job became final from a certificate; `was` is its status before (null when unknown). */
  onCertified: (view: JobView, was: string | null) => void
}

/**
 * Final jobs kept in the serving index. Peers are served a prefix of the
 * newest (at most 1024, node/p2p/certificate-sync.ts), so older entries are
 * never read; the bound keeps a long-running node's memory flat.
 */
export const MAX_INDEXED_JOBS = 4096

interface IndexEntry {
  createdAt: number
  jobId: string
}

/** The final jobs of a node for peers, and the intake of peers' certificates. */
export class CertifiedJobs {
  readonly #components: CertifiedJobsComponents
  /** Final jobs, newest `createdAt` first (ties by job id), at most MAX_INDEXED_JOBS. */
  readonly #index: IndexEntry[] = []
  readonly #indexed = new Set<string>()
  #newestKnown: number | null = null

  /** Certified jobs over the given parts. */
  constructor (components: CertifiedJobsComponents) {
    this.#components = components
  }

  /** Notes a job this node knows (at start, for the catch-up's lower bound); indexes it when final. */
  saw (record: JobRecord): void {
    this.#newestKnown = Math.max(this.#newestKnown ?? 0, record.job.createdAt)
    if (record.status === 'validated' || record.status === 'rejected') this.#add(record.job.createdAt, record.jobId)
  }

  /**
   * The `since` of a catch-up request: the jobs created since the newest
   * job this node knows, less twice the longest deadline span and the clock
   * skew (a job decided after this node last ran may have been created that
   * much earlier); 0 when it knows none (a new node).
   */
  since (): number {
    if (this.#newestKnown === null) return 0
    const { maxVoteMs, clockSkewMs } = this.#components.network.deadlines
    return Math.max(0, this.#newestKnown - 2 * maxVoteMs - clockSkewMs)
  }

  /** Job ids of final jobs created at or after `since`, newest first, at most `limit`. */
  list (since: number, limit: number): string[] {
    const out: string[] = []
    for (const e of this.#index) {
      if (e.createdAt < since || out.length >= limit) break
      out.push(e.jobId)
    }
    return out
  }

  /** The canonical bytes of a job's certificate, or null. */
  async load (jobId: string): Promise<Uint8Array | null> {
    const cert = await this.#components.repos.certificates.get(jobId)
    return cert === null ? null : canonicalEncode(cert)
  }

  /**
   * Takes one certificate a peer served: returns what it did, or throws a
   * typed error with the refusal's code (decoding codes, `ERR_CERT_*`).
   */
  async take (bytes: Uint8Array): Promise<CertificateIntake> {
    // [REFUSE] larger than any genuine certificate of this network, before the costly decoding
    const max = maxCertificateBytesFor(this.#components.network)
    if (bytes.byteLength > max) throw new TrustEngineError(ERR_TOO_LARGE, `certificate of ${bytes.byteLength} bytes exceeds the ${max} any certificate of this network takes`)
    const cert = decodeCertificate(bytes) // [REFUSE] oversized, malformed, schema-invalid, metric out of range
    const { repos } = this.#components
    if (this.#indexed.has(cert.jobId) || (await repos.certificates.has(cert.jobId))) return 'known'
    if (this.#components.isOpen(cert.jobId)) return 'open'
    const result = verifyCertificate(cert, this.#components.network) // [REFUSE] any certificate check fails
    if (!result.ok) throw new TrustEngineError(result.code, result.message, { ...(result.details === undefined ? {} : { details: result.details }) })
    let outcome: CertificateIntake = 'known'
    await this.#components.serial(cert.jobId, async () => {
      if (this.#components.isOpen(cert.jobId)) { outcome = 'open'; return }
      const existing = await repos.jobs.get(cert.jobId)
      if (existing !== null && existing.status !== 'disputed') return
      await this.#store(cert, existing, result.round, result.seed, result.signedBaseWeight, result.totalBaseWeight)
      outcome = 'stored'
    })
    return outcome
  }

  /**
   * Reads one peer's certificates (as they arrive) into the store. Stops at
   * the first refused one and reports the peer with its code through
   * `refused`; a certificate of another network file (an honest peer during
   * a network-file change) ends the peer's answer without a penalty. Returns how many were stored.
   */
  async catchUpFrom (peer: string, items: AsyncIterable<Uint8Array>, refused: (peer: string, code: string) => void): Promise<number> {
    let stored = 0
    try {
      for await (const bytes of items) {
        try {
          if (await this.take(bytes) === 'stored') stored++
        } catch (err) {
          const code = err instanceof TrustEngineError ? err.code : 'ERR_INTERNAL'
          this.#components.logger.warn({ peer, code }, 'certificate from a peer refused')
          // Another network file's certificate (an honest peer during a network-file change): not penalised, but
          // the rest of this peer's answer is not read (older jobs, newest first), or a peer could have every one
          // of its 1024 certificates decoded and checked for free.
          if (code === ERR_CERT_NETWORK) return stored
          refused(peer, code)
          return stored
        }
      }
    } catch (err) {
      this.#components.logger.debug({ peer, err: String(err) }, 'certificate catch-up stopped')
    }
    if (stored > 0) this.#components.logger.info({ peer, jobs: stored }, 'caught up on decided jobs')
    return stored
  }

  /** Final jobs in the serving index now (at most MAX_INDEXED_JOBS). */
  get size (): number {
    return this.#index.length
  }

  /** A job decided on this node (or stored from a certificate): index it for peers. */
  decided (createdAt: number, jobId: string): void {
    this.#newestKnown = Math.max(this.#newestKnown ?? 0, createdAt)
    this.#add(createdAt, jobId)
  }

  async #store (cert: Certificate, existing: JobRecord | null, round: number, seed: string, signed: number, total: number): Promise<void> {
    const now = this.#components.clock()
    const base = existing ?? { ...newJobRecord(cert.jobId, cert.job, now), equivocators: await this.#components.equivocatorsOf(cert.jobId) }
    const record: JobRecord = {
      ...base,
      status: cert.status,
      reason: REASON_CERTIFICATE,
      values: cert.values,
      checks: cert.checks ?? null,
      caveats: cert.caveats ?? [],
      round,
      seed: { seed, certificate: cert.seedCertificate },
      finalizedAt: now
    }
    const votes: VoteRecord[] = cert.votes.map((vote) => ({ vote, receivedAt: now, late: false }))
    const verdict = {
      status: cert.status,
      reason: REASON_CERTIFICATE,
      values: cert.values,
      agreeing: cert.votes.map((v) => v.voter),
      deviating: [],
      // Base weights: this node's effective weights did not decide the job.
      agreeWeight: signed,
      totalWeight: total,
      finalizedAt: now
    }
    await this.#components.writes.certified(record, cert, votes, verdict, now)
    this.decided(cert.job.createdAt, cert.jobId)
    this.#components.onCertified(this.#components.views.of(record, votes), existing?.status ?? null)
  }

  #add (createdAt: number, jobId: string): void {
    if (this.#indexed.has(jobId)) return
    this.#indexed.add(jobId)
    // Binary search for the first entry that sorts after (older than) the new one.
    let lo = 0
    let hi = this.#index.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      const e = this.#index[mid]!
      if (e.createdAt > createdAt || (e.createdAt === createdAt && e.jobId < jobId)) lo = mid + 1
      else hi = mid
    }
    if (lo >= MAX_INDEXED_JOBS) {
      this.#indexed.delete(jobId)
      return
    }
    this.#index.splice(lo, 0, { createdAt, jobId })
    if (this.#index.length > MAX_INDEXED_JOBS) this.#indexed.delete(this.#index.pop()!.jobId)
  }
}

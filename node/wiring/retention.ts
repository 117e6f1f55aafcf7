/**
 * Retention: what a node stops keeping once a job is decided and its
 * retention period (`decidedJobsMs`, default 7 days) is over, and the
 * LevelDB compaction after it.
 *
 * Pruned, per decided job: its stored votes (bucket `votes`), the blobs no
 * other kept job needs (the blob folder), and the evidence of this node's
 * measurement (node/evidence/). Kept for ever: the job record (marked with
 * `prunedAt`), the verdict, the certificate (it carries its own signed
 * votes, so `GET /v1/jobs/:id/certificate` and certificate catch-up serve it
 * unchanged), reputations and their history, equivocation evidence, this
 * node's own votes (the double-sign guard) and the audit trail, to which
 * each prune appends a `job.pruned` entry.
 *
 * Which jobs are due is read from the retention queue, and which blobs are
 * still needed from the blob references (node/store/repositories/retention.ts):
 * a blob is kept while any job names it that is open or decided within the
 * period, while an economy schedule waits with it, and while it is an upload
 * no job names yet (the blob keeper's).
 *
 * Earlier, at its close: the blobs fetched from peers for a job closed as
 * unmeasurable or over limits, that nothing else needs ({@link Retention.dropBlobsOf};
 * they count in their submitter's share of fetched blobs, node/store/fetch-quota.ts).
 *
 * Also pruned: economy schedules that are over (started, failed or
 * cancelled) once their `optimizeBy` is older than the period (at most
 * `maxJobsPerPass` a pass): a started schedule's job is kept like any job,
 * and a schedule still waiting for its slot is never pruned, so the slot's
 * run at most once (economy-offline.ts) is unaffected.
 *
 * A pass runs every `intervalMs`, prunes at most `maxJobsPerPass` jobs read
 * `pageSize` at a time, and yields to the event loop after each job; the
 * compaction of the key ranges it deleted runs on classic-level's thread
 * pool. Crash safety: a job's evidence and blob files are deleted first,
 * then one batch deletes its votes, its blob references and its queue entry
 * and writes its record and audit entry. A crash before the batch leaves the
 * job queued, and the next pass (after a restart) prunes it again: deleting
 * files already gone frees nothing and fails nothing.
 */
import { setImmediate as yieldToLoop } from 'node:timers/promises'
import type { Logger } from 'pino'
import { z } from 'zod'
import { TrustEngineError, declareCode } from '../../protocol/errors.ts'
import type { EvidenceStore } from '../evidence/evidence-store.ts'
import type { NodeRepositories } from '../job/repositories.ts'
import type { NodeMetrics } from '../metrics.ts'
import type { BlobDir } from '../p2p/blob-dir.ts'
import type { BlobKeeper } from '../store/blob-keeper.ts'
import { BUCKETS } from '../store/buckets.ts'
import type { Store } from '../store/db.ts'
import { concatBytes, hex32Bytes, prefixEnd } from '../store/key-codec.ts'
import { schedulesRepository } from '../store/repositories/schedules.ts'
import {
  blobRefStoreKey, blobsOfJob, jobsReferencing, retentionQueuePage, retentionQueueStoreKey, type RetentionQueueKey
} from '../store/repositories/retention.ts'

/** Code of retention options that do not satisfy {@link retentionOptionsSchema}. */
export const ERR_RETENTION_OPTIONS = declareCode('ERR_RETENTION_OPTIONS', { status: 400 })

/** Policy of retention (documented in docs/store.md, "Retention"). */
export interface RetentionOptions {
  /** Prune at all; off, a node keeps every blob, vote and evidence of every job. */
  enabled: boolean
  /** How long after its decision a job's blobs, votes and evidence are kept (ms). */
  decidedJobsMs: number
  /** How often a pass runs (ms). */
  intervalMs: number
  /** Most jobs one pass prunes (the rest wait for the next pass). */
  maxJobsPerPass: number
  /** Queue entries read per page. */
  pageSize: number
}

const DAY_MS = 24 * 3600 * 1000

/** Defaults of {@link RetentionOptions}. */
export const DEFAULT_RETENTION_OPTIONS: Readonly<RetentionOptions> = Object.freeze({
  enabled: true,
  // 7 days: a client that submitted a job, or an operator looking into a dispute, finds its
  // inputs, votes and evidence for a working week and a weekend after the decision, and a
  // node that was away for days still catches up on the votes; the certificate stays for good.
  decidedJobsMs: 7 * DAY_MS,
  // 10 minutes: deletion lags the period by at most that, and a pass stays small.
  intervalMs: 10 * 60 * 1000,
  // 1000 jobs: a busy small network's decisions of many minutes per pass; about a second of work.
  maxJobsPerPass: 1000,
  // 100 entries per read: one short LevelDB scan between jobs.
  pageSize: 100
})

/** Schema of the options. */
export const retentionOptionsSchema = z.strictObject({
  enabled: z.boolean(),
  // At least a minute: a job's votes are what peers catching up on it ask for right after its decision.
  decidedJobsMs: z.int().min(60_000).max(10 * 365 * DAY_MS),
  intervalMs: z.int().min(1000).max(DAY_MS),
  maxJobsPerPass: z.int().min(1).max(1_000_000),
  pageSize: z.int().min(1).max(10_000)
})

/** Resolves `options` over the defaults and checks them (`ERR_RETENTION_OPTIONS`, the failing fields in `details.issues`). */
export function resolveRetentionOptions (options: Partial<RetentionOptions> = {}): RetentionOptions {
  const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined))
  const parsed = retentionOptionsSchema.safeParse({ ...DEFAULT_RETENTION_OPTIONS, ...given })
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => i.path.join('.'))
    throw new TrustEngineError(ERR_RETENTION_OPTIONS, `invalid retention options at ${issues.join(', ')}`, { details: { issues } })
  }
  return parsed.data
}

/** What one pass did. */
export interface RetentionPassResult {
  /** Decided jobs pruned. */
  jobs: number
  /** Stored votes deleted. */
  votes: number
  /** Blob files deleted. */
  blobs: number
  /** Jobs whose evidence was deleted. */
  evidence: number
  /** Bytes freed, by kind (votes: LevelDB keys and values, before compaction). */
  bytes: { votes: number, blobs: number, evidence: number }
  /** Jobs whose prune failed (left queued for a later pass). */
  failed: number
}

/** What retention is wired to. */
export interface RetentionComponents {
  store: Store
  repos: NodeRepositories
  blobs: BlobDir
  /** Uploads no job names yet are the keeper's, never retention's. */
  keeper: Pick<BlobKeeper, 'isPending'>
  evidence: Pick<EvidenceStore, 'delete' | 'jobs' | 'bytes'>
  /** The node's clock (ms). */
  clock: () => number
  /**
   * Runs a step on the job's decision queue (the engine's `serial`), so a
   * prune never interleaves with a late vote or a certificate of the job;
   * absent, steps run at once.
   */
  serial?: <T>(jobId: string, step: () => Promise<T>) => Promise<T>
  logger?: Logger
  metrics?: Pick<NodeMetrics, 'retention' | 'evidence'>
  /**
   * True when a blob was fetched from peers for a job (node/store/fetch-quota.ts), not uploaded here:
   * only those are deleted early by {@link Retention.dropBlobsOf}. Absent: nothing is deleted early.
   */
  fetched?: (sha256: string) => boolean
}

/** What the pruning of schedules reads of a stored schedule (node/economy/schedule-record.ts). */
const scheduleEndSchema = z.object({ status: z.enum(['scheduled', 'started', 'failed', 'cancelled']), optimizeBy: z.int().min(0) })
const scheduleBlobsSchema = z.object({ status: z.string(), request: z.object({ reference: z.array(z.string()), candidate: z.array(z.string()).optional() }) })

/** Prunes decided jobs past their retention period; see the module comment. */
export class Retention {
  readonly options: RetentionOptions
  readonly #components: RetentionComponents
  #timer: NodeJS.Timeout | undefined
  #running: Promise<RetentionPassResult> | undefined
  #stopped = false

  /** Retention over `components`; throws `ERR_RETENTION_OPTIONS` on bad options. Starts no timer (see {@link start}). */
  constructor (components: RetentionComponents, options: Partial<RetentionOptions> = {}) {
    this.#components = components
    this.options = resolveRetentionOptions(options)
  }

  /** Runs a pass now (finishing what a crash interrupted), then every `intervalMs` until {@link stop}. Nothing when disabled. */
  start (): void {
    if (this.#timer !== undefined || this.#stopped || !this.options.enabled) return
    const run = (): void => { this.pass().catch((err: unknown) => { this.#components.logger?.warn({ err: String(err) }, 'retention pass failed') }) }
    this.#timer = setInterval(run, this.options.intervalMs)
    this.#timer.unref()
    run()
  }

  /** Stops the timer and waits for a pass under way (which stops after its current job). */
  async stop (): Promise<void> {
    this.#stopped = true
    clearInterval(this.#timer)
    await this.#running?.catch(() => {})
  }

  /**
   * Deletes now the blobs of job `jobId`, closed because its inputs alone
   * make it unmeasurable (unmeasurable, over the network's limits: every
   * honest node fails alike, so nobody fetches them for a verification any
   * more), that were fetched from peers (`fetched`) and that nothing else
   * needs: no other kept job names them, they are no pending upload and no
   * waiting economy schedule names them. They stop counting in their
   * submitter's share at once rather than 7 days after the decision. The
   * job's record, votes and blob references stay until its prune (which
   * then finds the files gone). Returns the bytes freed.
   */
  async dropBlobsOf (jobId: string, named: readonly string[]): Promise<number> {
    const { store, blobs, keeper, fetched, metrics, logger } = this.#components
    if (fetched === undefined || this.#stopped || store.closed) return 0
    const candidates = [...new Set(named)].filter((sha) => fetched(sha) && !keeper.isPending(sha))
    if (candidates.length === 0) return 0
    const scheduled = await this.#scheduledBlobs()
    const serial = this.#components.serial ?? (async (_jobId, step) => await step())
    const { count, bytes } = await serial(jobId, async () => await store.write(async () => {
      // Inside the store's one writer, like a prune: no job naming one of these blobs is accepted meanwhile.
      let count = 0
      let bytes = 0
      for (const sha of candidates) {
        if (scheduled.has(sha) || keeper.isPending(sha)) continue
        const others = (await jobsReferencing(store, sha, 2)).filter((j) => j !== jobId)
        if (others.length > 0) continue
        const freed = await blobs.delete(sha)
        if (freed > 0) { count++; bytes += freed }
      }
      return { count, bytes }
    }))
    if (count > 0) {
      metrics?.retention.pruned.inc({ kind: 'blobs' }, count)
      metrics?.retention.freedBytes.inc({ kind: 'blobs' }, bytes)
      logger?.info({ jobId, blobs: count, bytes }, 'deleted the fetched blobs of a job closed as unmeasurable')
    }
    return bytes
  }

  /** One pass (one at a time: a call during a pass waits for it). */
  async pass (): Promise<RetentionPassResult> {
    this.#running ??= this.#pass().finally(() => { this.#running = undefined })
    return await this.#running
  }

  async #pass (): Promise<RetentionPassResult> {
    const { store, clock, metrics, logger } = this.#components
    const started = performance.now()
    const result: RetentionPassResult = { jobs: 0, votes: 0, blobs: 0, evidence: 0, bytes: { votes: 0, blobs: 0, evidence: 0 }, failed: 0 }
    if (!this.options.enabled) return result
    // Due: decided at or before now − period, i.e. exactly once the period is over.
    const before = clock() - this.options.decidedJobsMs + 1
    const touched = new KeyRanges()
    let scheduled: Set<string> | null = null
    const scheduledBlobs = async (): Promise<Set<string>> => (scheduled ??= await this.#scheduledBlobs())
    let after: RetentionQueueKey | undefined
    let seen = 0
    while (seen < this.options.maxJobsPerPass && !this.#stopped && !store.closed) {
      const page = await retentionQueuePage(store, before, after, Math.min(this.options.pageSize, this.options.maxJobsPerPass - seen))
      if (page.length === 0) break
      for (const entry of page) {
        if (this.#stopped || store.closed) break
        after = entry
        seen++
        try {
          const serial = this.#components.serial ?? (async (_jobId, step) => await step())
          await serial(entry.jobId, async () => { await this.#pruneJob(entry, result, touched, scheduledBlobs) })
        } catch (err) {
          result.failed++
          logger?.warn({ jobId: entry.jobId, err: String(err) }, 'retention could not prune a job; it stays queued')
        }
        // Never hold the event loop for more than one job's work.
        await yieldToLoop()
      }
    }
    const schedules = this.#stopped || store.closed ? 0 : await this.#pruneSchedules(before, touched)
    if (!store.closed) {
      for (const [start, end] of touched.ranges()) await store.compact(start, end)
    }
    const seconds = (performance.now() - started) / 1000
    if (metrics !== undefined) {
      const m = metrics.retention
      m.lastPassSeconds.set(seconds)
      for (const kind of ['jobs', 'votes', 'blobs', 'evidence'] as const) if (result[kind] > 0) m.pruned.inc({ kind }, result[kind])
      if (schedules > 0) m.pruned.inc({ kind: 'schedules' }, schedules)
      for (const kind of ['votes', 'blobs', 'evidence'] as const) if (result.bytes[kind] > 0) m.freedBytes.inc({ kind }, result.bytes[kind])
      metrics.evidence.jobs.set(this.#components.evidence.jobs)
      metrics.evidence.bytes.set(this.#components.evidence.bytes)
    }
    if (result.jobs > 0) logger?.info({ ...result, seconds }, 'retention pruned decided jobs')
    if (schedules > 0) logger?.info({ schedules }, 'retention pruned economy schedules that are over')
    return result
  }

  async #pruneJob (entry: RetentionQueueKey, result: RetentionPassResult, touched: KeyRanges, scheduledBlobs: () => Promise<Set<string>>): Promise<void> {
    const { store, repos, blobs, keeper, evidence, clock } = this.#components
    const { jobId } = entry
    const queueKey = retentionQueueStoreKey(entry)
    touched.add(BUCKETS.retentionQueue, queueKey)
    const record = await repos.jobs.get(jobId)
    if (record === null || record.status === 'pending') {
      // A queue entry without a decided record to prune (never written so by this node): dropped.
      await store.write((batch) => { batch.del(queueKey) })
      return
    }
    const needed = blobsOfJob(record.job)
    const scheduled = needed.some((sha) => !keeper.isPending(sha)) ? await scheduledBlobs() : new Set<string>()
    // Files first: a crash after them leaves the job queued, and the next pass finishes it.
    const evidenceBytes = await evidence.delete(jobId)
    const votePrefix = concatBytes(Uint8Array.of(BUCKETS.votes), hex32Bytes(jobId))
    const pruned = await store.write(async (batch) => {
      // Inside the store's one writer: no job that names one of these blobs is accepted between the
      // check of its references and the start of its deletion (the blob folder reads a blob being
      // deleted as absent).
      const deletable: string[] = []
      for (const sha of needed) {
        const others = (await jobsReferencing(store, sha, 2)).filter((j) => j !== jobId)
        if (others.length === 0 && !keeper.isPending(sha) && !scheduled.has(sha)) deletable.push(sha)
      }
      const deletions = deletable.map(async (sha) => await blobs.delete(sha))
      const freed = await Promise.all(deletions)
      let votes = 0
      let voteBytes = 0
      for await (const [key, value] of store.iterate({ gte: votePrefix, lt: prefixEnd(votePrefix)! })) {
        batch.del(key)
        votes++
        voteBytes += key.byteLength + value.byteLength
        touched.add(BUCKETS.votes, key)
      }
      for (const sha of needed) {
        const ref = blobRefStoreKey({ sha256: sha, jobId })
        batch.del(ref)
        touched.add(BUCKETS.blobRefs, ref)
      }
      batch.del(queueKey)
      const now = clock()
      await repos.jobs.putRecord(batch, jobId, { ...record, prunedAt: record.prunedAt ?? now })
      const blobsDeleted = freed.filter((n) => n > 0).length
      await repos.audit.append(batch, 'job.pruned', { jobId, votes, blobs: blobsDeleted, evidence: evidenceBytes > 0 }, now)
      return { votes, voteBytes, blobs: blobsDeleted, blobBytes: freed.reduce((a, b) => a + b, 0) }
    })
    result.jobs++
    result.votes += pruned.votes
    result.blobs += pruned.blobs
    result.bytes.votes += pruned.voteBytes
    result.bytes.blobs += pruned.blobBytes
    if (evidenceBytes > 0) {
      result.evidence++
      result.bytes.evidence += evidenceBytes
    }
  }

  /**
   * Deletes economy schedules that are over (started, failed, cancelled)
   * whose `optimizeBy` is before `before`, at most `maxJobsPerPass`, in one
   * batch; returns how many. A schedule is never written again once over,
   * so deleting it races with nothing.
   */
  async #pruneSchedules (before: number, touched: KeyRanges): Promise<number> {
    const repo = schedulesRepository(this.#components.store)
    const due: string[] = []
    for await (const { key, value } of repo.entries()) {
      const s = scheduleEndSchema.safeParse(value)
      if (!s.success || s.data.status === 'scheduled' || s.data.optimizeBy >= before) continue
      due.push(key)
      if (due.length >= this.options.maxJobsPerPass) break
    }
    if (due.length === 0) return 0
    await this.#components.store.write((batch) => {
      for (const id of due) {
        repo.del(batch, id)
        touched.add(BUCKETS.schedules, repo.keyOf(id))
      }
    })
    return due.length
  }

  /** Blobs named by economy schedules still waiting for their slot (their job is not announced yet). */
  async #scheduledBlobs (): Promise<Set<string>> {
    const out = new Set<string>()
    for await (const { value } of schedulesRepository(this.#components.store).entries()) {
      const s = scheduleBlobsSchema.safeParse(value)
      if (!s.success || s.data.status !== 'scheduled') continue
      for (const sha of [...s.data.request.reference, ...s.data.request.candidate ?? []]) out.add(sha)
    }
    return out
  }
}

/** The smallest and largest key deleted in each bucket, so compaction rewrites only the files a pass touched. */
class KeyRanges {
  readonly #bounds = new Map<number, { low: Uint8Array, high: Uint8Array }>()

  add (bucket: number, key: Uint8Array): void {
    const b = this.#bounds.get(bucket)
    if (b === undefined) { this.#bounds.set(bucket, { low: key, high: key }); return }
    if (Buffer.compare(key, b.low) < 0) b.low = key
    if (Buffer.compare(key, b.high) > 0) b.high = key
  }

  /** `[start, end)` of each bucket touched (end just past the largest key). */
  ranges (): Array<[Uint8Array, Uint8Array]> {
    return [...this.#bounds.values()].map(({ low, high }) => [low, concatBytes(high, Uint8Array.of(0))])
  }
}

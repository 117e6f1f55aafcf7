/**
 * The optimizer reports a node keeps of network-optimized scene jobs: the
 * report of the optimization it ran itself, as the submitter that made the
 * candidate or as a verifier re-running the optimizer to check the
 * candidate's hash. The report is deterministic (node/optimizer/report.ts),
 * so an honest verifier's report equals the submitter's, output hash
 * included; a verifier whose output differs shows where.
 *
 * Stored in LevelDB (bucket `optimizerReports`, `seq ‖ jobId`), bounded in
 * count (the oldest report goes first) and in size (a larger report is not
 * kept), and checked against the report's schema when read back.
 */
import { z } from 'zod'
import { declareCode } from '../../protocol/errors.ts'
import type { Store } from '../store/db.ts'
import { optimizerReportKey, optimizerReportsRepository, type OptimizerReportKey } from '../store/repositories/optimizer-reports.ts'
import type { Repository } from '../store/repository.ts'
import type { WriteBatch } from '../store/write-batch.ts'
import type { OptimizationReport } from '../optimizer/report.ts'
import { optimizationReportSchema } from '../optimizer/report-schema.ts'

/** The node keeps no optimizer report for this job: not a network-optimized scene job, not optimized here (yet), or pruned by the bound. */
export const ERR_OPTIMIZER_REPORT_NOT_FOUND = declareCode('ERR_OPTIMIZER_REPORT_NOT_FOUND', { status: 404 })

/** Who ran the optimization a report describes. */
export type OptimizerReportSource = 'submitter' | 're-execution'

/** A stored optimizer report, as `GET /v1/jobs/:id/optimizer-report` serves it. */
export interface OptimizerReportView {
  jobId: string
  /** `submitter`: this node made the candidate; `re-execution`: this node re-ran the optimizer to check the candidate's hash. */
  source: OptimizerReportSource
  /** When this node stored it, epoch ms (node clock). */
  storedAt: number
  report: OptimizationReport
}

/** Schema of a stored {@link OptimizerReportView}. */
export const optimizerReportViewSchema: z.ZodType<OptimizerReportView> = z.strictObject({
  jobId: z.string().regex(/^[0-9a-f]{64}$/),
  source: z.enum(['submitter', 're-execution']),
  storedAt: z.int().min(0),
  report: optimizationReportSchema
})

/** Options of {@link OptimizerReportStore}. */
export interface OptimizerReportStoreOptions {
  /** Reports kept at most; storing one more deletes the oldest. 1000: as many jobs as the node keeps evidence of by default (node/evidence/evidence-store.ts). */
  maxReports: number
  /** Bytes of one report's JSON at most; a larger one is not kept. 64 KiB: a report of the optimizer's dozen passes is 2 to 4 KiB. */
  maxReportBytes: number
}

/** Defaults of {@link OptimizerReportStoreOptions}. */
export const DEFAULT_OPTIMIZER_REPORT_STORE_OPTIONS: Readonly<OptimizerReportStoreOptions> = Object.freeze({
  maxReports: 1000,
  maxReportBytes: 64 * 1024
})

/** Bounded optimizer reports by job, in the node's store. */
export class OptimizerReportStore {
  /** Options in force. */
  readonly options: Readonly<OptimizerReportStoreOptions>
  readonly #store: Store
  readonly #repo: Repository<OptimizerReportKey, OptimizerReportView>
  /** Stored reports: job id → seq, in storage order (the first is the oldest). */
  readonly #index = new Map<string, number>()
  #nextSeq = 0

  private constructor (store: Store, options: OptimizerReportStoreOptions) {
    this.#store = store
    this.options = Object.freeze(options)
    this.#repo = optimizerReportsRepository(store, optimizerReportViewSchema)
  }

  /** Opens the reports of `store`, reading their keys once and deleting the oldest beyond `maxReports` (a bound lowered since the last run). */
  static async open (store: Store, options: Partial<OptimizerReportStoreOptions> = {}): Promise<OptimizerReportStore> {
    const reports = new OptimizerReportStore(store, { ...DEFAULT_OPTIMIZER_REPORT_STORE_OPTIONS, ...options })
    const keys: OptimizerReportKey[] = []
    for await (const [key] of store.iterate({ gte: Uint8Array.of(reports.#repo.bucket), lt: Uint8Array.of(reports.#repo.bucket + 1) })) {
      keys.push(optimizerReportKey.decode(key.subarray(1)))
    }
    for (const k of keys) {
      reports.#index.delete(k.jobId)
      reports.#index.set(k.jobId, k.seq)
      reports.#nextSeq = k.seq + 1
    }
    await store.write((batch) => { reports.#prune(batch, 0) })
    return reports
  }

  /** Reports kept. */
  get size (): number {
    return this.#index.size
  }

  /**
   * Stores `report` for `jobId` (replacing an earlier one), deleting the
   * oldest reports beyond the bound. Returns false, storing nothing, when
   * the report's JSON is over `maxReportBytes`; a report that fails the
   * schema is `ERR_STORE_BAD_VALUE`.
   */
  async put (jobId: string, source: OptimizerReportSource, report: OptimizationReport, storedAt: number): Promise<boolean> {
    const view: OptimizerReportView = { jobId, source, storedAt, report }
    if (Buffer.byteLength(JSON.stringify(view)) > this.options.maxReportBytes) return false
    await this.#store.write((batch) => {
      const seq = this.#nextSeq
      const old = this.#index.get(jobId)
      if (old !== undefined) this.#repo.del(batch, { seq: old, jobId })
      this.#repo.put(batch, { seq, jobId }, view)
      this.#prune(batch, old === undefined ? 1 : 0)
      batch.afterCommit(() => {
        this.#index.delete(jobId)
        this.#index.set(jobId, seq)
        this.#nextSeq = seq + 1
      })
    })
    return true
  }

  /** The report kept for `jobId`, or null. A stored value that fails the schema is `ERR_STORE_CORRUPT`. */
  async get (jobId: string): Promise<OptimizerReportView | null> {
    const seq = this.#index.get(jobId)
    return seq === undefined ? null : await this.#repo.get({ seq, jobId })
  }

  /** Deletes the oldest reports so that `adding` more stay within `maxReports`; the index follows once the batch is on disk. */
  #prune (batch: WriteBatch, adding: number): void {
    const excess = this.#index.size + adding - this.options.maxReports
    if (excess <= 0) return
    const gone = [...this.#index].slice(0, excess)
    for (const [jobId, seq] of gone) this.#repo.del(batch, { seq, jobId })
    batch.afterCommit(() => { for (const [jobId] of gone) this.#index.delete(jobId) })
  }
}

/**
 * Economy offline on a node: a scene job the network optimizes with profile
 * `economy` is not optimized at once. The node estimates its compute hours
 * from the scene analysis, plans the cheapest slot before the request's
 * deadline with the economy scheduler, stores the schedule (with an audit
 * entry `economy.scheduled`, in one batch), and when the slot comes runs the
 * node's immediate path — optimize, then announce — recording the job id
 * (audit `economy.started`). Schedules survive restarts: the node reloads the
 * waiting ones at start and runs those whose slot passed while it was down.
 *
 * Slots run one at a time, in slot order (then id order): the node's compute
 * is the one resource the calendar prices.
 *
 * This class keeps the queue of stored plans itself and uses the scheduler
 * (`scheduleJob`) and the injected {@link Clock} directly: a queue that
 * planned a job again on every submission could not restore a stored plan
 * after a restart with its original slot.
 */
import { randomBytes } from 'node:crypto'
import type { Logger } from 'pino'
import { TrustEngineError } from '../../protocol/errors.ts'
import type { Clock } from '../optimizer/economy/clock.ts'
import { scheduleJob } from '../optimizer/economy/scheduler.ts'
import type { Store } from '../store/db.ts'
import type { Repository } from '../store/repository.ts'
import { SCHEDULE_ID_PATTERN, scheduleIdOf, schedulesRepository } from '../store/repositories/schedules.ts'
import type { WriteBatch } from '../store/write-batch.ts'
import type { EconomyJobRequest, JobPinSource, ScheduleView, SubmitJobRequest } from '../types.ts'
import { ERR_SCHEDULE_NOT_CANCELLABLE, ERR_SCHEDULE_NOT_ECONOMY, ERR_SCHEDULE_QUEUE_FULL } from './errors.ts'
import type { ResolvedEconomyNodeOptions } from './options.ts'
import { ECONOMY_PROFILE, isEconomyDeferral, scheduleRecordSchema, scheduleView, type ScheduleRecord } from './schedule-record.ts'

const HOUR_MS = 3_600_000

/** Audit entry kinds written by the deferral. */
export const ECONOMY_AUDIT_KINDS = { scheduled: 'economy.scheduled', started: 'economy.started', failed: 'economy.failed', cancelled: 'economy.cancelled' } as const

/** Codes after which a slot's run is left waiting (the node is stopping) rather than marked failed. */
const STOPPING_CODES = new Set(['ERR_STORE_CLOSED', 'ERR_HOST_STOPPED', 'ERR_NODE_STOPPING'])

/** What the deferral needs from its node. */
export interface EconomyOfflineComponents {
  store: Store
  /** The node's audit trail. */
  audit: { append: (batch: WriteBatch, kind: string, data: unknown, time: number) => unknown }
  clock: Clock
  logger: Logger
  /** The checks of the node's immediate path (blobs held, vote deadline, optimizer options); throws their typed errors. */
  check: (request: SubmitJobRequest) => Promise<void>
  /** A stored blob's bytes, or null. */
  readBlob: (sha256: string) => Promise<Uint8Array | null>
  /** The optimizer's estimate of a scene's processing time under the economy profile, in seconds, made off the main thread (the scene loader's `ERR_SCENE_*` for a scene it refuses). */
  estimateSeconds: (scene: Uint8Array) => Promise<number>
  /**
   * The node's immediate path: optimizes the scene and announces the job,
   * signed with the creation time and nonce `pin` gives once the candidate
   * is made (node/wiring/job-submission.ts).
   */
  submit: (request: SubmitJobRequest, pin: JobPinSource) => Promise<{ jobId: string }>
  /** Called once a slot's run started a job or failed. */
  onFired?: (view: ScheduleView) => void
}

/** A node's deferred economy scene jobs. */
export class EconomyOffline {
  readonly #components: EconomyOfflineComponents
  readonly #options: ResolvedEconomyNodeOptions
  readonly #repo: Repository<string, ScheduleRecord>
  /** Waiting schedules in slot order, then id order. */
  readonly #pending: ScheduleRecord[] = []
  #wake: AbortController | null = null
  #loop: Promise<void> | null = null
  #stopped = false

  constructor (components: EconomyOfflineComponents, options: ResolvedEconomyNodeOptions) {
    this.#components = components
    this.#options = options
    this.#repo = schedulesRepository(components.store, scheduleRecordSchema)
  }

  /** Reloads the waiting schedules from the store and starts waiting for their slots (overdue ones run at once). */
  async start (): Promise<void> {
    if (this.#loop !== null) return
    for await (const { value } of this.#repo.entries()) {
      if (value.status === 'scheduled') this.#insert(value)
    }
    if (this.#pending.length > 0) this.#components.logger.info({ waiting: this.#pending.length, next: this.#pending[0]!.slotStart }, 'economy schedules reloaded')
    this.#loop = this.#run()
  }

  /** Stops waiting; a slot's run in progress finishes first. Safe to call twice. */
  async stop (): Promise<void> {
    this.#stopped = true
    this.#wake?.abort()
    await this.#loop
  }

  /** Number of schedules waiting for their slot. */
  get waiting (): number { return this.#pending.length }

  /**
   * Plans `request` into its cheapest slot and stores it. Throws, storing
   * nothing: `ERR_SCHEDULE_NOT_ECONOMY` (not an economy scene job without a
   * candidate), the immediate path's checks (`ERR_BLOB_UNKNOWN`,
   * `ERR_JOB_DEADLINE`, `ERR_OPTIMIZER_OPTIONS_INVALID`), the scene loader's
   * `ERR_SCENE_*`, the scheduler's `ERR_SCHEDULE_INVALID`,
   * `ERR_SCHEDULE_DEADLINE_UNREACHABLE`, `ERR_SCHEDULE_OVER_BUDGET`,
   * `ERR_SCHEDULE_QUEUE_FULL`, and `ERR_STORE_BUSY` (the store's writer has
   * its bound of writes waiting; node/store/write-queue.ts).
   */
  async schedule (request: EconomyJobRequest): Promise<ScheduleView> {
    if (!isEconomyDeferral(request)) throw new TrustEngineError(ERR_SCHEDULE_NOT_ECONOMY, `only scene jobs without a candidate and with profile ${ECONOMY_PROFILE} are deferred`)
    this.#checkRoom()
    const { optimizeBy: givenDeadline, budgetUsd, ...job } = request
    const jobRequest: SubmitJobRequest = stripUndefined(job)
    await this.#components.check(jobRequest)
    const bytes = await this.#components.readBlob(jobRequest.reference[0]!)
    if (bytes === null) throw new TrustEngineError('ERR_BLOB_UNKNOWN', `blob ${jobRequest.reference[0]} is not stored on this node; upload it first`)
    // The seed's time estimate of this scene (analysis rules), in hours: what the slot must hold.
    const computeHours = await this.#components.estimateSeconds(bytes) / 3600

    const now = this.#components.clock.now()
    const optimizeBy = givenDeadline ?? now + Math.round(this.#options.defaultWindowHours * HOUR_MS)
    const scheduleId = scheduleIdOf(now, randomBytes(8))
    const plan = scheduleJob(
      { id: scheduleId, computeHours, deadline: optimizeBy, ...(budgetUsd === undefined ? {} : { budgetUsd }) },
      now,
      { calendar: this.#options.calendar, resource: this.#options.resource, horizonHours: this.#options.horizonHours }
    )
    const { jobId: _id, start, end, ...report } = plan
    const record: ScheduleRecord = {
      scheduleId,
      status: 'scheduled',
      request: jobRequest as ScheduleRecord['request'],
      createdAt: now,
      optimizeBy,
      budgetUsd: budgetUsd ?? null,
      slotStart: start,
      slotEnd: end,
      report,
      jobId: null,
      startedAt: null,
      error: null
    }
    this.#checkRoom()
    // A client's write: refused (ERR_STORE_BUSY) while the store's writer is busy, before anything is written.
    await this.#components.store.write((batch) => {
      this.#repo.put(batch, scheduleId, record)
      this.#components.audit.append(batch, ECONOMY_AUDIT_KINDS.scheduled, {
        scheduleId, reference: jobRequest.reference[0], slotStart: start, optimizeBy, computeHours,
        baselineCostUsd: report.baselineCostUsd, scheduledCostUsd: report.scheduledCostUsd
      }, now)
    }, { refuseWhenBusy: true })
    this.#insert(record)
    this.#components.logger.info({ scheduleId, slotStart: start, hoursShifted: report.hoursShifted, savingsUsd: report.savingsUsd }, 'economy job scheduled')
    this.#wake?.abort() // the new slot may be the earliest
    return structuredClone(scheduleView(record))
  }

  /**
   * Cancels a schedule still waiting for its slot: it leaves the queue and is
   * stored `cancelled` with an audit entry `economy.cancelled`, in one batch.
   * Returns null for an unknown id; throws `ERR_SCHEDULE_NOT_CANCELLABLE`
   * when its run has started (it is out of the queue from then on) or it is
   * no longer waiting, and `ERR_STORE_BUSY` while the store's writer has its
   * bound of writes waiting (the schedule then stays waiting).
   */
  async cancel (scheduleId: string): Promise<ScheduleView | null> {
    if (!SCHEDULE_ID_PATTERN.test(scheduleId)) return null
    const at = this.#pending.findIndex((p) => p.scheduleId === scheduleId)
    if (at === -1) {
      const stored = await this.#repo.get(scheduleId)
      if (stored === null) return null
      throw new TrustEngineError(ERR_SCHEDULE_NOT_CANCELLABLE, `schedule ${scheduleId} is ${stored.status === 'scheduled' ? 'running' : stored.status}; only a schedule waiting for its slot can be cancelled`)
    }
    // Out of the queue before the write, so the slot cannot start it meanwhile.
    const [record] = this.#pending.splice(at, 1) as [ScheduleRecord]
    const done: ScheduleRecord = { ...record, status: 'cancelled' }
    const now = this.#components.clock.now()
    try {
      await this.#components.store.write((batch) => {
        this.#repo.put(batch, scheduleId, done)
        this.#components.audit.append(batch, ECONOMY_AUDIT_KINDS.cancelled, { scheduleId }, now)
      }, { refuseWhenBusy: true })
    } catch (err) {
      this.#insert(record)
      throw err
    }
    this.#components.logger.info({ scheduleId }, 'economy schedule cancelled')
    this.#wake?.abort() // the earliest slot may have changed
    return structuredClone(scheduleView(done))
  }

  /** A schedule by id, or null (also for an id that is not 32 hex characters). */
  async get (scheduleId: string): Promise<ScheduleView | null> {
    if (!SCHEDULE_ID_PATTERN.test(scheduleId)) return null
    const record = await this.#repo.get(scheduleId)
    return record === null ? null : scheduleView(record)
  }

  /** Up to `limit` schedules, newest first. */
  async list (limit: number): Promise<ScheduleView[]> {
    return (await this.#repo.list({ reverse: true, limit })).map((e) => scheduleView(e.value))
  }

  #checkRoom (): void {
    if (this.#pending.length >= this.#options.maxPending) {
      throw new TrustEngineError(ERR_SCHEDULE_QUEUE_FULL, `${this.#pending.length} schedules are already waiting (maxPending ${this.#options.maxPending})`)
    }
  }

  #insert (record: ScheduleRecord): void {
    const at = this.#pending.findIndex((p) => p.slotStart > record.slotStart || (p.slotStart === record.slotStart && p.scheduleId > record.scheduleId))
    this.#pending.splice(at === -1 ? this.#pending.length : at, 0, record)
  }

  /** Waits for the earliest slot (re-reading the queue whenever a schedule is added), then runs every due schedule in order. */
  async #run (): Promise<void> {
    while (!this.#stopped) {
      const wake = new AbortController()
      this.#wake = wake
      const next = this.#pending[0]
      try {
        if (next === undefined) await untilAborted(wake.signal)
        else await this.#components.clock.sleepUntil(next.slotStart, wake.signal)
      } catch {
        continue // woken: a new schedule, or stopping
      }
      while (!this.#stopped && this.#pending.length > 0 && this.#pending[0]!.slotStart <= this.#components.clock.now()) {
        await this.#fire(this.#pending.shift()!)
      }
    }
  }

  /**
   * Runs one schedule through the node's immediate path and records the
   * outcome. At most one job comes of a schedule, across crashes: once the
   * candidate is made, the job's creation time and nonce are stored with the
   * schedule (`attempt`) before the job is signed, and a run again after a
   * crash (the outcome was not stored, so the schedule is still waiting)
   * signs with the stored ones, so the node finds the job the first run
   * announced instead of announcing another (`JobEngine.submit`, which also
   * asks for a renewed attempt when no job carries the stored one and it is
   * old).
   */
  async #fire (record: ScheduleRecord): Promise<void> {
    const log = this.#components.logger.child({ scheduleId: record.scheduleId })
    let done: ScheduleRecord
    let kind: string
    let data: Record<string, unknown>
    const pin: JobPinSource = async (renew) => {
      if (!renew && record.attempt != null) return record.attempt
      const attempt = { createdAt: this.#components.clock.now(), nonce: randomBytes(16).toString('hex') }
      const next = { ...record, attempt }
      await this.#components.store.write((batch) => { this.#repo.put(batch, record.scheduleId, next) })
      record = next
      return attempt
    }
    try {
      const job = await this.#components.submit(record.request, pin)
      done = { ...record, status: 'started', jobId: job.jobId, startedAt: this.#components.clock.now() }
      kind = ECONOMY_AUDIT_KINDS.started
      data = { scheduleId: record.scheduleId, jobId: job.jobId, slotStart: record.slotStart }
    } catch (err) {
      const code = err instanceof TrustEngineError ? err.code : 'ERR_INTERNAL'
      if (STOPPING_CODES.has(code)) {
        log.warn({ code }, 'economy slot not run: the node is stopping; it runs after the restart')
        return
      }
      log.error({ err }, 'economy slot run failed')
      const message = err instanceof TrustEngineError ? err.message.slice(0, 4096) : 'internal error'
      done = { ...record, status: 'failed', error: { code, message } }
      kind = ECONOMY_AUDIT_KINDS.failed
      data = { scheduleId: record.scheduleId, code }
    }
    try {
      await this.#components.store.write((batch) => {
        this.#repo.put(batch, record.scheduleId, done)
        this.#components.audit.append(batch, kind, data, this.#components.clock.now())
      })
    } catch (err) {
      // Left as `scheduled` on disk: it runs again after a restart (at-least-once).
      log.error({ err, jobId: done.jobId }, 'economy slot outcome not stored')
      return
    }
    log.info({ status: done.status, jobId: done.jobId }, 'economy slot run')
    this.#components.onFired?.(scheduleView(done))
  }
}

/** Resolves never; rejects when `signal` aborts. */
async function untilAborted (signal: AbortSignal): Promise<never> {
  return await new Promise<never>((_resolve, reject) => {
    signal.addEventListener('abort', () => { reject(signal.reason) }, { once: true })
  })
}

function stripUndefined<T extends object> (o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T
}

/**
 * Deferral of `economy` jobs to their cheapest slot. `deferUntilSlot` plans a
 * job and waits on the injected clock until its start; `EconomyQueue` keeps
 * the planned jobs of a node in start order so the node can list them and
 * take those that are due.
 */
import type { Clock } from './clock.ts'
import { scheduleJob, type EconomyJob, type ScheduleOptionsInput, type ScheduleReport } from './scheduler.ts'

/** Options of {@link deferUntilSlot}. */
export interface DeferOptions extends ScheduleOptionsInput {
  signal?: AbortSignal
}

/**
 * Schedules `job` at `clock.now()`, calls `onScheduled` with the plan, waits
 * until the planned start, and returns the plan. Scheduling errors
 * (`ERR_SCHEDULE_*`) are thrown before any wait; an abort rejects the wait.
 */
export async function deferUntilSlot (job: EconomyJob, clock: Clock, options: DeferOptions & { onScheduled?: (plan: ScheduleReport) => void } = {}): Promise<ScheduleReport> {
  const { signal, onScheduled, ...scheduleOptions } = options
  const plan = scheduleJob(job, clock.now(), scheduleOptions)
  onScheduled?.(plan)
  await clock.sleepUntil(plan.start, signal)
  return plan
}

/** A node's deferred jobs, ordered by planned start, then job id. */
export class EconomyQueue {
  readonly #clock: Clock
  readonly #options: ScheduleOptionsInput
  readonly #plans: ScheduleReport[] = []

  constructor (clock: Clock, options: ScheduleOptionsInput = {}) {
    this.#clock = clock
    this.#options = options
  }

  /** Plans `job` now and queues it (replacing a plan of the same id); throws `ERR_SCHEDULE_*`, changing nothing, when it cannot be planned. */
  submit (job: EconomyJob): ScheduleReport {
    const plan = scheduleJob(job, this.#clock.now(), this.#options)
    this.cancel(job.id) // a resubmitted job replaces its earlier plan
    const at = this.#plans.findIndex((p) => p.start > plan.start || (p.start === plan.start && p.jobId > plan.jobId))
    this.#plans.splice(at === -1 ? this.#plans.length : at, 0, plan)
    return plan
  }

  /** Removes a queued job; true when it was queued. */
  cancel (jobId: string): boolean {
    const i = this.#plans.findIndex((p) => p.jobId === jobId)
    if (i >= 0) this.#plans.splice(i, 1)
    return i >= 0
  }

  /** Removes and returns the jobs whose start has come, in start order. */
  takeDue (): ScheduleReport[] {
    const now = this.#clock.now()
    let n = 0
    while (n < this.#plans.length && this.#plans[n]!.start <= now) n++
    return this.#plans.splice(0, n)
  }

  /** Waits until the earliest queued job is due, then takes the due jobs (empty when nothing is queued). */
  async next (signal?: AbortSignal): Promise<ScheduleReport[]> {
    const first = this.#plans[0]
    if (first === undefined) return []
    await this.#clock.sleepUntil(first.start, signal)
    return this.takeDue()
  }

  /** The queued plans, in start order. */
  pending (): readonly ScheduleReport[] { return [...this.#plans] }

  /** Number of queued jobs. */
  get size (): number { return this.#plans.length }
}

/**
 * Measurement, optimization, scene analysis and the input checks of scene
 * jobs (work-limits.ts) off the event loop, in a pool of worker threads, so
 * rendering, optimizing or parsing a large scene never stalls gossip
 * validation, blob serving or the HTTP API.
 *
 * - Each worker runs one task at a time. Tasks wait per owner (a job's
 *   submitter, for its measurement and its input check; this node's own
 *   optimizations and analyses are one owner, the checks at its API's
 *   admission are its public key's, job-admission.ts),
 *   and a free worker takes the next task of the owner running the fewest
 *   tasks, owners of equal count served round-robin.
 * - An owner never holds more than one worker while another owner's task
 *   waits: when every worker is busy and an owner with nothing running has
 *   a task waiting, the newest task of an owner running several is stopped
 *   (its worker terminated) and put back first in its owner's queue, where
 *   it starts again from the beginning. So one validator's long jobs,
 *   however many, delay another's by at most its one worker's share; with
 *   more owners than workers, a long task still holds its worker to its end.
 * - A task is bounded by its signal: when it aborts (the job's round ended,
 *   the job was cancelled, the node stops) a waiting task is dropped and a
 *   running one has its worker terminated (once outside a native zlib call:
 *   measure-worker-entry.ts), so no work outlives its deadline;
 *   the next task starts a fresh worker.
 * - A worker that dies fails its task with `ERR_MEASURE_WORKER`.
 * - Workers start on demand: none runs until the first task (or a call to
 *   {@link MeasureWorkerPool.warm}, which the node makes when it accepts a
 *   job, so the worker loads while the job's blobs are fetched and its seed
 *   is fixed), and a worker left without a task for `idleMs` is retired. An
 *   idle node then holds no worker thread and none of the renderer, the
 *   optimizer or the image codecs, which only workers load (docs/decisions.md,
 *   "A node's footprint").
 * - A measurement's evidence is made after its numbers: the measurement is
 *   handed on (and voted on) at once, with its evidence as a promise that
 *   its worker, still busy with that task meanwhile, settles next (or
 *   rejects with the error that kept it from being made). A worker stopped
 *   or dead before then leaves the evidence undefined.
 * - Several nodes in one process (the simulation's node host) can share one
 *   pool's workers ({@link MeasureWorkerPool.forNode}): each node keeps its
 *   own evidence option and the outputs of its own optimizations, and its
 *   tasks are scheduled with every other node's, by submitter as above.
 */
import type { Worker } from 'node:worker_threads'
import { TrustEngineError } from '../../protocol/errors.ts'
import type { MeasurePort } from '../job/ports.ts'
import type { EvidenceOptions } from '../measure/evidence.ts'
import type { EvidencedMeasurement } from './measure-port.ts'
import type { Profile } from '../optimizer/analysis-rules.ts'
import type { EncodedEvidence } from '../measure/evidence-files.ts'
import type { AnalyzeTask, CheckTask, MeasureTask, OptimizedScene, OptimizeTask, WorkFailure, WorkReply, WorkRequest } from './measure-worker.ts'
import type { WorkEstimate } from './work-estimate.ts'
import type { InputCheck } from './work-limits.ts'

import { startMeasureWorker, stopMeasureWorker } from './measure-worker-entry.ts'
import { ERR_MEASURE_ABORTED, ERR_MEASURE_WORKER } from './work-errors.ts'

export { ERR_MEASURE_ABORTED, ERR_MEASURE_WORKER }

/** Options of the work pool. */
export interface WorkPoolOptions {
  /** Worker threads at most. 2: a node on a two-core machine keeps one core for its event loop under load, and one hostile job cannot hold up an honest one. */
  workers: number
  /** When set, every measurement also carries its evidence files (an {@link EvidencedMeasurement}); none by default. */
  evidence?: EvidenceOptions
  /**
   * A worker without a task for this many milliseconds is terminated (the next
   * task starts a fresh one); `Infinity` keeps workers until the pool closes.
   * 60 s: twice the default vote deadline (30 s), so a job's grey-zone round
   * and the jobs of a busy network find their worker loaded, while an idle
   * node gives a worker's memory (about 25 MB) back within a minute.
   */
  idleMs: number
}

/** Defaults of {@link WorkPoolOptions}. */
export const DEFAULT_WORK_POOL_OPTIONS: WorkPoolOptions = { workers: 2, idleMs: 60_000 }

/** Owner of the work this node does for itself (optimizations, analyses). */
export const LOCAL_OWNER = 'local'

interface Task {
  id: number
  /** Whose work it is (see the module comment). */
  owner: string
  request: WorkRequest
  signal: AbortSignal
  resolve: (result: unknown) => void
  reject: (err: unknown) => void
  onAbort: () => void
}

interface Slot {
  worker: Worker
  /** The worker's zlib guard word (measure-worker-entry.ts): it is terminated only outside a native zlib call. */
  guard: Int32Array
  task: Task | null
  /** When the running task started, in dispatch order (the newest is stopped first). */
  started: number
  /** Retires the worker when it stays without a task (armed while idle). */
  retire: NodeJS.Timeout | null
  /** Settles the evidence of the running task, whose measurement was handed on; null otherwise. */
  evidence: { resolve: (files: EncodedEvidence | undefined) => void, reject: (err: TrustEngineError) => void } | null
}

/** A pool of measurement and optimization workers. */
export class MeasureWorkerPool {
  readonly #options: WorkPoolOptions
  readonly #slots = new Set<Slot>()
  /** Waiting tasks by owner, owners in round-robin order (the next to serve first among equals). */
  readonly #queues = new Map<string, Task[]>()
  #nextId = 1
  #dispatched = 0
  #started = 0
  #closed = false
  /** The pool whose workers run this node's tasks (see {@link forNode}); null when the workers are this pool's own. */
  #shared: MeasureWorkerPool | null = null
  /** Ends this node's tasks on a shared pool when this node's pool closes. */
  readonly #viewClosed = new AbortController()
  /** A pool of at most `options.workers` threads, started on demand (or by {@link warm}). */
  constructor (options: Partial<WorkPoolOptions> = {}) {
    this.#options = { ...DEFAULT_WORK_POOL_OPTIONS, ...options }
  }

  /** The measurement port to give the job engine. */
  readonly measure: MeasurePort = async (job, jobId, blobs, signal, round, seed) => {
    const task: MeasureTask = { kind: 'measure', job, jobId, blobs, round, seed, ...(this.#options.evidence === undefined ? {} : { evidence: this.#options.evidence }) }
    const optimized = job.optimize === undefined ? undefined : this.#optimized.get(optimizationKey(job.reference[0]!, job.optimize.profile, job.optimize.ratio))
    return await this.#run({ ...task, ...(optimized === undefined ? {} : { optimized }) }, signal, job.submitter) as EvidencedMeasurement
  }

  /** Optimizes a scene with pinned options in a worker (the bytes and the optimizer's report); `sha256` of its reference is remembered with the output's hash for the measurement. */
  async optimize (scene: { bytes: Uint8Array, sha256: string }, options: { profile: Profile, ratio: number }, signal: AbortSignal, hashOf: (bytes: Uint8Array) => string): Promise<OptimizedScene> {
    const task: OptimizeTask = { kind: 'optimize', scene: scene.bytes, profile: options.profile, ratio: options.ratio }
    const out = await this.#run(task, signal, LOCAL_OWNER) as OptimizedScene
    const key = optimizationKey(scene.sha256, options.profile, options.ratio)
    if (this.#optimized.size >= OPTIMIZED_KEPT) this.#optimized.delete(this.#optimized.keys().next().value!)
    this.#optimized.set(key, hashOf(out.bytes))
    return out
  }

  /** A scene's estimated processing seconds under `profile` (the optimizer's analysis), in a worker. */
  async analyze (scene: Uint8Array, profile: Profile, signal: AbortSignal): Promise<number> {
    const task: AnalyzeTask = { kind: 'analyze', scene, profile }
    return await this.#run(task, signal, LOCAL_OWNER) as number
  }

  /**
   * Runs a job's input check (work-limits.ts) in a worker as the task of
   * `owner` (the job's submitter), bounded by `signal`: the declared work, or
   * the check's typed error with its details.
   */
  readonly check = async (check: InputCheck, owner: string, signal: AbortSignal): Promise<WorkEstimate> => {
    const task: CheckTask = { kind: 'check', check }
    return await this.#run(task, signal, owner) as WorkEstimate
  }

  /**
   * Tasks waiting for a worker and running now (a shared pool's, every
   * node's, for a node's view of it). Waiting tasks have no count bound: each
   * ends when its signal aborts (its job's round deadline), so they follow
   * the open jobs.
   */
  get tasks (): { waiting: number, running: number } {
    if (this.#shared !== null) return this.#shared.tasks
    let waiting = 0
    for (const queue of this.#queues.values()) waiting += queue.length
    let running = 0
    for (const slot of this.#slots) if (slot.task !== null) running++
    return { waiting, running }
  }

  /** Starts one worker ahead of a task when none runs, so the task does not pay for loading it; it retires after `idleMs` if no task comes. */
  warm (): void {
    if (this.#closed) return
    if (this.#shared !== null) this.#shared.warm()
    else if (this.#slots.size === 0) this.#idle(this.#start())
  }

  /** Worker threads running now (busy or idle), a shared pool's for a node's view of it. */
  get workers (): number {
    return this.#shared === null ? this.#slots.size : this.#shared.workers
  }

  /** Worker threads started since the pool was made (a shared pool's for a node's view of it): each start after the first few replaced a retired, stopped or dead worker. */
  get started (): number {
    return this.#shared === null ? this.#started : this.#shared.started
  }

  /**
   * Bytes of V8 heap the running workers use (each worker has its own heap,
   * which the process's `heapUsed` does not count), a shared pool's for a
   * node's view of it. A worker that stops meanwhile counts 0.
   */
  async heapUsedBytes (): Promise<number> {
    if (this.#shared !== null) return await this.#shared.heapUsedBytes()
    const used = await Promise.all([...this.#slots].map(async (s) => await s.worker.getHeapStatistics().then((h) => h.used_heap_size, () => 0)))
    return used.reduce((a, b) => a + b, 0)
  }

  /**
   * A pool for one node that runs its tasks on this pool's workers, so many
   * nodes in one process share a few worker threads. The node's pool keeps
   * its own `evidence` option and its own optimizations' outputs; closing it
   * ends its own tasks (`ERR_MEASURE_ABORTED` for those running or waiting,
   * `ERR_MEASURE_WORKER` for new ones) and leaves the workers to the others.
   */
  forNode (options: Pick<WorkPoolOptions, 'evidence'>): MeasureWorkerPool {
    const { evidence: _shared, ...rest } = this.#options
    const view = new MeasureWorkerPool({ ...rest, ...(options.evidence === undefined ? {} : { evidence: options.evidence }) })
    view.#shared = this
    return view
  }

  /** Stops every worker; waiting and running tasks fail with `ERR_MEASURE_WORKER`. Safe to call twice. */
  async close (): Promise<void> {
    this.#closed = true
    this.#viewClosed.abort()
    if (this.#shared !== null) return
    const err = new TrustEngineError(ERR_MEASURE_WORKER, 'the work pool was closed')
    for (const queue of this.#queues.values()) for (const task of queue.splice(0)) this.#settle(task, err)
    this.#queues.clear()
    const slots = [...this.#slots]
    this.#slots.clear()
    for (const slot of slots) {
      this.#busy(slot)
      this.#stopped(slot, err)
    }
    await Promise.all(slots.map(async (s) => { await stopMeasureWorker(s) }))
  }

  /** Outputs of this node's own optimizations by reference and options (hash of the bytes), for the measurement. */
  readonly #optimized = new Map<string, string>()

  async #run (request: MeasureTask | OptimizeTask | AnalyzeTask | CheckTask, signal: AbortSignal, owner: string): Promise<unknown> {
    if (this.#closed) throw new TrustEngineError(ERR_MEASURE_WORKER, 'the work pool is closed')
    if (signal.aborted) throw new TrustEngineError(ERR_MEASURE_ABORTED, 'task cancelled')
    if (this.#shared !== null) return await this.#shared.#run(request, AbortSignal.any([signal, this.#viewClosed.signal]), owner)
    return await new Promise((resolve, reject) => {
      const id = this.#nextId++
      const task: Task = { id, owner, request: { ...request, id }, signal, resolve, reject, onAbort: () => { this.#abort(task) } }
      signal.addEventListener('abort', task.onAbort, { once: true })
      this.#enqueue(task, false)
      this.#dispatch()
    })
  }

  /** Puts a task in its owner's queue: last, or first for a task stopped to free its worker. */
  #enqueue (task: Task, first: boolean): void {
    const queue = this.#queues.get(task.owner)
    if (queue === undefined) this.#queues.set(task.owner, [task])
    else if (first) queue.unshift(task)
    else queue.push(task)
  }

  /** Tasks running per owner. */
  #running (): Map<string, Slot[]> {
    const out = new Map<string, Slot[]>()
    for (const slot of this.#slots) {
      if (slot.task === null) continue
      const list = out.get(slot.task.owner)
      if (list === undefined) out.set(slot.task.owner, [slot])
      else list.push(slot)
    }
    return out
  }

  /** Starts waiting tasks while workers are free, and frees one for an owner with nothing running (see the module comment). */
  #dispatch (): void {
    while (this.#queues.size > 0 && !this.#closed) {
      const running = this.#running()
      // The owner running the fewest tasks; among equals, the first in round-robin order.
      let owner: string | null = null
      for (const o of this.#queues.keys()) {
        if (owner === null || (running.get(o)?.length ?? 0) < (running.get(owner)?.length ?? 0)) owner = o
      }
      let slot = [...this.#slots].find((s) => s.task === null)
      if (slot === undefined && this.#slots.size < this.#options.workers) slot = this.#start()
      if (slot === undefined) {
        if ((running.get(owner!)?.length ?? 0) > 0) return
        const busiest = [...running.values()].reduce<Slot[]>((a, b) => (b.length > a.length ? b : a), [])
        if (busiest.length < 2) return
        this.#preempt(busiest.reduce((a, b) => (b.started > a.started ? b : a)))
        slot = this.#start()
      }
      const queue = this.#queues.get(owner!)!
      const task = queue.shift()!
      // Served: this owner goes last in the round-robin order.
      this.#queues.delete(owner!)
      if (queue.length > 0) this.#queues.set(owner!, queue)
      this.#busy(slot)
      slot.task = task
      slot.started = this.#dispatched++
      slot.worker.postMessage(task.request)
    }
    for (const slot of this.#slots) if (slot.task === null && slot.retire === null) this.#idle(slot)
  }

  /** Arms the retirement of a worker left without a task (see `idleMs`). */
  #idle (slot: Slot): void {
    if (this.#closed || !Number.isFinite(this.#options.idleMs)) return
    slot.retire = setTimeout(() => {
      slot.retire = null
      if (slot.task !== null || !this.#slots.delete(slot)) return
      void stopMeasureWorker(slot)
    }, this.#options.idleMs)
    slot.retire.unref()
  }

  /** Disarms a worker's retirement (it has a task, or is going away). */
  #busy (slot: Slot): void {
    if (slot.retire !== null) clearTimeout(slot.retire)
    slot.retire = null
  }

  /** Stops a running task to free its worker for another owner: its worker is terminated and the task waits again, first of its owner. */
  #preempt (slot: Slot): void {
    const task = slot.task!
    this.#slots.delete(slot)
    this.#busy(slot)
    void stopMeasureWorker(slot)
    if (slot.evidence !== null) {
      // Its measurement was handed on already: only its evidence is lost.
      this.#stopped(slot, null)
      return
    }
    slot.task = null
    this.#enqueue(task, true)
  }

  /** The slot's worker stops: its running task fails with `err` (when its measurement was not handed on yet), its evidence is left undefined. */
  #stopped (slot: Slot, err: TrustEngineError | null): void {
    const { task, evidence } = slot
    slot.task = null
    slot.evidence = null
    if (evidence !== null) evidence.resolve(undefined)
    else if (task !== null && err !== null) this.#settle(task, err)
  }

  #start (): Slot {
    const { worker, guard } = startMeasureWorker()
    worker.unref()
    this.#started++
    const slot: Slot = { worker, guard, task: null, started: 0, retire: null, evidence: null }
    this.#slots.add(slot)
    worker.on('message', (msg: WorkReply) => {
      const task = slot.task
      if (task === null || task.id !== msg.id) return
      if ('evidenceFiles' in msg) {
        // The evidence of a measurement handed on earlier: the task is over.
        const settle = slot.evidence
        slot.evidence = null
        slot.task = null
        if (msg.error !== undefined) settle?.reject(typedError(msg.error))
        else settle?.resolve(msg.evidenceFiles ?? undefined)
      } else if (msg.ok && msg.evidence === true) {
        // The numbers, with the evidence to follow: handed on now, the worker stays with the task.
        const evidence = new Promise<EncodedEvidence | undefined>((resolve, reject) => { slot.evidence = { resolve, reject } })
        this.#settle(task, null, { ...(msg.result as object), evidence })
        return
      } else {
        slot.task = null
        if (msg.ok) this.#settle(task, null, msg.result)
        else this.#settle(task, typedError(msg.error))
      }
      this.#dispatch()
    })
    const onDeath = (err: unknown): void => {
      this.#busy(slot)
      if (!this.#slots.delete(slot)) return
      this.#stopped(slot, new TrustEngineError(ERR_MEASURE_WORKER, 'the worker stopped', { cause: err }))
      this.#dispatch()
    }
    worker.on('error', onDeath)
    worker.on('exit', (code) => { onDeath(new Error(`exit code ${code}`)) })
    return slot
  }

  /** A task's signal aborted: drop it when waiting, terminate its worker when running. */
  #abort (task: Task): void {
    const queue = this.#queues.get(task.owner)
    const waiting = queue?.indexOf(task) ?? -1
    if (waiting !== -1) queue!.splice(waiting, 1)
    if (queue?.length === 0) this.#queues.delete(task.owner)
    for (const slot of this.#slots) {
      if (slot.task !== task) continue
      this.#slots.delete(slot)
      this.#busy(slot)
      slot.task = null
      void stopMeasureWorker(slot)
    }
    this.#settle(task, new TrustEngineError(ERR_MEASURE_ABORTED, 'task cancelled'))
    this.#dispatch()
  }

  #settle (task: Task, err: TrustEngineError | null, result?: unknown): void {
    task.signal.removeEventListener('abort', task.onAbort)
    if (err === null) task.resolve(result)
    else task.reject(err)
  }
}

/** A worker's typed error as the main thread's: its code, message and details. */
function typedError (failure: WorkFailure): TrustEngineError {
  return new TrustEngineError(failure.code, failure.message, failure.details === undefined ? {} : { details: failure.details })
}

/** Own optimization outputs remembered (a few scenes are optimized at once). */
const OPTIMIZED_KEPT = 64

function optimizationKey (referenceSha: string, profile: string, ratio: number): string {
  return `${referenceSha}/${profile}/${ratio}`
}

/**
 * Measurement off the event loop: one worker thread measures a node's jobs
 * one at a time, so rendering a large scene (seconds) never stalls gossip
 * validation, blob serving or the HTTP API. The node starts the worker with
 * itself (`warm`), or it starts on the first job; if it dies, the jobs it held fail with `ERR_MEASURE_WORKER` and the
 * next job starts a new one. Cancellation only drops the answer: a
 * measurement already running finishes in the worker.
 */
import { Worker } from 'node:worker_threads'
import { TrustEngineError } from '../../protocol/errors.ts'
import type { Measurement, MeasurePort } from '../job/ports.ts'
import type { EvidenceOptions } from '../measure/evidence.ts'
import type { EvidencedMeasurement } from './measure-port.ts'
import type { MeasureRequest } from './measure-worker.ts'

/** Code of a measurement lost because its worker thread died. */
export const ERR_MEASURE_WORKER = 'ERR_MEASURE_WORKER'

interface Pending {
  resolve: (m: Measurement) => void
  reject: (err: unknown) => void
}

/** A measurement port backed by one worker thread. */
export class MeasureWorkerPool {
  #worker: Worker | null = null
  #nextId = 1
  readonly #pending = new Map<number, Pending>()
  #closed = false
  readonly #evidence: EvidenceOptions | undefined

  /** With `evidence`, every measurement also carries its evidence files (an {@link EvidencedMeasurement}). */
  constructor (options: { evidence?: EvidenceOptions } = {}) {
    this.#evidence = options.evidence
  }

  /** The port to give the job engine. */
  readonly measure: MeasurePort = async (job, jobId, blobs, signal, round, seed) => {
    if (this.#closed) throw new TrustEngineError(ERR_MEASURE_WORKER, 'the measurement pool is closed')
    const id = this.#nextId++
    const worker = this.#ensure()
    return await new Promise<Measurement>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject })
      signal.addEventListener('abort', () => {
        if (this.#pending.delete(id)) reject(new TrustEngineError('ERR_MEASURE_ABORTED', 'measurement cancelled'))
      }, { once: true })
      const req: MeasureRequest = { id, job, jobId, blobs, round, seed, ...(this.#evidence === undefined ? {} : { evidence: this.#evidence }) }
      worker.postMessage(req)
    })
  }

  /** Starts the worker ahead of the first job, so the first measurement does not pay for loading it. */
  warm (): void {
    if (!this.#closed) this.#ensure()
  }

  /** Stops the worker; pending measurements fail. Safe to call twice. */
  async close (): Promise<void> {
    this.#closed = true
    const w = this.#worker
    this.#worker = null
    this.#failAll(new TrustEngineError(ERR_MEASURE_WORKER, 'the measurement pool was closed'))
    if (w !== null) await w.terminate()
  }

  #ensure (): Worker {
    if (this.#worker !== null) return this.#worker
    const worker = new Worker(new URL('./measure-worker.ts', import.meta.url))
    worker.unref()
    worker.on('message', (msg: { id: number, ok: boolean, result?: Measurement, error?: { code: string, message: string } }) => {
      const p = this.#pending.get(msg.id)
      if (p === undefined) return
      this.#pending.delete(msg.id)
      if (msg.ok) p.resolve(msg.result!)
      else p.reject(new TrustEngineError(msg.error!.code, msg.error!.message))
    })
    const onDeath = (err: unknown): void => {
      if (this.#worker === worker) this.#worker = null
      this.#failAll(new TrustEngineError(ERR_MEASURE_WORKER, 'the measurement worker stopped', { cause: err }))
    }
    worker.on('error', onDeath)
    worker.on('exit', (code) => { if (code !== 0) onDeath(new Error(`exit code ${code}`)) })
    this.#worker = worker
    return worker
  }

  #failAll (err: TrustEngineError): void {
    for (const p of this.#pending.values()) p.reject(err)
    this.#pending.clear()
  }
}

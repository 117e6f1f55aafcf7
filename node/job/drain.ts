/**
 * A graceful stop of the job engine: once the node starts stopping it takes
 * no new job (a gossiped or caught-up announcement is IGNOREd, a submission
 * answers `ERR_NODE_STOPPING`) and starts no new measurement, while the
 * measurements already queued or running (blob fetch, seed wait, measure,
 * then the own vote) may finish. The node waits for them up to its drain
 * bound (node/wiring/node-facade.ts); what is still running then is
 * abandoned by the engine's stop and resumed at the next start.
 *
 * This ledger tracks each job's own work from the moment it is queued, and
 * how it ended while the node was stopping: `finished` (the vote cast, or a
 * failure such as the round's end recorded on the job) or `abandoned`
 * (cut by the stop, nothing written for it).
 */
export { ERR_NODE_STOPPING } from './errors.ts'

/** How a job's work ended while the node was stopping. */
export interface DrainReport {
  /** Jobs whose own work ended on its own while the node was stopping (vote cast or failure recorded), in the order they ended. */
  finished: string[]
  /** Jobs whose own work the stop cut (queued or running); nothing was written for it. */
  abandoned: string[]
}

/** The engine's in-flight own work and its outcome during a stop. */
export class DrainLedger {
  /** Jobs with own work queued or running, by job id (the round it is for). */
  readonly #inFlight = new Map<string, number>()
  readonly #finished: string[] = []
  readonly #abandoned: string[] = []
  #draining = false

  /** Whether the node is stopping (no new job, no new measurement). */
  get draining (): boolean {
    return this.#draining
  }

  /** Jobs whose own work is queued or running now. */
  get inFlight (): number {
    return this.#inFlight.size
  }

  /** From now on the node is stopping. */
  drain (): void {
    this.#draining = true
  }

  /** A job's own work for `round` was queued. */
  started (jobId: string, round: number): void {
    this.#inFlight.set(jobId, round)
  }

  /** The job's work ended: `finished` when it cast a vote or recorded a failure, `abandoned` when the stop cut it, `skipped` when there was nothing to do (decided meanwhile, a vote already cast). */
  ended (jobId: string, outcome: 'finished' | 'abandoned' | 'skipped'): void {
    this.#inFlight.delete(jobId)
    if (!this.#draining) return
    if (outcome === 'finished') this.#finished.push(jobId)
    else if (outcome === 'abandoned') this.#abandoned.push(jobId)
  }

  /** What ended how since the stop began (read once the engine stopped). */
  report (): DrainReport {
    return { finished: [...this.#finished], abandoned: [...this.#abandoned] }
  }
}

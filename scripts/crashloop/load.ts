/**
 * The crash loop's load: a steady, bounded stream of jobs with a known
 * truth (sim/jobs.ts: candidates that clearly pass or clearly fail), frames
 * jobs and every `sceneEvery`-th a scene job, each kind alternating pass and
 * fail, submitted every `jobIntervalSeconds` through the honest validators
 * that are up, in turn, never more than `maxInFlight` undecided at once.
 * A submission cut by a kill (its node went down during the upload or the
 * request) is tried again on the next node that is up. Each announcement is
 * handed to `onAnnounced`, which times the next kill from it.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { ApiClient } from '../../node/cli/api-client.ts'
import type { SubmitJobRequest } from '../../node/types.ts'
import { type JobMaterial, jobMaterial } from '../../sim/jobs.ts'
import { parseScenario } from '../../sim/scenario.ts'
import type { CrashNode } from './nodes.ts'

/** Tunables of the load. */
export interface CrashLoadOptions {
  jobIntervalSeconds: number
  maxInFlight: number
  sceneEvery: number
  /** Vote deadline of a frames job, ms: long enough for a kill, a restart and the catch-up of its node. */
  framesDeadlineMs: number
  /** Vote deadline of a scene job, ms: rendering takes seconds per node, more on a loaded machine. */
  sceneDeadlineMs: number
  /** Pause between two looks at whether a slot is free, ms. */
  pollMs: number
}

/** Defaults of the deadlines and the poll of {@link CrashLoadOptions}. */
export const DEFAULT_CRASH_LOAD_OPTIONS: Pick<CrashLoadOptions, 'framesDeadlineMs' | 'sceneDeadlineMs' | 'pollMs'> = {
  // Five and ten minutes: beyond a job's normal seconds and beyond a kill, a restart (a minute or more on an
  // overloaded machine) and the re-measurement after it, so a job disputed at its deadline is a stuck job.
  framesDeadlineMs: 300_000,
  sceneDeadlineMs: 600_000,
  pollMs: 250
}

/** One job of the load. */
export interface CrashJob {
  index: number
  kind: 'frames' | 'scene'
  /** The designed verdict. */
  expected: 'validated' | 'rejected'
  submitter: string
  jobId: string
  /** When the announcement was answered (ms since the epoch). */
  announcedAt: number
  deadlineMs: number
}

/** The load of one run. */
export class CrashLoad {
  readonly jobs: CrashJob[] = []
  /** Submissions cut by a kill and tried again on another node. */
  interrupted = 0
  readonly #nodes: readonly CrashNode[]
  readonly #options: CrashLoadOptions
  readonly #decided: (jobId: string) => boolean
  readonly #scenes = new Map<string, Promise<JobMaterial>>()
  #turn = 0

  /**
   * A load on `nodes` (liars never submit); `decided(jobId)` says whether a
   * job no longer counts as in flight (some node reported it decided).
   */
  constructor (nodes: readonly CrashNode[], options: Pick<CrashLoadOptions, 'jobIntervalSeconds' | 'maxInFlight' | 'sceneEvery'> & Partial<CrashLoadOptions>, decided: (jobId: string) => boolean) {
    this.#nodes = nodes
    this.#options = { ...DEFAULT_CRASH_LOAD_OPTIONS, ...options }
    this.#decided = decided
  }

  /** Jobs announced and not yet reported decided by any node. */
  get inFlight (): number {
    return this.jobs.filter((j) => !this.#decided(j.jobId)).length
  }

  /** Submits jobs until `signal` aborts; `onAnnounced` hears of each job once announced. */
  async run (signal: AbortSignal, onAnnounced: (job: CrashJob) => void): Promise<void> {
    const counts = { frames: 0, scene: 0 }
    for (let index = 0; !signal.aborted; index++) {
      const started = Date.now()
      while (this.inFlight >= this.#options.maxInFlight && !signal.aborted) await sleep(this.#options.pollMs, undefined, { signal }).catch(() => {})
      if (signal.aborted) break
      const scene = this.#options.sceneEvery > 0 && index % this.#options.sceneEvery === this.#options.sceneEvery - 1
      const kind = scene ? 'scene' : 'frames'
      const job = await this.#submit(index, kind, counts[kind]++, signal)
      if (job !== null) {
        this.jobs.push(job)
        onAnnounced(job)
      }
      const wait = this.#options.jobIntervalSeconds * 1000 - (Date.now() - started)
      if (wait > 0) await sleep(wait, undefined, { signal }).catch(() => {})
    }
  }

  /** Uploads and submits one job through the next honest node that is up; null only when stopped. */
  async #submit (index: number, kind: 'frames' | 'scene', kindIndex: number, signal: AbortSignal): Promise<CrashJob | null> {
    const material = await this.#material(kind, kindIndex)
    const expected = material.verdict === 'pass' ? 'validated' : 'rejected'
    const deadlineMs = kind === 'scene' ? this.#options.sceneDeadlineMs : this.#options.framesDeadlineMs
    const honest = this.#nodes.filter((n) => !n.liar)
    while (!signal.aborted) {
      const submitter = honest[this.#turn++ % honest.length]!
      if (submitter.host === null) {
        // Every honest node down at once (overlapping kills): wait for one.
        if (honest.every((n) => n.host === null)) await sleep(this.#options.pollMs, undefined, { signal }).catch(() => {})
        continue
      }
      const client = new ApiClient(submitter.apiUrl)
      try {
        const reference = []
        const candidate = []
        for (const b of material.reference) reference.push((await client.uploadBlob(b)).sha256)
        for (const b of material.candidate) candidate.push((await client.uploadBlob(b)).sha256)
        const view = await client.submitJob({ kind, reference, candidate, deadlineMs } as SubmitJobRequest)
        return { index, kind, expected, submitter: submitter.name, jobId: view.jobId, announcedAt: Date.now(), deadlineMs }
      } catch {
        // Its node was killed meanwhile (or is restarting): the next one takes the job.
        this.interrupted++
        await sleep(this.#options.pollMs, undefined, { signal }).catch(() => {})
      }
    }
    return null
  }

  async #material (kind: 'frames' | 'scene', kindIndex: number): Promise<JobMaterial> {
    const scenario = parseScenario({ name: 'crashloop', nodes: [{ count: this.#nodes.length }], jobs: { kind, quality: 'mixed' } })
    if (kind === 'frames') return await jobMaterial(scenario, kindIndex)
    // Two scenes only (the passing and the failing one): made once each.
    const key = kindIndex % 2 === 0 ? 'pass' : 'fail'
    let made = this.#scenes.get(key)
    if (made === undefined) this.#scenes.set(key, made = jobMaterial(scenario, kindIndex % 2))
    return await made
  }
}

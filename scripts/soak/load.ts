/**
 * The soak's load: a steady, bounded stream of jobs with a known truth
 * (sim/jobs.ts: candidates that clearly pass or clearly fail), frames jobs
 * and every `sceneEvery`-th a scene job, each kind alternating pass and
 * fail. A job is submitted every `jobIntervalSeconds` through the honest
 * validators in turn, never more than `maxInFlight` open at once; each is
 * then followed on every honest validator until it is decided there, or
 * until its deadline and a grace period have passed. A job is right when
 * every honest validator finalized it with the designed verdict
 * (`validated` for a passing candidate, `rejected` for a failing one).
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { ApiClient } from '../../node/cli/api-client.ts'
import type { JobView, SubmitJobRequest } from '../../node/types.ts'
import { ERR_BLOB_UNKNOWN } from '../../node/job/errors.ts'
import { sha256Hex } from '../../protocol/hash.ts'
import { type JobMaterial, jobMaterial } from '../../sim/jobs.ts'
import { parseScenario } from '../../sim/scenario.ts'
import type { SoakNode } from './network.ts'

/** Tunables of the load. */
export interface SoakLoadOptions {
  jobIntervalSeconds: number
  maxInFlight: number
  sceneEvery: number
  /** Vote deadline of a frames job, ms: a hang guard (jobs finalize on quorum, long before). */
  framesDeadlineMs: number
  /** Vote deadline of a scene job, ms: rendering takes seconds per node, more on a loaded machine. */
  sceneDeadlineMs: number
  /** How long after its deadline a job is still waited for on a node, ms, before it counts as not finalized there. */
  graceMs: number
  /** Pause between two reads of a job's status on a node, ms. */
  pollMs: number
}

/** Defaults of {@link SoakLoadOptions}. */
export const DEFAULT_SOAK_LOAD_OPTIONS: Omit<SoakLoadOptions, 'jobIntervalSeconds' | 'maxInFlight' | 'sceneEvery'> = {
  // Two and five minutes: far beyond a job's normal seconds, so only a stuck job meets them.
  framesDeadlineMs: 120_000,
  sceneDeadlineMs: 300_000,
  // A decision at the deadline reaches every node within a second; a minute covers a loaded machine.
  graceMs: 60_000,
  pollMs: 500
}

/** One job of the soak and what the honest validators made of it. */
export interface SoakJob {
  index: number
  kind: 'frames' | 'scene'
  /** The designed verdict. */
  expected: 'validated' | 'rejected'
  submitter: string
  jobId: string | null
  /** When the soak submitted it (ms since the epoch). */
  submittedAt: number
  /** When its submitter finalized it (its view's `timings.finalizedAt`), and its latency there. */
  finalizedAt: number | null
  latencyMs: number | null
  /** Status on each honest validator (`missing` when never decided within the deadline and grace). */
  statuses: Record<string, string>
  /**
   * The lying validator's vote in the submitter's final view: `deviates`
   * (flagged, whether it came in time or late), `agrees` (its random values
   * happened to fall near the consensus), `late` (after the decision, not
   * flagged), or `none` (not received: gossip scoring pushes a lying peer
   * out of the meshes); null when the run has no liar.
   */
  liarVote: 'deviates' | 'agrees' | 'late' | 'none' | null
  /** When the soak had its decision from every honest validator, or gave up (ms since the epoch). */
  settledAt: number | null
  /** True when every honest validator finalized it with the designed verdict. */
  right: boolean
  /** Why a job could not be submitted or followed (an error code or message). */
  error: string | null
}

/** The load of one run. */
export class SoakLoad {
  readonly jobs: SoakJob[] = []
  /** Blobs submitted for the first time: when, and how many bytes. */
  readonly newBlobs: Array<{ at: number, bytes: number }> = []
  readonly #nodes: readonly SoakNode[]
  readonly #honest: readonly SoakNode[]
  readonly #options: SoakLoadOptions
  readonly #seen = new Set<string>()
  readonly #scenes = new Map<string, Promise<JobMaterial>>()
  readonly #open = new Set<Promise<void>>()
  #signal: AbortSignal | undefined

  /** A load on `nodes` (the liars among them are never submitters and never judged). */
  constructor (nodes: readonly SoakNode[], options: Pick<SoakLoadOptions, 'jobIntervalSeconds' | 'maxInFlight' | 'sceneEvery'> & Partial<SoakLoadOptions>) {
    this.#nodes = nodes
    this.#honest = nodes.filter((n) => !n.liar)
    this.#options = { ...DEFAULT_SOAK_LOAD_OPTIONS, ...options }
  }

  /**
   * Submits jobs until `untilMs` (epoch ms), then waits for every open one
   * (each bounded by its deadline and grace). When `signal` aborts, it
   * submits no more and stops following the open jobs at once (they stay
   * unsettled).
   */
  async run (untilMs: number, signal?: AbortSignal): Promise<void> {
    this.#signal = signal
    const stopped = (): boolean => signal?.aborted === true
    const counts = { frames: 0, scene: 0 }
    for (let index = 0; Date.now() < untilMs && !stopped(); index++) {
      const started = Date.now()
      while (this.#open.size >= this.#options.maxInFlight) await Promise.race(this.#open)
      if (Date.now() >= untilMs || stopped()) break
      const scene = this.#options.sceneEvery > 0 && index % this.#options.sceneEvery === this.#options.sceneEvery - 1
      const kind = scene ? 'scene' : 'frames'
      const kindIndex = counts[kind]++
      const tracked: Promise<void> = this.#one(index, kind, kindIndex).finally(() => { this.#open.delete(tracked) })
      this.#open.add(tracked)
      const wait = this.#options.jobIntervalSeconds * 1000 - (Date.now() - started)
      if (wait > 0) await sleep(Math.min(wait, Math.max(0, untilMs - Date.now())), undefined, { signal }).catch(() => {})
    }
    await Promise.all(this.#open)
  }

  async #one (index: number, kind: 'frames' | 'scene', kindIndex: number): Promise<void> {
    const submitter = this.#honest[index % this.#honest.length]!
    const material = await this.#material(kind, kindIndex)
    const expected = material.verdict === 'pass' ? 'validated' : 'rejected'
    const job: SoakJob = { index, kind, expected, submitter: submitter.name, jobId: null, submittedAt: Date.now(), finalizedAt: null, latencyMs: null, statuses: {}, liarVote: null, settledAt: null, right: false, error: null }
    this.jobs.push(job)
    const client = new ApiClient(submitter.apiUrl)
    const deadlineMs = kind === 'scene' ? this.#options.sceneDeadlineMs : this.#options.framesDeadlineMs
    try {
      const upload = async (bytes: Uint8Array): Promise<string> => {
        const sha = sha256Hex(bytes)
        if (!this.#seen.has(sha)) {
          this.#seen.add(sha)
          this.newBlobs.push({ at: Date.now(), bytes: bytes.byteLength })
        }
        return (await client.uploadBlob(bytes)).sha256
      }
      const submit = async (): Promise<JobView> => {
        const reference = []
        const candidate = []
        for (const b of material.reference) reference.push(await upload(b))
        for (const b of material.candidate) candidate.push(await upload(b))
        job.submittedAt = Date.now()
        return await client.submitJob({ kind, reference, candidate, deadlineMs } as SubmitJobRequest)
      }
      // Bytes uploaded while an older job still held them make no pending upload; if retention prunes
      // that job before this one names them, the node answers ERR_BLOB_UNKNOWN: upload again (docs/store.md).
      const view = await submit().catch(async (err: unknown) => { if (describe(err) === ERR_BLOB_UNKNOWN) return await submit(); throw err })
      job.jobId = view.jobId
    } catch (err) {
      job.error = describe(err)
      return
    }
    const giveUpAt = job.submittedAt + deadlineMs + this.#options.graceMs
    const views = await Promise.all(this.#honest.map(async (n) => [n.name, await this.#follow(n, job.jobId!, giveUpAt)] as const))
    for (const [name, view] of views) {
      job.statuses[name] = view === null ? 'missing' : view.final ? view.status : `${view.status} (not final)`
      if (name === submitter.name && view !== null) {
        job.finalizedAt = view.timings.finalizedAt
        job.latencyMs = view.timings.latencyMs
        const liar = this.#nodes.find((n) => n.liar)
        if (liar !== undefined) {
          const vote = view.votes.find((v) => v.name === liar.name)
          // A late vote is judged too: one that deviates flags its voter (node/job/vote-intake.ts), so flagged comes first.
          job.liarVote = vote === undefined ? 'none' : view.byzantine.includes(vote.voter) ? 'deviates' : vote.late ? 'late' : vote.agrees === true ? 'agrees' : 'deviates'
        }
      }
    }
    if (this.#signal?.aborted === true) return
    job.settledAt = Date.now()
    job.right = views.every(([, v]) => v !== null && v.final && v.status === expected)
  }

  /** Reads the job on `node` until it is decided there (its view), or null once `giveUpAt` has passed. */
  async #follow (node: SoakNode, jobId: string, giveUpAt: number): Promise<JobView | null> {
    const client = new ApiClient(node.apiUrl)
    while (Date.now() < giveUpAt && this.#signal?.aborted !== true) {
      // Not known there yet (ERR_JOB_NOT_FOUND) or a slow answer: read again.
      const view = await client.getJob(jobId).catch(() => null)
      if (view !== null && view.status !== 'pending') return view
      await sleep(this.#options.pollMs, undefined, { signal: this.#signal }).catch(() => {})
    }
    return null
  }

  async #material (kind: 'frames' | 'scene', kindIndex: number): Promise<JobMaterial> {
    const scenario = parseScenario({ name: 'soak', nodes: [{ count: this.#nodes.length }], jobs: { kind, quality: 'mixed' } })
    if (kind === 'frames') return await jobMaterial(scenario, kindIndex)
    // Two scenes only (the passing and the failing one): made once each.
    const key = kindIndex % 2 === 0 ? 'pass' : 'fail'
    let made = this.#scenes.get(key)
    if (made === undefined) this.#scenes.set(key, made = jobMaterial(scenario, kindIndex % 2))
    return await made
  }
}

function describe (err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code
  return typeof code === 'string' ? code : String(err)
}

/**
 * Worker-thread entry of the work pool (measure-worker-pool.ts): runs one
 * task at a time — a job's measurement ({@link measureJob}), a scene
 * optimization (the bytes and the optimizer's report), a scene analysis, or
 * a job's input check (work-limits.ts) — and posts the result or a typed
 * error (with its details) back. Each is
 * deterministic, so a result computed here is bit-for-bit the one the main
 * thread would compute. A measurement's evidence files are made after its
 * numbers are posted, and posted in a second message ({@link WorkReply}).
 */
import { parentPort, workerData } from 'node:worker_threads'
import { TrustEngineError } from '../../protocol/errors.ts'
import type { JobAnnouncement } from '../../protocol/job.ts'
import type { EvidenceOptions } from '../measure/evidence.ts'
import type { EncodedEvidence } from '../measure/evidence-files.ts'
import type { Profile } from '../optimizer/analysis-rules.ts'
import { ERR_MEASURE } from '../job/errors.ts'
import type { OptimizationReport } from '../optimizer/report.ts'
import { measureJob } from './measure-port.ts'
import { type InputCheck, runInputCheck } from './work-limits.ts'
import { skipNativePixels } from '../optimizer/skip-native-pixels.ts'
import { installZlibGuard } from '../image/zlib-guard.ts'

// Hooks are per thread: this worker's optimizer must not load sharp either (start time, memory).
skipNativePixels()
// Its pool terminates it only outside a native zlib call (node/image/zlib-guard.ts).
const zlibGuard = (workerData as { zlibGuard?: unknown } | null)?.zlibGuard
if (zlibGuard instanceof SharedArrayBuffer) installZlibGuard(zlibGuard)

/** A measurement task: the job, its blobs, the round, its seed, and the candidate this node's own optimization made, when it made one. */
export interface MeasureTask {
  kind: 'measure'
  job: JobAnnouncement
  jobId: string
  blobs: { reference: Uint8Array[], candidate: Uint8Array[] }
  round: number
  /** The job's sampling seed. */
  seed: string
  /** When set, the result carries the measurement's evidence files. */
  evidence?: EvidenceOptions
  /** sha256 of the optimizer's output for the job's reference and options, when this node already ran it (no re-run). */
  optimized?: string
}

/** What an optimization task returns: the optimized scene and the optimizer's report of it. */
export interface OptimizedScene {
  bytes: Uint8Array
  report: OptimizationReport
}

/** An optimization task: a scene and the network's pinned optimizer options. */
export interface OptimizeTask {
  kind: 'optimize'
  scene: Uint8Array
  profile: Profile
  ratio: number
}

/** An analysis task: a scene's estimates under an optimizer profile (the economy's time estimate). */
export interface AnalyzeTask {
  kind: 'analyze'
  scene: Uint8Array
  profile: Profile
}

/** An input check of a job's blobs (work-limits.ts): the declared work, or the check's typed error. */
export interface CheckTask {
  kind: 'check'
  check: InputCheck
}

/** A task as posted to the worker. */
export type WorkRequest = (MeasureTask | OptimizeTask | AnalyzeTask | CheckTask) & { id: number }

/**
 * What the worker posts for a task: its result or typed error; for a
 * measurement with evidence, `evidence: true` on the result says a second
 * message follows with the evidence files (`evidenceFiles`, or the error that kept
 * them from being made). The worker takes no other task meanwhile.
 */
export type WorkReply =
  | { id: number, ok: true, result: unknown, evidence?: true }
  | { id: number, ok: false, error: WorkFailure }
  | { id: number, evidenceFiles: EncodedEvidence | null, error?: WorkFailure }

/** A task's typed error as posted: its code, message and structured details (plain data, such as an over-limits job's declared work). */
export interface WorkFailure {
  code: string
  message: string
  details?: Record<string, unknown>
}

/** A task's result, and, for a measurement with evidence, the work that makes the evidence after the result is posted. */
async function run (task: MeasureTask | OptimizeTask | AnalyzeTask | CheckTask): Promise<{ result: unknown, evidence?: () => Promise<EncodedEvidence> }> {
  if (task.kind === 'check') return { result: runInputCheck(task.check) }
  if (task.kind === 'measure') {
    const { evidence, ...measurement } = await measureJob(task.job, task.jobId, task.blobs, task.round, task.seed, task.evidence, task.optimized)
    return { result: measurement, ...(evidence === undefined ? {} : { evidence }) }
  }
  if (task.kind === 'analyze') {
    const { analyzeScene } = await import('../optimizer/analyze.ts')
    return { result: (await analyzeScene(task.scene, { profile: task.profile })).estimates.processingSeconds }
  }
  const { optimizeScene } = await import('../optimizer/optimize.ts')
  const { bytes, report } = await optimizeScene(task.scene, { profile: task.profile, ratio: task.ratio })
  return { result: { bytes, report } satisfies OptimizedScene }
}

function failure (err: unknown): WorkFailure {
  const message = err instanceof Error ? err.message : String(err)
  if (!(err instanceof TrustEngineError)) return { code: ERR_MEASURE, message }
  return { code: err.code, message, ...(err.details === undefined ? {} : { details: err.details }) }
}

function post (reply: WorkReply): void {
  parentPort!.postMessage(reply)
}

parentPort?.on('message', (req: WorkRequest) => {
  run(req).then(
    async ({ result, evidence }) => {
      // The numbers first: the node votes on them while the evidence is made.
      post({ id: req.id, ok: true, result, ...(evidence === undefined ? {} : { evidence: true as const }) })
      if (evidence === undefined) return
      try {
        post({ id: req.id, evidenceFiles: await evidence() })
      } catch (err) {
        post({ id: req.id, evidenceFiles: null, error: failure(err) })
      }
    },
    (err: unknown) => {
      const error = failure(err)
      try {
        post({ id: req.id, ok: false, error })
      } catch {
        // Details that cannot be posted (not plain data) are left out; the code and message still go.
        post({ id: req.id, ok: false, error: { code: error.code, message: error.message } })
      }
    }
  )
})

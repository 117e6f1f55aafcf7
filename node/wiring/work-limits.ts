/**
 * The input checks a node applies to a job before measuring it, and the
 * measurement port that reports input failures alike:
 *
 * - {@link runInputCheck}: the declared work against the network's limits
 *   (work-estimate.ts, `ERR_JOB_OVER_LIMITS`), then whether the job can be
 *   measured at all (measurability.ts, `ERR_JOB_UNMEASURABLE`), from the
 *   blobs' headers only, each scene's glTF JSON read once. Two rules: the
 *   engine's ({@link checkJobInputs}, run on every node as soon as a job's
 *   blobs are fetched, before its seed phase ends and before any pixel is
 *   decoded: every refusal is one of those two codes, so every honest node
 *   refuses the same announcements alike and closes them at once), and the
 *   submitter's API's (job-admission.ts: a header that cannot be read keeps
 *   its own code, `ERR_SCENE_NOT_GLTF`, `ERR_PNG_SIGNATURE`, ...).
 * - {@link inputCheckPort} and {@link runCheck}: where a check runs. A
 *   scene's checks parse and walk its glTF JSON (up to `maxJsonBytes`,
 *   64 MiB: seconds for a scene of some 800k nodes), so a scene whose blobs
 *   hold more than {@link INLINE_SCENE_JSON_BYTES} of JSON (or of anything
 *   but a GLB's binary chunk) is checked in the work pool (measure-worker-pool.ts), as the pool's task of the job's
 *   submitter, bounded by the job's signal: the API, `/healthz`, gossip
 *   validation and blob serving keep answering while a large scene is
 *   checked, and one submitter's scenes wait behind its own work, not
 *   another's. Its blobs are copied to the worker (about 1 ms per MB on the
 *   event loop). Smaller scenes, most real assets, are checked here in a few
 *   milliseconds, with no worker start and no copy; so are frames jobs,
 *   whose checks read a few bytes of each PNG header (at most
 *   `MAX_JOB_BLOBS` frames a side: about 5 ms for 256 a side).
 * - {@link limitedMeasurePort}: the measurement, whose failures caused by
 *   the job's bytes alone come back as `ERR_JOB_UNMEASURABLE`. It does not
 *   check the inputs again: the engine runs its check before every
 *   measurement (node/job/own-vote.ts), and checking twice parsed a large
 *   scene's JSON on the event loop once more.
 */
import type { JobAnnouncement } from '../../protocol/job.ts'
import type { NetworkConfig } from '../../protocol/network.ts'
import type { InputCheckPort, MeasurePort } from '../job/ports.ts'
import { asUnmeasurable, checkMeasurable } from './measurability.ts'
import { type WorkEstimate, checkWorkLimits, estimateWork, sceneJsonReader } from './work-estimate.ts'

/** One input check of a job's blobs (see the module comment); plain data, so it can be posted to a worker. */
export interface InputCheck {
  /** `job`: the engine's rule, every refusal `ERR_JOB_OVER_LIMITS` or `ERR_JOB_UNMEASURABLE`; `admission`: the API's, a header that cannot be read keeps its own code. */
  rule: 'job' | 'admission'
  kind: 'frames' | 'scene'
  /** The blobs, reference then candidate in the job's order. */
  blobs: { reference: readonly Uint8Array[], candidate: readonly Uint8Array[] }
  /** The blobs' hashes in the same order, when known: a frame named twice on one side is counted once. */
  names?: { reference: readonly string[], candidate: readonly string[] }
  /** The network's limits. */
  limits: NetworkConfig['limits']
}

/** Runs one input check (see the module comment): the declared work, or the rule's typed error. */
export function runInputCheck (check: InputCheck): WorkEstimate {
  const { rule, kind, blobs, names, limits } = check
  // Each scene's JSON read once for both checks (and once for a reference counted on both sides).
  const readScene = sceneJsonReader()
  try {
    const work = estimateWork(kind, blobs, names, readScene)
    checkWorkLimits(work, { limits })
    checkMeasurable(kind, blobs, readScene)
    return work
  } catch (err) {
    throw rule === 'job' ? asUnmeasurable(err) : err
  }
}

/**
 * Throws `ERR_JOB_OVER_LIMITS` for a job over the network's limits and
 * `ERR_JOB_UNMEASURABLE` for one no node can measure (a header that cannot
 * be read included), from the blobs' headers only, on the calling thread.
 */
export function checkJobInputs (network: NetworkConfig, job: JobAnnouncement, blobs: { reference: readonly Uint8Array[], candidate: readonly Uint8Array[] }): void {
  runInputCheck(jobCheck(network, job, blobs))
}

/** The engine's check of `job` with these blobs. */
function jobCheck (network: NetworkConfig, job: JobAnnouncement, blobs: { reference: readonly Uint8Array[], candidate: readonly Uint8Array[] }): InputCheck {
  return { rule: 'job', kind: job.kind, blobs, names: { reference: job.reference, candidate: job.candidate }, limits: network.limits }
}

/** Runs a check in the work pool as the task of `owner`, bounded by `signal`; the pool's own errors (`ERR_MEASURE_ABORTED`, `ERR_MEASURE_WORKER`) when it could not. */
export type PooledCheck = (check: InputCheck, owner: string, signal: AbortSignal) => Promise<WorkEstimate>

/**
 * Bytes of glTF JSON (and container) a check may read on the event loop. A
 * scene job whose blobs hold more is checked in the work pool. 64 KiB: about
 * 5 ms of parsing and walking (60 KB of JSON, 1000 nodes, on a loaded
 * 2-core machine), and the size of most real assets' JSON, so their checks
 * cost no worker start and no copy of the blobs, while a large scene's JSON
 * (up to 64 MiB) never holds the event loop.
 */
export const INLINE_SCENE_JSON_BYTES = 64 * 1024

/**
 * What a check of this scene blob reads, bounding its cost: the JSON chunk
 * of a GLB of one JSON chunk and at most one more chunk (its framing read in
 * constant time, its binary chunk only sliced), the whole blob otherwise (a
 * .gltf file is all JSON; any other framing is walked chunk by chunk).
 */
function sceneCheckBytes (bytes: Uint8Array): number {
  const n = bytes.byteLength
  if (n < 20) return n
  const view = new DataView(bytes.buffer, bytes.byteOffset, n)
  if (view.getUint32(0, true) !== 0x46546c67 || view.getUint32(8, true) !== n) return n
  const json = view.getUint32(12, true)
  const end = 20 + json
  if (end === n) return json
  return end + 8 <= n && end + 8 + view.getUint32(end, true) === n ? json : n
}

/** Whether a check reads few enough bytes to run on the event loop (see {@link INLINE_SCENE_JSON_BYTES}); a frames job's always does. */
export function checksInline (check: InputCheck): boolean {
  if (check.kind === 'frames') return true
  let total = 0
  for (const bytes of new Set([...check.blobs.reference, ...check.blobs.candidate])) total += sceneCheckBytes(bytes)
  return total <= INLINE_SCENE_JSON_BYTES
}

/** Runs an input check where it belongs (see the module comment): a large scene's in the work pool as `owner`'s task, any other here. */
export async function runCheck (pooled: PooledCheck, check: InputCheck, owner: string, signal: AbortSignal): Promise<WorkEstimate> {
  return checksInline(check) ? runInputCheck(check) : await pooled(check, owner, signal)
}

/** The engine's input check port: {@link checkJobInputs}, a scene's in the work pool as the task of the job's submitter, bounded by the job's signal. */
export function inputCheckPort (network: NetworkConfig, pooled: PooledCheck): InputCheckPort {
  return async (job, blobs, signal) => {
    await runCheck(pooled, jobCheck(network, job, blobs), job.submitter, signal)
  }
}

/** `measure`, reporting failures caused by the job's bytes as `ERR_JOB_UNMEASURABLE` (the inputs are checked by the engine before, see the module comment). */
export function limitedMeasurePort (measure: MeasurePort): MeasurePort {
  return async (job, jobId, blobs, signal, round, seed) => {
    try {
      return await measure(job, jobId, blobs, signal, round, seed)
    } catch (err) {
      throw asUnmeasurable(err)
    }
  }
}

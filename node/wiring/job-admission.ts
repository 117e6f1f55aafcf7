/**
 * The rules a node applies to a job request of its own client before it
 * optimizes or announces anything, each in one place:
 *
 * - only a validator of the network announces jobs (`ERR_NOT_VALIDATOR`);
 * - the job's thresholds (the request's over the network's defaults) meet
 *   the network's floor, `minThresholds` (`ERR_JOB_THRESHOLDS`, the
 *   protocol's own rule), checked before any blob is read;
 * - every named blob is stored on this node (`ERR_BLOB_UNKNOWN`, with the
 *   path of each missing one), since it serves them to the other validators;
 * - the deadline lies within the network's bounds (`ERR_JOB_DEADLINE`, the
 *   protocol's own rule);
 * - a scene without a candidate is optimized by the network: its optimizer
 *   options are resolved once, here, and pinned in the job;
 * - the job's declared work (pixels, triangles, vertices, from headers) is
 *   within the network's limits (`ERR_JOB_OVER_LIMITS`), as every honest node
 *   checks again before measuring;
 * - the job can be measured at all, judged from headers (frames of one size
 *   and large enough, a reference scene with a triangle to draw;
 *   `ERR_JOB_UNMEASURABLE`, measurability.ts), as every honest node checks
 *   again before measuring. A header that cannot be read keeps its own code
 *   here (`ERR_PNG_SIGNATURE`, `ERR_SCENE_NOT_GLTF`, ...).
 *
 * The last two are one input check (work-limits.ts). A scene's of more than
 * `INLINE_SCENE_JSON_BYTES` of glTF JSON runs in the work pool, so a client's large scene does not stall the node's event loop
 * (its API, `/healthz`, gossip) while its JSON is parsed and walked. Its
 * owner there is this node (its public key): the job's submitter-to-be, the
 * owner of the node's own jobs' checks and measurements, so the node's
 * clients, however many scenes they send, wait behind this node's own work
 * and never hold up another validator's jobs. It is bounded by the job's
 * deadline span by the node's clock, like the optimization that may follow
 * (`ERR_MEASURE_ABORTED` past it), and fails with `ERR_MEASURE_WORKER` when
 * the pool closes.
 */
import { TrustEngineError } from '../../protocol/errors.ts'
import { checkThresholdFloor, checkVoteSpan } from '../../protocol/job.ts'
import type { NetworkConfig } from '../../protocol/network.ts'
import { clockDeadline } from '../job/deadline.ts'
import { ERR_BLOB_UNKNOWN, ERR_NOT_VALIDATOR } from '../job/errors.ts'
import { type Profile, parseProfile } from '../optimizer/analysis-rules.ts'
import type { SubmitJobRequest } from '../types.ts'
import type { WorkEstimate } from './work-estimate.ts'
import { type InputCheck, type PooledCheck, runCheck } from './work-limits.ts'

/** What admission reads. */
export interface JobAdmissionComponents {
  network: NetworkConfig
  /** This node's public key. */
  publicKey: string
  /** The node's blob folder. */
  blobs: { get: (sha256: string) => Promise<Uint8Array | null> }
  /** Runs a scene's input check in the work pool (`MeasureWorkerPool.check`). */
  check: PooledCheck
  /** The node's clock, which bounds the check by the job's deadline span. */
  clock: () => number
}

/** The optimizer options a network-optimized scene job pins. */
export interface NetworkOptimization {
  profile: Profile
  ratio: number
}

/** An admitted request: what to announce, and the optimization to run first when the network makes the candidate. */
export interface AdmittedJob {
  request: SubmitJobRequest
  optimize: NetworkOptimization | null
  /** The declared work (for a network-optimized scene: the reference counted twice, an upper bound of reference plus candidate). */
  work: WorkEstimate
}

/** Whether a request is a scene the network optimizes (no candidate given). */
export function isNetworkOptimized (request: SubmitJobRequest): boolean {
  return request.kind === 'scene' && request.candidate.length === 0
}

/** Checks a job request of this node's client (see the module comment); throws the rule's typed error. */
export async function admitJob (components: JobAdmissionComponents, request: SubmitJobRequest): Promise<AdmittedJob> {
  const { network, publicKey, blobs } = components
  if (!network.validators.some((v) => v.publicKey === publicKey)) {
    throw new TrustEngineError(ERR_NOT_VALIDATOR, 'this node is not a validator of its network and cannot announce jobs')
  }
  // The thresholds the job will carry (node/job/new-job.ts): the request's over the network's defaults.
  checkThresholdFloor(network, { ...network.thresholds, ...request.thresholds })
  const missing: Array<{ path: string, message: string }> = []
  const bytes = { reference: [] as Uint8Array[], candidate: [] as Uint8Array[] }
  // A blob named several times is read once.
  const read = new Map<string, Promise<Uint8Array | null>>()
  for (const side of ['reference', 'candidate'] as const) {
    for (const [i, sha256] of request[side].entries()) {
      if (!read.has(sha256)) read.set(sha256, blobs.get(sha256))
      const blob = await read.get(sha256)!
      if (blob === null) missing.push({ path: `body.${side}.${i}`, message: `blob ${sha256} is not on this node` })
      else bytes[side].push(blob)
    }
  }
  if (missing.length > 0) {
    throw new TrustEngineError(ERR_BLOB_UNKNOWN, `${missing.length} blob(s) unknown to this node; upload them with POST /v1/blobs`, { details: { issues: missing } })
  }
  const span = request.deadlineMs ?? network.deadlines.voteMs
  checkVoteSpan(network, span)
  const optimize = isNetworkOptimized(request) ? await resolveNetworkOptimization(request.profile ?? 'balanced', request.ratio) : null
  // A network-optimized scene counts its reference twice: an upper bound of reference plus candidate.
  const check: InputCheck = optimize === null
    ? { rule: 'admission', kind: request.kind, blobs: bytes, names: request, limits: network.limits }
    : { rule: 'admission', kind: request.kind, blobs: { reference: bytes.reference, candidate: bytes.reference }, limits: network.limits }
  const bound = clockDeadline(components.clock, components.clock() + span)
  const work = await runCheck(components.check, check, publicKey, bound.signal).finally(bound.clear)
  return { request, optimize, work }
}

/**
 * The optimizer options a network-optimized scene job pins: the profile (one
 * of the optimizer's profiles, `ERR_OPTIMIZER_OPTIONS_INVALID` otherwise) and
 * the ratio, the profile's default when not given, so that every verifier
 * re-runs exactly the same optimization even if defaults change later.
 */
export async function resolveNetworkOptimization (profile: string, ratio: number | undefined): Promise<NetworkOptimization> {
  const pinned = parseProfile(profile)
  const { resolveOptimizeOptions } = await import('../optimizer/optimize.ts')
  const resolved = resolveOptimizeOptions({ profile: pinned, ...(ratio === undefined ? {} : { ratio }) })
  return { profile: resolved.profile, ratio: resolved.ratio }
}

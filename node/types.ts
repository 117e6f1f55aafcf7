/**
 * Public types of a running Trust Engine node: what the HTTP API, the CLI,
 * the simulator and the benchmarks see. Everything here is JSON-serialisable;
 * metric values use the wire form (`"Infinity"` for an infinite PSNR).
 */

import type { ScheduleReport } from './optimizer/economy/scheduler.ts'

/** A metric value as it appears in JSON: a finite number or `"Infinity"`. */
export type WireMetric = number | 'Infinity'

/** Consensus or measured values of the metrics, in wire form. */
export interface WireMetrics {
  ssim: WireMetric
  psnr: WireMetric
  /** Local SSIM: the low percentile of the samples' worst tiles (docs/measurement.md). */
  ssimLocal: WireMetric
}

/** Confidence interval `[lo, hi]` of each metric, in wire form. */
export interface WireIntervals {
  ssim: [WireMetric, WireMetric]
  psnr: [WireMetric, WireMetric]
  ssimLocal: [WireMetric, WireMetric]
}

/** Status of a job on one node. `pending` until final or disputed. */
export type JobStatus = 'pending' | 'validated' | 'rejected' | 'disputed'

/** What a client asks for when it creates a job through a node. */
export interface SubmitJobRequest {
  /** `frames`: reference and candidate PNG frame sets. `scene`: one original GLB and an optional candidate. */
  kind: 'frames' | 'scene'
  /** sha256 of blobs already uploaded to this node (`POST /v1/blobs`). */
  reference: string[]
  /** sha256 of the candidate blobs; same length as `reference` for frames. */
  candidate: string[]
  /** Quality thresholds; the network file's defaults when absent; at or above its `minThresholds` when it has them (`ERR_JOB_THRESHOLDS`). */
  thresholds?: { ssimMin?: number, psnrMin?: number, ssimLocalMin?: number }
  /** Time from announcement to the vote deadline, in ms; the network default when absent. */
  deadlineMs?: number
  /** Optimizer profile of a scene job without a candidate (the network optimizes it); default `balanced`. */
  profile?: string
  /** Share of triangles the optimizer keeps, in (0, 1]; the profile's default when absent. */
  ratio?: number
}

/**
 * A scene job the network optimizes with profile `economy`, deferred to the
 * cheapest slot of this node's pricing calendar (`scheduleEconomyJob`).
 */
export interface EconomyJobRequest extends SubmitJobRequest {
  kind: 'scene'
  /** Latest time the optimization may finish, epoch ms; now + 24 h when absent. */
  optimizeBy?: number
  /** Most the optimization may cost, USD; no limit when absent. */
  budgetUsd?: number
}

/** State of a schedule: waiting for its slot, job started (see `jobId`), failed when its slot came, or cancelled by its node's client before. */
export type ScheduleStatus = 'scheduled' | 'started' | 'failed' | 'cancelled'

/** The cost report of a schedule (the economy scheduler's report without its slot, which the view carries). */
export type ScheduleCostReport = Omit<ScheduleReport, 'jobId' | 'start' | 'end'>

/** A deferred economy scene job as a node reports it. */
export interface ScheduleView {
  /** 32 lowercase hex characters. */
  scheduleId: string
  status: ScheduleStatus
  /** The job request, run as submitted when the slot comes. */
  request: SubmitJobRequest
  /** When the node accepted it, epoch ms (node clock). */
  createdAt: number
  /** The deadline given (or defaulted), epoch ms. */
  optimizeBy: number
  budgetUsd: number | null
  /** Planned start and end of the optimization, epoch ms. */
  slotStart: number
  slotEnd: number
  /** Baseline (start now) and scheduled cost, savings, hours shifted, tiers, carbon. */
  report: ScheduleCostReport
  /** The job created when the slot came; null until then. */
  jobId: string | null
  /** When the job was submitted, epoch ms (node clock); null until then. */
  startedAt: number | null
  /** Why the slot's run failed (`failed` only). */
  error: { code: string, message: string } | null
  /**
   * The creation time and nonce the slot's run signs its job with, stored
   * before the run starts (absent on schedules whose slot has not come). A
   * run again after a crash signs with the same ones, so it finds the job
   * the first run announced instead of announcing a second one.
   */
  attempt?: JobPin | null
}

/** A job's creation time and nonce, fixed in advance (an economy slot's run; see `ScheduleView.attempt`). */
export interface JobPin {
  /** Epoch ms (node clock). */
  createdAt: number
  /** 32 lowercase hex characters. */
  nonce: string
}

/**
 * Where a job's pin comes from: the stored one (a new one, stored, when
 * there is none), or with `renew` a new one, stored, in its place. Stored
 * before it is returned, so a job is only ever signed with a stored pin.
 */
export type JobPinSource = (renew: boolean) => Promise<JobPin>

/** One vote as a node reports it. */
export interface VoteView {
  voter: string
  /** Validator name from the network file. */
  name: string
  round: number
  metrics: WireMetrics
  intervals: WireIntervals
  samples: number
  /** Whether the vote agrees with the consensus values (null while there are none). */
  agrees: boolean | null
  /** True when the vote arrived after the job was final or disputed. */
  late: boolean
  receivedAt: number
}

/** Everything a node knows about one job. */
export interface JobView {
  jobId: string
  /** The job's sampling seed once its seed certificate fixed it (protocol/seed.ts), else null. */
  seed: string | null
  kind: 'frames' | 'scene'
  status: JobStatus
  final: boolean
  submitter: string
  reference: string[]
  candidate: string[]
  thresholds: { ssimMin: number, psnrMin: number, ssimLocalMin: number }
  /** Consensus values (weighted median of the votes), null while there are none. */
  values: WireMetrics | null
  /** Confidence intervals of the consensus values (from the median vote). */
  intervals: WireIntervals | null
  /**
   * Caveats of the consensus (protocol/caveats.ts): what changes the scenes'
   * look but the measurement engine does not render, e.g. `sheen`; every
   * agreeing vote and the certificate carry the same list. `[]` for none
   * (frames jobs always), null while there are no consensus values. The
   * verdict holds for what the engine shows.
   */
  caveats: string[] | null
  /** This node's own measurement, once made. */
  ownMeasurement: { metrics: WireMetrics, samples: number } | null
  votes: VoteView[]
  /** Voters whose votes deviate from the consensus values (flagged Byzantine). */
  byzantine: string[]
  /** Voters caught signing two different votes for this job. */
  equivocators: string[]
  /** Why the job is in its status, e.g. `quorum`, `deviating-third`, `deadline`. */
  reason: string
  timings: {
    createdAt: number
    deadline: number
    receivedAt: number
    /** When this node had the job's sampling seed (end of the seed phase here). */
    seededAt: number | null
    /** When this node had the job's blobs for its measurement. */
    blobsAt: number | null
    measuredAt: number | null
    finalizedAt: number | null
    /** finalizedAt − createdAt, once final or disputed. */
    latencyMs: number | null
    /**
     * When retention pruned the job's stored votes, blobs and evidence
     * (docs/store.md, "Retention"); null while they are kept. A pruned final
     * job shows its certificate's votes (received at `finalizedAt`), a pruned
     * disputed job none.
     */
    prunedAt: number | null
  }
  /** The deciding round: 0, or 1 when round 0 ended in the grey zone and a larger sample was taken. */
  round: number
  /** Set when round 0's consensus lay within its confidence interval of a threshold, so a second, larger round decided. */
  greyZone: { values: WireMetrics, intervals: WireIntervals, metrics: Array<'ssim' | 'psnr' | 'ssimLocal'> } | null
  /** Scene jobs the network optimized: the optimizer options every verifier re-ran. */
  optimize: { profile: string, ratio: number } | null
  /** This node's re-execution check: did its own optimizer output hash to the candidate? (null when not applicable) */
  candidateHashMatches: boolean | null
  /** Error code when this node could not measure the job (e.g. blob unavailable). */
  error: { code: string, message: string } | null
}

/** Identity and addresses of a node. */
export interface NodeInfo {
  peerId: string
  publicKey: string
  name: string | null
  /** `validator` (its key is in the network file: it measures and votes) or `observer` (it follows without voting). */
  role: NodeRole
  networkId: string
  version: string
  protocolVersion: number
  listenAddresses: string[]
  apiUrl: string | null
}

/** What a node does in its network. */
export type NodeRole = 'validator' | 'observer'

/** One validator's reputation as this node sees it. */
export interface ReputationView {
  publicKey: string
  name: string
  peerId: string
  baseWeight: number
  reputation: number
  trust: number
  verifications: number
  successes: number
  equivocated: boolean
}

/** A connected or remembered peer. */
export interface PeerView {
  peerId: string
  name: string | null
  connected: boolean
  addresses: string[]
  gossipScore: number | null
  lastSeen: number | null
}

/**
 * The public API of a running node, as used by the HTTP API, the CLI, the
 * simulator and the benchmarks. `createNode` in `node/node.ts` returns an
 * object implementing it.
 */
import type { Readable } from 'node:stream'
import type { Registry } from 'prom-client'
import type { NetworkConfig } from '../protocol/network.ts'
import type { JobEvidenceManifest } from './evidence/evidence-store.ts'
import type { AuditEntry } from './store/audit.ts'
import type { ReputationHistoryPageOptions, ReputationPoint } from './job/reputation-history.ts'
import type { OptimizerReportView } from './wiring/optimizer-report-store.ts'
import type { EconomyJobRequest, JobStatus, JobView, NodeInfo, PeerView, ReputationView, ScheduleView, SubmitJobRequest } from './types.ts'

/** One audit entry as returned to clients (the stored entry, node/store/audit.ts). */
export type AuditEntryView = AuditEntry

/** Health of a node: `ok` once started and until stopped. */
export interface HealthView {
  ok: boolean
  /** Connected peers that passed the network check. */
  peers: number
  /** Of those, the peers subscribed to every gossip topic of the network (a message published now reaches them). */
  gossipPeers: number
  /** The fewest peers in the node's gossip mesh over the network's topics: those a message it relays goes to (filled at gossipsub's heartbeat, up to a second after a peer subscribed). */
  meshPeers: number
  openJobs: number
}

/** Events a node emits (EventTarget-free: a plain listener set, see `on`). */
export interface NodeEvents {
  /** A job reached `validated`, `rejected` or `disputed` on this node. */
  'job:final': JobView
  /** A job was accepted (announced locally or received over gossip). */
  'job:accepted': JobView
  /** Evidence of equivocation was verified and stored. */
  'evidence': { offender: string, jobId: string }
  /** An economy schedule's slot came and its run started a job (`jobId` set) or failed. */
  'schedule:fired': ScheduleView
  /** A valid vote arrived over gossip, or this node published its own (votes taken in by catch-up are not announced). */
  'job:vote': { jobId: string, voter: string, round: number }
  /** This node stored the evidence of its measurement of a job's round. */
  'job:evidence': { jobId: string, round: number }
}

/** What every consumer of a node may call. */
export interface TrustEngineNodeApi {
  /** Identity, network and addresses. */
  info: () => NodeInfo
  /** The network file this node runs with (parsed; public: validators' keys and weights, rules). */
  network: () => NetworkConfig
  /**
   * Stores a blob in the node's content-addressed store; returns its sha256.
   * A new blob is a pending upload of `uploader` (default `local`) until a
   * job names it: counted against that uploader's quota
   * (`ERR_BLOB_UPLOADER_QUOTA`) and deleted if no job names it within the
   * grace period (node/store/blob-keeper.ts).
   */
  putBlob: (bytes: Uint8Array, uploader?: string) => Promise<string>
  /** True when the node holds the blob locally. */
  hasBlob: (sha256: string) => Promise<boolean>
  /**
   * Creates, signs and gossips a job announcement at once; the node also
   * measures and votes. A scene job without a candidate is optimized first,
   * whatever its profile (to defer an `economy` one, call `scheduleEconomyJob`).
   */
  submitJob: (request: SubmitJobRequest) => Promise<JobView>
  /**
   * Defers a scene job without a candidate and with profile `economy` to the
   * cheapest slot of this node's pricing calendar before `optimizeBy` (now +
   * 24 h by default) and within `budgetUsd`; stores the schedule and returns
   * it. When the slot comes the node runs `submitJob` with the request.
   * Throws `ERR_SCHEDULE_DEADLINE_UNREACHABLE`, `ERR_SCHEDULE_OVER_BUDGET`,
   * `ERR_SCHEDULE_INVALID`, `ERR_SCHEDULE_QUEUE_FULL`,
   * `ERR_SCHEDULE_NOT_ECONOMY` and `submitJob`'s checks, storing nothing.
   */
  scheduleEconomyJob: (request: EconomyJobRequest) => Promise<ScheduleView>
  /** Economy schedules, newest first (default at most 100). */
  listSchedules: (options?: { limit?: number }) => Promise<ScheduleView[]>
  /**
   * Cancels an economy schedule still waiting for its slot (stored
   * `cancelled`, audited); null when unknown; `ERR_SCHEDULE_NOT_CANCELLABLE`
   * once its run started or it ended.
   */
  cancelSchedule: (scheduleId: string) => Promise<ScheduleView | null>
  /** One economy schedule (with its `jobId` once started), or null when unknown. */
  getSchedule: (scheduleId: string) => Promise<ScheduleView | null>
  /** A job's current view, or null when unknown. */
  getJob: (jobId: string) => Promise<JobView | null>
  /**
   * A page of known jobs, newest first (default at most 100), read from the
   * job index: `status` keeps one status, `before` (a job id, the last of the
   * previous page) starts after that job; `ERR_JOB_NOT_FOUND` when it is unknown.
   */
  listJobs: (options?: { limit?: number, status?: JobStatus, before?: string }) => Promise<JobView[]>
  /** The certificate of a final job (protocol Certificate), or null. */
  getCertificate: (jobId: string) => Promise<unknown | null>
  /** The manifest of the evidence this node keeps of its measurement of a job (node/evidence/evidence-store.ts), or null. */
  evidence: (jobId: string) => Promise<JobEvidenceManifest | null>
  /** One PNG file of a job's evidence (a name from its manifest), or null when not held. */
  evidenceFile: (jobId: string, name: string) => Promise<{ size: number, stream: Readable } | null>
  /**
   * The optimizer report this node keeps of a network-optimized scene job:
   * of the optimization it ran as the submitter, or of its re-execution as a
   * verifier (node/wiring/optimizer-report-store.ts); null when it keeps none.
   */
  optimizerReport: (jobId: string) => Promise<OptimizerReportView | null>
  /** This node's view of every validator's reputation. */
  reputations: () => Promise<ReputationView[]>
  /** A page of one validator's reputation over time as this node saw it change, newest first (node/job/reputation-history.ts). */
  reputationHistory: (validator: string, options: ReputationHistoryPageOptions) => Promise<ReputationPoint[]>
  /** Connected and remembered peers. */
  peers: () => Promise<PeerView[]>
  /** Audit entries from `fromSeq`, at most `limit`, and the current signed head (node/store/audit.ts). */
  audit: (fromSeq: number, limit: number) => Promise<{ entries: AuditEntryView[], head: { seq: number, hash: string, signature: string } | null }>
  /** Liveness and a few counters. */
  health: () => HealthView
  /** Prometheus registry with the node's metrics. */
  readonly metricsRegistry: Registry
  /** Subscribes to a node event; returns a function that unsubscribes. */
  on: <E extends keyof NodeEvents>(event: E, listener: (payload: NodeEvents[E]) => void) => () => void
  /**
   * Stops the node: takes no new work, lets the measurements in flight
   * finish up to the drain bound (`NodeInit.shutdown.drainMs`), then stops
   * in order (API, job engine, libp2p, workers, LevelDB) and records
   * `node.stopped`; safe to call twice. `force` cuts a drain under way.
   */
  stop: (options?: { force?: boolean }) => Promise<void>
}

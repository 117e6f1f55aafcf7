/**
 * The public API of a running node, as used by the HTTP API, the CLI, the
 * simulator and the benchmarks. `createNode` in `node/node.ts` returns an
 * object implementing it.
 */
import type { Registry } from 'prom-client'
import type { JobView, NodeInfo, PeerView, ReputationView, SubmitJobRequest } from './types.ts'

/** One audit entry as returned to clients. */
export interface AuditEntryView {
  seq: number
  prevHash: string
  time: number
  kind: string
  data: unknown
  hash: string
  signature: string
}

/** Health of a node: `ok` once started and until stopped. */
export interface HealthView {
  ok: boolean
  peers: number
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
}

/** What every consumer of a node may call. */
export interface TrustEngineNodeApi {
  /** Identity, network and addresses. */
  info: () => NodeInfo
  /** Stores a blob in the node's content-addressed store; returns its sha256. */
  putBlob: (bytes: Uint8Array) => Promise<string>
  /** True when the node holds the blob locally. */
  hasBlob: (sha256: string) => Promise<boolean>
  /** Creates, signs and gossips a job announcement; the node also measures and votes. */
  submitJob: (request: SubmitJobRequest) => Promise<JobView>
  /** A job's current view, or null when unknown. */
  getJob: (jobId: string) => Promise<JobView | null>
  /** Known jobs, newest first. */
  listJobs: (options?: { limit?: number }) => Promise<JobView[]>
  /** The certificate of a final job (protocol Certificate), or null. */
  getCertificate: (jobId: string) => Promise<unknown | null>
  /** This node's view of every validator's reputation. */
  reputations: () => Promise<ReputationView[]>
  /** Connected and remembered peers. */
  peers: () => Promise<PeerView[]>
  /** Audit entries from `fromSeq`, at most `limit`, and the current head. */
  audit: (fromSeq: number, limit: number) => Promise<{ entries: AuditEntryView[], head: { seq: number, hash: string } | null }>
  /** Liveness and a few counters. */
  health: () => HealthView
  /** Prometheus registry with the node's metrics. */
  readonly metricsRegistry: Registry
  /** Subscribes to a node event; returns a function that unsubscribes. */
  on: <E extends keyof NodeEvents>(event: E, listener: (payload: NodeEvents[E]) => void) => () => void
  /** Stops the node in order (API, job timers, libp2p, LevelDB); safe to call twice. */
  stop: () => Promise<void>
}

/**
 * Fault hooks: the points where a simulated Byzantine node departs from the
 * protocol. The job engine calls them when a node was created with
 * `NodeInit.fault` (node/node.ts); nothing else sets that option. The
 * `trust-engine node` command and the config file have no way to set it: only
 * the fault simulation's own node host (sim/node-host.ts) builds hooks, from
 * the strategies in sim/strategies/. A node with hooks logs a warning at start.
 *
 * An honest node has no hooks (`null`), and then the engine behaves exactly as
 * the protocol says. Every hook is optional; a hook that is absent behaves
 * honestly.
 */
import type { JobAnnouncement, UnsignedJob } from '../../protocol/job.ts'
import type { JobView } from '../types.ts'
import type { Measurement } from './ports.ts'

/** What a hook knows of the job it is asked about. */
export interface FaultContext {
  jobId: string
  round: number
  job: JobAnnouncement
  /** Deadline of this round, epoch ms. */
  roundDeadline: number
}

/** What the grinding hook gets when this node submits a job. */
export interface NonceContext {
  /** The job as it would be announced, with a placeholder nonce. */
  job: UnsignedJob
  /** The job id the announcement would have with `nonce`. */
  jobIdFor: (nonce: string) => string
  /** The job's blobs, read from this node's store (reference, then candidate). */
  blobs: { reference: Uint8Array[], candidate: Uint8Array[] }
}

/** The hooks of one simulated Byzantine behaviour (see sim/strategies/). */
export interface FaultHooks {
  /** Name shown in logs. */
  readonly name: string
  /**
   * The measurements this node signs as its votes for a round instead of its
   * true one `m`, in publish order. `[]` votes nothing (silent); one element
   * is an ordinary (possibly false) vote; two or more different ones are
   * equivocation (the first is stored as the own vote, the double-sign guard
   * is bypassed for the rest).
   */
  votes?: (m: Measurement, ctx: FaultContext) => Measurement[]
  /**
   * With two or more votes: which of them (an index into what `votes`
   * returned) each peer of the votes topic gets, given those peers sorted;
   * one entry per peer. The vote then goes to those peers only, which relay
   * it on: different peers hold different first votes. Absent, or where the
   * network cannot address single peers: every vote goes to every peer, in
   * order.
   */
  votePeers?: (peers: string[], ctx: FaultContext) => number[]
  /** Epoch ms at which to publish the vote (a slow voter publishes after the deadline); null or absent: at once. */
  publishAt?: (ctx: FaultContext) => number | null
  /** The 32-hex nonce of a job this node submits (grinding, or a nonce derived from a simulation seed); absent: random. */
  nonce?: (ctx: NonceContext) => Promise<string>
  /** Once a job is decided on this node: a vote to publish late for its deciding round (laundering public values), or null. */
  afterDecided?: (view: JobView) => Measurement | null
}

/** No fault: the node follows the protocol. */
export type Fault = FaultHooks | null

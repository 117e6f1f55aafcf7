/**
 * What the job engine needs from the rest of the node, as small interfaces,
 * so the engine holds the job rules and the node wires them to libp2p,
 * blobs and measurement.
 */
import type { Caveat } from '../../protocol/caveats.ts'
import type { JobAnnouncement } from '../../protocol/job.ts'
import type { MetricIntervals, MetricNumbers } from '../../protocol/metrics.ts'
import type { VoteChecks } from '../../protocol/vote.ts'

/** Gossip topics the engine publishes on. */
export type EngineTopic = 'jobs' | 'votes' | 'evidence' | 'seeds'

/** The engine's view of the network. */
export interface JobNetworkPort {
  /** Publishes bytes on a topic; returns how many peers it went to (0 alone). */
  publish: (topic: EngineTopic, data: Uint8Array) => Promise<number>
  /**
   * Sends bytes on a topic to the listed peers only (who validate and relay
   * them as any message); returns how many it went to. Only a simulated
   * equivocator's per-peer votes use it (node/job/faults.ts); a port that
   * cannot address single peers leaves it out.
   */
  publishTo?: (topic: EngineTopic, data: Uint8Array, peers: readonly string[]) => Promise<number>
  /** The peers subscribed to a topic (peer ids, sorted); present with `publishTo`. */
  topicPeers?: (topic: EngineTopic) => string[]
  /** Asks peers for the votes they hold for a job (untrusted bytes, validated by the engine). */
  catchUp: (jobId: string, signal: AbortSignal) => Promise<Uint8Array[]>
  /** Asks peers (only `peer` when given) for the announcements of the jobs still open there (untrusted bytes). */
  openJobs: (signal: AbortSignal, peer?: string) => Promise<Uint8Array[]>
  /** Asks one peer for the certificates of the jobs created since `since` (untrusted bytes, as they arrive). */
  certificates: (peer: string, since: number, signal: AbortSignal) => AsyncIterable<Uint8Array>
  /** The peers to ask after a start (waits, bounded, for some to be admitted). */
  catchUpPeers: (signal: AbortSignal) => Promise<string[]>
  /** Records an offence of a peer that served invalid data (penalties for stream abuse). */
  penalise: (peer: string, code: string) => void
}

/** The engine's view of blob storage. */
export interface BlobPort {
  /** The blob's bytes, from the local store or fetched (hash-checked) from peers, preferring `hintPublicKey`'s node. */
  get: (sha256: string, hintPublicKey: string, signal: AbortSignal) => Promise<Uint8Array>
  /**
   * Makes the blob local (fetched from peers, hash-checked and stored, when
   * absent; the transfer within the node's blob budget) and returns its size,
   * without holding its bytes. A port without it is read with {@link get}.
   */
  fetch?: (sha256: string, hintPublicKey: string, signal: AbortSignal) => Promise<number>
}

/** One node's measurement of a job, as numbers (Infinity allowed for PSNR). */
export interface Measurement {
  metrics: MetricNumbers
  intervals: MetricIntervals
  samples: number
  checks?: VoteChecks
  /**
   * Scene jobs: what the renderer did not show (protocol/caveats.ts), in any
   * order; signed into the vote (sorted, distinct). Absent or empty for none.
   */
  caveats?: Caveat[]
  /** The sample plan, reported in the job's results. */
  plan?: unknown
}

/**
 * Measures a job given its blobs (reference then candidate, in the job's
 * order), for round `round` (a grey-zone round samples more), drawing samples
 * from the job's sampling seed `seed` (protocol/seed.ts).
 */
export type MeasurePort = (job: JobAnnouncement, jobId: string, blobs: { reference: Uint8Array[], candidate: Uint8Array[] }, signal: AbortSignal, round: number, seed: string) => Promise<Measurement>

/**
 * Checks a job's inputs once its blobs are fetched, before the node waits for
 * the seed or measures: rejects with `ERR_JOB_OVER_LIMITS` or
 * `ERR_JOB_UNMEASURABLE` (node/job/errors.ts) for a job no honest node
 * measures, decided from the blobs alone so every honest node decides alike;
 * the engine then closes the job at once. Asynchronous: a large scene's
 * check runs off the event loop (node/wiring/work-limits.ts), cancelled when
 * `signal` aborts (the round's deadline, the node's stop).
 */
export type InputCheckPort = (job: JobAnnouncement, blobs: { reference: readonly Uint8Array[], candidate: readonly Uint8Array[] }, signal: AbortSignal) => Promise<void>

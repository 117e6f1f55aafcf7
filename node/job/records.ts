/**
 * What a node stores about a job, and how it shows it to clients.
 *
 * A `JobRecord` is the node's own state of one job (status, consensus values,
 * own measurement, timings); the signed messages themselves (announcement,
 * votes, certificate) are stored as received, in their own repositories.
 */
import { z } from 'zod'
import { CAVEATS } from '../../protocol/caveats.ts'
import { jobSchema, type JobAnnouncement } from '../../protocol/job.ts'
import { METRIC_NAMES, intervalsSchema, metricsSchema } from '../../protocol/metrics.ts'
import { voteSchema, type Vote } from '../../protocol/vote.ts'
import { seedCertificateSchema } from '../../protocol/seed.ts'
import type { JobStatus, JobView, VoteView } from '../types.ts'


/** Schema of a stored job record (checked when read back). */
export const jobRecordSchema = z.strictObject({
  jobId: z.string(),
  job: jobSchema,
  status: z.enum(['pending', 'validated', 'rejected', 'disputed']),
  reason: z.string(),
  receivedAt: z.number(),
  measuredAt: z.number().nullable(),
  finalizedAt: z.number().nullable(),
  values: metricsSchema.nullable(),
  intervals: intervalsSchema.nullable(),
  ownMeasurement: z.strictObject({ metrics: metricsSchema, samples: z.number(), plan: z.unknown().optional(), candidateHashMatches: z.boolean().optional() }).nullable(),
  byzantine: z.array(z.string()),
  equivocators: z.array(z.string()),
  error: z.strictObject({ code: z.string(), message: z.string() }).nullable(),
  /** The round being counted (0, or 1 after a grey zone). */
  round: z.int().min(0).default(0),
  /** Consensus checks of the deciding tally (for judging late votes). */
  checks: z.strictObject({ candidateHashMatches: z.boolean().optional() }).nullable().default(null),
  /** Consensus caveats of the current or deciding tally (protocol/caveats.ts; `[]` for none), null while there are no values. */
  caveats: z.array(z.enum(CAVEATS)).max(CAVEATS.length).nullable().default(null),
  /** Why the job went to a second round: round 0's consensus and its intervals. */
  greyZone: z.strictObject({
    values: metricsSchema,
    intervals: intervalsSchema,
    metrics: z.array(z.enum(METRIC_NAMES))
  }).nullable().default(null),
  /** The job's sampling seed and the seed certificate that fixed it, once known (protocol/seed.ts). */
  seed: z.strictObject({ seed: z.string(), certificate: seedCertificateSchema }).nullable().default(null),
  /** When this node had the job's seed (ms, its clock). */
  seededAt: z.number().nullable().default(null),
  /** When this node had the job's blobs for its current round's measurement (ms, its clock). */
  blobsAt: z.number().nullable().default(null),
  /**
   * When retention pruned the job's stored votes, blobs and evidence (ms, its
   * clock; node/wiring/retention.ts); null while they are kept. The record,
   * verdict and certificate stay.
   */
  prunedAt: z.number().nullable().default(null)
})

/** The node's state of one job. */
export type JobRecord = z.output<typeof jobRecordSchema>

/** Schema of a stored received vote. */
export const voteRecordSchema = z.strictObject({
  vote: voteSchema,
  receivedAt: z.number(),
  late: z.boolean()
})

/** A received vote as stored, with when it arrived and whether it was late. */
export type VoteRecord = z.output<typeof voteRecordSchema>

/** A fresh record for a job this node just accepted. */
export function newJobRecord (jobId: string, job: JobAnnouncement, receivedAt: number): JobRecord {
  return {
    jobId,
    job,
    status: 'pending',
    reason: 'awaiting-votes',
    receivedAt,
    measuredAt: null,
    finalizedAt: null,
    values: null,
    intervals: null,
    ownMeasurement: null,
    byzantine: [],
    equivocators: [],
    error: null,
    round: 0,
    checks: null,
    caveats: null,
    greyZone: null,
    seed: null,
    seededAt: null,
    blobsAt: null,
    prunedAt: null
  }
}

/** True once a job is validated, rejected or disputed. */
export function isTerminal (status: JobStatus): boolean {
  return status !== 'pending'
}

/** The client view of a job from its record and its votes. */
export function toJobView (record: JobRecord, votes: VoteRecord[], names: ReadonlyMap<string, string>, agreeing: ReadonlySet<string> | null): JobView {
  const job = record.job
  const voteViews: VoteView[] = votes.map(({ vote, receivedAt, late }) => voteView(vote, receivedAt, late, names, agreeing))
  return {
    jobId: record.jobId,
    kind: job.kind,
    status: record.status,
    final: record.status === 'validated' || record.status === 'rejected',
    submitter: job.submitter,
    reference: job.reference,
    candidate: job.candidate,
    thresholds: job.thresholds,
    values: record.values,
    intervals: record.intervals,
    caveats: record.caveats,
    ownMeasurement: record.ownMeasurement === null ? null : { metrics: record.ownMeasurement.metrics, samples: record.ownMeasurement.samples },
    votes: voteViews,
    byzantine: record.byzantine,
    equivocators: record.equivocators,
    reason: record.reason,
    seed: record.seed?.seed ?? null,
    timings: {
      createdAt: job.createdAt,
      deadline: job.deadline,
      receivedAt: record.receivedAt,
      seededAt: record.seededAt,
      blobsAt: record.blobsAt,
      measuredAt: record.measuredAt,
      finalizedAt: record.finalizedAt,
      latencyMs: record.finalizedAt === null ? null : record.finalizedAt - job.createdAt,
      prunedAt: record.prunedAt
    },
    round: record.round,
    greyZone: record.greyZone,
    optimize: job.optimize ?? null,
    candidateHashMatches: record.ownMeasurement?.candidateHashMatches ?? null,
    error: record.error
  }
}

function voteView (vote: Vote, receivedAt: number, late: boolean, names: ReadonlyMap<string, string>, agreeing: ReadonlySet<string> | null): VoteView {
  return {
    voter: vote.voter,
    name: names.get(vote.voter) ?? '?',
    round: vote.round,
    metrics: vote.metrics,
    intervals: vote.intervals,
    samples: vote.samples,
    agrees: agreeing === null ? null : agreeing.has(vote.voter),
    late,
    receivedAt
  }
}

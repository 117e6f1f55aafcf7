/**
 * The typed repositories the job engine reads and writes, opened once per
 * node over its store, with the protocol's schemas checking every value.
 */
import { z } from 'zod'
import { certificateSchema } from '../../protocol/certificate.ts'
import type { ReputationRecord } from '../../protocol/consensus/reputation.ts'
import { evidenceSchema } from '../../protocol/evidence.ts'
import { voteSchema } from '../../protocol/vote.ts'
import { metricsSchema } from '../../protocol/metrics.ts'
import type { WriteBatch } from '../store/write-batch.ts'
import type { Store } from '../store/db.ts'
import {
  certificatesRepository, evidenceRepository, jobsRepository, ownVotesRepository, reputationsRepository, verdictsRepository, votesRepository
} from '../store/repositories/index.ts'
import { jobRecordSchema, voteRecordSchema } from './records.ts'

/** Schema of a stored reputation record. */
export const reputationRecordSchema: z.ZodType<ReputationRecord> = z.strictObject({
  reputation: z.number().min(0).max(1),
  verifications: z.int().min(0),
  successes: z.int().min(0),
  equivocated: z.boolean()
})

/** Schema of a stored verdict (the outcome of a decided job). */
export const verdictSchema = z.strictObject({
  status: z.enum(['validated', 'rejected', 'disputed', 'pending']),
  reason: z.string(),
  values: metricsSchema.nullable(),
  agreeing: z.array(z.string()),
  deviating: z.array(z.string()),
  agreeWeight: z.number(),
  totalWeight: z.number(),
  finalizedAt: z.number()
})

/** What the engine needs of the audit trail: appending an entry to a batch. */
export interface AuditAppender {
  append: (batch: WriteBatch, kind: string, data: unknown, time: number) => unknown
}

/** Opens the node's repositories over `store`, with `audit` as its audit trail. */
export function openRepositories (store: Store, audit: AuditAppender) {
  return {
    store,
    audit,
    jobs: jobsRepository(store, jobRecordSchema),
    votes: votesRepository(store, voteRecordSchema),
    ownVotes: ownVotesRepository(store, voteSchema),
    verdicts: verdictsRepository(store, verdictSchema),
    reputations: reputationsRepository(store, reputationRecordSchema),
    evidence: evidenceRepository(store, evidenceSchema),
    certificates: certificatesRepository(store, certificateSchema)
  }
}

/** The node's repositories (see {@link openRepositories}). */
export type NodeRepositories = ReturnType<typeof openRepositories>

/**
 * Every repository of the node's store. Values are JSON objects until the
 * caller passes the protocol's schemas; `createRepositories(store)` makes the
 * whole set with those defaults.
 */
import type { Store } from '../db.ts'
import type { JsonObject, Repository } from '../repository.ts'
import { blobUploadsRepository, type BlobUpload } from './blob-uploads.ts'
import { certificatesRepository } from './certificates.ts'
import { evidenceRepository, type EvidenceRepository } from './evidence.ts'
import { jobsRepository, type JobsRepository } from './jobs.ts'
import { metaRepository } from './meta.ts'
import { ownVotesRepository, type OwnVotesRepository } from './own-votes.ts'
import { peersRepository, type PeerRecord } from './peers.ts'
import { reputationsRepository } from './reputations.ts'
import { schedulesRepository } from './schedules.ts'
import { verdictsRepository } from './verdicts.ts'
import { votesRepository, type VotesRepository } from './votes.ts'

export { BlobUploadSchema, blobUploadsRepository, type BlobUpload } from './blob-uploads.ts'
export { certificatesRepository } from './certificates.ts'
export { evidenceKey, evidenceRepository, EvidenceRepository, type EvidenceKey } from './evidence.ts'
export { jobsRepository, JobsRepository } from './jobs.ts'
export {
  delJobIndex, ensureJobIndex, INDEXED_JOB_STATUSES, JOB_INDEX_BUILD_BATCH, JOB_INDEX_VERSION, jobIndexFieldsOf, META_JOB_INDEX, pageJobIndex, putJobIndex,
  type IndexedJobStatus, type JobIndexFields, type JobIndexPage, type JobIndexPageOptions
} from './job-index.ts'
export { metaRepository } from './meta.ts'
export { optimizerReportKey, optimizerReportsRepository, type OptimizerReportKey } from './optimizer-reports.ts'
export { ownVoteKey, ownVotesRepository, OwnVotesRepository, type OwnVoteKey, type OwnVoteResult } from './own-votes.ts'
export { MAX_PEER_MULTIADDRS, PeerRecordSchema, peersRepository, type PeerRecord } from './peers.ts'
export { reputationsRepository } from './reputations.ts'
export {
  blobRefKey, blobsOfJob, ensureRetentionIndex, jobsReferencing, META_RETENTION_INDEX, putBlobRefs, queueForRetention, RETENTION_INDEX_VERSION,
  retentionQueueKey, retentionQueuePage, type BlobRefKey, type RetentionQueueKey
} from './retention.ts'
export { reputationHistoryKey, reputationHistoryRepository, type ReputationHistoryKey } from './reputation-history.ts'
export { SCHEDULE_ID_PATTERN, scheduleIdOf, scheduleKey, schedulesRepository } from './schedules.ts'
export { verdictsRepository } from './verdicts.ts'
export { voteKey, votesRepository, VotesRepository, type VoteKey } from './votes.ts'

/** The full set of repositories over one store. */
export interface Repositories {
  jobs: JobsRepository<JsonObject>
  votes: VotesRepository<JsonObject>
  verdicts: Repository<string, JsonObject>
  reputations: Repository<string, JsonObject>
  evidence: EvidenceRepository<JsonObject>
  peers: Repository<string, PeerRecord>
  ownVotes: OwnVotesRepository<JsonObject>
  certificates: Repository<string, JsonObject>
  meta: Repository<string, unknown>
  schedules: Repository<string, JsonObject>
  blobUploads: Repository<string, BlobUpload>
}

/** Every repository over `store`, with JSON-object values (see each factory to pass a schema). */
export function createRepositories (store: Store): Repositories {
  return {
    jobs: jobsRepository(store),
    votes: votesRepository(store),
    verdicts: verdictsRepository(store),
    reputations: reputationsRepository(store),
    evidence: evidenceRepository(store),
    peers: peersRepository(store),
    ownVotes: ownVotesRepository(store),
    certificates: certificatesRepository(store),
    meta: metaRepository(store),
    schedules: schedulesRepository(store),
    blobUploads: blobUploadsRepository(store)
  }
}

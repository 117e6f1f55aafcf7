/**
 * Buckets: the one-byte key prefix of each kind of record in the node's
 * LevelDB store. Every key is `bucket byte ‖ key bytes`, so each kind of
 * record is one contiguous, ordered key range.
 *
 * Rule: a bucket number is never reused. When a kind of record is retired,
 * its number stays in {@link RETIRED_BUCKETS} forever, because an old
 * database may still hold records under it and a new meaning would misread
 * them. A new kind takes the next number after the highest ever used.
 */

/** Bucket number of each kind of record. */
export const BUCKETS = {
  /** jobId → the job as this node accepted it. */
  jobs: 1,
  /** jobId ‖ round ‖ voter → a signed vote received (or sent) for that job. */
  votes: 2,
  /** jobId → the job's outcome (final or disputed). */
  verdicts: 3,
  /** voter public key → reputation record. */
  reputations: 4,
  /** offender public key ‖ jobId → equivocation evidence. */
  evidence: 5,
  /** seq (8 bytes, big-endian) → audit entry. */
  audit: 6,
  /** peerId → known peer (multiaddrs, last seen, network). */
  peers: 7,
  /** jobId ‖ round → this node's own signed vote (the double-sign guard). */
  ownVotes: 8,
  /** name → small named values: store identity, audit head. */
  meta: 9,
  /** jobId → finality certificate. */
  certificates: 10,
  /** scheduleId (createdAt ‖ 8 random bytes) → a deferred economy scene job and its slot. */
  schedules: 11,
  /** blob sha256 → an uploaded blob no job references yet (uploader, bytes, time); removed once a job names it or the clean-up deletes it. */
  blobUploads: 12,
  /** createdAt (8 bytes, big-endian) ‖ ~jobId (bitwise not) → null: jobs newest first by a reverse scan (repositories/job-index.ts). */
  jobsByTime: 13,
  /** status byte ‖ createdAt (8 bytes, big-endian) ‖ ~jobId → null: the same order within one status (repositories/job-index.ts). */
  jobsByStatus: 14,
  /** seq (8 bytes, big-endian) ‖ jobId → the optimizer report of a network-optimized scene job, oldest first (node/wiring/optimizer-report-store.ts). */
  optimizerReports: 15,
  /** validator public key ‖ seq (8 bytes, big-endian) → one point of that validator's reputation over time, oldest first (node/job/reputation-history.ts). */
  reputationHistory: 16,
  /** decidedAt (8 bytes, big-endian) ‖ jobId → null: decided jobs whose blobs, votes and evidence are not pruned yet, oldest decision first (repositories/retention.ts). */
  retentionQueue: 17,
  /** blob sha256 ‖ jobId → null: the jobs that still need a blob; a blob with no entry left may be pruned (repositories/retention.ts). */
  blobRefs: 18
} as const

/** Name of a bucket. */
export type BucketName = keyof typeof BUCKETS

/** A bucket number. */
export type Bucket = (typeof BUCKETS)[BucketName]

/** Numbers once used and then retired; never to be given to a new kind of record. */
export const RETIRED_BUCKETS: readonly number[] = []

/** The key prefix of `bucket` (one byte). */
export function bucketPrefix (bucket: Bucket): Uint8Array {
  return Uint8Array.of(bucket)
}

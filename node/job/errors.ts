/** Codes of the job engine's typed errors (gossip action in brackets). */
import { declareCode } from '../../protocol/errors.ts'

/** [IGNORE] A vote for a job this node does not know (yet); held for a while. */
export const ERR_UNKNOWN_JOB = declareCode('ERR_UNKNOWN_JOB', { status: 404 })
/** [IGNORE] A message this node already has. */
export const ERR_DUPLICATE = declareCode('ERR_DUPLICATE', { status: 409 })
/**
 * [IGNORE] Evidence against a validator already proved to equivocate, for a
 * job this node does not hold: it would change nothing (the offender's trust
 * is 0 for good), and storing one record per made-up job id let a single
 * validator fill every node's disk and audit trail.
 */
export const ERR_EVIDENCE_REDUNDANT = declareCode('ERR_EVIDENCE_REDUNDANT', { status: 409 })
/** [IGNORE] A second, different vote of one validator; evidence is made and gossiped. */
export const ERR_EQUIVOCATION = declareCode('ERR_EQUIVOCATION', { status: 409 })
/** [IGNORE] A vote for a round this version does not count. */
export const ERR_UNSUPPORTED_ROUND = declareCode('ERR_UNSUPPORTED_ROUND', { status: 422 })
/** [IGNORE] An announcement whose deadline passed long ago (a stale replay). */
export const ERR_JOB_EXPIRED = declareCode('ERR_JOB_EXPIRED', { status: 422 })
/** [IGNORE] An announcement created further in this node's future than the network's clock-skew tolerance. */
export const ERR_JOB_FUTURE = declareCode('ERR_JOB_FUTURE', { status: 422 })
/**
 * [IGNORE] A vote for a decided job whose stored votes retention pruned
 * (node/wiring/retention.ts): without them a replayed late vote could not be
 * told from a new one and would be judged (and penalised) again.
 */
export const ERR_JOB_PRUNED = declareCode('ERR_JOB_PRUNED', { status: 410 })
/** [IGNORE] A vote made with another sampling seed than the job's seed certificate fixes. */
export const ERR_SEED_MISMATCH = declareCode('ERR_SEED_MISMATCH', { status: 422 })
/** This node is not a validator of its network, so it cannot announce jobs. */
export const ERR_NOT_VALIDATOR = declareCode('ERR_NOT_VALIDATOR', { status: 403 })
/** A job names a blob this node does not hold and no peer served. */
export const ERR_BLOB_UNKNOWN = declareCode('ERR_BLOB_UNKNOWN', { status: 400 })
/** A job kind this node cannot measure. */
export const ERR_UNSUPPORTED_KIND = declareCode('ERR_UNSUPPORTED_KIND', { status: 400 })
/** This node's measurement of a round ended (or could not start) at the round's deadline. */
export const ERR_ROUND_OVER = declareCode('ERR_ROUND_OVER', { status: 504 })
/**
 * A job whose declared work (pixels, triangles, vertices, from headers) is
 * over the network's `limits`: the submitter's API answers 422, and every
 * honest node refuses the announcement alike before measuring.
 */
export const ERR_JOB_OVER_LIMITS = declareCode('ERR_JOB_OVER_LIMITS', { status: 422 })
/**
 * A job no honest node can measure, decided from its inputs alone (frames of
 * different sizes, a reference scene with nothing to draw, a frame or scene
 * its measurement refuses; the underlying code in `details.cause`): the
 * submitter's API answers 422, and every honest node closes the announcement
 * at once (disputed, reason `unmeasurable`) instead of at its deadline.
 */
export const ERR_JOB_UNMEASURABLE = declareCode('ERR_JOB_UNMEASURABLE', { status: 422 })
/** Waiting for a job's seed stopped: the node is stopping or the job's work was cancelled. */
export const ERR_ABORTED = declareCode('ERR_ABORTED', { status: 503 })
/** A measurement failed with something other than a typed error (a bug in measuring, or the worker's runtime). */
export const ERR_MEASURE = declareCode('ERR_MEASURE', { status: 500 })
/** [IGNORE on gossip; 503 on the API] The node is stopping (node/job/drain.ts): it takes no new job, upload or schedule. */
export const ERR_NODE_STOPPING = declareCode('ERR_NODE_STOPPING', { status: 503 })
/**
 * [IGNORE] A vote, evidence or announcement not queued because its job's
 * decision queue holds its bound of steps already (`decisionStepsPerValidator`
 * × validators + `decisionStepsOwn`, node/job/engine.ts): never penalised,
 * the sender is not at fault; the node learns the message back through
 * catch-up.
 */
export const ERR_DECISION_QUEUE_FULL = declareCode('ERR_DECISION_QUEUE_FULL', { status: 503 })
/**
 * [IGNORE on gossip; 503 on the API] A job announced by a submitter that
 * already has `maxOpenJobsPerSubmitter` jobs open (node/job/job-caps.ts): a
 * node does not track or measure it. The submitter's own API refuses a
 * submission first, counting its jobs until every node has closed them, so
 * only a submitter that ignores its own cap meets the others'.
 */
export const ERR_TOO_MANY_OPEN_JOBS = declareCode('ERR_TOO_MANY_OPEN_JOBS', { status: 503 })
/**
 * A job's blobs waited for the node's blob memory budget (node/job/blob-budget.ts,
 * `maxBlobBytesInMemory`) until its round ended or the node stopped: this
 * node casts no vote on that round (recorded as the job's measurement error).
 */
export const ERR_BLOB_BUDGET = declareCode('ERR_BLOB_BUDGET', { status: 503 })

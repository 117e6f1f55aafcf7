/**
 * Protocol constants. Changing any of these changes what honest nodes accept,
 * so they are part of the protocol version.
 */

/** Wire protocol version: part of gossip topic names, stream ids and signed bytes. */
export const PROTOCOL_VERSION = 1

/** Prefix of every signed byte string (see {@link signedBytes}). */
export const DOMAIN_PREFIX = `trust-engine/v${PROTOCOL_VERSION}/`

/**
 * Largest gossip message (job, vote, evidence) accepted, checked before any
 * parsing. A vote is under 1 KiB and evidence two votes; a job lists up to 256
 * blob hashes (~17 KiB). 64 KiB leaves room and stays far below gossipsub's
 * own 1 MiB default maximum transmission size.
 */
export const MAX_MESSAGE_BYTES = 64 * 1024

/** Largest certificate accepted: up to 1000 signed votes of about 1 KiB each plus a seed certificate. */
export const MAX_CERTIFICATE_BYTES = 2 * 1024 * 1024

/** Largest seed certificate accepted: up to 1000 shares of about 260 bytes each. */
export const MAX_SEED_CERTIFICATE_BYTES = 512 * 1024

/** Largest network file accepted (1000 validators at ~150 bytes each, with room). */
export const MAX_NETWORK_FILE_BYTES = 512 * 1024

/**
 * Most validators in one network. With base weights ≤ 1e6 and trust in
 * millionths, effective weights stay below 2^53 (1000 × 1e6 × 1e6 = 1e15), so
 * quorum arithmetic is exact in IEEE doubles.
 */
export const MAX_VALIDATORS = 1000

/** Largest base weight of one validator (see {@link MAX_VALIDATORS}). */
export const MAX_BASE_WEIGHT = 1_000_000

/**
 * Largest blob (a frame, a scene) a node takes through its API and fetches or
 * serves over the blob stream protocol, 64 MiB: one number for both, since a
 * blob a node accepts must be one its peers will fetch, or a job would be
 * certifiable by its submitter alone.
 */
export const MAX_BLOB_BYTES = 64 * 1024 * 1024

/** Most blobs (frames) on each side of one job: 256 hashes of 64 characters stay well inside {@link MAX_MESSAGE_BYTES}. */
export const MAX_JOB_BLOBS = 256

/** Highest voting round of a job: round 0 normally, later rounds for grey-zone re-measurement; a small bound keeps stored state small. */
export const MAX_ROUND = 15

/** Most samples one vote may claim; far above the seed's Cochran clamp of 100 and a 256-frame full measurement. */
export const MAX_SAMPLES = 1_000_000

/** Trust is counted in millionths so that effective weights are exact integers (see {@link MAX_VALIDATORS}). */
export const TRUST_SCALE = 1_000_000

/**
 * Default measurement-engine id pinned in a network file (`measurement.engine`).
 * Honest votes are identical only if every node measures with the same code
 * (renderer, samplers, metrics); a node refuses to vote in a network whose
 * engine id is not its own, and votes carry the id, so nodes on different
 * engines never count as disagreeing honest nodes. Bumped whenever a change
 * can alter a measured bit.
 */
export const DEFAULT_MEASUREMENT_ENGINE = 'trust-engine-measure/7'

/**
 * Default optimizer id pinned in a network file (`measurement.optimizer`):
 * the `asset.generator` of the node optimizer's outputs. A scene job the
 * network optimizes is verified by re-running the optimizer and comparing
 * hashes, so it needs every validator on the same optimizer as much as on
 * the same measurement engine; a validator whose optimizer is another
 * refuses to start. Bumped with the optimizer's format version
 * (node/optimizer/version.ts) whenever a change can alter an output byte.
 */
export const DEFAULT_OPTIMIZER = 'trust-engine-optimizer/11'

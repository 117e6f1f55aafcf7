/**
 * Error codes of the networking layer. Each is a stable string carried by a
 * `TrustEngineError`; tests, metrics and callers match on these, never on
 * message text.
 */
import { declareCode } from '../../protocol/errors.ts'

/** A peer of another network id or protocol version (refused at identify). */
export const ERR_WRONG_NETWORK = declareCode('ERR_WRONG_NETWORK', { action: 'reject', status: 400 })
/** A peer the injected `allowPeer` callback refused (refused at the connection gater). */
export const ERR_PEER_NOT_ALLOWED = 'ERR_PEER_NOT_ALLOWED'
/** A connection whose peer did not complete identify within the admission timeout. */
export const ERR_HANDSHAKE_TIMEOUT = 'ERR_HANDSHAKE_TIMEOUT'
/** Host options that do not satisfy their schema. */
export const ERR_P2P_OPTIONS = 'ERR_P2P_OPTIONS'
/** `start()` on a host that was already stopped (create a new host instead). */
export const ERR_HOST_STOPPED = declareCode('ERR_HOST_STOPPED', { status: 503 })

/** A gossip message larger than the message limit (checked before decoding). */
export const ERR_MESSAGE_TOO_LARGE = declareCode('ERR_MESSAGE_TOO_LARGE', { action: 'reject', status: 413 })
/** A topic that is not one of this network's topics. */
export const ERR_UNKNOWN_TOPIC = 'ERR_UNKNOWN_TOPIC'
/** Subscribing to a topic before a validator was set for it. */
export const ERR_NO_VALIDATOR = 'ERR_NO_VALIDATOR'
/** A validator that did not settle within the validation timeout. */
export const ERR_VALIDATION_TIMEOUT = 'ERR_VALIDATION_TIMEOUT'
/** A validator that threw something other than a `TrustEngineError` (a bug). */
export const ERR_VALIDATOR_BUG = 'ERR_VALIDATOR_BUG'

/** Received blob bytes whose sha256 is not the requested hash. */
export const ERR_BLOB_HASH = 'ERR_BLOB_HASH'
/** A blob larger than the allowed maximum. */
export const ERR_BLOB_TOO_LARGE = declareCode('ERR_BLOB_TOO_LARGE', { status: 413 })
/** No peer has the blob. */
export const ERR_BLOB_NOT_FOUND = declareCode('ERR_BLOB_NOT_FOUND', { status: 404 })
/** A blob transfer that went idle too long or exceeded its total time. */
export const ERR_BLOB_TIMEOUT = 'ERR_BLOB_TIMEOUT'
/** A blob stream that broke the framing rules (bad frame, wrong length, early end). */
export const ERR_BLOB_PROTOCOL = 'ERR_BLOB_PROTOCOL'
/** A blob transfer cancelled by the caller's AbortSignal. */
export const ERR_BLOB_ABORTED = 'ERR_BLOB_ABORTED'
/** The peer could not be dialled or does not speak the blob protocol. */
export const ERR_BLOB_UNREACHABLE = 'ERR_BLOB_UNREACHABLE'
/** A blob id that is not 64 lowercase hex characters. */
export const ERR_BLOB_ID = 'ERR_BLOB_ID'
/** A stored blob whose bytes no longer hash to its name (disk corruption). */
export const ERR_BLOB_CORRUPT = 'ERR_BLOB_CORRUPT'
/** Storing a blob would exceed the blob directory's quota (`maxTotalBytes`). */
export const ERR_BLOB_QUOTA = declareCode('ERR_BLOB_QUOTA', { status: 507 })
/** A file system failure in the blob directory. */
export const ERR_BLOB_IO = 'ERR_BLOB_IO'

/** Vote catch-up: the peer could not be reached on the vote protocol. */
export const ERR_SYNC_UNREACHABLE = 'ERR_SYNC_UNREACHABLE'
/** Vote catch-up: the exchange took longer than its timeout. */
export const ERR_SYNC_TIMEOUT = 'ERR_SYNC_TIMEOUT'
/** Vote catch-up: a malformed request or response. */
export const ERR_SYNC_PROTOCOL = 'ERR_SYNC_PROTOCOL'

/** An observer refused because the node already has its maximum of observer peers. */
export const ERR_OBSERVER_LIMIT = 'ERR_OBSERVER_LIMIT'
/** An observer refused because its IP address already has its maximum of observer connections. */
export const ERR_TOO_MANY_CONNECTIONS_PER_IP = 'ERR_TOO_MANY_CONNECTIONS_PER_IP'
/** An inbound connection refused before its encryption handshake: its IP address is in backoff after identities beyond the per-IP bound. */
export const ERR_IP_BACKOFF = 'ERR_IP_BACKOFF'
/** A peer refused because it is banned (stream abuse or a graylisted gossip score). */
export const ERR_PEER_BANNED = 'ERR_PEER_BANNED'
/** A peer hung up because its gossip score fell below the graylist threshold. */
export const ERR_GRAYLISTED = 'ERR_GRAYLISTED'
/** A stream request over the peer's quota (concurrent streams or requests per minute). */
export const ERR_STREAM_QUOTA = 'ERR_STREAM_QUOTA'
/** A gossipsub frame over the frame limit. */
export const ERR_GOSSIP_FRAME_TOO_LARGE = declareCode('ERR_GOSSIP_FRAME_TOO_LARGE', { status: 413 })
/** A gossip message that is JSON but not in its canonical encoding (protocol/canonical.ts). */
export const ERR_NOT_CANONICAL = 'ERR_NOT_CANONICAL'

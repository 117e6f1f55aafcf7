/**
 * Error codes of the networking layer. Each is a stable string carried by a
 * `TrustEngineError`; tests, metrics and callers match on these, never on
 * message text.
 */
import { declareCode } from '../../protocol/errors.ts'

/** A peer of another network id or protocol version (refused at identify). */
export const ERR_WRONG_NETWORK = declareCode('ERR_WRONG_NETWORK', { action: 'reject', status: 400 })
/** A peer the injected `allowPeer` callback refused (refused at the connection gater). */
export const ERR_PEER_NOT_ALLOWED = declareCode('ERR_PEER_NOT_ALLOWED', { status: 403 })
/** A connection whose peer did not complete identify within the admission timeout. */
export const ERR_HANDSHAKE_TIMEOUT = declareCode('ERR_HANDSHAKE_TIMEOUT', { status: 504 })
/** Host options that do not satisfy their schema. */
export const ERR_P2P_OPTIONS = declareCode('ERR_P2P_OPTIONS', { status: 400 })
/** `start()` on a host that was already stopped (create a new host instead). */
export const ERR_HOST_STOPPED = declareCode('ERR_HOST_STOPPED', { status: 503 })

/** A gossip message larger than the message limit (checked before decoding). */
export const ERR_MESSAGE_TOO_LARGE = declareCode('ERR_MESSAGE_TOO_LARGE', { action: 'reject', status: 413 })
/** A topic that is not one of this network's topics. */
export const ERR_UNKNOWN_TOPIC = declareCode('ERR_UNKNOWN_TOPIC', { status: 404 })
/** Subscribing to a topic before a validator was set for it. */
export const ERR_NO_VALIDATOR = declareCode('ERR_NO_VALIDATOR', { status: 500 })
/** A validator that did not settle within the validation timeout. */
export const ERR_VALIDATION_TIMEOUT = declareCode('ERR_VALIDATION_TIMEOUT', { status: 504 })
/** A validator that threw something other than a `TrustEngineError` (a bug). */
export const ERR_VALIDATOR_BUG = declareCode('ERR_VALIDATOR_BUG', { status: 500 })
/** A gossip message dropped unread because its topic's validation queue is full (`maxValidatingPerTopic`, `maxValidatingBytesPerTopic`): IGNORE, never penalised. */
export const ERR_GOSSIP_QUEUE_FULL = declareCode('ERR_GOSSIP_QUEUE_FULL', { status: 503 })
/** A gossip message dropped unread because its relaying peer already has its share of the topic's validation in progress (`maxValidatingPerPeer`, `maxValidatingBytesPerPeer`): IGNORE, never penalised, not marked seen. */
export const ERR_GOSSIP_PEER_QUEUE_FULL = declareCode('ERR_GOSSIP_PEER_QUEUE_FULL', { status: 503 })
/** A gossip message dropped unread because its relaying peer sent more than its rate (`peerMessagesPerSecond`, `peerMessageBurst`): IGNORE, never penalised, not marked seen. */
export const ERR_GOSSIP_PEER_RATE = declareCode('ERR_GOSSIP_PEER_RATE', { status: 429 })

/** Received blob bytes whose sha256 is not the requested hash. */
export const ERR_BLOB_HASH = declareCode('ERR_BLOB_HASH', { action: 'reject', status: 400 })
/** A blob larger than the allowed maximum. */
export const ERR_BLOB_TOO_LARGE = declareCode('ERR_BLOB_TOO_LARGE', { status: 413 })
/** No peer has the blob. */
export const ERR_BLOB_NOT_FOUND = declareCode('ERR_BLOB_NOT_FOUND', { status: 404 })
/** A blob transfer that went idle too long or exceeded its total time. */
export const ERR_BLOB_TIMEOUT = declareCode('ERR_BLOB_TIMEOUT', { status: 504 })
/** A blob stream that broke the framing rules (bad frame, wrong length, early end). */
export const ERR_BLOB_PROTOCOL = declareCode('ERR_BLOB_PROTOCOL', { status: 502 })
/** A blob transfer cancelled by the caller's AbortSignal. */
export const ERR_BLOB_ABORTED = declareCode('ERR_BLOB_ABORTED', { status: 503 })
/** The peer could not be dialled or does not speak the blob protocol. */
export const ERR_BLOB_UNREACHABLE = declareCode('ERR_BLOB_UNREACHABLE', { status: 503 })
/** A blob id that is not 64 lowercase hex characters. */
export const ERR_BLOB_ID = declareCode('ERR_BLOB_ID', { status: 400 })
/** Storing a blob would exceed the blob directory's quota (`maxTotalBytes`). */
export const ERR_BLOB_QUOTA = declareCode('ERR_BLOB_QUOTA', { status: 507 })
/** A write would leave too little free space, or met a full file system (declared with the store's use in node/files/disk-full.ts). */
export { ERR_DISK_FULL } from '../files/disk-full.ts'
/** A file system failure in the blob directory. */
export const ERR_BLOB_IO = declareCode('ERR_BLOB_IO', { status: 500 })

/** Vote catch-up: the peer could not be reached on the vote protocol. */
export const ERR_SYNC_UNREACHABLE = declareCode('ERR_SYNC_UNREACHABLE', { status: 503 })
/** Vote catch-up: the exchange took longer than its timeout. */
export const ERR_SYNC_TIMEOUT = declareCode('ERR_SYNC_TIMEOUT', { status: 504 })
/** Vote catch-up: a malformed request or response. */
export const ERR_SYNC_PROTOCOL = declareCode('ERR_SYNC_PROTOCOL', { status: 502 })

/** An observer refused because the node already has its maximum of observer peers. */
export const ERR_OBSERVER_LIMIT = declareCode('ERR_OBSERVER_LIMIT', { status: 503 })
/** An observer refused because its IP address already has its maximum of observer connections. */
export const ERR_TOO_MANY_CONNECTIONS_PER_IP = declareCode('ERR_TOO_MANY_CONNECTIONS_PER_IP', { status: 429 })
/** An inbound connection refused before its encryption handshake: its IP address is in backoff after identities beyond the per-IP bound. */
export const ERR_IP_BACKOFF = declareCode('ERR_IP_BACKOFF', { status: 429 })
/** An inbound connection refused before its handshake: the node has `maxConnections` connections open. */
export const ERR_TOO_MANY_CONNECTIONS = declareCode('ERR_TOO_MANY_CONNECTIONS', { status: 503 })
/** An inbound connection refused before its handshake: `maxPendingConnections` handshakes are in progress. */
export const ERR_TOO_MANY_PENDING_CONNECTIONS = declareCode('ERR_TOO_MANY_PENDING_CONNECTIONS', { status: 503 })
/** An inbound connection refused before its handshake: its IP address opened more than `inboundConnectionsPerSecond` connections this second. */
export const ERR_CONNECTION_RATE = declareCode('ERR_CONNECTION_RATE', { status: 429 })
/** A peer refused because it is banned (stream abuse or a graylisted gossip score). */
export const ERR_PEER_BANNED = declareCode('ERR_PEER_BANNED', { status: 403 })
/** A peer hung up because its gossip score fell below the graylist threshold. */
export const ERR_GRAYLISTED = declareCode('ERR_GRAYLISTED', { status: 403 })
/** A stream request over the peer's quota (concurrent streams or requests per minute). */
export const ERR_STREAM_QUOTA = declareCode('ERR_STREAM_QUOTA', { status: 429 })
/** A gossipsub frame over the frame limit. */
export const ERR_GOSSIP_FRAME_TOO_LARGE = declareCode('ERR_GOSSIP_FRAME_TOO_LARGE', { status: 413 })
/** A gossip message that is JSON but not in its canonical encoding (declared in protocol/decode.ts, whose signed-message decoding checks it too). */
export { ERR_NOT_CANONICAL } from '../../protocol/decode.ts'

/**
 * The networking layer of a Trust Engine node (docs/networking.md).
 *
 * - {@link createHost}: a libp2p host (TCP, Noise, Yamux, identify,
 *   gossipsub) for one network, refusing peers of other networks, redialling
 *   bootstrap and known peers with backoff, remembering peers in a peer book.
 * - `host.gossip` ({@link GossipAdapter}): `setValidator`, `subscribe`,
 *   `publish`, `getScore`; accepted messages go to `onMessage` once.
 * - {@link serveBlobs}, {@link fetchBlob}, {@link fetchBlobFromAny}: blobs by
 *   sha256 over `/trust-engine/blob/1.0.0`, hash-checked on receipt.
 * - {@link BlobDir}: content-addressed blob files.
 *
 * The layer knows nothing of jobs or votes: the node injects validators,
 * the message handler, the app score, the peer filter and the persistence.
 */
export { createHost, Host, DEFAULT_HOST_OPTIONS, type HostOptions, type HostPrivateKey, type HostServices } from './host.ts'
export { GossipAdapter, DEFAULT_GOSSIP_OPTIONS, contentMessageId, gossipsubInit, type GossipOptions, type GossipValidator, type GossipValidatorOptions, type GossipMessageHandler } from './gossip.ts'
export { DEFAULT_GOSSIP_SCORE_OPTIONS, DEFAULT_REPUTATION_SCORE_OPTIONS, appScoreFromReputation, buildScoreConfig, type GossipScoreOptions, type ReputationScoreOptions } from './gossip-score.ts'
export { TOPIC_KINDS, networkTopics, networkProtocolId, topicKind, topicName, type NetworkTopics, type TopicKind } from './topics.ts'
export { NetworkGate, type AllowPeer } from './network-gate.ts'
export { Admission, DEFAULT_ADMISSION_OPTIONS, ipOf, type AdmissionOptions, type PeerClass, type PeerQuota } from './admission.ts'
export { InboundLimits, libp2pConnectionLimits, type ConnectionLimitOptions, type Libp2pConnectionLimits } from './connection-limits.ts'
export { GossipPeerShare, type GossipPeerShareOptions } from './gossip-peer-share.ts'
export { PeerPenalties, DEFAULT_PEER_PENALTY_OPTIONS, type PeerPenaltyOptions } from './peer-penalties.ts'
export { KeyedTokenBuckets, type TokenBucketOptions } from './rate-limit.ts'
export { isCanonicalOrNotJson } from './canonical-gate.ts'
export { DEFAULT_REDIAL_OPTIONS, nextDelay, type RedialOptions } from './redial.ts'
export { PeerBook, DEFAULT_PEER_BOOK_OPTIONS, peerRecordSchema, type PeerRecord, type PeerBookPersistence, type PeerBookOptions } from './peer-book.ts'
export { BLOB_PROTOCOL, MAX_REQUEST_FRAME_BYTES, MAX_STATUS_FRAME_BYTES, decodeBlobRequest, decodeBlobStatus, encodeBlobRequest, encodeBlobStatus, type BlobRequest, type BlobStatus } from './blob-frames.ts'
export { DEFAULT_BLOB_TRANSFER_OPTIONS, DEFAULT_MAX_CONCURRENT_BLOB_STREAMS, fetchBlob, openBlob, serveBlobs, type BlobBody, type BlobSource, type BlobTransferOptions, type FetchBlobOptions, type HasLibp2p, type OpenBlob, type PeerLimits, type ServeBlobsOptions } from './blob-protocol.ts'
export { readBlobResponse, type ReadBlobResponseOptions } from './blob-response.ts'
export { DEFAULT_BLOB_PROBES, SUPERSEDED, blobPeerOrder, fetchBlobFromAny, type FetchFromAnyOptions } from './blob-fetch-any.ts'
export { BlobDir, DEFAULT_BLOB_DIR_OPTIONS, type BlobDirOptions } from './blob-dir.ts'
export { CounterTally, NO_COUNTERS, type GossipResult, type P2pCounters } from './counters.ts'
export * from './errors.ts'
export { MAX_SYNC_JOBS, MAX_SYNC_PAGE_BYTES, MAX_SYNC_PAGE_ITEMS, MAX_SYNC_VOTES, OPEN_JOBS_PROTOCOL, VOTE_SYNC_PROTOCOL, VOTE_SYNC_TIMEOUT_MS, fetchOpenJobs, fetchVotes, serveOpenJobs, serveVotes, type ServeSyncOptions } from './vote-sync.ts'

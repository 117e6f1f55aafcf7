/**
 * The node's Prometheus metrics as one typed tree (the Lodestar pattern):
 * `createNodeMetrics(register)` declares every metric once on a registry and
 * returns them grouped by subsystem, so the code that updates a metric gets a
 * typed object instead of looking metrics up by name.
 *
 * Rules: names carry their unit (`_seconds`, `_bytes`, `_total` for
 * counters); labels have small fixed value sets (a route pattern, a status, a
 * result, an error code), never a peer id, a job id or a raw URL, so the
 * number of series stays bounded whatever the network sends.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, type Registry } from 'prom-client'
import { limiterKeysOf, type ScrapeReaders, scrapeReadersOf } from './metrics-scrape.ts'

/** Prefix of every metric this node exports, default process metrics included. */
export const METRIC_PREFIX = 'trust_engine_'

/** Options of {@link createNodeMetrics}. */
export interface NodeMetricsOptions {
  /** Also export prom-client's default process metrics (CPU, memory, event loop, GC). */
  defaultMetrics: boolean
}

/** Defaults of {@link NodeMetricsOptions}. */
export const DEFAULT_NODE_METRICS_OPTIONS: NodeMetricsOptions = {
  // On by default: an operator scraping one node wants its process health too.
  // The simulator runs many nodes in one process and can turn it off, because
  // the process metrics would be the same series repeated per node.
  defaultMetrics: true
}

/**
 * Buckets of the job finality latency, in seconds. A job on a LAN finalizes
 * in well under a second; the default vote deadline is tens of seconds and a
 * scene job with rendering can take minutes, so the buckets run from 50 ms to
 * 120 s, roughly doubling.
 */
export const FINALITY_LATENCY_BUCKETS_SECONDS = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120]

/** Outcome of a gossip message validation, as gossipsub is told. */
export type GossipResultLabel = 'accept' | 'reject' | 'ignore'
/** What happened to a received vote. */
export type VoteOutcomeLabel = 'accepted' | 'duplicate' | 'equivocation' | 'late' | 'invalid' | 'held' | 'other-seed'

/** The node's metrics, grouped by subsystem. */
export interface NodeMetrics {
  gossip: {
    /** Validation results of received gossip messages by topic, result and error code (`none` when accepted). */
    validationResults: Counter<'topic' | 'result' | 'code'>
    /** Gossip RPCs not sent to a peer because its outbound queue was full (node/p2p/gossip.ts `maxOutboundBufferBytes`). */
    outboundDropped: Counter
  }
  votes: {
    /** Votes received from other validators, by outcome. */
    received: Counter<'outcome'>
    /** Votes this node signed and published. */
    own: Counter
  }
  jobs: {
    /** Jobs this node knows, by status (set by the node, not incremented). */
    byStatus: Gauge<'status'>
    /** Time from a job's creation to its final (or disputed) status on this node. */
    finalityLatencySeconds: Histogram
    /** Announcements of valid jobs this node did not take in, by code (`ERR_TOO_MANY_OPEN_JOBS`: the submitter has its cap of open jobs here; node/job/job-caps.ts). */
    ignored: Counter<'code'>
  }
  peers: {
    /** Peers currently connected. */
    connected: Gauge
    /** Connections refused at admission, by code (`ERR_OBSERVER_LIMIT`, `ERR_PEER_BANNED`, `ERR_WRONG_NETWORK`, `ERR_TOO_MANY_CONNECTIONS`, `ERR_CONNECTION_RATE`, ...). */
    refused: Counter<'code'>
    /** Penalised offences of peers, by code (`ERR_STREAM_QUOTA`, `ERR_GOSSIP_FRAME_TOO_LARGE`, `ERR_GRAYLISTED`, ...). */
    offences: Counter<'code'>
  }
  blobs: {
    /** Blob fetches from peers, by result (`OK` or the fetch's code: `ERR_BLOB_NOT_FOUND`, `ERR_BLOB_HASH`, `ERR_BLOB_TIMEOUT`, ...). */
    fetches: Counter<'result'>
    /** Blob requests of peers, by result: `found`, `not-found`, `too-large`, `busy` (all 64 streams taken), `ERR_STREAM_QUOTA` (over the peer's quota) or the code the stream failed with. */
    serves: Counter<'result'>
    /** Blob bytes moved, by direction (`received` from peers, `sent` to peers, `uploaded` through the API). */
    bytes: Counter<'direction'>
    /** Bytes of uploads no job names yet, all uploaders together (node/store/blob-keeper.ts). */
    pendingBytes: Gauge
    /** Uploads no job named within the grace period, deleted by the clean-up. */
    uploadsDeleted: Counter
    /** Bytes of blob uploads being received now (by Content-Length), held in memory until stored; bounded by the API's `maxUploadBytesInFlight`. */
    uploadsInFlightBytes: Gauge
    /** Blob files moved aside because they did not hash to their name (truncated or altered on disk), by reason. */
    quarantined: Counter<'reason'>
    /** Blob fetches refused because the job's submitter holds its share of fetched blobs on this node (node/store/fetch-quota.ts). */
    fetchRefused: Counter
    /** Bytes of blobs fetched from peers held for jobs, all submitters together, after each change. */
    fetchedBytes: Gauge
  }
  http: {
    /** HTTP API requests by route pattern, method and status code (rejections included). */
    requests: Counter<'route' | 'method' | 'status'>
    /** Clients connected to the event stream (`GET /v1/events`). */
    eventClients: Gauge
    /** Event stream clients dropped because their unsent bytes passed the bound. */
    eventClientsDropped: Counter
    /** HTTP connections closed at once because the API had `maxConnections` open, or the client's address `maxConnectionsPerClient`, by `bound`. */
    connectionsDropped: Counter<'bound'>
    /** Requests refused with 429 by a per-client rate limit, by route pattern (node/api/rate-limit.ts). */
    rateLimited: Counter<'route'>
  }
  evidence: {
    /** Jobs whose measurement evidence this node keeps. */
    jobs: Gauge
    /** Bytes of measurement evidence this node keeps. */
    bytes: Gauge
  }
  audit: {
    /** Audit entries appended, by kind. */
    entries: Counter<'kind'>
  }
  storage: {
    /** Bytes of the LevelDB folder on disk (tables, logs, manifest), read at each scrape. */
    storeBytes: Gauge
    /** Bytes of the blobs in the blob folder, read at each scrape. */
    blobBytes: Gauge
    /** Free bytes of the data folder's file system, read at each scrape; blob writes stop at the node's `minFreeBytes`. */
    diskFreeBytes: Gauge
  }
  queues: {
    /**
     * Gossip messages waiting in this node, by stage, read at each scrape:
     * `validating` (in a topic validator; gossipsub forwards and delivers
     * only after it) and `delivering` (accepted, their handler running).
     */
    gossip: Gauge<'stage'>
    /** Votes held before they can be counted, their job or seed not known yet (node/job/vote-buffer.ts), read at each scrape. */
    votesHeld: Gauge
    /** Economy schedules waiting for their slot (bounded by the economy's `maxPending`), read at each scrape. */
    schedulesWaiting: Gauge
    /** Jobs whose seed shares or certificates the seed phase holds (node/job/seed-phase.ts, bounded by `maxHeldJobs`), read at each scrape. */
    seedJobsHeld: Gauge
    /** Tasks of the worker pool (measurements, optimizations, analyses), by state: `waiting` for a worker, `running`; read at each scrape. */
    workTasks: Gauge<'state'>
    /** LevelDB writes queued or running (node/store/db.ts: one writer, no bound of its own), read at each scrape. */
    storeWritesWaiting: Gauge
    /** Optimizer reports kept (node/wiring/optimizer-report-store.ts, bounded by `maxReports`), read at each scrape. */
    optimizerReports: Gauge
    /** Steps on the jobs' decision queues (node/job/job-lifecycle.ts), queued or running, by scope: `all` jobs together, `longest` (the busiest job's, bounded by `decisionStepsPerValidator`); read at each scrape. */
    decisionSteps: Gauge<'scope'>
    /** Blob bytes in memory within the node's blob budget (node/job/blob-budget.ts, `maxBlobBytesInMemory`), by state: `held` (reserved by transfers and measurements), `waiting` (asked for by jobs waiting for room); read at each scrape. */
    blobMemory: Gauge<'state'>
    /** Reputation history points kept, all validators (bounded by `maxPointsPerValidator` each), read at each scrape. */
    reputationPoints: Gauge
    /** Records of the peer book (validators only), read from the store at each scrape. */
    peerBookRecords: Gauge
    /** Message ids in gossipsub's seen cache (bounded by `maxSeenIds` and by its 2-minute lifetime), read at each scrape. */
    gossipSeenIds: Gauge
    /** Final jobs in the certificate catch-up's serving index (node/job/certified-jobs.ts, bounded by `MAX_INDEXED_JOBS`), read at each scrape. */
    certifiedJobsIndexed: Gauge
    /** Peers the host keeps redialling (node/p2p/redial.ts: bootstrap peers and the peer book's, less those given up), read at each scrape. */
    redialTargets: Gauge
    /** Keys (peers, addresses, API clients) tracked per rate limiter (node/p2p/rate-limit.ts, at most 4096 each), by limiter; read at each scrape from the limiters given to {@link countLimiterKeys}. */
    rateLimitKeys: Gauge<'limiter'>
    /** Entries of gossipsub's own caches, by cache: `messages` (the message cache answering IWANT, 5 heartbeats), `idontwant` (ids peers asked this node not to send, all peers); read at each scrape from gossipsub's internals, no value when its version lacks them. */
    gossipCaches: Gauge<'cache'>
  }
  memory: {
    /** Bytes of the main thread's ArrayBuffers and Buffers (`process.memoryUsage().arrayBuffers`), read at each scrape: part of the default `nodejs_external_memory_bytes`, outside the V8 heap. */
    arrayBuffers: Gauge
    /** Measurement worker threads running (busy or idle), read at each scrape. */
    workers: Gauge
    /** Measurement worker threads started since the node started, read at each scrape: a count that keeps rising under steady load means workers are stopped and replaced (aborted or preempted tasks, idle retirement). */
    workersStarted: Counter
    /** Bytes of V8 heap the measurement workers use, summed, read at each scrape: each worker has its own heap, which `nodejs_heap_size_used_bytes` (the main thread's) does not count. */
    workerHeapUsed: Gauge
  }
  catchUp: {
    /** Asks the job engine made of its peers (node/job/catch-up.ts), by kind: `open-jobs`, `votes` (one job's), `certificates` (one peer's); each paced by its interval. */
    asks: Counter<'kind'>
    /** Answers of one peer to a catch-up ask (node/wiring/job-network-port.ts), by protocol (`votes`, `open-jobs`, `certificates`) and how the answer ended: `ok`, `stopped` (certificates no longer read after one was refused) or the code (`ERR_SYNC_PROTOCOL`, `ERR_SYNC_TIMEOUT`, `ERR_SYNC_UNREACHABLE`). */
    answers: Counter<'protocol' | 'result'>
  }
  retention: {
    /** What retention pruned, by kind: `jobs` (decided jobs pruned), `votes`, `blobs`, `evidence` (jobs' evidence folders). */
    pruned: Counter<'kind'>
    /** Bytes retention freed, by kind: `votes` (LevelDB keys and values, before compaction), `blobs`, `evidence`. */
    freedBytes: Counter<'kind'>
    /** Duration of the last retention pass, compaction included. */
    lastPassSeconds: Gauge
  }
}

/** Full name of each metric in the tree, for dashboards and tests. */
export const NODE_METRIC_NAMES = {
  gossipValidationResults: `${METRIC_PREFIX}gossip_validation_results_total`,
  gossipOutboundDropped: `${METRIC_PREFIX}gossip_outbound_dropped_total`,
  votesReceived: `${METRIC_PREFIX}votes_received_total`,
  ownVotes: `${METRIC_PREFIX}own_votes_total`,
  jobsByStatus: `${METRIC_PREFIX}jobs`,
  jobFinalityLatency: `${METRIC_PREFIX}job_finality_latency_seconds`,
  jobsIgnored: `${METRIC_PREFIX}jobs_ignored_total`,
  peersConnected: `${METRIC_PREFIX}peers_connected`,
  peersRefused: `${METRIC_PREFIX}peers_refused_total`,
  peerOffences: `${METRIC_PREFIX}peer_offences_total`,
  blobFetches: `${METRIC_PREFIX}blob_fetches_total`,
  blobServes: `${METRIC_PREFIX}blob_serves_total`,
  blobBytes: `${METRIC_PREFIX}blob_bytes_total`,
  blobPendingBytes: `${METRIC_PREFIX}blob_uploads_pending_bytes`,
  blobUploadsDeleted: `${METRIC_PREFIX}blob_uploads_deleted_total`,
  blobUploadsInFlight: `${METRIC_PREFIX}blob_uploads_in_flight_bytes`,
  blobsQuarantined: `${METRIC_PREFIX}blobs_quarantined_total`,
  blobFetchRefused: `${METRIC_PREFIX}blob_fetch_refused_total`,
  blobFetchedBytes: `${METRIC_PREFIX}blob_fetched_bytes`,
  httpRequests: `${METRIC_PREFIX}http_requests_total`,
  eventClients: `${METRIC_PREFIX}event_clients`,
  eventClientsDropped: `${METRIC_PREFIX}event_clients_dropped_total`,
  httpConnectionsDropped: `${METRIC_PREFIX}http_connections_dropped_total`,
  httpRateLimited: `${METRIC_PREFIX}http_rate_limited_total`,
  evidenceJobs: `${METRIC_PREFIX}evidence_jobs`,
  evidenceBytes: `${METRIC_PREFIX}evidence_bytes`,
  auditEntries: `${METRIC_PREFIX}audit_entries_total`,
  storeBytes: `${METRIC_PREFIX}store_bytes`,
  blobStoreBytes: `${METRIC_PREFIX}blob_store_bytes`,
  diskFreeBytes: `${METRIC_PREFIX}disk_free_bytes`,
  gossipQueue: `${METRIC_PREFIX}gossip_queue_messages`,
  votesHeld: `${METRIC_PREFIX}votes_held`,
  schedulesWaiting: `${METRIC_PREFIX}schedules_waiting`,
  seedJobsHeld: `${METRIC_PREFIX}seed_jobs_held`,
  workTasks: `${METRIC_PREFIX}work_pool_tasks`,
  arrayBuffers: `${METRIC_PREFIX}array_buffers_bytes`,
  workers: `${METRIC_PREFIX}work_pool_workers`,
  workersStarted: `${METRIC_PREFIX}work_pool_workers_started_total`,
  workerHeapUsed: `${METRIC_PREFIX}work_pool_heap_used_bytes`,
  catchUpAsks: `${METRIC_PREFIX}catch_up_asks_total`,
  catchUpAnswers: `${METRIC_PREFIX}catch_up_answers_total`,
  retentionPruned: `${METRIC_PREFIX}retention_pruned_total`,
  retentionFreedBytes: `${METRIC_PREFIX}retention_freed_bytes_total`,
  retentionLastPass: `${METRIC_PREFIX}retention_last_pass_seconds`,
  storeWritesWaiting: `${METRIC_PREFIX}store_writes_waiting`,
  optimizerReports: `${METRIC_PREFIX}optimizer_reports`,
  decisionSteps: `${METRIC_PREFIX}decision_steps`,
  blobMemory: `${METRIC_PREFIX}blob_memory_bytes`,
  reputationPoints: `${METRIC_PREFIX}reputation_history_points`,
  peerBookRecords: `${METRIC_PREFIX}peer_book_records`,
  gossipSeenIds: `${METRIC_PREFIX}gossip_seen_ids`,
  certifiedJobsIndexed: `${METRIC_PREFIX}certified_jobs_indexed`,
  redialTargets: `${METRIC_PREFIX}redial_targets`,
  rateLimitKeys: `${METRIC_PREFIX}rate_limit_keys`,
  gossipCaches: `${METRIC_PREFIX}gossip_cache_entries`
} as const

/**
 * Declares the node's metrics on `register` and returns them as a typed tree.
 * Idempotent per registry: calling it again on the same registry returns the
 * metrics already declared there (so the HTTP API and the node runtime can
 * both ask for the tree without double registration).
 */
export function createNodeMetrics (register: Registry, options: Partial<NodeMetricsOptions> = {}): NodeMetrics {
  const opts = { ...DEFAULT_NODE_METRICS_OPTIONS, ...options }
  const n = NODE_METRIC_NAMES
  const metrics: NodeMetrics = {
    gossip: {
      validationResults: counter(register, n.gossipValidationResults, 'Gossip message validation results', ['topic', 'result', 'code']),
      outboundDropped: counter(register, n.gossipOutboundDropped, 'Gossip RPCs not sent to a peer because its outbound queue was full', [])
    },
    votes: {
      received: counter(register, n.votesReceived, 'Votes received from other validators, by outcome', ['outcome']),
      own: counter(register, n.ownVotes, 'Votes signed and published by this node', [])
    },
    jobs: {
      byStatus: gauge(register, n.jobsByStatus, 'Jobs known to this node, by status', ['status']),
      finalityLatencySeconds: histogram(register, n.jobFinalityLatency, 'Time from job creation to final or disputed status', FINALITY_LATENCY_BUCKETS_SECONDS),
      ignored: counter(register, n.jobsIgnored, 'Announcements of valid jobs not taken in, by code (ERR_TOO_MANY_OPEN_JOBS)', ['code'])
    },
    peers: {
      connected: gauge(register, n.peersConnected, 'Peers currently connected', []),
      refused: counter(register, n.peersRefused, 'Connections refused at admission, by code', ['code']),
      offences: counter(register, n.peerOffences, 'Penalised offences of peers, by code', ['code'])
    },
    blobs: {
      fetches: counter(register, n.blobFetches, 'Blob fetches from peers, by result', ['result']),
      serves: counter(register, n.blobServes, 'Blob requests of peers, by result', ['result']),
      bytes: counter(register, n.blobBytes, 'Blob bytes moved, by direction', ['direction']),
      pendingBytes: gauge(register, n.blobPendingBytes, 'Bytes of uploads no job names yet', []),
      uploadsDeleted: counter(register, n.blobUploadsDeleted, 'Uploads no job named within the grace period, deleted', []),
      uploadsInFlightBytes: gauge(register, n.blobUploadsInFlight, 'Bytes of blob uploads being received now, held in memory until stored', []),
      quarantined: counter(register, n.blobsQuarantined, 'Blob files moved aside because they did not hash to their name, by reason', ['reason']),
      fetchRefused: counter(register, n.blobFetchRefused, 'Blob fetches refused because the job\'s submitter holds its share of fetched blobs on this node', []),
      fetchedBytes: gauge(register, n.blobFetchedBytes, 'Bytes of blobs fetched from peers held for jobs, all submitters together', [])
    },
    http: {
      requests: counter(register, n.httpRequests, 'HTTP API requests by route pattern, method and status code', ['route', 'method', 'status']),
      eventClients: gauge(register, n.eventClients, 'Clients connected to the event stream', []),
      eventClientsDropped: counter(register, n.eventClientsDropped, 'Event stream clients dropped for unsent bytes over the bound', []),
      connectionsDropped: counter(register, n.httpConnectionsDropped, 'HTTP connections closed at once because the API had maxConnections open (all clients) or maxConnectionsPerClient open from that address, by bound', ['bound']),
      rateLimited: counter(register, n.httpRateLimited, 'HTTP requests refused with 429 by a per-client rate limit, by route pattern', ['route'])
    },
    evidence: {
      jobs: gauge(register, n.evidenceJobs, 'Jobs whose measurement evidence this node keeps', []),
      bytes: gauge(register, n.evidenceBytes, 'Bytes of measurement evidence this node keeps', [])
    },
    audit: {
      entries: counter(register, n.auditEntries, 'Audit entries appended, by kind', ['kind'])
    },
    storage: {
      storeBytes: readerGauge(register, n.storeBytes, 'Bytes of the LevelDB folder on disk', (r) => r.storeBytes()),
      blobBytes: readerGauge(register, n.blobStoreBytes, 'Bytes of the blobs in the blob folder', (r) => r.blobBytes()),
      diskFreeBytes: readerGauge(register, n.diskFreeBytes, 'Free bytes of the data folder\'s file system (blob writes stop at minFreeBytes)', (r) => r.diskFreeBytes())
    },
    queues: {
      gossip: gauge(register, n.gossipQueue, 'Gossip messages waiting in this node, by stage (validating, delivering)', ['stage'], (g) => {
        const r = scrapeReadersOf(register)
        if (r === undefined) return
        const q = r.gossipQueue()
        g.set({ stage: 'validating' }, q.validating)
        g.set({ stage: 'delivering' }, q.delivering)
      }),
      votesHeld: readerGauge(register, n.votesHeld, 'Votes held before they can be counted (job or seed not known yet)', (r) => r.votesHeld()),
      schedulesWaiting: readerGauge(register, n.schedulesWaiting, 'Economy schedules waiting for their slot', (r) => r.schedulesWaiting()),
      seedJobsHeld: readerGauge(register, n.seedJobsHeld, 'Jobs whose seed shares or certificates the seed phase holds', (r) => r.seedJobsHeld()),
      storeWritesWaiting: readerGauge(register, n.storeWritesWaiting, 'LevelDB writes queued behind the one running, plus that one', (r) => r.storeWritesWaiting()),
      optimizerReports: readerGauge(register, n.optimizerReports, 'Optimizer reports kept (bounded by maxOptimizerReports)', (r) => r.optimizerReports()),
      decisionSteps: gauge(register, n.decisionSteps, 'Steps on the jobs\' decision queues, queued or running, by scope (all jobs, the longest queue)', ['scope'], (g) => {
        const r = scrapeReadersOf(register)
        if (r === undefined) return
        const q = r.decisionSteps()
        g.set({ scope: 'all' }, q.all)
        g.set({ scope: 'longest' }, q.longest)
      }),
      blobMemory: gauge(register, n.blobMemory, 'Blob bytes in memory within the node\'s blob budget, by state (held, waiting)', ['state'], (g) => {
        const r = scrapeReadersOf(register)
        if (r === undefined) return
        const b = r.blobMemory()
        g.set({ state: 'held' }, b.held)
        g.set({ state: 'waiting' }, b.waiting)
      }),
      reputationPoints: readerGauge(register, n.reputationPoints, 'Reputation history points kept, all validators together (bounded by maxPointsPerValidator each)', (r) => r.reputationPoints()),
      peerBookRecords: readerGauge(register, n.peerBookRecords, 'Records of the peer book (validators only)', (r) => r.peerBookRecords()),
      gossipSeenIds: readerGauge(register, n.gossipSeenIds, 'Message ids in gossipsub\'s seen cache (bounded by maxSeenIds and a 2-minute lifetime)', (r) => r.gossipSeenIds()),
      certifiedJobsIndexed: readerGauge(register, n.certifiedJobsIndexed, 'Final jobs in the certificate catch-up\'s serving index (bounded by MAX_INDEXED_JOBS, 4096)', (r) => r.certifiedJobsIndexed()),
      redialTargets: readerGauge(register, n.redialTargets, 'Peers the host keeps redialling (bootstrap peers and the peer book\'s, less those given up)', (r) => r.redialTargets()),
      gossipCaches: gauge(register, n.gossipCaches, 'Entries of gossipsub\'s own caches, by cache (messages: the message cache for IWANT; idontwant: ids peers asked not to be sent)', ['cache'], (g) => {
        const r = scrapeReadersOf(register)
        if (r === undefined) return
        const c = r.gossipCaches()
        g.set({ cache: 'messages' }, c.messages)
        g.set({ cache: 'idontwant' }, c.idontwant)
      }),
      rateLimitKeys: gauge(register, n.rateLimitKeys, 'Keys (peers, addresses, API clients) tracked per rate limiter (at most 4096 each, least recently used forgotten), by limiter', ['limiter'], (g) => {
        for (const [limiter, keys] of limiterKeysOf(g)) g.set({ limiter }, keys())
      }),
      workTasks: gauge(register, n.workTasks, 'Worker pool tasks (measurements, optimizations, analyses), by state (waiting, running)', ['state'], (g) => {
        const r = scrapeReadersOf(register)
        if (r === undefined) return
        const t = r.workTasks()
        g.set({ state: 'waiting' }, t.waiting)
        g.set({ state: 'running' }, t.running)
      })
    },
    memory: {
      arrayBuffers: gauge(register, n.arrayBuffers, 'Bytes of the main thread\'s ArrayBuffers and Buffers', [], (g) => { g.set(process.memoryUsage().arrayBuffers) }),
      workers: gauge(register, n.workers, 'Measurement worker threads running', [], (g) => {
        const r = scrapeReadersOf(register)
        if (r !== undefined) g.set(r.workPool().workers)
      }),
      workersStarted: counter(register, n.workersStarted, 'Measurement worker threads started since the node started', [], (c) => {
        const r = scrapeReadersOf(register)
        if (r === undefined) return
        c.reset()
        c.inc(r.workPool().started)
      }),
      workerHeapUsed: readerGauge(register, n.workerHeapUsed, 'Bytes of V8 heap the measurement worker threads use, summed', (r) => r.workerHeapUsedBytes())
    },
    catchUp: {
      asks: counter(register, n.catchUpAsks, 'Catch-up asks made of the peers, by kind (open-jobs, votes, certificates)', ['kind']),
      answers: counter(register, n.catchUpAnswers, 'Answers of one peer to a catch-up ask, by protocol and result (ok, stopped or the code)', ['protocol', 'result'])
    },
    retention: {
      pruned: counter(register, n.retentionPruned, 'Decided jobs, votes, blobs and evidence pruned by retention, by kind', ['kind']),
      freedBytes: counter(register, n.retentionFreedBytes, 'Bytes freed by retention, by kind', ['kind']),
      lastPassSeconds: gauge(register, n.retentionLastPass, 'Duration of the last retention pass, compaction included', [])
    }
  }
  // collectDefaultMetrics throws on a second call for the same registry; its
  // first metric tells whether it already ran there.
  if (opts.defaultMetrics && register.getSingleMetric(`${METRIC_PREFIX}process_cpu_user_seconds_total`) === undefined) {
    collectDefaultMetrics({ register, prefix: METRIC_PREFIX })
  }
  return metrics
}

function counter<L extends string> (register: Registry, name: string, help: string, labelNames: L[], collect?: (c: Counter<L>) => void): Counter<L> {
  const existing = register.getSingleMetric(name)
  if (existing !== undefined) return existing as Counter<L>
  // A failing reader keeps the last value, as for gauges.
  const read = collect === undefined ? undefined : function (this: Counter<L>): void { try { collect(this) } catch {} }
  return new Counter<L>({ name, help, labelNames, registers: [register], ...(read === undefined ? {} : { collect: read }) })
}

function gauge<L extends string> (register: Registry, name: string, help: string, labelNames: L[], collect?: (g: Gauge<L>) => void | Promise<void>): Gauge<L> {
  const existing = register.getSingleMetric(name)
  if (existing !== undefined) return existing as Gauge<L>
  // A failing reader keeps the last value: a scrape must never fail for one gauge.
  const read = collect === undefined ? undefined : async function (this: Gauge<L>): Promise<void> { await Promise.resolve().then(async () => { await collect(this) }).catch(() => {}) }
  return new Gauge<L>({ name, help, labelNames, registers: [register], ...(read === undefined ? {} : { collect: read }) })
}

/** An unlabelled gauge set at each scrape from one of the node's scrape readers (metrics-scrape.ts); none set before the node registers them. */
function readerGauge (register: Registry, name: string, help: string, read: (r: ScrapeReaders) => number | Promise<number>): Gauge {
  return gauge(register, name, help, [], async (g) => {
    const r = scrapeReadersOf(register)
    if (r !== undefined) g.set(await read(r))
  })
}

function histogram (register: Registry, name: string, help: string, buckets: number[]): Histogram {
  const existing = register.getSingleMetric(name)
  if (existing !== undefined) return existing as Histogram
  return new Histogram({ name, help, buckets, registers: [register] })
}

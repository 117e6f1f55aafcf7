/**
 * The figures a soak records, where each comes from, and the growth limit of
 * each with its reason (docs/soak.md repeats the table). Per-node figures
 * are read from each node's own `GET /metrics`; network figures from the
 * jobs the soak submitted, as their submitters report them.
 *
 * A limit is in the figure's unit per minute, after the warm-up; a figure
 * fails when its slope is significantly above the limit (growth.ts). Most
 * limits are absolute; the storage limits scale with the work the run did:
 * a node keeps every decided job's record, verdict, certificate and audit
 * entries for good, and its blobs for the retention period (7 days by
 * default, longer than any soak unless `--retention-minutes` shortens it),
 * so growth per job is expected, growth beyond a budget per job is a leak.
 */

/** What a limit may depend on: the run's measured work after the warm-up. */
export interface LimitContext {
  /** Jobs finalized per minute after the warm-up (all submitters together). */
  jobsPerMinute: number
  /** Bytes of blobs never uploaded before, per minute after the warm-up (what every node stores anew). */
  newBlobBytesPerMinute: number
  /** True when the nodes prune decided jobs' blobs within the run (`--retention-minutes`). */
  retention: boolean
}

/** One figure of the soak. */
export interface Figure {
  /** File name stem and CSV figure name. */
  id: string
  title: string
  unit: string
  /** `node`: one column per node, from its /metrics; `network`: from the jobs. */
  scope: 'node' | 'network'
  /** Prometheus metric read (summed over its labels) for a node figure. */
  metric?: string
  /** Growth limit in units per minute; null: recorded, not checked. */
  limit: ((ctx: LimitContext) => number) | null
  /** Why the limit is what it is. */
  reason: string
}

const MIB = 1024 * 1024

/**
 * Bytes a decided job may add to a node's LevelDB folder: its record and
 * index entries, one vote per validator (about 1 KB each, signed JSON), its
 * certificate (the votes again, plus the seed certificate), seed shares, a
 * few audit entries and reputation points. Until LevelDB compacts its
 * write-ahead log (at its 4 MiB write buffer) the folder also holds every
 * earlier version of a job's record, rewritten at each step: about 60 KB per
 * job on three validators, measured. 128 KiB leaves room for larger networks.
 */
export const STORE_BYTES_PER_JOB = 128 * 1024

/** Slack on the blob folder's growth beyond the new blobs submitted, bytes per minute (evidence and temporary files are elsewhere). */
export const BLOB_SLACK_BYTES_PER_MINUTE = 64 * 1024

/** Every figure, in the order of the summary. */
export const FIGURES: readonly Figure[] = [
  { id: 'jobs_per_minute', title: 'Jobs finalized per minute', unit: 'jobs/min', scope: 'network', limit: null, reason: 'throughput is set by the load; a job not finalized fails the run on its own' },
  { id: 'finality_latency_p50_seconds', title: 'Finality latency, median', unit: 's', scope: 'network', limit: null, reason: 'the 95th percentile is checked' },
  {
    id: 'finality_latency_p95_seconds',
    title: 'Finality latency, 95th percentile',
    unit: 's',
    scope: 'network',
    limit: () => 0.1,
    reason: '6 s per hour under a constant load: latency that keeps rising means work piling up somewhere (queues, a store read that grows with history)'
  },
  { id: 'finality_latency_p99_seconds', title: 'Finality latency, 99th percentile', unit: 's', scope: 'network', limit: null, reason: 'a handful of jobs per interval: too few for a stable 99th percentile; the 95th is checked' },
  {
    id: 'rss_bytes',
    title: 'Resident memory per node',
    unit: 'bytes',
    scope: 'node',
    metric: 'trust_engine_process_resident_memory_bytes',
    limit: () => 1 * MIB,
    reason: '60 MiB per hour: a node holds about 200-300 MiB and the allocator, the garbage collector and the measurement workers (restarted when a task is aborted) move it by tens of MiB; a leak above this would double a node within hours'
  },
  {
    id: 'heap_used_bytes',
    title: 'V8 heap used per node',
    unit: 'bytes',
    scope: 'node',
    metric: 'trust_engine_nodejs_heap_size_used_bytes',
    limit: () => 0.5 * MIB,
    reason: '30 MiB per hour: the heap after collections is tens of MiB; kept job views and caches are bounded, so steady growth is a retained object per job or message'
  },
  {
    id: 'external_bytes',
    title: 'Memory outside the V8 heap per node (main thread: Buffers, native objects)',
    unit: 'bytes',
    scope: 'node',
    metric: 'trust_engine_nodejs_external_memory_bytes',
    limit: () => 0.5 * MIB,
    reason: '30 MiB per hour: Buffers in flight (blobs being received, served or hashed) come and go with each job; steady growth is a Buffer kept per job or message'
  },
  {
    id: 'array_buffers_bytes',
    title: 'ArrayBuffers and Buffers per node (main thread)',
    unit: 'bytes',
    scope: 'node',
    metric: 'trust_engine_array_buffers_bytes',
    limit: null,
    reason: 'part of external_bytes, which is checked; recorded to tell Buffers from other native memory'
  },
  {
    id: 'worker_heap_used_bytes',
    title: 'V8 heap used by the measurement workers per node (summed)',
    unit: 'bytes',
    scope: 'node',
    metric: 'trust_engine_work_pool_heap_used_bytes',
    limit: () => 0.5 * MIB,
    reason: '30 MiB per hour: each worker holds tens of MiB (renderer, codecs, one task\'s images and scene); its caches are bounded, so steady growth is state kept per task'
  },
  {
    id: 'workers',
    title: 'Measurement worker threads per node',
    unit: 'workers',
    scope: 'node',
    metric: 'trust_engine_work_pool_workers',
    limit: null,
    reason: 'bounded by the pool size (2); recorded because each worker adds tens of MiB of resident memory when it starts and returns them when it retires'
  },
  {
    id: 'workers_started',
    title: 'Measurement worker threads started per node (since start)',
    unit: 'workers',
    scope: 'node',
    metric: 'trust_engine_work_pool_workers_started_total',
    limit: null,
    reason: 'a count, rising with every aborted or preempted task and every retired worker; recorded to explain steps in resident memory'
  },
  {
    id: 'event_loop_delay_p99_seconds',
    title: 'Event loop delay, 99th percentile per node',
    unit: 's',
    scope: 'node',
    metric: 'trust_engine_nodejs_eventloop_lag_p99_seconds',
    limit: () => 0.005,
    reason: '0.3 s per hour: the main thread does short steps only (measurement runs in workers); a delay that keeps rising means per-step work grows with history'
  },
  {
    id: 'active_handles',
    title: 'Active handles per node',
    unit: 'handles',
    scope: 'node',
    metric: 'trust_engine_nodejs_active_handles_total',
    limit: () => 0.2,
    reason: '12 per hour: sockets, timers and files come and go with peers and requests; one leaked handle per job would grow as fast as jobs per minute'
  },
  {
    id: 'store_bytes',
    title: 'LevelDB folder per node',
    unit: 'bytes',
    scope: 'node',
    metric: 'trust_engine_store_bytes',
    limit: (c) => STORE_BYTES_PER_JOB * c.jobsPerMinute,
    reason: 'every decided job\'s record, verdict, certificate and audit entries are kept for good (retention prunes only its votes): 128 KiB per job finalized per minute (STORE_BYTES_PER_JOB: record, votes, certificate, audit entries, and LevelDB\'s log before compaction)'
  },
  {
    id: 'blob_bytes',
    title: 'Blob folder per node',
    unit: 'bytes',
    scope: 'node',
    metric: 'trust_engine_blob_store_bytes',
    limit: (c) => (c.retention ? 0 : c.newBlobBytesPerMinute) + BLOB_SLACK_BYTES_PER_MINUTE,
    reason: 'without pruning within the run (the node\'s default period is 7 days) every job\'s blobs are kept: the bytes of blobs never submitted before, per minute, plus 64 KiB per minute (blobs submitted again are stored once); with --retention-minutes, 64 KiB per minute: what retention prunes must balance what jobs bring'
  },
  {
    id: 'gossip_queue_messages',
    title: 'Gossip messages waiting per node (validating and delivering)',
    unit: 'messages',
    scope: 'node',
    metric: 'trust_engine_gossip_queue_messages',
    limit: () => 1,
    reason: '60 per hour: validation and delivery take milliseconds, so the queue is empty at almost every scrape; a rising count means validators or handlers stall'
  },
  {
    id: 'votes_held',
    title: 'Votes held before their job or seed per node',
    unit: 'votes',
    scope: 'node',
    metric: 'trust_engine_votes_held',
    limit: () => 1,
    reason: '60 per hour: votes wait only until their job and seed arrive, seconds; held votes that pile up were never taken out of the buffer'
  }
]

/** The node metrics tree: names, labels, buckets and idempotent registration. */
import { Registry } from 'prom-client'
import { describe, expect, it } from 'vitest'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { FINALITY_LATENCY_BUCKETS_SECONDS, NODE_METRIC_NAMES, createNodeMetrics } from '../../node/metrics.ts'
import { countLimiterKeys, readAtScrape } from '../../node/metrics-scrape.ts'
import { KeyedTokenBuckets } from '../../node/p2p/rate-limit.ts'
import { folderBytes } from '../../node/store/folder-bytes.ts'

describe('createNodeMetrics', () => {
  it('declares every metric with a unit suffix and the process metrics with the same prefix', async () => {
    const register = new Registry()
    const m = createNodeMetrics(register)
    m.gossip.validationResults.inc({ topic: 'votes', result: 'reject', code: 'ERR_SCHEMA' })
    m.votes.received.inc({ outcome: 'equivocation' })
    m.votes.own.inc()
    m.jobs.byStatus.set({ status: 'validated' }, 3)
    m.jobs.finalityLatencySeconds.observe(0.07)
    m.peers.connected.set(2)
    m.blobs.fetches.inc({ result: 'ok' })
    m.blobs.bytes.inc({ direction: 'received' }, 1000)
    m.http.requests.inc({ route: '/v1/jobs/:id', method: 'GET', status: '404' })
    m.audit.entries.inc({ kind: 'job.final' })
    const text = await register.metrics()
    for (const name of Object.values(NODE_METRIC_NAMES)) expect(text).toContain(`# TYPE ${name} `)
    expect(text).toContain('trust_engine_gossip_validation_results_total{topic="votes",result="reject",code="ERR_SCHEMA"} 1')
    expect(text).toContain('trust_engine_jobs{status="validated"} 3')
    expect(text).toContain('trust_engine_job_finality_latency_seconds_bucket{le="0.1"} 1')
    expect(text).toContain('trust_engine_job_finality_latency_seconds_bucket{le="0.05"} 0')
    expect(text).toContain('trust_engine_blob_bytes_total{direction="received"} 1000')
    expect(text).toContain('trust_engine_process_cpu_user_seconds_total')
    for (const name of Object.values(NODE_METRIC_NAMES)) {
      expect(name).toMatch(/^trust_engine_[a-z_]+$/)
      const type = text.match(new RegExp(`# TYPE ${name} (\\w+)`))![1]
      if (type === 'counter') expect(name).toMatch(/_total$/)
    }
  })

  it('uses finality buckets from 50 ms to 120 s, increasing', () => {
    expect(FINALITY_LATENCY_BUCKETS_SECONDS[0]).toBe(0.05)
    expect(FINALITY_LATENCY_BUCKETS_SECONDS.at(-1)).toBe(120)
    for (let i = 1; i < FINALITY_LATENCY_BUCKETS_SECONDS.length; i++) {
      expect(FINALITY_LATENCY_BUCKETS_SECONDS[i]!).toBeGreaterThan(FINALITY_LATENCY_BUCKETS_SECONDS[i - 1]!)
    }
  })

  it('returns the same metrics when called twice on one registry', async () => {
    const register = new Registry()
    const a = createNodeMetrics(register)
    const b = createNodeMetrics(register, { defaultMetrics: false })
    expect(b.http.requests).toBe(a.http.requests)
    b.votes.own.inc()
    expect((await register.getSingleMetric(NODE_METRIC_NAMES.ownVotes)!.get()).values[0]!.value).toBe(1)
  })

  it('leaves the process metrics out when asked', async () => {
    const register = new Registry()
    createNodeMetrics(register, { defaultMetrics: false })
    expect(await register.metrics()).not.toContain('process_cpu')
  })

  it('reads the storage and queue gauges at each scrape, and keeps the last value when a reader fails', async () => {
    const register = new Registry()
    createNodeMetrics(register, { defaultMetrics: false })
    expect(await register.metrics()).toContain('trust_engine_store_bytes 0')
    let store = 1234
    let failing = false
    readAtScrape(register, {
      storeBytes: async () => { if (failing) throw new Error('disk gone'); return store },
      blobBytes: async () => 99,
      diskFreeBytes: async () => 4096,
      gossipQueue: () => ({ validating: 3, delivering: 1 }),
      votesHeld: () => 7,
      schedulesWaiting: () => 2,
      seedJobsHeld: () => 3,
      workTasks: () => ({ waiting: 5, running: 2 }),
      workPool: () => ({ workers: 2, started: 5 }),
      workerHeapUsedBytes: async () => 3_000_000,
      storeWritesWaiting: () => 4,
      optimizerReports: () => 11,
      decisionSteps: () => ({ all: 9, longest: 6 }),
      blobMemory: () => ({ held: 1024, waiting: 2048 }),
      reputationPoints: () => 30,
      peerBookRecords: async () => 5,
      gossipSeenIds: () => 12,
      certifiedJobsIndexed: () => 40,
      redialTargets: () => 3,
      gossipCaches: () => ({ messages: 6, idontwant: 8 })
    })
    const text = await register.metrics()
    expect(text).toContain('trust_engine_store_bytes 1234')
    expect(text).toContain('trust_engine_blob_store_bytes 99')
    expect(text).toContain('trust_engine_disk_free_bytes 4096')
    expect(text).toContain('trust_engine_gossip_queue_messages{stage="validating"} 3')
    expect(text).toContain('trust_engine_gossip_queue_messages{stage="delivering"} 1')
    expect(text).toContain('trust_engine_votes_held 7')
    expect(text).toContain('trust_engine_schedules_waiting 2')
    expect(text).toContain('trust_engine_seed_jobs_held 3')
    expect(text).toContain('trust_engine_work_pool_tasks{state="waiting"} 5')
    expect(text).toContain('trust_engine_work_pool_tasks{state="running"} 2')
    expect(text).toContain('trust_engine_work_pool_workers 2')
    expect(text).toContain('trust_engine_work_pool_workers_started_total 5')
    expect(text).toContain('trust_engine_work_pool_heap_used_bytes 3000000')
    expect(text).toContain('trust_engine_store_writes_waiting 4')
    expect(text).toContain('trust_engine_optimizer_reports 11')
    expect(text).toContain('trust_engine_decision_steps{scope="all"} 9')
    expect(text).toContain('trust_engine_decision_steps{scope="longest"} 6')
    expect(text).toContain('trust_engine_blob_memory_bytes{state="held"} 1024')
    expect(text).toContain('trust_engine_blob_memory_bytes{state="waiting"} 2048')
    expect(text).toContain('trust_engine_reputation_history_points 30')
    expect(text).toContain('trust_engine_peer_book_records 5')
    expect(text).toContain('trust_engine_gossip_seen_ids 12')
    expect(text).toContain('trust_engine_certified_jobs_indexed 40')
    expect(text).toContain('trust_engine_redial_targets 3')
    expect(text).toContain('trust_engine_gossip_cache_entries{cache="messages"} 6')
    expect(text).toContain('trust_engine_gossip_cache_entries{cache="idontwant"} 8')
    expect(text).toMatch(/trust_engine_array_buffers_bytes [1-9]/)
    store = 5678
    expect(await register.metrics()).toContain('trust_engine_store_bytes 5678')
    failing = true
    expect(await register.metrics()).toContain('trust_engine_store_bytes 5678')
  })
})

describe('rate_limit_keys', () => {
  it('reads each limiter\'s keys at each scrape, a later limiter of the same name replacing the earlier, per registry', async () => {
    const register = new Registry()
    const m = createNodeMetrics(register, { defaultMetrics: false })
    const peers = new KeyedTokenBuckets({ ratePerSecond: 1, burst: 1 })
    countLimiterKeys(m, 'gossip-peers', () => peers.size)
    countLimiterKeys(m, 'api-reads', () => 9)
    peers.take('a')
    peers.take('b')
    let text = await register.metrics()
    expect(text).toContain('trust_engine_rate_limit_keys{limiter="gossip-peers"} 2')
    expect(text).toContain('trust_engine_rate_limit_keys{limiter="api-reads"} 9')
    // The tree asked for again on the same registry (as the API does) reaches the same limiters.
    countLimiterKeys(createNodeMetrics(register, { defaultMetrics: false }), 'api-reads', () => 4)
    peers.take('c')
    text = await register.metrics()
    expect(text).toContain('trust_engine_rate_limit_keys{limiter="gossip-peers"} 3')
    expect(text).toContain('trust_engine_rate_limit_keys{limiter="api-reads"} 4')
    expect(await new Registry().metrics()).not.toContain('rate_limit_keys')
    const other = new Registry()
    createNodeMetrics(other, { defaultMetrics: false })
    expect(await other.metrics()).not.toContain('trust_engine_rate_limit_keys{')
  })
})

describe('folderBytes', () => {
  it('sums the files directly in a folder, not those of sub-folders, and reads 0 for a missing folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'te-folder-bytes-'))
    try {
      writeFileSync(join(dir, '000005.ldb'), new Uint8Array(1000))
      writeFileSync(join(dir, 'LOG'), 'x'.repeat(37))
      mkdirSync(join(dir, 'sub'))
      writeFileSync(join(dir, 'sub', 'other'), new Uint8Array(500))
      expect(await folderBytes(dir)).toBe(1037)
      expect(await folderBytes(join(dir, 'absent'))).toBe(0)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

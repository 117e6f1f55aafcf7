/**
 * A Trust Engine node: wires the pure protocol to the real world — the key
 * file, LevelDB, the blob folder, libp2p, the job engine, metrics and
 * (optionally) the HTTP API — and exposes the {@link TrustEngineNodeApi}.
 *
 * @example
 * ```ts
 * const node = await createNode({ dataDir: './data', network, api: { host: '127.0.0.1', port: 0 } })
 * const view = await node.submitJob({ kind: 'frames', reference: [a], candidate: [b] })
 * await node.stop()
 * ```
 */
import { pino, type Logger } from 'pino'
import { Registry } from 'prom-client'
import type { NetworkConfig } from '../protocol/network.ts'
import { startApi, type ApiOptions } from './api/server.ts'
import { toClock } from './economy/node-clock.ts'
import { resolveEconomyNodeOptions, type EconomyNodeOptions } from './economy/options.ts'
import type { EvidenceStoreOptions } from './evidence/evidence-store.ts'
import { REASON_UNMEASURABLE } from './job/decider.ts'
import type { JobEngine } from './job/engine.ts'
import type { JobEngineOptions } from './job/engine-options.ts'
import type { Fault } from './job/faults.ts'
import { createNodeMetrics } from './metrics.ts'
import { countLimiterKeys, readAtScrape } from './metrics-scrape.ts'
import type { Clock } from './optimizer/economy/clock.ts'
import type { BlobDirOptions } from './p2p/blob-dir.ts'
import type { BlobKeeperOptions } from './store/blob-keeper.ts'
import { dataDirLayout } from './store/data-dir.ts'
import { folderBytes } from './store/folder-bytes.ts'
import type { NodeRole } from './types.ts'
import type { ReputationHistoryOptions } from './job/reputation-history.ts'
import type { OptimizerReportStoreOptions } from './wiring/optimizer-report-store.ts'
import { createJobEngine, startJobEngine } from './wiring/engine-wiring.ts'
import { jobSubmission } from './wiring/job-submission.ts'
import { MeasureWorkerPool } from './wiring/measure-worker-pool.ts'
import { startEconomy } from './wiring/node-economy.ts'
import { NodeEventBus } from './wiring/node-events.ts'
import { type TrustEngineNode, nodeFacade } from './wiring/node-facade.ts'
import { countPeers, openHost } from './wiring/node-host.ts'
import { resolveIdentity } from './wiring/node-identity.ts'
import { serveProtocols } from './wiring/node-protocols.ts'
import type { StopWork } from './wiring/run-record.ts'
import { openStorage } from './wiring/node-storage.ts'
import type { StoreCheckOptions } from './store/integrity.ts'
import type { StoreOptions } from './store/db.ts'
import { Retention, type RetentionOptions, resolveRetentionOptions } from './wiring/retention.ts'
import { Shutdown } from './wiring/shutdown.ts'
import { GracefulStop, type StopOptions, resolveStopOptions } from './wiring/graceful-stop.ts'
import { ensureDir } from './files/ensure-dir.ts'
import { ERR_OPTIONS_INVALID } from './config/node-options.ts'

export { CATCH_UP_PEERS } from './wiring/job-network-port.ts'
export { REPUTATION_SCORE } from './wiring/node-host.ts'
export { ERR_OBSERVER_IS_VALIDATOR } from './wiring/node-identity.ts'
export type { TrustEngineNode } from './wiring/node-facade.ts'

/** What {@link createNode} needs. */
export interface NodeInit {
  /** Data folder: `db/`, `blobs/` and, unless `keyFile` says otherwise, `key.json`. */
  dataDir: string
  /** The network (parsed network file). */
  network: NetworkConfig
  /** Key file; created when missing. Default `<dataDir>/key.json`. */
  keyFile?: string
  /** Name shown in logs and `GET /v1/node`; the validator's name by default. */
  name?: string | null
  /** libp2p listen multiaddrs. Default one OS-chosen port on 127.0.0.1. */
  listen?: string[]
  /** Multiaddrs (with `/p2p/`) to dial and keep dialling. */
  bootstrap?: string[]
  /** Addresses other hosts should dial (announced instead of `listen`; node/p2p/host.ts). */
  announce?: string[]
  /**
   * `validator` refuses to start unless the key is a validator of the network
   * (`ERR_NOT_VALIDATOR`); `observer` refuses a validator's key
   * (`ERR_OBSERVER_IS_VALIDATOR`: a second process with a validator's key
   * risks signing two votes) and follows jobs, verdicts and certificates
   * without voting. Absent: whatever the key is.
   */
  role?: NodeRole
  /** HTTP API to start with the node, or null/absent for none. */
  api?: Partial<ApiOptions> | null
  /** pino logger; a new one at `logLevel` otherwise. */
  logger?: Logger
  /** Log level of the logger made when none is given. */
  logLevel?: string
  /**
   * Clock in ms since the epoch (tests move time with it): a function, or a
   * `Clock` (node/optimizer/economy/clock.ts, e.g. `ManualClock`) whose
   * `sleepUntil` also wakes the economy deferral when its slots come.
   */
  clock?: (() => number) | Clock
  /** Economy deferral: pricing calendar, resource profile, default deadline, horizon (node/economy/options.ts). */
  economy?: Partial<EconomyNodeOptions>
  /**
   * Worker threads shared with other nodes of this process (the simulation's
   * node host runs many nodes in one process): the node runs its
   * measurements and optimizations on them through its own view
   * (`MeasureWorkerPool.forNode`), and does not close them when it stops.
   * Absent: the node has a pool of its own.
   */
  workers?: MeasureWorkerPool
  /** Hooks of a simulated Byzantine behaviour, set only by the fault simulation's node host (see node/job/faults.ts); none by default. */
  fault?: Fault
  /** Job engine tunables. */
  engine?: Partial<JobEngineOptions>
  /** Evidence kept of the node's measurements, in `<dataDir>/evidence` (node/evidence/evidence-store.ts). */
  evidence?: Partial<EvidenceStoreOptions>
  /** Each validator's reputation over time, in LevelDB (node/job/reputation-history.ts). */
  reputationHistory?: Partial<ReputationHistoryOptions>
  /** Optimizer reports kept of network-optimized scene jobs, in LevelDB (node/wiring/optimizer-report-store.ts). */
  optimizerReports?: Partial<OptimizerReportStoreOptions>
  /** Blob storage: the node's quota (node/p2p/blob-dir.ts), the per-uploader quota and the clean-up of uploads no job names (node/store/blob-keeper.ts). */
  blobs?: Partial<Pick<BlobDirOptions, 'maxTotalBytes' | 'minFreeBytes'> & BlobKeeperOptions>
  /** Retention of decided jobs' blobs, votes and evidence (node/wiring/retention.ts; docs/store.md). */
  retention?: Partial<RetentionOptions>
  /** The check of the store at start: every record read, the audit trail verified (node/store/integrity.ts; docs/store.md). */
  storeCheck?: Partial<StoreCheckOptions>
  /**
   * LevelDB's room kept free (`minFreeBytes`, 64 MiB by default: writes below it answer `ERR_DISK_FULL`; docs/store.md)
   * and the writes waiting at which API clients' writes answer `ERR_STORE_BUSY` (`busyWritesWaiting`, 256; node/store/db.ts).
   */
  store?: Partial<Pick<StoreOptions, 'minFreeBytes' | 'busyWritesWaiting'>>
  /** The stop: how long the measurements in flight may finish before they are abandoned (`drainMs`, 10 s; node/wiring/graceful-stop.ts). */
  shutdown?: Partial<StopOptions>
}

/**
 * Starts a node, step by step, each step in its own module of node/wiring/:
 * identity, storage, workers, libp2p host, job engine, protocols, economy,
 * the public face and the API. Every step registers how it stops; if one
 * fails, what was opened is closed again, newest first.
 */
export async function createNode (init: NodeInit): Promise<TrustEngineNode> {
  const layout = dataDirLayout(init.dataDir)
  ensureDir(layout.root, ERR_OPTIONS_INVALID, 'option dataDir: the data folder')
  const { network } = init
  const identity = resolveIdentity({ network, keyFile: init.keyFile ?? layout.keyFile, name: init.name, role: init.role })
  const { keyFile } = identity
  // One child logger per module, each made from the base so `module` appears once per line.
  const base = (init.logger ?? pino({ level: init.logLevel ?? 'info' })).child(identity.name === null ? {} : { node: identity.name })
  const logger = base.child({ module: 'node' })
  const economyClock = toClock(init.clock)
  const clock = economyClock.now
  const economyOptions = resolveEconomyNodeOptions(init.economy)
  // Checked before anything opens (ERR_RETENTION_OPTIONS).
  const retentionOptions = resolveRetentionOptions(init.retention)
  const graceful = new GracefulStop(resolveStopOptions(init.shutdown))
  const registry = new Registry()
  const metrics = createNodeMetrics(registry)
  const events = new NodeEventBus()
  const shutdown = new Shutdown()
  // The engine comes later; `node.stopped` reads what its stop did with the work in flight.
  let jobs: JobEngine | null = null
  const stopWork = (): StopWork | null => jobs === null ? null : { ...graceful.outcome ?? { end: 'none', ms: 0 }, ...jobs.drainReport() }
  try {
    const storage = await openStorage({ layout, network, keys: keyFile, clock, logger: base, metrics, events, shutdown, stopWork }, init)
    const { blobs, evidence } = storage
    // Measurement and optimization run in worker threads, ended at their job's deadline, so long work never stalls gossip or the API.
    // No worker runs while the node is idle: a validator starts one when it accepts a job, so it loads while the job's blobs come
    // and its seed is fixed, and an idle worker retires (measure-worker-pool.ts, docs/decisions.md "A node's footprint").
    const poolOptions = evidence.options.enabled ? { evidence: evidence.options.samples } : {}
    const pool = init.workers === undefined ? new MeasureWorkerPool(poolOptions) : init.workers.forNode(poolOptions)
    shutdown.defer(async () => { await pool.close() })
    if (identity.role === 'validator') shutdown.defer(events.on('job:accepted', () => { pool.warm() }))
    // The host scores validators by the engine's reputation view; the engine needs the host, so it comes second.
    const host = await openHost({ network, keyFile, store: storage.store, peers: storage.peers, metrics, logger: base, reputationOf: (key) => jobs?.reputationOf(key).reputation ?? null, shutdown }, init)
    const engine = jobs = createJobEngine({ network, keyFile, repos: storage.repos, host, blobs, fetchQuota: storage.fetchQuota, evidence, optimizerReports: storage.optimizerReports, reputationHistory: storage.reputationHistory, pool, clock, logger: base, metrics, events, fault: init.fault ?? null }, init.engine)
    const { admission, submit } = jobSubmission({ network, publicKey: keyFile.publicKey, blobs, pool, engine, optimizerReports: storage.optimizerReports, clock, logger })
    await serveProtocols({ network, host, engine, blobs, events, metrics, shutdown })
    if (init.fault !== undefined && init.fault !== null) logger.warn({ fault: init.fault.name }, 'SIMULATED BYZANTINE FAULT ENABLED')
    await host.start()
    await startJobEngine(engine, host, shutdown)
    // After the engine: a prune runs on the job's decision queue; it stops before the engine does.
    const retention = new Retention({
      store: storage.store, repos: storage.repos, blobs, keeper: storage.keeper, evidence, clock, logger: base.child({ module: 'retention' }), metrics,
      serial: async (jobId, step) => await engine.serial(jobId, step),
      fetched: (sha256) => storage.fetchQuota.chargedTo(sha256) !== null
    }, retentionOptions)
    // A job closed because its inputs are unmeasurable or over limits keeps no fetched blob until its prune.
    events.on('job:final', (view) => {
      if (view.status !== 'disputed' || view.reason !== REASON_UNMEASURABLE) return
      retention.dropBlobsOf(view.jobId, [...view.reference, ...view.candidate]).catch((err: unknown) => { logger.warn({ jobId: view.jobId, err: String(err) }, 'cannot delete the blobs of an unmeasurable job') })
    })
    retention.start()
    shutdown.defer(async () => { await retention.stop() })
    const economy = await startEconomy({ network, store: storage.store, repos: storage.repos, clock: economyClock, logger: base, admission, blobs, pool, submit, events, shutdown }, economyOptions)
    countPeers(host, metrics, shutdown)
    // Sizes and queue lengths are read when /metrics is scraped, so an idle node spends nothing on them.
    readAtScrape(registry, { storeBytes: async () => await folderBytes(layout.db), blobBytes: async () => await blobs.usedBytes(), diskFreeBytes: async () => await blobs.freeBytes(), gossipQueue: () => host.gossip.queued, votesHeld: () => engine.heldVotes, schedulesWaiting: () => economy.waiting, seedJobsHeld: () => engine.seedJobsHeld, workTasks: () => pool.tasks, workPool: () => ({ workers: pool.workers, started: pool.started }), workerHeapUsedBytes: async () => await pool.heapUsedBytes(), storeWritesWaiting: () => storage.store.writesWaiting, optimizerReports: () => storage.optimizerReports.size, decisionSteps: () => engine.decisionSteps, blobMemory: () => engine.blobBytes, reputationPoints: () => storage.reputationHistory.points, peerBookRecords: async () => (await storage.peers.list()).length, gossipSeenIds: () => host.gossip.seenIds, certifiedJobsIndexed: () => engine.certifiedJobsIndexed, redialTargets: () => host.redialTargets, gossipCaches: () => host.gossip.caches })
    countLimiterKeys(metrics, 'gossip-peers', () => host.gossip.peerRateKeys)
    countLimiterKeys(metrics, 'inbound-connections', () => host.admission.inboundRateKeys)
    let apiUrl: string | null = null
    const node = nodeFacade({ network, identity, host, storage, engine, economy, retention, submit, registry, metrics, events, apiUrl: () => apiUrl, logger, shutdown, graceful })
    if (init.api !== undefined && init.api !== null) {
      const api = await startApi(node, init.api)
      apiUrl = api.url
      shutdown.defer(async () => { await api.close() })
    }
    logger.info({ peerId: host.peerId.toString(), networkId: network.networkId, apiUrl, role: identity.role }, 'node started')
    return node
  } catch (err) {
    await shutdown.run()
    throw err
  }
}

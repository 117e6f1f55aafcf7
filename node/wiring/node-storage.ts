/**
 * What a node keeps on disk, opened in order: LevelDB with its signed audit
 * trail and job index, the job engine's repositories (each audit entry
 * counted in the metrics), the peer book, the blob folder with the keeper of
 * uploads, the evidence of the node's measurements and the optimizer
 * reports of network-optimized scene jobs, the validators' reputation
 * history, and the retention index of an older store. Each part registers
 * how it closes.
 */
import { join } from 'node:path'
import type { Logger } from 'pino'
import type { NetworkConfig } from '../../protocol/network.ts'
import { EvidenceStore, type EvidenceStoreOptions } from '../evidence/evidence-store.ts'
import { type NodeRepositories, openRepositories } from '../job/repositories.ts'
import { ReputationHistory, type ReputationHistoryOptions } from '../job/reputation-history.ts'
import type { NodeMetrics } from '../metrics.ts'
import { BlobDir, type BlobDirOptions } from '../p2p/blob-dir.ts'
import { AuditLog } from '../store/audit.ts'
import { BlobKeeper, type BlobKeeperOptions } from '../store/blob-keeper.ts'
import { FetchQuota, fetchShareOf } from '../store/fetch-quota.ts'
import type { DataDirLayout } from '../store/data-dir.ts'
import { type Store, type StoreOptions, openStore } from '../store/db.ts'
import { checkStore, type StoreCheckOptions } from '../store/integrity.ts'
import { peersRepository } from '../store/repositories/index.ts'
import { ensureJobIndex } from '../store/repositories/job-index.ts'
import { ensureRetentionIndex } from '../store/repositories/retention.ts'
import type { NodeEventBus } from './node-events.ts'
import { OptimizerReportStore, type OptimizerReportStoreOptions } from './optimizer-report-store.ts'
import { type StopWork, recordStart, recordStop } from './run-record.ts'
import type { Shutdown } from './shutdown.ts'

/** The node's stored state. */
export interface NodeStorage {
  store: Store
  audit: AuditLog
  repos: NodeRepositories
  peers: ReturnType<typeof peersRepository>
  blobs: BlobDir
  keeper: BlobKeeper
  /** Fetched blob bytes per job submitter, bounded by a share of the blob folder. */
  fetchQuota: FetchQuota
  evidence: EvidenceStore
  /** The optimizer reports of network-optimized scene jobs (optimizer-report-store.ts). */
  optimizerReports: OptimizerReportStore
  /** Each validator's reputation over time (node/job/reputation-history.ts). */
  reputationHistory: ReputationHistory
}

/** What {@link openStorage} is wired to. */
export interface NodeStorageComponents {
  layout: DataDirLayout
  network: NetworkConfig
  keys: { publicKey: string, privateKey: string }
  clock: () => number
  /** The node's base logger (the keeper logs as module `blobs`). */
  logger: Logger
  metrics: NodeMetrics
  events: NodeEventBus
  shutdown: Shutdown
  /** What the stop did with the work in flight, read when `node.stopped` is written (null: no engine ran). */
  stopWork: () => StopWork | null
}

/** What the node's init says about its storage. */
export interface NodeStorageOptions {
  evidence?: Partial<EvidenceStoreOptions>
  optimizerReports?: Partial<OptimizerReportStoreOptions>
  reputationHistory?: Partial<ReputationHistoryOptions>
  blobs?: Partial<Pick<BlobDirOptions, 'maxTotalBytes' | 'minFreeBytes'> & BlobKeeperOptions>
  /** The check of the store before anything uses it (node/store/integrity.ts). */
  storeCheck?: Partial<StoreCheckOptions>
  /** LevelDB's room kept free, and the bound of waiting writes of API clients (node/store/db.ts). */
  store?: Partial<Pick<StoreOptions, 'minFreeBytes' | 'busyWritesWaiting'>>
}

/** Opens the node's store, repositories, blob folder (its keeper started) and evidence folder. */
export async function openStorage (components: NodeStorageComponents, options: NodeStorageOptions): Promise<NodeStorage> {
  const { layout, network, keys, clock, logger, metrics, events, shutdown, stopWork } = components
  const store = await openStore(layout.db, { ...options.store, identity: { publicKey: keys.publicKey, networkId: network.networkId } })
  shutdown.defer(async () => { await store.close() })
  // A broken table or an audit chain that does not verify stops the start here, naming the repair path.
  const check = await checkStore(store, options.storeCheck)
  logger.child({ module: 'store' }).info({ records: check.scan?.records ?? null, auditEntries: check.audit?.length ?? null }, 'store checked')
  const audit = await AuditLog.open(store, keys.privateKey)
  await ensureJobIndex(store)
  await ensureRetentionIndex(store)
  // Each run is in the trail: how the previous one ended, and (run before the store closes, after
  // everything that appends entries stopped) the jobs open at a clean stop.
  const run = { store, audit, clock, logger: logger.child({ module: 'node' }) }
  await recordStart(run)
  shutdown.defer(async () => { await recordStop(run, stopWork()) })
  const repos = openRepositories(store, {
    append: (batch, kind, data, time) => {
      const entry = audit.append(batch, kind, data, time)
      batch.afterCommit(() => { metrics.audit.entries.inc({ kind }) })
      return entry
    }
  })
  const { maxTotalBytes, minFreeBytes, ...keeperOptions } = options.blobs ?? {}
  const blobs = new BlobDir(layout.root, { ...(maxTotalBytes === undefined ? {} : { maxTotalBytes }), ...(minFreeBytes === undefined ? {} : { minFreeBytes }) })
  const blobLogger = logger.child({ module: 'blobs' })
  // A blob file that no longer hashes to its name is never served nor measured: moved aside, counted, fetched again when needed.
  blobs.watchQuarantine((sha256, reason) => {
    metrics.blobs.quarantined.inc({ reason })
    blobLogger.warn({ sha256, reason, folder: blobs.quarantineDir }, 'blob file does not hash to its name: quarantined')
  })
  // Uploads no job names are deleted after a grace period; a job's blobs are kept (node/store/blob-keeper.ts).
  const keeper = await BlobKeeper.open({
    dir: blobs,
    store,
    options: keeperOptions,
    now: clock,
    logger: blobLogger,
    metrics: { pendingBytes: (bytes) => { metrics.blobs.pendingBytes.set(bytes) }, deleted: (n) => { metrics.blobs.uploadsDeleted.inc(n) } }
  })
  const nodeLogger = logger.child({ module: 'node' })
  events.on('job:accepted', (view) => {
    keeper.referenced([...view.reference, ...view.candidate]).catch((err: unknown) => { nodeLogger.warn({ err: String(err) }, 'cannot record the blobs of a job') })
  })
  // Fetched blobs are bounded per job submitter (node/store/fetch-quota.ts), the charges rebuilt from the kept jobs.
  const fetchQuota = await FetchQuota.open(fetchShareOf(blobs.maxTotalBytes, network.validators.length), {
    store,
    submitterOf: async (jobId) => (await repos.jobs.get(jobId))?.job.submitter ?? null,
    sizeOf: async (sha256) => await blobs.size(sha256),
    ownKey: keys.publicKey
  })
  fetchQuota.watch((bytes) => { metrics.blobs.fetchedBytes.set(bytes) })
  blobs.watchRemoved((sha256) => { fetchQuota.released(sha256) })
  keeper.start()
  shutdown.defer(async () => { await keeper.stop() })
  const evidence = await EvidenceStore.open(join(layout.root, 'evidence'), options.evidence)
  // Evidence is stored after its vote: its writes end before the node stops (after the workers, which settle it).
  shutdown.defer(async () => { await evidence.flush() })
  metrics.evidence.jobs.set(evidence.jobs)
  metrics.evidence.bytes.set(evidence.bytes)
  const optimizerReports = await OptimizerReportStore.open(store, options.optimizerReports)
  const reputationHistory = await ReputationHistory.open(store, network, options.reputationHistory)
  return { store, audit, repos, peers: peersRepository(store), blobs, keeper, fetchQuota, evidence, optimizerReports, reputationHistory }
}

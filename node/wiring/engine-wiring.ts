/**
 * The job engine bound to the node's parts: its network port on the host,
 * blobs from the local folder or peers, the input check against the
 * network's limits (a scene's in the worker pool) and measurement, run in
 * the worker pool, its optimizer report (of a re-execution)
 * and evidence kept, and its events on the
 * node's event bus. Started once the host is, it stops before the host.
 */
import type { Logger } from 'pino'
import type { NetworkConfig } from '../../protocol/network.ts'
import type { EvidenceStore } from '../evidence/evidence-store.ts'
import { recordingEvidence } from '../evidence/record-evidence.ts'
import { JobEngine } from '../job/engine.ts'
import { type JobEngineOptions, blobBudgetOf } from '../job/engine-options.ts'
import type { Fault } from '../job/faults.ts'
import type { NodeRepositories } from '../job/repositories.ts'
import type { ReputationHistory } from '../job/reputation-history.ts'
import { type KeyFile, peerIdOf } from '../keys.ts'
import type { NodeMetrics } from '../metrics.ts'
import { countLimiterKeys } from '../metrics-scrape.ts'
import type { BlobDir } from '../p2p/blob-dir.ts'
import type { Host } from '../p2p/host.ts'
import type { FetchQuota } from '../store/fetch-quota.ts'
import { blobPort } from './blob-port.ts'
import { jobNetworkPort } from './job-network-port.ts'
import type { MeasureWorkerPool } from './measure-worker-pool.ts'
import type { NodeEventBus } from './node-events.ts'
import type { OptimizerReportStore } from './optimizer-report-store.ts'
import { recordingOptimizerReport } from './record-optimizer-report.ts'
import type { Shutdown } from './shutdown.ts'
import { inputCheckPort, limitedMeasurePort } from './work-limits.ts'

/** What the engine is wired to on a node. */
export interface EngineWiringComponents {
  network: NetworkConfig
  keyFile: KeyFile
  repos: NodeRepositories
  host: Host
  blobs: BlobDir
  /** Fetched blobs per job submitter (node/store/fetch-quota.ts); none: not bounded per submitter. */
  fetchQuota?: FetchQuota
  evidence: EvidenceStore
  optimizerReports: OptimizerReportStore
  reputationHistory: ReputationHistory
  pool: MeasureWorkerPool
  clock: () => number
  /** The node's base logger (the engine logs as module `job`). */
  logger: Logger
  metrics: NodeMetrics
  events: NodeEventBus
  fault: Fault
}

/** Builds the node's job engine (not started). */
export function createJobEngine (components: EngineWiringComponents, options: Partial<JobEngineOptions> = {}): JobEngine {
  const { network, keyFile, repos, host, blobs, fetchQuota, evidence, optimizerReports, reputationHistory, pool, clock, logger, metrics, events, fault } = components
  const nodeLogger = logger.child({ module: 'node' })
  // One budget for the blob transfers and the measurements (node/job/blob-budget.ts).
  const blobBudget = blobBudgetOf(options)
  return new JobEngine({
    network,
    key: { publicKey: keyFile.publicKey, privateKey: keyFile.privateKey },
    repos,
    net: jobNetworkPort(host, (data) => { events.voteBytes(data) }, {
      answered: (protocol, result) => { metrics.catchUp.answers.inc({ protocol, result }) },
      paceKeys: (keys) => { countLimiterKeys(metrics, 'catch-up-own-asks', keys) }
    }),
    blobs: blobPort({ host, blobs, peerIdOf: (key) => peerIdOf(key).toString(), clock, metrics, budget: blobBudget, ...(fetchQuota === undefined ? {} : { quota: fetchQuota }) }),
    blobBudget,
    // A scene's check in the work pool, as the task of the job's submitter (work-limits.ts).
    check: inputCheckPort(network, pool.check),
    measure: recordingEvidence(recordingOptimizerReport(limitedMeasurePort(pool.measure), optimizerReports, clock, nodeLogger), evidence, nodeLogger, (jobId, round) => {
      metrics.evidence.jobs.set(evidence.jobs)
      metrics.evidence.bytes.set(evidence.bytes)
      events.emit('job:evidence', { jobId, round })
    }),
    clock,
    logger: logger.child({ module: 'job' }),
    metrics,
    fault,
    onFinal: (view) => { events.emit('job:final', view) },
    onAccepted: (view) => { events.emit('job:accepted', view) },
    onEvidence: (offender, jobId) => { events.emit('evidence', { offender, jobId }) },
    reputationHistory
  }, options)
}

/** Starts the engine (resumes open jobs, catches up), registers its stop, and asks peers admitted again for what they decided meanwhile. */
export async function startJobEngine (engine: JobEngine, host: Host, shutdown: Shutdown): Promise<void> {
  await engine.start()
  shutdown.defer(async () => { await engine.stop() })
  // A peer admitted again after a disconnect may have decided jobs meanwhile (the engine paces the asking).
  const stopAdmitListener = host.onAdmit((peer) => { engine.onPeerAdmitted(peer) })
  shutdown.defer(() => { stopAdmitListener() })
}

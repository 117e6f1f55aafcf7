/**
 * What a node's job engine (engine.ts) is wired to: the network, the key,
 * the store, the ports to the network, blobs and measurement, the clock, and
 * the callbacks the node listens on.
 */
import type { Logger } from 'pino'
import type { NetworkConfig } from '../../protocol/network.ts'
import type { NodeMetrics } from '../metrics.ts'
import type { JobView } from '../types.ts'
import type { BlobBudget } from './blob-budget.ts'
import type { Fault } from './faults.ts'
import type { BlobPort, InputCheckPort, JobNetworkPort, MeasurePort } from './ports.ts'
import type { NodeRepositories } from './repositories.ts'
import type { ReputationHistory } from './reputation-history.ts'

/** What the engine is wired to. */
export interface JobEngineComponents {
  network: NetworkConfig
  key: { publicKey: string, privateKey: string }
  repos: NodeRepositories
  net: JobNetworkPort
  blobs: BlobPort
  measure: MeasurePort
  /** Refuses a job no honest node measures, from its fetched blobs (none by default: every job is measured). */
  check?: InputCheckPort
  clock: () => number
  logger: Logger
  metrics: NodeMetrics
  fault: Fault
  onFinal: (view: JobView) => void
  onAccepted: (view: JobView) => void
  onEvidence: (offender: string, jobId: string) => void
  /** Where every change of reputation adds a point (reputation-history.ts); none when absent. */
  reputationHistory?: ReputationHistory
  /** The node's blob budget, shared with its blob port (`blobBudgetOf`, engine-options.ts); one of the engine's own options when absent. */
  blobBudget?: BlobBudget
}

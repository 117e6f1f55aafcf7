/**
 * Economy offline on a node (node/economy/): a scene job the network
 * optimizes under the `economy` profile waits for the cheapest slot. Wired
 * here to the node's admission checks, blob folder, the worker pool's scene
 * analysis (bounded like a job of the network's default deadline by the
 * node's clock) and the node's immediate submission path.
 */
import type { Logger } from 'pino'
import type { NetworkConfig } from '../../protocol/network.ts'
import { EconomyOffline } from '../economy/economy-offline.ts'
import type { ResolvedEconomyNodeOptions } from '../economy/options.ts'
import { ECONOMY_PROFILE } from '../economy/schedule-record.ts'
import { clockDeadline } from '../job/deadline.ts'
import type { NodeRepositories } from '../job/repositories.ts'
import type { Clock } from '../optimizer/economy/clock.ts'
import type { BlobDir } from '../p2p/blob-dir.ts'
import type { Store } from '../store/db.ts'
import { type JobAdmissionComponents, admitJob } from './job-admission.ts'
import type { SubmitJob } from './job-submission.ts'
import type { MeasureWorkerPool } from './measure-worker-pool.ts'
import type { NodeEventBus } from './node-events.ts'
import type { Shutdown } from './shutdown.ts'

/** What the node's economy is wired to. */
export interface NodeEconomyComponents {
  network: NetworkConfig
  store: Store
  repos: NodeRepositories
  clock: Clock
  /** The node's base logger (the economy logs as module `economy`). */
  logger: Logger
  admission: JobAdmissionComponents
  blobs: BlobDir
  pool: MeasureWorkerPool
  submit: SubmitJob
  events: NodeEventBus
  shutdown: Shutdown
}

/** Starts the economy deferral (reloads waiting schedules, runs those whose slot passed) and registers its stop. */
export async function startEconomy (components: NodeEconomyComponents, options: ResolvedEconomyNodeOptions): Promise<EconomyOffline> {
  const { network, store, repos, clock, logger, admission, blobs, pool, submit, events, shutdown } = components
  const economy = new EconomyOffline({
    store,
    audit: repos.audit,
    clock,
    logger: logger.child({ module: 'economy' }),
    check: async (request) => { await admitJob(admission, request) },
    readBlob: async (sha) => await blobs.get(sha),
    estimateSeconds: async (scene) => {
      const bound = clockDeadline(clock.now, clock.now() + network.deadlines.voteMs)
      return await pool.analyze(scene, ECONOMY_PROFILE, bound.signal).finally(bound.clear)
    },
    submit,
    onFired: (view) => { events.emit('schedule:fired', view) }
  }, options)
  await economy.start()
  shutdown.defer(async () => { await economy.stop() })
  return economy
}

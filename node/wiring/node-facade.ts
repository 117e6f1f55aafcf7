/**
 * The face a running node shows to its clients (the HTTP API, the CLI, the
 * simulation, tests): {@link TrustEngineNodeApi} over the node's parts, plus
 * the host and key for tools. Reads go to the part that holds the answer;
 * nothing here decides anything about a job.
 */
import type { Logger } from 'pino'
import type { Registry } from 'prom-client'
import { PROTOCOL_VERSION } from '../../protocol/constants.ts'
import { trustOf } from '../../protocol/consensus/reputation.ts'
import { TrustEngineError } from '../../protocol/errors.ts'
import type { NetworkConfig } from '../../protocol/network.ts'
import { ERR_JOB_NOT_FOUND } from '../api/errors.ts'
import type { EconomyOffline } from '../economy/economy-offline.ts'
import type { JobEngine } from '../job/engine.ts'
import { type KeyFile, peerIdOf } from '../keys.ts'
import type { NodeMetrics } from '../metrics.ts'
import type { AuditEntryView, TrustEngineNodeApi } from '../node-api.ts'
import type { Host } from '../p2p/host.ts'
import type { JobView, NodeInfo, PeerView, ReputationView, SubmitJobRequest } from '../types.ts'
import { VERSION } from '../version.ts'
import type { NodeIdentity } from './node-identity.ts'
import type { NodeEventBus } from './node-events.ts'
import type { NodeStorage } from './node-storage.ts'
import type { Retention } from './retention.ts'
import type { Shutdown } from './shutdown.ts'
import { ERR_NODE_STOPPING } from '../job/drain.ts'
import type { GracefulStop } from './graceful-stop.ts'

/** A running node (see {@link TrustEngineNodeApi}) plus its parts for tools. */
export interface TrustEngineNode extends TrustEngineNodeApi {
  /** The libp2p host (for tools and tests). */
  readonly host: Host
  /** The node's key. */
  readonly keyFile: KeyFile
  /** Retention of decided jobs' blobs, votes and evidence (for tools and tests: `retention.pass()` runs a pass now). */
  readonly retention: Retention
}

/** The parts the face reads. */
export interface NodeFacadeComponents {
  network: NetworkConfig
  identity: NodeIdentity
  host: Host
  storage: NodeStorage
  engine: JobEngine
  economy: EconomyOffline
  retention: Retention
  submit: (request: SubmitJobRequest) => Promise<JobView>
  registry: Registry
  metrics: NodeMetrics
  events: NodeEventBus
  /** The API's address once it listens, else null. */
  apiUrl: () => string | null
  logger: Logger
  shutdown: Shutdown
  /** The stop's drain (graceful-stop.ts). */
  graceful: GracefulStop
}

/**
 * The node's public face over its parts. `stop` drains, then runs the
 * shutdown, once however often it is called; `stop({ force: true })` cuts a
 * drain under way (graceful-stop.ts). While the node stops, new uploads,
 * submissions and schedules answer `ERR_NODE_STOPPING`; while its store's
 * writer has `busyWritesWaiting` writes waiting, they and cancellations answer
 * `ERR_STORE_BUSY` (node/store/write-queue.ts).
 */
export function nodeFacade (components: NodeFacadeComponents): TrustEngineNode {
  const { network, identity, host, storage, engine, economy, retention, submit, registry, metrics, events, apiUrl, logger, shutdown, graceful } = components
  const { keyFile } = identity
  const { keeper, blobs, evidence, audit, optimizerReports, reputationHistory } = storage
  let stopping: Promise<void> | null = null
  const open = (): void => {
    if (stopping !== null) throw new TrustEngineError(ERR_NODE_STOPPING, 'the node is stopping: it takes no new upload, job or schedule')
  }
  return {
    host,
    keyFile,
    retention,
    metricsRegistry: registry,
    network: () => network,
    info: (): NodeInfo => ({
      peerId: host.peerId.toString(),
      publicKey: keyFile.publicKey,
      name: identity.name,
      role: identity.role,
      networkId: network.networkId,
      version: VERSION,
      protocolVersion: PROTOCOL_VERSION,
      listenAddresses: host.multiaddrs(),
      apiUrl: apiUrl()
    }),
    putBlob: async (bytes, uploader) => {
      open()
      const sha = await keeper.upload(bytes, uploader ?? 'local')
      metrics.blobs.bytes.inc({ direction: 'uploaded' }, bytes.byteLength)
      return sha
    },
    hasBlob: async (sha) => await blobs.has(sha),
    submitJob: async (request) => {
      open()
      // A client's job is written on its decision queue like a job learnt from gossip, which is never refused:
      // the store's bound of waiting writes is checked here, before admission, signing and the job's seed share.
      storage.store.refuseIfBusy()
      return await submit(request)
    },
    scheduleEconomyJob: async (request) => {
      open()
      const view = await economy.schedule(request)
      // The slot may come after the grace period of pending uploads: the scene is kept from now.
      await keeper.referenced([...request.reference, ...request.candidate ?? []])
      return view
    },
    listSchedules: async (options = {}) => await economy.list(options.limit ?? 100),
    getSchedule: async (scheduleId) => await economy.get(scheduleId),
    cancelSchedule: async (scheduleId) => await economy.cancel(scheduleId),
    getJob: async (jobId) => await engine.view(jobId),
    listJobs: async (options = {}) => {
      const { limit = 100, ...rest } = options
      const page = await engine.list({ limit, ...rest })
      if (page === null) throw new TrustEngineError(ERR_JOB_NOT_FOUND, `no job ${String(options.before)} on this node to page from`)
      return page
    },
    getCertificate: async (jobId) => await engine.certificate(jobId),
    evidence: async (jobId) => await evidence.manifest(jobId),
    evidenceFile: async (jobId, name) => await evidence.file(jobId, name),
    optimizerReport: async (jobId) => await optimizerReports.get(jobId),
    reputations: async () => reputationViews(network, engine),
    reputationHistory: async (validator, options) => await reputationHistory.page(validator, options),
    peers: async () => await peerViews(network, host, storage),
    audit: async (fromSeq, limit) => {
      const entries: AuditEntryView[] = await audit.list(fromSeq, limit)
      const head = audit.head
      return { entries, head: head === null ? null : { seq: head.seq, hash: head.hash, signature: head.signature } }
    },
    health: () => ({ ok: stopping === null, peers: host.admittedPeers().length, gossipPeers: host.gossipPeers().length, meshPeers: host.meshPeers(), openJobs: engine.openJobs }),
    on: (event, listener) => events.on(event, listener),
    stop: async (options = {}) => {
      if (options.force === true) graceful.force()
      stopping ??= (async () => {
        logger.info({ workInFlight: engine.workInFlight }, 'stopping: taking no new work, letting the work in flight finish')
        const drain = await graceful.drain(engine)
        logger.info({ ...drain, left: engine.workInFlight }, 'drained')
        await shutdown.run()
        logger.info('stopped')
      })()
      await stopping
    }
  }
}

/** Every validator of the network with its reputation in this node's view. */
function reputationViews (network: NetworkConfig, engine: JobEngine): ReputationView[] {
  const reps = engine.reputations()
  return network.validators.map((v) => {
    const r = reps.get(v.publicKey)!
    return {
      publicKey: v.publicKey,
      name: v.name,
      peerId: peerIdOf(v.publicKey).toString(),
      baseWeight: v.weight,
      reputation: r.reputation,
      trust: trustOf(r, network),
      verifications: r.verifications,
      successes: r.successes,
      equivocated: r.equivocated
    }
  })
}

/** Connected and remembered peers, by peer id, with their validator names and gossip scores. */
async function peerViews (network: NetworkConfig, host: Host, storage: NodeStorage): Promise<PeerView[]> {
  const connected = new Set(host.admittedPeers())
  const remembered = new Map((await storage.peers.list()).map((e) => [e.key, e.value]))
  const ids = [...new Set([...connected, ...remembered.keys()])].sort()
  const names = new Map(network.validators.map((v) => [peerIdOf(v.publicKey).toString(), v.name]))
  return ids.map((id) => ({
    peerId: id,
    name: names.get(id) ?? null,
    connected: connected.has(id),
    addresses: remembered.get(id)?.multiaddrs ?? [],
    gossipScore: connected.has(id) ? host.gossip.getScore(id) : null,
    lastSeen: remembered.get(id)?.lastSeen ?? null
  }))
}

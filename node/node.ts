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
import { EventEmitter } from 'node:events'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { pino, type Logger } from 'pino'
import { Registry } from 'prom-client'
import { TrustEngineError } from '../protocol/errors.ts'
import { sha256Hex } from '../protocol/hash.ts'
import type { NetworkConfig } from '../protocol/network.ts'
import { PROTOCOL_VERSION } from '../protocol/constants.ts'
import { startApi, type ApiOptions } from './api/server.ts'
import { clockDeadline } from './job/deadline.ts'
import { type JobEngineOptions, JobEngine } from './job/engine.ts'
import { ERR_NOT_VALIDATOR } from './job/errors.ts'
import type { Fault } from './job/faults.ts'
import { openRepositories } from './job/repositories.ts'
import { type KeyFile, libp2pPrivateKey, loadOrCreateKeyFile, peerIdOf } from './keys.ts'
import { createNodeMetrics } from './metrics.ts'
import type { AuditEntryView, NodeEvents, TrustEngineNodeApi } from './node-api.ts'
import { BlobDir, type BlobDirOptions } from './p2p/blob-dir.ts'
import { serveBlobs } from './p2p/blob-protocol.ts'
import { fetchOpenJobs, fetchVotes, serveOpenJobs, serveVotes } from './p2p/vote-sync.ts'
import { MAX_SYNC_CERTIFICATES, fetchCertificates, serveCertificates } from './p2p/certificate-sync.ts'
import { DEFAULT_REPUTATION_SCORE_OPTIONS, appScoreFromReputation } from './p2p/gossip-score.ts'
import { createHost, type Host } from './p2p/host.ts'
import { AuditLog } from './store/audit.ts'
import { BlobKeeper, type BlobKeeperOptions } from './store/blob-keeper.ts'
import { openStore } from './store/db.ts'
import { ensureJobIndex } from './store/repositories/job-index.ts'
import { ERR_JOB_NOT_FOUND } from './api/errors.ts'
import { dataDirLayout } from './store/data-dir.ts'
import { peersRepository } from './store/repositories/index.ts'
import { blobPort } from './wiring/blob-port.ts'
import { admitJob } from './wiring/job-admission.ts'
import { MeasureWorkerPool } from './wiring/measure-worker-pool.ts'
import { MEASUREMENT_ENGINE } from './wiring/measure-port.ts'
import { ERR_ENGINE_VERSION, decodeVote } from '../protocol/vote.ts'
import { EvidenceStore, type EvidenceStoreOptions } from './evidence/evidence-store.ts'
import { recordingEvidence } from './evidence/record-evidence.ts'
import { limitedMeasurePort } from './wiring/work-limits.ts'
import type { NodeInfo, NodeRole, PeerView, ReputationView, SubmitJobRequest } from './types.ts'
import { EconomyOffline } from './economy/economy-offline.ts'
import { ECONOMY_PROFILE } from './economy/schedule-record.ts'
import { toClock } from './economy/node-clock.ts'
import { resolveEconomyNodeOptions, type EconomyNodeOptions } from './economy/options.ts'
import type { Clock } from './optimizer/economy/clock.ts'
import { VERSION } from './version.ts'
import { trustOf } from '../protocol/consensus/reputation.ts'

/**
 * How a validator's reputation becomes its gossipsub application score (P5):
 * any deviation costs (fullTrustAt 1), so a lying validator leaves the meshes
 * after its first false vote (score below 0), stops receiving our flood
 * publishes after about three (publish threshold −200), and is graylisted when
 * the protocol stops trusting it (reputation 0.5, graylist threshold −400).
 */
export const REPUTATION_SCORE = { ...DEFAULT_REPUTATION_SCORE_OPTIONS, fullTrustAt: 1 }

/** Code of an observer started with a validator's key (see `NodeInit.role`). */
export const ERR_OBSERVER_IS_VALIDATOR = 'ERR_OBSERVER_IS_VALIDATOR'

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
  /** Hooks of a simulated Byzantine behaviour, set only by the fault simulation's node host (see node/job/faults.ts); none by default. */
  fault?: Fault
  /** Job engine tunables. */
  engine?: Partial<JobEngineOptions>
  /** Evidence kept of the node's measurements, in `<dataDir>/evidence` (node/evidence/evidence-store.ts). */
  evidence?: Partial<EvidenceStoreOptions>
  /** Blob storage: the node's quota (node/p2p/blob-dir.ts), the per-uploader quota and the clean-up of uploads no job names (node/store/blob-keeper.ts). */
  blobs?: Partial<Pick<BlobDirOptions, 'maxTotalBytes'> & BlobKeeperOptions>
}

/** A running node (see {@link TrustEngineNodeApi}) plus its parts for tools. */
export interface TrustEngineNode extends TrustEngineNodeApi {
  /** The libp2p host (for tools and tests). */
  readonly host: Host
  /** The node's key. */
  readonly keyFile: KeyFile
}

/** Starts a node. Stops everything it opened if a step fails. */
export async function createNode (init: NodeInit): Promise<TrustEngineNode> {
  const layout = dataDirLayout(init.dataDir)
  mkdirSync(layout.root, { recursive: true })
  const network = init.network
  const keyFile = loadOrCreateKeyFile(init.keyFile ?? layout.keyFile)
  const validator = network.validators.find((v) => v.publicKey === keyFile.publicKey)
  if (validator !== undefined && network.measurement.engine !== MEASUREMENT_ENGINE) {
    // Its votes would differ from honest ones for no fault of anyone: refuse to take part rather than look Byzantine.
    throw new TrustEngineError(ERR_ENGINE_VERSION, `the network pins measurement engine ${network.measurement.engine}; this node measures with ${MEASUREMENT_ENGINE}`)
  }
  const name = init.name ?? validator?.name ?? null
  if (init.role === 'validator' && validator === undefined) {
    throw new TrustEngineError(ERR_NOT_VALIDATOR, `the key ${keyFile.publicKey} is not a validator of network ${network.networkId}; add it to the network file (trust-engine network add-validator) or start as an observer`)
  }
  if (init.role === 'observer' && validator !== undefined) {
    throw new TrustEngineError(ERR_OBSERVER_IS_VALIDATOR, `the key of validator ${validator.name} cannot run an observer: give the observer a key of its own`)
  }
  const role: NodeRole = validator === undefined ? 'observer' : 'validator'
  // One child logger per module, each made from the base so `module` appears once per line.
  const base = (init.logger ?? pino({ level: init.logLevel ?? 'info' })).child(name === null ? {} : { node: name })
  const logger = base.child({ module: 'node' })
  const economyClock = toClock(init.clock)
  const clock = economyClock.now
  const economyOptions = resolveEconomyNodeOptions(init.economy)
  const events = new EventEmitter()
  /** Announces a vote the engine took in or published (for live views); bytes it cannot decode are not announced. */
  const emitVote = (data: Uint8Array): void => {
    try {
      const v = decodeVote(data)
      events.emit('job:vote', { jobId: v.jobId, voter: v.voter, round: v.round })
    } catch {}
  }
  const cleanup: Array<() => Promise<void>> = []
  const undo = async (): Promise<void> => {
    for (const fn of cleanup.reverse()) await fn().catch(() => {})
  }

  try {
    const store = await openStore(layout.db, { identity: { publicKey: keyFile.publicKey, networkId: network.networkId } })
    cleanup.push(async () => await store.close())
    const audit = await AuditLog.open(store, keyFile.privateKey)
    const registry = new Registry()
    const metrics = createNodeMetrics(registry)
    await ensureJobIndex(store)
    const repos = openRepositories(store, {
      append: (batch, kind, data, time) => {
        const entry = audit.append(batch, kind, data, time)
        batch.afterCommit(() => { metrics.audit.entries.inc({ kind }) })
        return entry
      }
    })
    const peersRepo = peersRepository(store)
    const { maxTotalBytes, ...keeperOptions } = init.blobs ?? {}
    const blobs = new BlobDir(layout.root, maxTotalBytes === undefined ? {} : { maxTotalBytes })
    // Uploads no job names are deleted after a grace period; a job's blobs are kept (node/store/blob-keeper.ts).
    const keeper = await BlobKeeper.open({
      dir: blobs,
      store,
      options: keeperOptions,
      now: clock,
      logger: base.child({ module: 'blobs' }),
      metrics: { pendingBytes: (bytes) => { metrics.blobs.pendingBytes.set(bytes) }, deleted: (n) => { metrics.blobs.uploadsDeleted.inc(n) } }
    })
    events.on('job:accepted', (view: { reference: string[], candidate: string[] }) => {
      keeper.referenced([...view.reference, ...view.candidate]).catch((err: unknown) => { logger.warn({ err: String(err) }, 'cannot record the blobs of a job') })
    })
    keeper.start()
    cleanup.push(async () => await keeper.stop())

    const peerToKey = new Map(network.validators.map((v) => [peerIdOf(v.publicKey).toString(), v.publicKey]))
    const evidence = await EvidenceStore.open(join(layout.root, 'evidence'), init.evidence)
    metrics.evidence.jobs.set(evidence.jobs)
    metrics.evidence.bytes.set(evidence.bytes)
    // Measurement and optimization run in worker threads, ended at their job's deadline, so long work never stalls gossip or the API.
    const measurer = new MeasureWorkerPool(evidence.options.enabled ? { evidence: evidence.options.samples } : {})
    cleanup.push(async () => await measurer.close())
    if (network.validators.some((v) => v.publicKey === keyFile.publicKey)) measurer.warm()
    let engine: JobEngine | null = null
    const host = await createHost({
      privateKey: libp2pPrivateKey(keyFile),
      networkId: network.networkId,
      protocolVersion: PROTOCOL_VERSION,
      listen: init.listen ?? ['/ip4/127.0.0.1/tcp/0'],
      bootstrap: init.bootstrap ?? [],
      // Validators are admitted with their quotas; other peers only as observers (node/p2p/admission.ts).
      isValidator: (peerId) => peerToKey.has(peerId),
      announce: init.announce ?? [],
      appSpecificScore: (peerId) => {
        const key = peerToKey.get(peerId)
        if (key === undefined || engine === null) return 0
        return appScoreFromReputation(engine.reputationOf(key).reputation, REPUTATION_SCORE)
      },
      peerBook: {
        load: async () => (await peersRepo.list()).map((e) => ({ peerId: e.key, multiaddrs: e.value.multiaddrs, lastSeen: e.value.lastSeen })),
        save: async (rec) => {
          await store.write((batch) => { peersRepo.put(batch, rec.peerId, { multiaddrs: rec.multiaddrs, lastSeen: rec.lastSeen, networkId: network.networkId }) })
        }
      },
      counters: {
        gossipResult: (topic, result, code) => { metrics.gossip.validationResults.inc({ topic: topicLabel(topic), result, code: result === 'accept' ? 'none' : code }) },
        peerRefused: (code) => { metrics.peers.refused.inc({ code }) },
        blob: (side, outcome) => { if (side === 'fetch') metrics.blobs.fetches.inc({ result: outcome }) },
        offence: (code) => { metrics.peers.offences.inc({ code }) }
      },
      logger: base.child({ module: 'p2p' })
    })
    cleanup.push(async () => await host.stop())

    engine = new JobEngine({
      network,
      key: { publicKey: keyFile.publicKey, privateKey: keyFile.privateKey },
      repos,
      net: {
        publish: async (topic, data) => {
          const sent = await host.gossip.publish(host.topics[topic], data)
          if (topic === 'votes') emitVote(data)
          return sent
        },
        catchUp: async (jobId, signal) => await catchUpVotes(host, jobId, signal),
        openJobs: async (signal) => await catchUpOpenJobs(host, signal),
        certificates: (peer, since, signal) => fetchCertificates(host, peer, since, signal),
        catchUpPeers: async (signal) => await catchUpPeers(host, signal),
        penalise: (peer, code) => { host.penalise(peer, code) }
      },
      blobs: blobPort({ host, blobs, peerIdOf: (key) => peerIdOf(key).toString(), clock, metrics }),
      measure: recordingEvidence(limitedMeasurePort(network, measurer.measure), evidence, logger, (jobId, round) => {
        metrics.evidence.jobs.set(evidence.jobs)
        metrics.evidence.bytes.set(evidence.bytes)
        events.emit('job:evidence', { jobId, round })
      }),
      clock,
      logger: base.child({ module: 'job' }),
      metrics,
      fault: init.fault ?? null,
      onFinal: (view) => events.emit('job:final', view),
      onAccepted: (view) => events.emit('job:accepted', view),
      onEvidence: (offender, jobId) => events.emit('evidence', { offender, jobId })
    }, init.engine)
    const eng = engine
    const admission = { network, publicKey: keyFile.publicKey, blobs }
    /** The immediate path of a job request (an economy slot runs through it too): admission, the network's optimization off the main thread, then the announcement. */
    const submitNow = async (request: SubmitJobRequest) => {
      const admitted = await admitJob(admission, request)
      if (admitted.optimize === null) return await eng.submit(request)
      // The network optimizes: this node makes the candidate in a worker, bounded by the job's deadline span by the node's clock; every verifier re-runs the optimizer.
      const { optimize } = admitted
      const reference = { bytes: (await blobs.get(request.reference[0]!))!, sha256: request.reference[0]! }
      const bound = clockDeadline(clock, clock() + (request.deadlineMs ?? network.deadlines.voteMs))
      const out = await measurer.optimize(reference, optimize, bound.signal, sha256Hex).finally(bound.clear)
      const candidate = await blobs.put(out)
      logger.info({ reference: reference.sha256, candidate, profile: optimize.profile, ratio: optimize.ratio }, 'scene optimized for the network')
      return await eng.submit({ ...request, profile: optimize.profile, candidate: [candidate], optimize })
    }
    host.gossip.setValidator(host.topics.jobs, async (data) => { await eng.onJobMessage(data) })
    host.gossip.setValidator(host.topics.votes, async (data) => { await eng.onVoteMessage(data); emitVote(data) })
    host.gossip.setValidator(host.topics.evidence, async (data) => { await eng.onEvidenceMessage(data) })
    host.gossip.setValidator(host.topics.seeds, async (data) => { await eng.onSeedMessage(data) })
    for (const topic of Object.values(host.topics)) host.gossip.subscribe(topic)
    // Served from disk in bounded chunks, paced and limited per peer (never a whole blob in memory).
    const stopServing = await serveBlobs(host, { getBlob: async (sha) => await blobs.open(sha), limits: host })
    cleanup.push(async () => await stopServing())
    const stopVotes = await serveVotes(host, async (jobId) => await eng.votesFor(jobId), { limits: host })
    cleanup.push(async () => await stopVotes())
    const stopOpenJobs = await serveOpenJobs(host, async () => eng.openAnnouncements(), { limits: host })
    cleanup.push(async () => await stopOpenJobs())
    const stopCertificates = await serveCertificates(host, {
      list: (since) => eng.finalJobsSince(since, MAX_SYNC_CERTIFICATES),
      load: async (jobId) => await eng.certificateBytes(jobId)
    }, { limits: host })
    cleanup.push(async () => await stopCertificates())
    if (init.fault !== undefined && init.fault !== null) logger.warn({ fault: init.fault.name }, 'SIMULATED BYZANTINE FAULT ENABLED')

    await host.start()
    await engine.start()
    cleanup.push(async () => await eng.stop())
    // A peer admitted again after a disconnect may have decided jobs meanwhile (the engine paces the asking).
    const stopAdmitListener = host.onAdmit((peer) => { eng.onPeerAdmitted(peer) })
    cleanup.push(async () => { stopAdmitListener() })
    const economy = new EconomyOffline({
      store,
      audit: repos.audit,
      clock: economyClock,
      logger: base.child({ module: 'economy' }),
      check: async (request) => { await admitJob(admission, request) },
      readBlob: async (sha) => await blobs.get(sha),
      estimateSeconds: async (scene) => {
        // The optimizer's analysis in a worker, bounded like a job of the network's default deadline by the node's clock.
        const bound = clockDeadline(clock, clock() + network.deadlines.voteMs)
        return await measurer.analyze(scene, ECONOMY_PROFILE, bound.signal).finally(bound.clear)
      },
      submit: submitNow,
      onFired: (view) => events.emit('schedule:fired', view)
    }, economyOptions)
    await economy.start()
    cleanup.push(async () => await economy.stop())
    const peerTimer = setInterval(() => { metrics.peers.connected.set(host.admittedPeers().length) }, 1000)
    peerTimer.unref()
    cleanup.push(async () => { clearInterval(peerTimer) })

    let apiUrl: string | null = null
    let stopping: Promise<void> | null = null
    const node: TrustEngineNode = {
      host,
      keyFile,
      metricsRegistry: registry,
      network: () => network,
      info: (): NodeInfo => ({
        peerId: host.peerId.toString(),
        publicKey: keyFile.publicKey,
        name,
        role,
        networkId: network.networkId,
        version: VERSION,
        protocolVersion: PROTOCOL_VERSION,
        listenAddresses: host.multiaddrs(),
        apiUrl
      }),
      putBlob: async (bytes, uploader) => {
        const sha = await keeper.upload(bytes, uploader ?? 'local')
        metrics.blobs.bytes.inc({ direction: 'uploaded' }, bytes.byteLength)
        return sha
      },
      hasBlob: async (sha) => await blobs.has(sha),
      submitJob: async (request) => await submitNow(request),
      scheduleEconomyJob: async (request) => {
        const view = await economy.schedule(request)
        // The slot may come after the grace period of pending uploads: the scene is kept from now.
        await keeper.referenced([...request.reference, ...request.candidate ?? []])
        return view
      },
      listSchedules: async (options = {}) => await economy.list(options.limit ?? 100),
      getSchedule: async (scheduleId) => await economy.get(scheduleId),
      getJob: async (jobId) => await eng.view(jobId),
      listJobs: async (options = {}) => {
        const { limit = 100, ...rest } = options
        const page = await eng.list({ limit, ...rest })
        if (page === null) throw new TrustEngineError(ERR_JOB_NOT_FOUND, `no job ${String(options.before)} on this node to page from`)
        return page
      },
      getCertificate: async (jobId) => await eng.certificate(jobId),
      evidence: async (jobId) => await evidence.manifest(jobId),
      evidenceFile: async (jobId, name) => await evidence.file(jobId, name),
      reputations: async (): Promise<ReputationView[]> => {
        const reps = eng.reputations()
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
      },
      peers: async (): Promise<PeerView[]> => {
        const connected = new Set(host.admittedPeers())
        const remembered = new Map((await peersRepo.list()).map((e) => [e.key, e.value]))
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
      },
      audit: async (fromSeq, limit) => {
        const entries: AuditEntryView[] = await audit.list(fromSeq, limit)
        const head = audit.head
        return { entries, head: head === null ? null : { seq: head.seq, hash: head.hash, signature: head.signature } }
      },
      health: () => ({ ok: stopping === null, peers: host.admittedPeers().length, openJobs: eng.openJobs }),
      on: (event, listener) => {
        events.on(event, listener as (p: NodeEvents[typeof event]) => void)
        return () => { events.off(event, listener as (p: NodeEvents[typeof event]) => void) }
      },
      stop: async () => {
        stopping ??= (async () => {
          logger.info('stopping')
          await undo()
          logger.info('stopped')
        })()
        await stopping
      }
    }

    if (init.api !== undefined && init.api !== null) {
      const api = await startApi(node, init.api)
      apiUrl = api.url
      cleanup.push(async () => await api.close())
    }
    logger.info({ peerId: host.peerId.toString(), networkId: network.networkId, apiUrl, role }, 'node started')
    return node
  } catch (err) {
    await undo()
    throw err
  }
}

/** Peers asked for a job's votes when catching up (the union of their answers is taken in). */
export const CATCH_UP_PEERS = 3

/**
 * Waits (bounded, 10 s) for admitted peers after a start, then asks up to
 * {@link CATCH_UP_PEERS} of them for the votes of `jobId`; unreachable or
 * failing peers are skipped.
 */
async function catchUpVotes (host: Host, jobId: string, signal: AbortSignal): Promise<Uint8Array[]> {
  return await askPeers(host, signal, async (peer) => await fetchVotes(host, peer, jobId, signal))
}

/** Like {@link catchUpVotes}, for the announcements of the jobs open at the peers. */
async function catchUpOpenJobs (host: Host, signal: AbortSignal): Promise<Uint8Array[]> {
  return await askPeers(host, signal, async (peer) => await fetchOpenJobs(host, peer, signal))
}

/** Waits (bounded, 10 s) for admitted peers after a start; returns up to CATCH_UP_PEERS of them. */
async function catchUpPeers (host: Host, signal: AbortSignal): Promise<string[]> {
  for (let i = 0; i < 100 && host.admittedPeers().length === 0 && !signal.aborted; i++) await new Promise((r) => setTimeout(r, 100))
  return host.admittedPeers().slice(0, CATCH_UP_PEERS)
}

/** Waits (bounded) for admitted peers, asks up to CATCH_UP_PEERS of them, and returns the union of their answers. */
async function askPeers (host: Host, signal: AbortSignal, ask: (peer: string) => Promise<Uint8Array[]>): Promise<Uint8Array[]> {
  const seen = new Set<string>()
  const out: Uint8Array[] = []
  for (const peer of await catchUpPeers(host, signal)) {
    for (const item of await ask(peer).catch(() => [])) {
      const key = Buffer.from(item).toString('base64')
      if (!seen.has(key)) { seen.add(key); out.push(item) }
    }
  }
  return out
}

/** The topic kind (`jobs`, `votes`, `evidence`, `seeds`) as a low-cardinality metric label. */
function topicLabel (topic: string): string {
  return topic.slice(topic.lastIndexOf('/') + 1)
}

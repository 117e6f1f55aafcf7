/**
 * Job engines over real parts for tests: a temporary folder, one blob
 * folder, the measurement worker, and per engine its own LevelDB store and
 * signed audit trail. The network is whatever the test wires (none by
 * default: gossip reaches nobody and catch-up finds nothing).
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { Registry } from 'prom-client'
import { JobEngine } from '../../../node/job/engine.ts'
import type { JobEngineComponents } from '../../../node/job/engine-components.ts'
import type { JobEngineOptions } from '../../../node/job/engine-options.ts'
import type { EngineTopic, JobNetworkPort } from '../../../node/job/ports.ts'
import { type NodeRepositories, openRepositories } from '../../../node/job/repositories.ts'
import { createNodeMetrics, type NodeMetrics } from '../../../node/metrics.ts'
import { BlobDir } from '../../../node/p2p/blob-dir.ts'
import { AuditLog } from '../../../node/store/audit.ts'
import { openStore } from '../../../node/store/db.ts'
import { MeasureWorkerPool } from '../../../node/wiring/measure-worker-pool.ts'
import { canonicalEncode } from '../../../protocol/canonical.ts'
import { decodeJob, jobIdOf } from '../../../protocol/job.ts'
import { type NetworkConfig, networkDigest, parseNetwork } from '../../../protocol/network.ts'
import { buildSeedCertificate, makeSeedShare, verifySeedCertificate } from '../../../protocol/seed.ts'
import { generateKeyPair } from '../../../protocol/signing.ts'
import { type NewVoteFields, newVote, signVote } from '../../../protocol/vote.ts'

/** A validator's key pair as the tests hold it. */
export type KeyPair = { publicKey: string, privateKey: string }

/** A network port that reaches nobody. */
export const NO_NETWORK: JobNetworkPort = {
  publish: async () => 0,
  catchUp: async () => [],
  openJobs: async () => [],
  certificates: async function * () {},
  catchUpPeers: async () => [],
  penalise: () => {}
}

/** Engines sharing a folder, a blob folder and a measurement worker. */
export class EngineHarness {
  /** The temporary folder. */
  readonly dir: string
  /** The blob folder every engine reads. */
  readonly blobs: BlobDir
  readonly #measurer = new MeasureWorkerPool()
  /** The work pool the engines measure in (and may check inputs in). */
  get pool (): MeasureWorkerPool {
    return this.#measurer
  }

  readonly #cleanups: Array<() => Promise<void>> = []

  private constructor (dir: string) {
    this.dir = dir
    this.blobs = new BlobDir(dir)
  }

  /** A harness in a new temporary folder named after `prefix`. */
  static async create (prefix: string): Promise<EngineHarness> {
    return new EngineHarness(await mkdtemp(join(tmpdir(), prefix)))
  }

  /**
   * An engine (not started) with its own store under `name`; `parts`
   * replaces the defaults (no network, Date.now, silent logger, no fault,
   * no-op callbacks).
   */
  async engine (name: string, network: NetworkConfig, key: { publicKey: string, privateKey: string }, parts: Partial<JobEngineComponents> = {}, options: Partial<JobEngineOptions> = {}): Promise<{ engine: JobEngine, repos: NodeRepositories }> {
    const store = await openStore(join(this.dir, name), { identity: { publicKey: key.publicKey, networkId: network.networkId } })
    this.#cleanups.push(async () => { await store.close() })
    const audit = await AuditLog.open(store, key.privateKey)
    const repos = openRepositories(store, { append: (batch, kind, data, time) => audit.append(batch, kind, data, time) })
    const engine = new JobEngine({
      network,
      key,
      repos,
      net: NO_NETWORK,
      blobs: { get: async (sha) => (await this.blobs.get(sha))! },
      measure: this.#measurer.measure,
      clock: Date.now,
      logger: pino({ level: 'silent' }),
      metrics: createNodeMetrics(new Registry()),
      fault: null,
      onFinal: () => {},
      onAccepted: () => {},
      onEvidence: () => {},
      ...parts
    }, options)
    return { engine, repos }
  }

  /** Starts an engine and stops it on {@link close}. */
  async start (engine: JobEngine): Promise<JobEngine> {
    await engine.start()
    this.#cleanups.push(async () => { await engine.stop() })
    return engine
  }

  /** Stops the engines, closes the stores and the worker, removes the folder. */
  async close (): Promise<void> {
    for (const fn of this.#cleanups.splice(0).reverse()) await fn()
    await this.#measurer.close()
    await rm(this.dir, { recursive: true, force: true })
  }
}

/** `count` fresh validator keys of weight 1, named `node1`…, and the network file `networkId` that lists them. */
export function testNetwork (networkId: string, count: number): { keys: KeyPair[], network: NetworkConfig } {
  const keys = Array.from({ length: count }, () => generateKeyPair())
  const network = parseNetwork({
    networkId,
    protocolVersion: 1,
    validators: keys.map((k, i) => ({ name: `node${i + 1}`, publicKey: k.publicKey, weight: 1 }))
  })
  return { keys, network }
}

/**
 * Runs a job's seed phase on `engine`, the job's submitter: the shares of
 * `others` reach it over gossip, so it certifies; returns the seed it fixed.
 */
export async function seedAsSubmitter (engine: JobEngine, network: NetworkConfig, jobId: string, submitter: KeyPair, others: KeyPair[]): Promise<string> {
  for (const k of others) await engine.onSeedMessage(canonicalEncode(makeSeedShare(network, jobId, k)))
  const shares = [submitter, ...others].map((k) => makeSeedShare(network, jobId, k))
  const announcement = engine.openAnnouncements().map((b) => decodeJob(b)).find((j) => jobIdOf(j) === jobId)!
  return verifySeedCertificate(buildSeedCertificate(network, jobId, shares, submitter.privateKey), announcement, network).seed
}

/** The gossiped bytes of `voter`'s signed vote on round `round` of a job, with the given values. */
export function signedVoteBytes (network: NetworkConfig, voter: KeyPair, job: { jobId: string, seed: string, round: number }, values: Pick<NewVoteFields, 'metrics' | 'intervals' | 'samples'>): Uint8Array {
  return canonicalEncode(signVote(newVote({
    networkId: network.networkId,
    networkDigest: networkDigest(network),
    engine: network.measurement.engine,
    ...job,
    voter: voter.publicKey,
    ...values
  }), voter.privateKey))
}

/**
 * An in-memory gossip among `engines`: delivers a publish from engine `from`
 * to every other engine's handler of `topic`, except where `drop` says the
 * message does not reach engine `to`; returns the number of peers, as a
 * publish does.
 */
export function deliverAll (engines: JobEngine[], from: number, topic: EngineTopic, data: Uint8Array, drop: (to: number) => boolean = () => false): number {
  for (const [i, e] of engines.entries()) {
    if (i === from || drop(i)) continue
    const handle = topic === 'jobs' ? e.onJobMessage(data) : topic === 'votes' ? e.onVoteMessage(data) : topic === 'seeds' ? e.onSeedMessage(data) : e.onEvidenceMessage(data)
    void handle.catch(() => {})
  }
  return engines.length - 1
}

/** What {@link gossipingEngines} lets a test change. */
export interface GossipingEnginesOptions {
  /** True when a publish of engine `from` on `topic` does not reach engine `to`. */
  drop?: (from: number, to: number, topic: EngineTopic, data: Uint8Array) => boolean
  /** Hears engine `i` ask its peers (only `peer`, when named) for their open jobs or for a job's votes. */
  onAsk?: (i: number, what: 'open-jobs' | 'votes', peer?: string) => void
  /** Engine options over the defaults. */
  options?: Partial<JobEngineOptions>
  /** The metrics of engine `i` (default: a registry of its own). */
  metricsOf?: (i: number) => NodeMetrics
}

/**
 * Started engines, one per key (`db0`, `db1`, … in the harness), joined by
 * an in-memory gossip ({@link deliverAll}) that drops what `drop` says,
 * and by catch-up ports that serve the other engines' open jobs and votes
 * as the catch-up protocols do.
 */
export async function gossipingEngines (h: EngineHarness, network: NetworkConfig, keys: KeyPair[], o: GossipingEnginesOptions = {}): Promise<JobEngine[]> {
  const engines: JobEngine[] = []
  for (const [i, key] of keys.entries()) {
    const others = (): JobEngine[] => engines.filter((_, j) => j !== i)
    const { engine } = await h.engine(`db${i}`, network, key, {
      ...(o.metricsOf === undefined ? {} : { metrics: o.metricsOf(i) }),
      net: {
        ...NO_NETWORK,
        publish: async (topic, data) => deliverAll(engines, i, topic, data, (to) => o.drop?.(i, to, topic, data) ?? false),
        openJobs: async (_signal, peer) => {
          o.onAsk?.(i, 'open-jobs', peer)
          return others().flatMap((e) => e.openAnnouncements())
        },
        catchUp: async (jobId) => {
          o.onAsk?.(i, 'votes')
          return (await Promise.all(others().map(async (e) => await e.votesFor(jobId)))).flat()
        }
      }
    }, o.options)
    engines.push(engine)
  }
  for (const e of engines) await h.start(e)
  return engines
}

/** Polls until every one of `engines` holds `jobId` as final, at most `polls` times 50 ms (a hang guard, not a time limit). */
export async function untilFinal (engines: JobEngine[], jobId: string, polls = 1200): Promise<void> {
  for (let n = 0; n < polls && !(await Promise.all(engines.map(async (e) => (await e.view(jobId))?.final === true))).every(Boolean); n++) {
    await new Promise((r) => setTimeout(r, 50))
  }
}

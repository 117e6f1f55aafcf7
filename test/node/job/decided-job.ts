/**
 * One node's engine over real parts (LevelDB store and signed audit trail,
 * the blob folder, measurement in this thread) with a frames job it
 * submitted and decided: validators own (this node), a, b and x, weight 1
 * each; a and b vote the honest measurement, as gossip would bring their
 * shares and votes. The late-vote tests take it from there.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { Registry } from 'prom-client'
import { JobEngine } from '../../../node/job/engine.ts'
import { type NodeRepositories, openRepositories } from '../../../node/job/repositories.ts'
import { createNodeMetrics } from '../../../node/metrics.ts'
import { BlobDir } from '../../../node/p2p/blob-dir.ts'
import { AuditLog } from '../../../node/store/audit.ts'
import { openStore } from '../../../node/store/db.ts'
import type { JobView } from '../../../node/types.ts'
import { measureJob, measurePort } from '../../../node/wiring/measure-port.ts'
import { canonicalEncode } from '../../../protocol/canonical.ts'
import { decodeJob } from '../../../protocol/job.ts'
import type { MetricNumbers } from '../../../protocol/metrics.ts'
import { type NetworkConfig, networkDigest, parseNetwork } from '../../../protocol/network.ts'
import { buildSeedCertificate, makeSeedShare, verifySeedCertificate } from '../../../protocol/seed.ts'
import { generateKeyPair } from '../../../protocol/signing.ts'
import { type Vote, newVote, signVote } from '../../../protocol/vote.ts'
import { addNoise, encodePng, scene } from '../measure/fixtures.ts'
import type { KeyPair } from './engine-harness.ts'
import { NO_NETWORK } from './engine-harness.ts'

/** A decided job on one engine (see the module comment). */
export interface DecidedJob {
  engine: JobEngine
  repos: NodeRepositories
  network: NetworkConfig
  keys: { own: KeyPair, a: KeyPair, b: KeyPair, x: KeyPair }
  jobId: string
  seed: string
  /** What every honest node measures for the job. */
  honest: MetricNumbers
  /** The job's view when it was decided. */
  decided: JobView
  /** A signed vote of `k` for the job (round 0 and the job's seed unless given). */
  vote: (k: KeyPair, metrics: MetricNumbers, round?: number, seed?: string) => Vote
  /** Stops the engine and removes its folder. */
  close: () => Promise<void>
}

/** Options of {@link decidedJob}. */
export interface DecidedJobOptions {
  /** Network id and temporary folder prefix. */
  name: string
  /** x votes a deviating value (SSIM 0.5, PSNR 12) before a and b: its vote is counted, not late. */
  deviatingFirst: boolean
}

/** Submits a frames job on a new engine and decides it (see the module comment). */
export async function decidedJob (options: DecidedJobOptions): Promise<DecidedJob> {
  const keys = { own: generateKeyPair(), a: generateKeyPair(), b: generateKeyPair(), x: generateKeyPair() }
  const { own, a, b, x } = keys
  const network = parseNetwork({
    networkId: options.name,
    protocolVersion: 1,
    validators: [own, a, b, x].map((k, i) => ({ name: `node${i + 1}`, publicKey: k.publicKey, weight: 1 }))
  })
  const cleanups: Array<() => Promise<void>> = []
  const close = async (): Promise<void> => { for (const fn of cleanups.splice(0).reverse()) await fn() }
  try {
    const dir = await mkdtemp(join(tmpdir(), `trust-engine-${options.name}-`))
    cleanups.push(async () => { await rm(dir, { recursive: true, force: true }) })
    const store = await openStore(join(dir, 'db'), { identity: { publicKey: own.publicKey, networkId: network.networkId } })
    cleanups.push(async () => { await store.close() })
    const audit = await AuditLog.open(store, own.privateKey)
    const repos = openRepositories(store, { append: (batch, kind, data, time) => audit.append(batch, kind, data, time) })
    const blobs = new BlobDir(dir)
    let onFinal: (view: JobView) => void = () => {}
    const final = new Promise<JobView>((resolve) => { onFinal = resolve })
    const engine = new JobEngine({
      network, key: own, repos,
      net: NO_NETWORK,
      blobs: { get: async (sha) => (await blobs.get(sha))! },
      measure: measurePort(),
      clock: Date.now,
      logger: pino({ level: 'silent' }),
      metrics: createNodeMetrics(new Registry()),
      fault: null,
      onFinal: (view) => { onFinal(view) },
      onAccepted: () => {},
      onEvidence: () => {}
    })
    await engine.start()
    cleanups.push(async () => { await engine.stop() })
    const refBytes = encodePng(scene(48, 48))
    const candBytes = encodePng(addNoise(scene(48, 48), 2, options.name))
    const view = await engine.submit({ kind: 'frames', reference: [await blobs.put(refBytes)], candidate: [await blobs.put(candBytes)], deadlineMs: network.deadlines.maxVoteMs })
    const jobId = view.jobId
    const job = decodeJob(engine.openAnnouncements()[0]!)
    for (const k of [a, b]) await engine.onSeedMessage(canonicalEncode(makeSeedShare(network, jobId, k)))
    const seed = verifySeedCertificate(buildSeedCertificate(network, jobId, [own, a, b].map((k) => makeSeedShare(network, jobId, k)), own.privateKey), job, network).seed
    const honest = (await measureJob(job, jobId, { reference: [refBytes], candidate: [candBytes] }, 0, seed)).metrics
    const vote = (k: KeyPair, metrics: MetricNumbers, round = 0, voteSeed = seed): Vote => signVote(newVote({
      networkId: network.networkId, networkDigest: networkDigest(network), engine: network.measurement.engine, seed: voteSeed,
      jobId, round, voter: k.publicKey, metrics, intervals: { ssim: [metrics.ssim, metrics.ssim], psnr: [metrics.psnr, metrics.psnr], ssimLocal: [metrics.ssimLocal, metrics.ssimLocal] }, samples: 24
    }), k.privateKey)
    if (options.deviatingFirst) await engine.onVoteMessage(canonicalEncode(vote(x, { ssim: 0.5, psnr: 12, ssimLocal: 0.5 })))
    await engine.onVoteMessage(canonicalEncode(vote(a, honest)))
    await engine.onVoteMessage(canonicalEncode(vote(b, honest)))
    const decided = await final
    return { engine, repos, network, keys, jobId, seed, honest, decided, vote, close }
  } catch (err) {
    await close()
    throw err
  }
}

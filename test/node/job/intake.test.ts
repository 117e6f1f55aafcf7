/**
 * Vote intake never waits on a measurement: with a job's own measurement
 * still running in the worker, a verified vote from another validator is
 * counted at once. Real parts: LevelDB store and audit trail, the blob
 * folder, the measurement worker; the network is this node alone (no peers:
 * gossip reaches nobody and catch-up finds nothing).
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { Registry } from 'prom-client'
import { afterEach, describe, expect, it } from 'vitest'
import { JobEngine } from '../../../node/job/engine.ts'
import { openRepositories } from '../../../node/job/repositories.ts'
import { createNodeMetrics } from '../../../node/metrics.ts'
import { BlobDir } from '../../../node/p2p/blob-dir.ts'
import { AuditLog } from '../../../node/store/audit.ts'
import { openStore } from '../../../node/store/db.ts'
import { MeasureWorkerPool } from '../../../node/wiring/measure-worker-pool.ts'
import { canonicalEncode } from '../../../protocol/canonical.ts'
import { networkDigest, parseNetwork } from '../../../protocol/network.ts'
import { decodeJob } from '../../../protocol/job.ts'
import { buildSeedCertificate, makeSeedShare, verifySeedCertificate } from '../../../protocol/seed.ts'
import { generateKeyPair } from '../../../protocol/signing.ts'
import { newVote, signVote } from '../../../protocol/vote.ts'
import { addNoise, encodePng, scene } from '../measure/fixtures.ts'

describe('vote intake beside a running measurement', () => {
  const cleanups: Array<() => Promise<void>> = []
  afterEach(async () => {
    for (const fn of cleanups.splice(0).reverse()) await fn()
  })

  it('counts a verified vote while the own measurement of its job is still running', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'trust-engine-intake-'))
    cleanups.push(async () => { await rm(dir, { recursive: true, force: true }) })
    const own = generateKeyPair()
    const other = generateKeyPair()
    const third = generateKeyPair()
    const network = parseNetwork({
      networkId: 'intake-test',
      protocolVersion: 1,
      validators: [own, other, third].map((k, i) => ({ name: `node${i + 1}`, publicKey: k.publicKey, weight: 1 }))
    })
    const store = await openStore(join(dir, 'db'), { identity: { publicKey: own.publicKey, networkId: network.networkId } })
    cleanups.push(async () => { await store.close() })
    const audit = await AuditLog.open(store, own.privateKey)
    const repos = openRepositories(store, { append: (batch, kind, data, time) => audit.append(batch, kind, data, time) })
    const blobs = new BlobDir(dir)
    const measurer = new MeasureWorkerPool()
    cleanups.push(async () => { await measurer.close() })
    const engine = new JobEngine({
      network,
      key: own,
      repos,
      net: { publish: async () => 0, catchUp: async () => [], openJobs: async () => [], certificates: async function * () {}, catchUpPeers: async () => [], penalise: () => {} },
      blobs: { get: async (sha) => (await blobs.get(sha))! },
      measure: measurer.measure,
      clock: Date.now,
      logger: pino({ level: 'silent' }),
      metrics: createNodeMetrics(new Registry()),
      fault: null,
      onFinal: () => {},
      onAccepted: () => {},
      onEvidence: () => {}
    })
    await engine.start()
    cleanups.push(async () => { await engine.stop() })
    // A 1024×1024 pair: its measurement takes far longer than storing one vote.
    const reference = await blobs.put(encodePng(scene(1024, 1024)))
    const candidate = await blobs.put(encodePng(addNoise(scene(1024, 1024), 2, 'intake')))
    const job = await engine.submit({ kind: 'frames', reference: [reference], candidate: [candidate], deadlineMs: network.deadlines.maxVoteMs })
    // The seed phase: the two other validators' shares reach this node, the submitter, which then fixes the seed.
    for (const k of [other, third]) await engine.onSeedMessage(canonicalEncode(makeSeedShare(network, job.jobId, k)))
    const shares = [own, other, third].map((k) => makeSeedShare(network, job.jobId, k))
    const { seed } = verifySeedCertificate(buildSeedCertificate(network, job.jobId, shares, own.privateKey), decodeJob(engine.openAnnouncements()[0]!), network)
    const vote = signVote(newVote({
      networkId: network.networkId,
      networkDigest: networkDigest(network),
      engine: network.measurement.engine,
      seed,
      jobId: job.jobId,
      round: 0,
      voter: other.publicKey,
      metrics: { ssim: 0.99, psnr: 40, ssimLocal: 0.95 },
      intervals: { ssim: [0.98, 1], psnr: [39, 41], ssimLocal: [0.93, 0.97] },
      samples: 24
    }), other.privateKey)
    await engine.onVoteMessage(canonicalEncode(vote))
    const view = await engine.view(job.jobId)
    expect(view?.votes.map((v) => v.voter)).toEqual([other.publicKey])
    expect(view?.ownMeasurement).toBeNull()
  })
})

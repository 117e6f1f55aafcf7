/**
 * Equivocation evidence that reaches a node before the job it concerns is
 * counted at the offender's reputation at once, and named in the job's own
 * record when the job arrives. Real parts: LevelDB store and audit trail, the
 * blob folder, the measurement worker; the network is this node alone.
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
import { detectEquivocation } from '../../../protocol/evidence.ts'
import { jobIdOf, newJob, signJob } from '../../../protocol/job.ts'
import { networkDigest, parseNetwork } from '../../../protocol/network.ts'
import { generateKeyPair } from '../../../protocol/signing.ts'
import { newVote, signVote } from '../../../protocol/vote.ts'
import { encodePng, scene } from '../measure/fixtures.ts'

describe('evidence before its job', () => {
  const cleanups: Array<() => Promise<void>> = []
  afterEach(async () => {
    for (const fn of cleanups.splice(0).reverse()) await fn()
  })

  it('names the equivocator in the job record when the job arrives after the evidence', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'trust-engine-evidence-'))
    cleanups.push(async () => { await rm(dir, { recursive: true, force: true }) })
    const [own, submitter, liar, fourth] = [generateKeyPair(), generateKeyPair(), generateKeyPair(), generateKeyPair()]
    const network = parseNetwork({
      networkId: 'evidence-test',
      protocolVersion: 1,
      validators: [own, submitter, liar, fourth].map((k, i) => ({ name: `node${i + 1}`, publicKey: k.publicKey, weight: 1 }))
    })
    const store = await openStore(join(dir, 'db'), { identity: { publicKey: own.publicKey, networkId: network.networkId } })
    cleanups.push(async () => { await store.close() })
    const audit = await AuditLog.open(store, own.privateKey)
    const repos = openRepositories(store, { append: (batch, kind, data, time) => audit.append(batch, kind, data, time) })
    const blobs = new BlobDir(dir)
    const measurer = new MeasureWorkerPool()
    cleanups.push(async () => { await measurer.close() })
    const offences: Array<[string, string]> = []
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
      onEvidence: (offender, jobId) => { offences.push([offender, jobId]) }
    })
    await engine.start()
    cleanups.push(async () => { await engine.stop() })
    const png = await blobs.put(encodePng(scene(32, 32)))
    const job = signJob(newJob(network, {
      kind: 'frames', submitter: submitter.publicKey, createdAt: Date.now(), reference: [png], candidate: [png], nonce: '00'.repeat(16)
    }), submitter.privateKey)
    const jobId = jobIdOf(job)
    const vote = (ssim: number) => signVote(newVote({
      networkId: network.networkId,
      networkDigest: networkDigest(network),
      engine: network.measurement.engine,
      seed: '11'.repeat(32),
      jobId,
      round: 0,
      voter: liar.publicKey,
      metrics: { ssim, psnr: 40, ssimLocal: 0.95 },
      intervals: { ssim: [0.9, 1], psnr: [39, 41], ssimLocal: [0.93, 0.97] },
      samples: 24
    }), liar.privateKey)
    const evidence = detectEquivocation(vote(0.99), vote(0.5))!
    expect(evidence).not.toBeNull()

    // The evidence first: the job is unknown, the offender's reputation takes it at once.
    await engine.onEvidenceMessage(canonicalEncode(evidence))
    expect(offences).toEqual([[liar.publicKey, jobId]])
    expect(engine.reputationOf(liar.publicKey).equivocated).toBe(true)
    expect(await engine.view(jobId)).toBeNull()

    // Then the job: its record names the equivocator (an innocent validator stays out).
    await engine.onJobMessage(canonicalEncode(job))
    const view = await engine.view(jobId)
    expect(view?.status).toBe('pending')
    expect(view?.equivocators).toEqual([liar.publicKey])
    // Stored, not only in memory.
    expect((await repos.jobs.get(jobId))?.equivocators).toEqual([liar.publicKey])
  })
})

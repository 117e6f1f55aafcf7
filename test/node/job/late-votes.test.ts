/**
 * Reputation without work: no sequence of messages from a validator raises
 * its reputation without a timely agreeing vote. A validator deviates on a
 * job; once the job is decided it sends late votes of every kind (copies of
 * the certified values, other values, the other round, duplicates and
 * conflicting votes); its reputation never rises. Before late votes stopped
 * being credited, one late copy of the certified values raised it.
 * Real parts: LevelDB store and audit trail, the blob folder, measurement in
 * this thread; the network is this node alone, the other validators' shares
 * and votes are fed in as gossip would bring them.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { pino } from 'pino'
import { Registry } from 'prom-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { JobEngine } from '../../../node/job/engine.ts'
import { openRepositories } from '../../../node/job/repositories.ts'
import { createNodeMetrics } from '../../../node/metrics.ts'
import { BlobDir } from '../../../node/p2p/blob-dir.ts'
import { AuditLog } from '../../../node/store/audit.ts'
import { openStore } from '../../../node/store/db.ts'
import { measureJob, measurePort } from '../../../node/wiring/measure-port.ts'
import { canonicalEncode } from '../../../protocol/canonical.ts'
import { decodeJob } from '../../../protocol/job.ts'
import type { MetricNumbers } from '../../../protocol/metrics.ts'
import { networkDigest, parseNetwork } from '../../../protocol/network.ts'
import { buildSeedCertificate, makeSeedShare, verifySeedCertificate } from '../../../protocol/seed.ts'
import { generateKeyPair } from '../../../protocol/signing.ts'
import { newVote, signVote } from '../../../protocol/vote.ts'
import type { JobView } from '../../../node/types.ts'
import { addNoise, encodePng, scene } from '../measure/fixtures.ts'
import { NO_NETWORK } from './engine-harness.ts'

describe('late votes never raise reputation', () => {
  const own = generateKeyPair()
  const a = generateKeyPair()
  const b = generateKeyPair()
  const x = generateKeyPair()
  const network = parseNetwork({
    networkId: 'late-test',
    protocolVersion: 1,
    validators: [own, a, b, x].map((k, i) => ({ name: `node${i + 1}`, publicKey: k.publicKey, weight: 1 }))
  })
  const cleanups: Array<() => Promise<void>> = []
  let engine: JobEngine
  let decided: JobView
  let seed: string
  let honest: MetricNumbers
  let jobId: string

  const vote = (k: typeof own, metrics: MetricNumbers, round = 0, voteSeed = seed) => signVote(newVote({
    networkId: network.networkId, networkDigest: networkDigest(network), engine: network.measurement.engine, seed: voteSeed,
    jobId, round, voter: k.publicKey, metrics, intervals: { ssim: [metrics.ssim, metrics.ssim], psnr: [metrics.psnr, metrics.psnr], ssimLocal: [metrics.ssimLocal, metrics.ssimLocal] }, samples: 24
  }), k.privateKey)

  beforeAll(async () => {
    const dir = await mkdtemp(join(tmpdir(), 'trust-engine-late-'))
    cleanups.push(async () => { await rm(dir, { recursive: true, force: true }) })
    const store = await openStore(join(dir, 'db'), { identity: { publicKey: own.publicKey, networkId: network.networkId } })
    cleanups.push(async () => { await store.close() })
    const audit = await AuditLog.open(store, own.privateKey)
    const repos = openRepositories(store, { append: (batch, kind, data, time) => audit.append(batch, kind, data, time) })
    const blobs = new BlobDir(dir)
    let onFinal: (view: JobView) => void = () => {}
    const final = new Promise<JobView>((resolve) => { onFinal = resolve })
    engine = new JobEngine({
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
    const candBytes = encodePng(addNoise(scene(48, 48), 2, 'late'))
    const reference = await blobs.put(refBytes)
    const candidate = await blobs.put(candBytes)
    const view = await engine.submit({ kind: 'frames', reference: [reference], candidate: [candidate], deadlineMs: network.deadlines.maxVoteMs })
    jobId = view.jobId
    const job = decodeJob(engine.openAnnouncements()[0]!)
    for (const k of [a, b]) await engine.onSeedMessage(canonicalEncode(makeSeedShare(network, jobId, k)))
    seed = verifySeedCertificate(buildSeedCertificate(network, jobId, [own, a, b].map((k) => makeSeedShare(network, jobId, k)), own.privateKey), job, network).seed
    // What every honest node measures: the same function, the same seed.
    honest = (await measureJob(job, jobId, { reference: [refBytes], candidate: [candBytes] }, 0, seed)).metrics
    await engine.onVoteMessage(canonicalEncode(vote(x, { ssim: 0.5, psnr: 12, ssimLocal: 0.5 })))
    await engine.onVoteMessage(canonicalEncode(vote(a, honest)))
    await engine.onVoteMessage(canonicalEncode(vote(b, honest)))
    decided = await final
  })
  afterAll(async () => {
    for (const fn of cleanups.splice(0).reverse()) await fn()
  })

  it('the deviating validator lost reputation in the decided job', () => {
    expect(decided.final).toBe(true)
    expect(decided.byzantine).toEqual([x.publicKey])
    expect(engine.reputationOf(x.publicKey).reputation).toBeLessThan(1)
  })

  it('property: no sequence of late messages from it raises its reputation', async () => {
    const before = engine.reputationOf(x.publicKey)
    const message = fc.oneof(
      fc.constant('copy' as const),
      fc.record({ ssim: fc.double({ min: -1, max: 1, noNaN: true }), psnr: fc.double({ min: 0, max: 80, noNaN: true }), ssimLocal: fc.double({ min: -1, max: 1, noNaN: true }) }),
      fc.constant('round1' as const),
      fc.constant('other-seed' as const)
    )
    await fc.assert(fc.asyncProperty(fc.array(message, { minLength: 1, maxLength: 6 }), async (messages) => {
      for (const m of messages) {
        const v = m === 'copy'
          ? vote(x, honest)
          : m === 'round1' ? vote(x, honest, 1) : m === 'other-seed' ? vote(x, honest, 0, 'ee'.repeat(32)) : vote(x, m)
        await engine.onVoteMessage(canonicalEncode(v)).catch(() => {})
        const now = engine.reputationOf(x.publicKey)
        expect(now.reputation).toBeLessThanOrEqual(before.reputation)
        expect(now.successes).toBeLessThanOrEqual(before.successes)
      }
    }), { numRuns: 20, seed: 8 })
  })
})

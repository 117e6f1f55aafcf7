/**
 * A node whose own measurement ends after its job was decided still stores
 * and gossips its vote, late; writing it must not put back the job record as
 * it was when the job closed, dropping what was learnt since: here the
 * equivocation evidence against a validator that arrived after the decision.
 * Real parts (engine-harness.ts): LevelDB store and audit trail, the blob
 * folder, measurement in a worker; the measurement is held until the test
 * lets it go, and the other validators' shares and votes are fed in as
 * gossip would bring them.
 */
import { afterAll, describe, expect, it } from 'vitest'
import type { MeasurePort } from '../../../node/job/ports.ts'
import { measureJob, measurePort } from '../../../node/wiring/measure-port.ts'
import type { JobView } from '../../../node/types.ts'
import { canonicalEncode } from '../../../protocol/canonical.ts'
import { decodeJob } from '../../../protocol/job.ts'
import type { MetricNumbers } from '../../../protocol/metrics.ts'
import { networkDigest } from '../../../protocol/network.ts'
import { buildSeedCertificate, makeSeedShare, verifySeedCertificate } from '../../../protocol/seed.ts'
import { newVote, signVote } from '../../../protocol/vote.ts'
import { addNoise, encodePng, scene } from '../measure/fixtures.ts'
import { EngineHarness, type KeyPair, testNetwork } from './engine-harness.ts'

describe('the own vote after the job was decided', () => {
  const cleanups: Array<() => Promise<void>> = []
  afterAll(async () => {
    for (const fn of cleanups.splice(0).reverse()) await fn()
  })

  it('keeps the equivocators named in the stored record after the decision', async () => {
    const { keys, network } = testNetwork('own-late-test', 4)
    const [own, a, b, x] = keys as [KeyPair, KeyPair, KeyPair, KeyPair]
    const h = await EngineHarness.create('trust-engine-own-late-')
    cleanups.push(async () => { await h.close() })
    // The own measurement is real, held until the job is decided and the evidence is in.
    let release: () => void = () => {}
    const held = new Promise<void>((resolve) => { release = resolve })
    const real = measurePort()
    const measure: MeasurePort = async (...args) => { await held; return await real(...args) }
    let onFinal: (view: JobView) => void = () => {}
    const final = new Promise<JobView>((resolve) => { onFinal = resolve })
    const { engine, repos } = await h.engine('db', network, own, { measure, onFinal: (view) => { onFinal(view) } })
    const blobs = h.blobs
    cleanups.push(async () => { release() })
    await h.start(engine)

    const refBytes = encodePng(scene(48, 48))
    const candBytes = encodePng(addNoise(scene(48, 48), 2, 'own-late'))
    const view = await engine.submit({
      kind: 'frames', reference: [await blobs.put(refBytes)], candidate: [await blobs.put(candBytes)], deadlineMs: network.deadlines.maxVoteMs
    })
    const jobId = view.jobId
    const job = decodeJob(engine.openAnnouncements()[0]!)
    for (const k of [a, b]) await engine.onSeedMessage(canonicalEncode(makeSeedShare(network, jobId, k)))
    const seed = verifySeedCertificate(buildSeedCertificate(network, jobId, [own, a, b].map((k) => makeSeedShare(network, jobId, k)), own.privateKey), job, network).seed
    const honest = (await measureJob(job, jobId, { reference: [refBytes], candidate: [candBytes] }, 0, seed)).metrics
    const vote = (k: typeof own, metrics: MetricNumbers): Uint8Array => canonicalEncode(signVote(newVote({
      networkId: network.networkId, networkDigest: networkDigest(network), engine: network.measurement.engine, seed,
      jobId, round: 0, voter: k.publicKey, metrics, intervals: { ssim: [metrics.ssim, metrics.ssim], psnr: [metrics.psnr, metrics.psnr], ssimLocal: [metrics.ssimLocal, metrics.ssimLocal] }, samples: 24
    }), k.privateKey))

    // Three of four validators decide the job while this node still measures.
    for (const k of [a, b, x]) await engine.onVoteMessage(vote(k, honest))
    const decided = await final
    expect(decided.final).toBe(true)
    expect((await repos.jobs.get(jobId))?.measuredAt).toBeNull()

    // Then x signs a second, different vote: the evidence names it in the stored record.
    await engine.onVoteMessage(vote(x, { ...honest, ssim: honest.ssim - 0.2 })).catch(() => {})
    expect((await repos.jobs.get(jobId))?.equivocators).toEqual([x.publicKey])

    // The own measurement ends: its late vote is stored with the record, which still names x.
    release()
    let record = await repos.jobs.get(jobId)
    while (record?.measuredAt === null) {
      await new Promise((resolve) => setTimeout(resolve, 20))
      record = await repos.jobs.get(jobId)
    }
    expect(record?.ownMeasurement).not.toBeNull()
    expect(record?.equivocators).toEqual([x.publicKey])
    expect(record?.status).toBe(decided.status)
    expect((await engine.view(jobId))?.equivocators).toEqual([x.publicKey])
  })
})

/**
 * A vote that arrives while a node is starting, for a job open in its store
 * but not resumed yet, is counted on time once the job is resumed: it is
 * not stored as late and then counted in the tally anyway (the crash loop
 * found such a vote raising its voter's reputation while the job showed it
 * late). Real parts: one LevelDB store and audit trail reopened by a second
 * engine (the restart), the blob folder, measurement in this thread; the
 * other validators' shares and votes are fed in as gossip would bring them.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { Registry } from 'prom-client'
import { afterAll, describe, expect, it } from 'vitest'
import { JobEngine } from '../../../node/job/engine.ts'
import { openRepositories } from '../../../node/job/repositories.ts'
import { createNodeMetrics } from '../../../node/metrics.ts'
import { BlobDir } from '../../../node/p2p/blob-dir.ts'
import { AuditLog } from '../../../node/store/audit.ts'
import { openStore } from '../../../node/store/db.ts'
import type { JobView } from '../../../node/types.ts'
import { measureJob, measurePort } from '../../../node/wiring/measure-port.ts'
import { canonicalEncode } from '../../../protocol/canonical.ts'
import { decodeJob } from '../../../protocol/job.ts'
import type { MetricNumbers } from '../../../protocol/metrics.ts'
import { networkDigest, parseNetwork } from '../../../protocol/network.ts'
import { makeSeedShare } from '../../../protocol/seed.ts'
import { generateKeyPair } from '../../../protocol/signing.ts'
import { newVote, signVote } from '../../../protocol/vote.ts'
import { addNoise, encodePng, scene } from '../measure/fixtures.ts'
import { type KeyPair, NO_NETWORK } from './engine-harness.ts'

describe('a vote that arrives before its job is resumed', () => {
  const [own, a, b, x] = [generateKeyPair(), generateKeyPair(), generateKeyPair(), generateKeyPair()]
  const network = parseNetwork({
    networkId: 'resume-test',
    protocolVersion: 1,
    validators: [own!, a!, b!, x!].map((k, i) => ({ name: `node${i + 1}`, publicKey: k.publicKey, weight: 1 }))
  })
  const cleanups: Array<() => Promise<void>> = []
  afterAll(async () => { for (const fn of cleanups.splice(0).reverse()) await fn() })

  it('is counted on time when the job resumes, and only then', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'trust-engine-resume-'))
    cleanups.push(async () => { await rm(dir, { recursive: true, force: true }) })
    const blobs = new BlobDir(dir)
    // One engine over the store, as one run of a node.
    const run = async (onFinal: (view: JobView) => void = () => {}) => {
      const store = await openStore(join(dir, 'db'), { identity: { publicKey: own!.publicKey, networkId: network.networkId } })
      const audit = await AuditLog.open(store, own!.privateKey)
      const repos = openRepositories(store, { append: (batch, kind, data, time) => audit.append(batch, kind, data, time) })
      const engine = new JobEngine({
        network, key: own!, repos, net: NO_NETWORK,
        blobs: { get: async (sha) => (await blobs.get(sha))! },
        measure: measurePort(), clock: Date.now, logger: pino({ level: 'silent' }), metrics: createNodeMetrics(new Registry()),
        fault: null, onFinal, onAccepted: () => {}, onEvidence: () => {}
      })
      return { engine, close: async () => { await engine.stop(); await store.close() } }
    }

    // First run: the job is announced, its seed fixed, and the node stops with it open.
    const refBytes = encodePng(scene(48, 48))
    const candBytes = encodePng(addNoise(scene(48, 48), 2, 'resume'))
    const first = await run()
    await first.engine.start()
    const submitted = await first.engine.submit({ kind: 'frames', reference: [await blobs.put(refBytes)], candidate: [await blobs.put(candBytes)], deadlineMs: network.deadlines.maxVoteMs })
    const jobId = submitted.jobId
    const job = decodeJob(first.engine.openAnnouncements()[0]!)
    for (const k of [a!, b!]) await first.engine.onSeedMessage(canonicalEncode(makeSeedShare(network, jobId, k)))
    const seed = (await first.engine.view(jobId))!.seed!
    expect(seed).toMatch(/^[0-9a-f]{64}$/)
    await first.close()

    const honest: MetricNumbers = (await measureJob(job, jobId, { reference: [refBytes], candidate: [candBytes] }, 0, seed)).metrics
    const vote = (k: KeyPair) => canonicalEncode(signVote(newVote({
      networkId: network.networkId, networkDigest: networkDigest(network), engine: network.measurement.engine, seed,
      jobId, round: 0, voter: k.publicKey, metrics: honest, intervals: { ssim: [honest.ssim, honest.ssim], psnr: [honest.psnr, honest.psnr], ssimLocal: [honest.ssimLocal, honest.ssimLocal] }, samples: 24
    }), k.privateKey))

    // The restart: a's vote arrives before the engine has resumed the job.
    let decided: (view: JobView) => void = () => {}
    const final = new Promise<JobView>((resolve) => { decided = resolve })
    const second = await run((view) => { if (view.jobId === jobId) decided(view) })
    cleanups.push(second.close)
    await second.engine.onVoteMessage(vote(a!))
    await second.engine.start()
    await second.engine.onVoteMessage(vote(b!))
    const view = await final
    expect(view.status).toBe('validated')
    // a's vote decided the job with the others: on time, and credited as such.
    const votes = new Map(view.votes.map((v) => [v.voter, v]))
    expect(votes.get(a!.publicKey)).toMatchObject({ late: false, agrees: true })
    expect(second.engine.reputationOf(a!.publicKey)).toMatchObject({ verifications: 1, successes: 1 })
    const stored = (await second.engine.view(jobId))!.votes.find((v) => v.voter === a!.publicKey)
    expect(stored?.late).toBe(false)
  })
})

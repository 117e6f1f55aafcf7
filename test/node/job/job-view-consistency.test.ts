/**
 * A job view never shows a deviating vote as agreeing. A late vote and its
 * judgement (the record's deviating validators) are written in one batch;
 * a view of a decided job reads votes and record separately, so a late
 * vote landing between the two reads must not show beside a record that
 * has not judged it. The interleaving is made exact here: the view's own
 * read of the job record is held until the late vote's batch is on disk.
 * Real parts: LevelDB store and audit trail, the blob folder, measurement
 * in this thread; the other validators' shares and votes are fed in as
 * gossip would bring them.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { Registry } from 'prom-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { JobEngine } from '../../../node/job/engine.ts'
import { JobViews } from '../../../node/job/job-views.ts'
import { OpenJobs } from '../../../node/job/open-jobs.ts'
import { type NodeRepositories, openRepositories } from '../../../node/job/repositories.ts'
import { createNodeMetrics } from '../../../node/metrics.ts'
import { BlobDir } from '../../../node/p2p/blob-dir.ts'
import { AuditLog } from '../../../node/store/audit.ts'
import { openStore } from '../../../node/store/db.ts'
import type { JobView } from '../../../node/types.ts'
import { measureJob, measurePort } from '../../../node/wiring/measure-port.ts'
import { canonicalEncode } from '../../../protocol/canonical.ts'
import { effectiveWeights } from '../../../protocol/consensus/weights.ts'
import { decodeJob } from '../../../protocol/job.ts'
import type { MetricNumbers } from '../../../protocol/metrics.ts'
import { networkDigest, parseNetwork } from '../../../protocol/network.ts'
import { buildSeedCertificate, makeSeedShare, verifySeedCertificate } from '../../../protocol/seed.ts'
import { generateKeyPair } from '../../../protocol/signing.ts'
import { newVote, signVote } from '../../../protocol/vote.ts'
import { addNoise, encodePng, scene } from '../measure/fixtures.ts'
import { NO_NETWORK } from './engine-harness.ts'

describe('job views of decided jobs', () => {
  const own = generateKeyPair()
  const a = generateKeyPair()
  const b = generateKeyPair()
  const x = generateKeyPair()
  const network = parseNetwork({
    networkId: 'view-test',
    protocolVersion: 1,
    validators: [own, a, b, x].map((k, i) => ({ name: `node${i + 1}`, publicKey: k.publicKey, weight: 1 }))
  })
  const cleanups: Array<() => Promise<void>> = []
  let engine: JobEngine
  let repos: NodeRepositories
  let seed: string
  let honest: MetricNumbers
  let jobId: string

  const vote = (k: typeof own, metrics: MetricNumbers) => signVote(newVote({
    networkId: network.networkId, networkDigest: networkDigest(network), engine: network.measurement.engine, seed,
    jobId, round: 0, voter: k.publicKey, metrics, intervals: { ssim: [metrics.ssim, metrics.ssim], psnr: [metrics.psnr, metrics.psnr], ssimLocal: [metrics.ssimLocal, metrics.ssimLocal] }, samples: 24
  }), k.privateKey)

  beforeAll(async () => {
    const dir = await mkdtemp(join(tmpdir(), 'trust-engine-view-'))
    cleanups.push(async () => { await rm(dir, { recursive: true, force: true }) })
    const store = await openStore(join(dir, 'db'), { identity: { publicKey: own.publicKey, networkId: network.networkId } })
    cleanups.push(async () => { await store.close() })
    const audit = await AuditLog.open(store, own.privateKey)
    repos = openRepositories(store, { append: (batch, kind, data, time) => audit.append(batch, kind, data, time) })
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
    const candBytes = encodePng(addNoise(scene(48, 48), 2, 'view'))
    const view = await engine.submit({ kind: 'frames', reference: [await blobs.put(refBytes)], candidate: [await blobs.put(candBytes)], deadlineMs: network.deadlines.maxVoteMs })
    jobId = view.jobId
    const job = decodeJob(engine.openAnnouncements()[0]!)
    for (const k of [a, b]) await engine.onSeedMessage(canonicalEncode(makeSeedShare(network, jobId, k)))
    seed = verifySeedCertificate(buildSeedCertificate(network, jobId, [own, a, b].map((k) => makeSeedShare(network, jobId, k)), own.privateKey), job, network).seed
    honest = (await measureJob(job, jobId, { reference: [refBytes], candidate: [candBytes] }, 0, seed)).metrics
    await engine.onVoteMessage(canonicalEncode(vote(a, honest)))
    await engine.onVoteMessage(canonicalEncode(vote(b, honest)))
    const decided = await final
    expect(decided.final).toBe(true)
    expect(decided.votes.map((v) => v.voter).sort()).toEqual([own, a, b].map((k) => k.publicKey).sort())
  })
  afterAll(async () => {
    for (const fn of cleanups.splice(0).reverse()) await fn()
  })

  it('a deviating late vote written while a view is being read never shows as agreeing, and shows as deviating after', async () => {
    // The view's read of this job's record is held until the late vote's batch is written.
    let late: Promise<void> | null = null
    const heldGet = async (id: string): ReturnType<NodeRepositories['jobs']['get']> => {
      const record = await repos.jobs.get(id)
      if (id === jobId && late === null) {
        late = engine.onVoteMessage(canonicalEncode(vote(x, { ssim: 0.5, psnr: 12, ssimLocal: 0.5 }))).then(() => {})
        await late
      }
      return record
    }
    // The store's own repository, with its record read followed by the late vote.
    const jobs = new Proxy(repos.jobs, {
      get: (target, p) => {
        if (p === 'get') return heldGet
        const value: unknown = Reflect.get(target, p, target)
        return typeof value === 'function' ? value.bind(target) : value
      }
    })
    const held: NodeRepositories = { ...repos, jobs }
    const views = new JobViews(held, new OpenJobs(network, Date.now, effectiveWeights(network, new Map())), new Map())
    const during = (await views.get(jobId))!
    expect(late).not.toBeNull()
    for (const v of during.votes) expect([v.voter === x.publicKey ? 'x' : 'honest', v.agrees]).toEqual([v.voter === x.publicKey ? 'x' : 'honest', v.voter !== x.publicKey])
    // Every later read (the engine's own view, the listing) holds the late vote, judged.
    const after = (await engine.view(jobId))!
    expect(after.votes.find((v) => v.voter === x.publicKey)).toMatchObject({ agrees: false, late: true })
    expect(after.byzantine).toEqual([x.publicKey])
    const listed = (await engine.list({ limit: 5 }))!.find((j) => j.jobId === jobId)!
    expect(listed.votes.find((v) => v.voter === x.publicKey)?.agrees).toBe(false)
  })
})

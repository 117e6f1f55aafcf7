/**
 * Retention on real parts: jobs decided by a job engine over a real LevelDB
 * store with its signed audit trail, the blob folder and its keeper, the
 * evidence folder, and a clock the test moves. A decided job's votes, blobs
 * and evidence go exactly when its period is over and not a millisecond
 * before; blobs an open job, a job inside its period or a pending upload
 * needs stay; the record, verdict, certificate and audit chain stay and
 * verify; catch-up serves the certificate's votes; the metrics count.
 */
import { join } from 'node:path'
import { Registry } from 'prom-client'
import { afterEach, describe, expect, it } from 'vitest'
import { verifyCertificate } from '../../../protocol/certificate-verify.ts'
import { decodeVote } from '../../../protocol/vote.ts'
import { type NetworkConfig, parseNetwork } from '../../../protocol/network.ts'
import { generateKeyPair } from '../../../protocol/signing.ts'
import { EvidenceStore } from '../../../node/evidence/evidence-store.ts'
import { ERR_JOB_PRUNED } from '../../../node/job/errors.ts'
import type { NodeRepositories } from '../../../node/job/repositories.ts'
import { createNodeMetrics, NODE_METRIC_NAMES } from '../../../node/metrics.ts'
import { verifyAudit } from '../../../node/store/audit-verify.ts'
import { BlobKeeper } from '../../../node/store/blob-keeper.ts'
import { BUCKETS } from '../../../node/store/buckets.ts'
import { ensureRetentionIndex, META_RETENTION_INDEX } from '../../../node/store/repositories/retention.ts'
import { scheduleIdOf, schedulesRepository } from '../../../node/store/repositories/schedules.ts'
import type { JobView } from '../../../node/types.ts'
import { ERR_RETENTION_OPTIONS, Retention, resolveRetentionOptions } from '../../../node/wiring/retention.ts'
import { addNoise, encodePng, scene } from '../measure/fixtures.ts'
import { EngineHarness, type KeyPair, seedAsSubmitter, signedVoteBytes } from '../job/engine-harness.ts'

const DAY = 24 * 3600 * 1000
const PERIOD = 7 * DAY
const T0 = Date.UTC(2026, 0, 5, 12)

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn()
})

/** A node's parts: a silent engine (the two other validators' votes decide), its store, blob keeper, evidence and retention, on a clock the test sets. */
async function setUp (name: string) {
  const [own, other, third] = [generateKeyPair(), generateKeyPair(), generateKeyPair()] as const
  const network = parseNetwork({
    networkId: `retention-${name}`,
    protocolVersion: 1,
    validators: [own, other, third].map((k, i) => ({ name: `v${i}`, publicKey: k.publicKey, weight: [1, 5, 5][i]! }))
  })
  const h = await EngineHarness.create(`trust-engine-retention-${name}-`)
  cleanups.push(async () => { await h.close() })
  const clock = { now: T0 }
  const registry = new Registry()
  const metrics = createNodeMetrics(registry, { defaultMetrics: false })
  const decided = new Map<string, (view: JobView) => void>()
  const { engine, repos } = await h.engine('db', network, own, {
    clock: () => clock.now,
    metrics,
    fault: { name: 'silent', votes: () => [] },
    onFinal: (view) => { decided.get(view.jobId)?.(view) }
  })
  await h.start(engine)
  const keeper = await BlobKeeper.open({ dir: h.blobs, store: repos.store, now: () => clock.now })
  cleanups.push(async () => { await keeper.stop() })
  const evidence = await EvidenceStore.open(join(h.dir, 'evidence'))
  const retention = new Retention({
    store: repos.store, repos, blobs: h.blobs, keeper, evidence, clock: () => clock.now, metrics,
    serial: async (jobId, step) => await engine.serial(jobId, step)
  }, { decidedJobsMs: PERIOD })
  cleanups.push(async () => { await retention.stop() })
  return { network, own, others: [other, third] as const, h, clock, registry, metrics, engine, repos, keeper, evidence, retention, decided }
}

type Parts = Awaited<ReturnType<typeof setUp>>

/** A frames blob of its own: a scene with noise named by `tag`. */
async function blob (p: Parts, tag: string): Promise<string> {
  return await p.h.blobs.put(encodePng(addNoise(scene(32, 32), 3, tag)))
}

/** Submits a job and, unless `open`, has the two other validators decide it (validated) at the current clock. */
async function job (p: Parts, reference: string, candidate: string, open = false): Promise<string> {
  const { engine, network, own, others } = p
  const view = await engine.submit({ kind: 'frames', reference: [reference], candidate: [candidate], deadlineMs: network.deadlines.maxVoteMs })
  if (open) return view.jobId
  const done = new Promise<JobView>((resolve) => { p.decided.set(view.jobId, resolve) })
  const seed = await seedAsSubmitter(engine, network, view.jobId, own, [...others])
  for (const k of others) await engine.onVoteMessage(voteBytes(network, k, view.jobId, seed))
  expect((await done).status).toBe('validated')
  return view.jobId
}

function voteBytes (network: NetworkConfig, k: KeyPair, jobId: string, seed: string): Uint8Array {
  return signedVoteBytes(network, k, { jobId, seed, round: 0 }, {
    metrics: { ssim: 0.995, psnr: 45, ssimLocal: 0.99 },
    intervals: { ssim: [0.994, 0.996], psnr: [44.5, 45.5], ssimLocal: [0.989, 0.991] },
    samples: 200
  })
}

/** Some evidence files for `jobId`, as the measurement would keep them. */
async function keepEvidence (p: Parts, jobId: string): Promise<void> {
  const png = encodePng(scene(16, 16))
  const kept = await p.evidence.put(jobId, 0, {
    manifest: { version: 1, input: 'frames', seed: '00'.repeat(32), metrics: { ssim: 1 }, samples: [] },
    files: [{ name: 'sample-0-reference.png', bytes: png }, { name: 'sample-0-candidate.png', bytes: png }]
  })
  expect(kept).toBe(true)
}

async function metricValue (registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name)
  const v = (metric?.values ?? []).find((x) => Object.entries(labels).every(([k, val]) => (x.labels as Record<string, unknown>)[k] === val))
  return v?.value ?? 0
}

async function countBucket (repos: NodeRepositories, bucket: number): Promise<number> {
  let n = 0
  for await (const _ of repos.store.iterate({ gte: Uint8Array.of(bucket), lt: Uint8Array.of(bucket + 1) })) n++
  return n
}

describe('retention of decided jobs', () => {
  it('prunes a decided job\'s votes, blobs and evidence exactly when its period is over, keeping what proves the verdict', async () => {
    const p = await setUp('exact')
    const [ref, cand] = [await blob(p, 'r'), await blob(p, 'c')]
    const jobId = await job(p, ref, cand)
    await keepEvidence(p, jobId)
    const votesBefore = (await p.repos.votes.listByJob(jobId)).length
    expect(votesBefore).toBe(2)
    const certBefore = await p.engine.certificate(jobId)

    // One millisecond before the end of the period: nothing goes.
    p.clock.now = T0 + PERIOD - 1
    expect((await p.retention.pass()).jobs).toBe(0)
    expect(await p.h.blobs.has(ref)).toBe(true)
    expect((await p.repos.votes.listByJob(jobId)).length).toBe(2)
    expect(await p.evidence.manifest(jobId)).not.toBeNull()

    // At the end of the period: the job's votes, blobs and evidence go, in one pass.
    p.clock.now = T0 + PERIOD
    const result = await p.retention.pass()
    expect(result).toMatchObject({ jobs: 1, votes: 2, blobs: 2, evidence: 1, failed: 0 })
    expect(result.bytes.blobs).toBeGreaterThan(0)
    expect(await p.h.blobs.has(ref)).toBe(false)
    expect(await p.h.blobs.has(cand)).toBe(false)
    expect(await p.repos.votes.listByJob(jobId)).toEqual([])
    expect(await p.evidence.manifest(jobId)).toBeNull()
    expect(await countBucket(p.repos, BUCKETS.retentionQueue)).toBe(0)
    expect(await countBucket(p.repos, BUCKETS.blobRefs)).toBe(0)

    // Kept: record (marked), verdict, certificate (verifies), the view with the certificate's votes.
    const record = (await p.repos.jobs.get(jobId))!
    expect(record.status).toBe('validated')
    expect(record.prunedAt).toBe(T0 + PERIOD)
    expect((await p.repos.verdicts.get(jobId))?.status).toBe('validated')
    const cert = await p.engine.certificate(jobId)
    expect(cert).toEqual(certBefore)
    expect(verifyCertificate(cert!, p.network).ok).toBe(true)
    const view = (await p.engine.view(jobId))!
    expect(view.status).toBe('validated')
    expect(view.timings.prunedAt).toBe(T0 + PERIOD)
    expect(view.votes.map((v) => v.voter)).toEqual(cert!.votes.map((v) => v.voter))
    expect(view.votes.every((v) => v.agrees === true)).toBe(true)

    // Catch-up: the seed certificate, then the certificate's votes, as gossiped.
    const served = await p.engine.votesFor(jobId)
    expect(served.length).toBe(1 + cert!.votes.length)
    expect(served.slice(1).map((b) => decodeVote(b).voter)).toEqual(cert!.votes.map((v) => v.voter))
    expect(await p.engine.certificateBytes(jobId)).not.toBeNull()

    // A replayed vote of the pruned job is ignored, never judged a second time.
    const seed = record.seed!.seed
    await expect(p.engine.onVoteMessage(voteBytes(p.network, p.others[0], jobId, seed))).rejects.toMatchObject({ code: ERR_JOB_PRUNED })
    expect(await p.repos.votes.listByJob(jobId)).toEqual([])

    // The audit chain verifies, and records the prune.
    const audit = await verifyAudit(p.repos.store, p.own.publicKey, p.network.networkId)
    expect(audit.ok).toBe(true)
    const kinds: string[] = []
    for await (const [, bytes] of p.repos.store.iterate({ gte: Uint8Array.of(BUCKETS.audit), lt: Uint8Array.of(BUCKETS.audit + 1) })) kinds.push((JSON.parse(new TextDecoder().decode(bytes)) as { kind: string }).kind)
    expect(kinds.at(-1)).toBe('job.pruned')

    // The metrics count what went.
    const n = NODE_METRIC_NAMES
    expect(await metricValue(p.registry, n.retentionPruned, { kind: 'jobs' })).toBe(1)
    expect(await metricValue(p.registry, n.retentionPruned, { kind: 'votes' })).toBe(2)
    expect(await metricValue(p.registry, n.retentionPruned, { kind: 'blobs' })).toBe(2)
    expect(await metricValue(p.registry, n.retentionPruned, { kind: 'evidence' })).toBe(1)
    expect(await metricValue(p.registry, n.retentionFreedBytes, { kind: 'blobs' })).toBe(result.bytes.blobs)
    expect(await metricValue(p.registry, n.retentionFreedBytes, { kind: 'votes' })).toBe(result.bytes.votes)
    expect(await metricValue(p.registry, n.retentionLastPass)).toBeGreaterThan(0)

    // A second pass finds nothing more.
    p.clock.now = T0 + 2 * PERIOD
    expect((await p.retention.pass()).jobs).toBe(0)
  })

  it('keeps a blob while an open job, a job inside its period, a waiting economy schedule or a pending upload needs it', async () => {
    const p = await setUp('shared')
    const [r1, c1, c2, r2] = [await blob(p, 'r1'), await blob(p, 'c1'), await blob(p, 'c2'), await blob(p, 'r2')]
    const a = await job(p, r1, c1) // decided at T0
    p.clock.now = T0 + 3 * DAY
    const b = await job(p, r1, c2) // decided 3 days later, shares r1 with a
    const open = await job(p, r2, c1, true) // never decided, shares c1 with a
    // An upload no job names yet: the keeper's until its grace period is over, never retention's.
    const pending = await p.keeper.upload(encodePng(addNoise(scene(32, 32), 3, 'pending')), 'client')
    // An economy schedule waiting for its slot names c2 (as node/economy stores it: its request's blobs and its status).
    const schedules = schedulesRepository(p.repos.store)
    const scheduleId = scheduleIdOf(T0, new Uint8Array(8))
    await p.repos.store.write((batch) => { schedules.put(batch, scheduleId, { scheduleId, status: 'scheduled', request: { kind: 'scene', reference: [c2] } }) })

    p.clock.now = T0 + PERIOD
    expect((await p.retention.pass())).toMatchObject({ jobs: 1, blobs: 0 })
    expect((await p.repos.jobs.get(a))?.prunedAt).toBe(T0 + PERIOD)
    for (const sha of [r1, c1, c2, r2, pending]) expect(await p.h.blobs.has(sha)).toBe(true)

    p.clock.now = T0 + 3 * DAY + PERIOD
    expect((await p.retention.pass())).toMatchObject({ jobs: 1, blobs: 1 })
    expect((await p.repos.jobs.get(b))?.prunedAt).toBe(T0 + 3 * DAY + PERIOD)
    expect(await p.h.blobs.has(r1)).toBe(false) // no kept job needs it any more
    expect(await p.h.blobs.has(c2)).toBe(true) // the waiting schedule needs it
    expect(await p.h.blobs.has(c1)).toBe(true) // the open job needs it
    expect(await p.h.blobs.has(r2)).toBe(true)
    expect(p.keeper.isPending(pending)).toBe(true)
    expect((await p.engine.view(open))?.status).toBe('pending')
  })

  it('prunes at most maxJobsPerPass jobs per pass, oldest decision first, and the next pass goes on', async () => {
    const p = await setUp('bounded')
    const ids: string[] = []
    for (let i = 0; i < 3; i++) {
      p.clock.now = T0 + i
      ids.push(await job(p, await blob(p, `r${i}`), await blob(p, `c${i}`)))
    }
    const bounded = new Retention({ store: p.repos.store, repos: p.repos, blobs: p.h.blobs, keeper: p.keeper, evidence: p.evidence, clock: () => p.clock.now }, { decidedJobsMs: PERIOD, maxJobsPerPass: 2, pageSize: 1 })
    p.clock.now = T0 + PERIOD + 10
    expect((await bounded.pass()).jobs).toBe(2)
    expect((await p.repos.jobs.get(ids[2]!))?.prunedAt).toBeNull()
    expect((await bounded.pass()).jobs).toBe(1)
    expect((await p.repos.jobs.get(ids[2]!))?.prunedAt).toBe(T0 + PERIOD + 10)
  })

  it('indexes a store written before retention once: its decided jobs are queued and its blobs referenced', async () => {
    const p = await setUp('older')
    const [ref, cand] = [await blob(p, 'r'), await blob(p, 'c')]
    const jobId = await job(p, ref, cand)
    // As an older node left it: no queue, no references, no meta record.
    await p.repos.store.write((batch) => {
      batch.del(Uint8Array.of(BUCKETS.meta, ...new TextEncoder().encode(META_RETENTION_INDEX)))
    })
    for (const bucket of [BUCKETS.retentionQueue, BUCKETS.blobRefs]) {
      const keys: Uint8Array[] = []
      for await (const [key] of p.repos.store.iterate({ gte: Uint8Array.of(bucket), lt: Uint8Array.of(bucket + 1) })) keys.push(key)
      await p.repos.store.write((batch) => { for (const k of keys) batch.del(k) })
    }
    expect(await ensureRetentionIndex(p.repos.store)).toBe(1)
    expect(await ensureRetentionIndex(p.repos.store)).toBe(0)
    expect(await countBucket(p.repos, BUCKETS.retentionQueue)).toBe(1)
    expect(await countBucket(p.repos, BUCKETS.blobRefs)).toBe(2)
    // Queued at its decision time (the record's finalizedAt): due exactly one period later.
    p.clock.now = T0 + PERIOD
    expect((await p.retention.pass()).jobs).toBe(1)
    expect(await p.h.blobs.has(ref)).toBe(false)
    expect((await p.repos.jobs.get(jobId))?.prunedAt).toBe(T0 + PERIOD)
  })

  it('prunes economy schedules that are over once their optimizeBy is past the period, never one still waiting', async () => {
    const p = await setUp('schedules')
    const schedules = schedulesRepository(p.repos.store)
    const put = async (n: number, status: string, optimizeBy: number): Promise<string> => {
      const scheduleId = scheduleIdOf(T0, Uint8Array.of(n, 0, 0, 0, 0, 0, 0, 0))
      await p.repos.store.write((batch) => { schedules.put(batch, scheduleId, { scheduleId, status, optimizeBy, request: { kind: 'scene', reference: [] } }) })
      return scheduleId
    }
    const old = T0 - PERIOD
    const started = await put(1, 'started', old - 1)
    const failed = await put(2, 'failed', old)
    const cancelledLater = await put(3, 'cancelled', old + 1)
    const waiting = await put(4, 'scheduled', old - DAY)
    p.clock.now = T0
    await p.retention.pass()
    const left = new Set<string>()
    for await (const { key } of schedules.entries()) left.add(key)
    expect([...left].sort()).toEqual([cancelledLater, waiting].sort())
    expect(left.has(started) || left.has(failed)).toBe(false)
    expect(await metricValue(p.registry, NODE_METRIC_NAMES.retentionPruned, { kind: 'schedules' })).toBe(2)
    // The period of the later one ends a millisecond later.
    p.clock.now = T0 + 1
    await p.retention.pass()
    const after: string[] = []
    for await (const { key } of schedules.entries()) after.push(key)
    expect(after).toEqual([waiting])
  })

  it('deletes at once the fetched blobs of a job closed as unmeasurable, but one another job names and one not fetched', async () => {
    const p = await setUp('unmeasurable')
    const [a, b, c, d] = [await blob(p, 'a'), await blob(p, 'b'), await blob(p, 'c'), await blob(p, 'd')]
    const fetched = new Set([a, b, d])
    const retention = new Retention({
      store: p.repos.store, repos: p.repos, blobs: p.h.blobs, keeper: p.keeper, evidence: p.evidence, clock: () => p.clock.now, metrics: p.metrics,
      serial: async (jobId, step) => await p.engine.serial(jobId, step),
      fetched: (sha) => fetched.has(sha)
    }, { decidedJobsMs: PERIOD })
    cleanups.push(async () => { await retention.stop() })
    // Job 1 names a (fetched, needed by nothing else) and b (fetched, also named by job 2); c was not fetched (an upload here).
    const first = await job(p, a, b, true)
    await job(p, b, d, true)
    const size = (await p.h.blobs.size(a))!
    expect(await retention.dropBlobsOf(first, [a, b, c])).toBe(size)
    expect(await p.h.blobs.has(a)).toBe(false)
    expect(await p.h.blobs.has(b)).toBe(true)
    expect(await p.h.blobs.has(c)).toBe(true)
    expect(await metricValue(p.registry, NODE_METRIC_NAMES.retentionPruned, { kind: 'blobs' })).toBe(1)
    // Without the fetched predicate nothing is deleted early.
    expect(await p.retention.dropBlobsOf(first, [b, c, d])).toBe(0)
  })

  it('refuses bad options with ERR_RETENTION_OPTIONS', () => {
    for (const bad of [{ decidedJobsMs: 1000 }, { decidedJobsMs: 1.5 * DAY + 0.5 }, { intervalMs: 0 }, { maxJobsPerPass: 0 }, { enabled: 'yes' as unknown as boolean }]) {
      expect(() => resolveRetentionOptions(bad)).toThrow(expect.objectContaining({ code: ERR_RETENTION_OPTIONS }))
    }
    expect(resolveRetentionOptions({}).decidedJobsMs).toBe(7 * DAY)
  })
})

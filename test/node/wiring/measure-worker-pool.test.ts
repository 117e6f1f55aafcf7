/**
 * Measurement in a worker thread gives bit-for-bit the numbers of the main
 * thread (and, after them, the same evidence files), and a typed error for a
 * bad input; a closed pool refuses work. Its workers load the project's
 * TypeScript from the launcher's cache of stripped sources.
 */
import { createHash } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { canonicalEncode } from '../../../protocol/canonical.ts'
import { generateKeyPair } from '../../../protocol/signing.ts'
import { jobIdOf, newJob, signJob } from '../../../protocol/job.ts'
import { parseNetwork } from '../../../protocol/network.ts'
import { sha256Hex } from '../../../protocol/hash.ts'
import { statusOfCode } from '../../../node/api/errors.ts'
import { DEFAULT_EVIDENCE_OPTIONS } from '../../../node/measure/evidence.ts'
import { type EvidencedMeasurement, measureJob } from '../../../node/wiring/measure-port.ts'
import { MeasureWorkerPool } from '../../../node/wiring/measure-worker-pool.ts'
import { degradedPng, testPng } from '../../../sim/images.ts'
import { smallScene } from '../economy/fixtures.ts'

const key = generateKeyPair()
const network = parseNetwork({ networkId: 'workernet', protocolVersion: 1, validators: [{ name: 'a', publicKey: key.publicKey, weight: 1 }] })
const ref = testPng(48, 40)
const cand = degradedPng(48, 40, 12)
const job = signJob(newJob(network, { kind: 'frames', submitter: key.publicKey, createdAt: 1_700_000_000_000, reference: [sha256Hex(ref)], candidate: [sha256Hex(cand)], nonce: 'ab'.repeat(16) }), key.privateKey)
const jobId = jobIdOf(job)
/** A job seed (in a network it comes from the job's seed certificate). */
const SEED = sha256Hex('seed')

describe('measurement worker pool', () => {
  const pool = new MeasureWorkerPool()
  afterAll(async () => { await pool.close() })

  it('gives the same bytes as measuring in this thread, for round 0 and a grey-zone round', async () => {
    for (const round of [0, 1]) {
      const inWorker = await pool.measure(job, jobId, { reference: [ref], candidate: [cand] }, new AbortController().signal, round, SEED)
      const here = await measureJob(job, jobId, { reference: [ref], candidate: [cand] }, round, SEED)
      expect(canonicalEncode({ m: inWorker.metrics.ssim, p: String(inWorker.metrics.psnr), s: inWorker.samples })).toEqual(canonicalEncode({ m: here.metrics.ssim, p: String(here.metrics.psnr), s: here.samples }))
      expect(inWorker.intervals).toEqual(here.intervals)
    }
  })

  it('hands the numbers on before the evidence, which follows as the files this thread makes of the same measurement', async () => {
    const evidencing = new MeasureWorkerPool({ evidence: DEFAULT_EVIDENCE_OPTIONS })
    try {
      const inWorker = await evidencing.measure(job, jobId, { reference: [ref], candidate: [cand] }, new AbortController().signal, 0, SEED) as EvidencedMeasurement
      const here = await measureJob(job, jobId, { reference: [ref], candidate: [cand] }, 0, SEED, DEFAULT_EVIDENCE_OPTIONS)
      expect(inWorker.metrics).toEqual(here.metrics)
      expect(inWorker.evidence).toBeInstanceOf(Promise)
      const files = await inWorker.evidence!
      const expected = await here.evidence!()
      expect(files!.manifest).toEqual(expected.manifest)
      expect(files!.files.map((f) => [f.name, Buffer.from(f.bytes).toString('base64')])).toEqual(expected.files.map((f) => [f.name, Buffer.from(f.bytes).toString('base64')]))
      // The worker is free again for the next task once its evidence is posted.
      const next = await evidencing.measure(job, jobId, { reference: [ref], candidate: [cand] }, new AbortController().signal, 1, SEED) as EvidencedMeasurement
      expect((await next.evidence)!.manifest.samples.length).toBeGreaterThan(0)
    } finally {
      await evidencing.close()
    }
  })

  it('leaves the evidence undefined when the pool closes before it is made', async () => {
    const evidencing = new MeasureWorkerPool({ evidence: DEFAULT_EVIDENCE_OPTIONS })
    const m = await evidencing.measure(job, jobId, { reference: [ref], candidate: [cand] }, new AbortController().signal, 0, SEED) as EvidencedMeasurement
    await evidencing.close()
    // Made already or cut: either the files or nothing, never a hang or an unhandled failure.
    const files = await m.evidence!
    if (files !== undefined) expect(files.manifest.samples.length).toBeGreaterThan(0)
  })

  it('passes a typed error through', async () => {
    const err = await pool.measure(job, jobId, { reference: [new Uint8Array([1, 2, 3])], candidate: [cand] }, new AbortController().signal, 0, SEED).catch((e: unknown) => e)
    expect((err as { code?: string }).code).toBe('ERR_PNG_SIGNATURE')
  })

  it('ends a cancelled measurement with ERR_MEASURE_ABORTED (its worker terminated) and goes on with the next task', async () => {
    const big = testPng(1536, 1536)
    const bigJob = signJob(newJob(network, { kind: 'frames', submitter: key.publicKey, createdAt: 1_700_000_000_000, reference: [sha256Hex(big)], candidate: [sha256Hex(big)], nonce: 'cd'.repeat(16) }), key.privateKey)
    const abort = new AbortController()
    const running = pool.measure(bigJob, jobIdOf(bigJob), { reference: [big], candidate: [degradedPng(1536, 1536, 12)] }, abort.signal, 0, SEED).catch((e: unknown) => e)
    abort.abort()
    expect((await running as { code?: string }).code).toBe('ERR_MEASURE_ABORTED')
    // Declared for the API: work that did not finish within the time its request allowed.
    expect(statusOfCode('ERR_MEASURE_ABORTED')).toBe(504)
    const next = await pool.measure(job, jobId, { reference: [ref], candidate: [cand] }, new AbortController().signal, 0, SEED)
    expect(next.samples).toBeGreaterThan(0)
  })

  it('counts its tasks waiting and running, and drops the waiting ones whose signal aborts', async () => {
    const one = new MeasureWorkerPool({ workers: 1, idleMs: Infinity })
    const big = testPng(1536, 1536)
    const aborts = [new AbortController(), new AbortController(), new AbortController()]
    const tasks = aborts.map(async (a) => await one.measure(job, jobId, { reference: [big], candidate: [big] }, a.signal, 0, SEED).catch((e: unknown) => e))
    expect(one.tasks).toEqual({ waiting: 2, running: 1 })
    aborts[2]!.abort()
    expect(one.tasks).toEqual({ waiting: 1, running: 1 })
    aborts[0]!.abort()
    aborts[1]!.abort()
    expect((await Promise.all(tasks)).map((e) => (e as { code?: string }).code)).toEqual(['ERR_MEASURE_ABORTED', 'ERR_MEASURE_ABORTED', 'ERR_MEASURE_ABORTED'])
    expect(one.tasks).toEqual({ waiting: 0, running: 0 })
    await one.close()
  })

  it('starts no worker before its first task or a warm-up, and retires a worker left idle for idleMs', async () => {
    const lazy = new MeasureWorkerPool({ idleMs: 200 })
    try {
      expect(lazy.workers).toBe(0)
      expect(lazy.started).toBe(0)
      expect(await lazy.heapUsedBytes()).toBe(0)
      const m = await lazy.measure(job, jobId, { reference: [ref], candidate: [cand] }, new AbortController().signal, 0, SEED)
      expect(m.samples).toBeGreaterThan(0)
      // The worker's own V8 heap, which the process's heapUsed does not count: megabytes once it measured.
      expect(await lazy.heapUsedBytes()).toBeGreaterThan(1_000_000)
      // The worker that measured stays for idleMs, then goes (hang guard: generous, the machine may be loaded).
      await vi.waitFor(() => { expect(lazy.workers).toBe(0) }, { timeout: 60_000, interval: 50 })
      lazy.warm()
      expect(lazy.workers).toBe(1)
      await vi.waitFor(() => { expect(lazy.workers).toBe(0) }, { timeout: 60_000, interval: 50 })
      // A retired worker is replaced by the next task, with the same numbers.
      const again = await lazy.measure(job, jobId, { reference: [ref], candidate: [cand] }, new AbortController().signal, 0, SEED)
      expect(canonicalEncode({ m: again.metrics.ssim, s: again.samples })).toEqual(canonicalEncode({ m: m.metrics.ssim, s: m.samples }))
      // Three workers started: the first, the warmed one and the replacement.
      expect(lazy.started).toBe(3)
    } finally {
      await lazy.close()
    }
  })

  it('keeps its workers with idleMs Infinity', async () => {
    const kept = new MeasureWorkerPool({ idleMs: Infinity })
    try {
      await kept.measure(job, jobId, { reference: [ref], candidate: [cand] }, new AbortController().signal, 0, SEED)
      expect(kept.workers).toBe(1)
    } finally {
      await kept.close()
    }
    expect(kept.workers).toBe(0)
  })

  it('lets several nodes share its workers, each with its own evidence option, and closing one node\'s view leaves the others working', async () => {
    const shared = new MeasureWorkerPool({ workers: 1, idleMs: Infinity })
    const plain = shared.forNode({})
    const evidenced = shared.forNode({ evidence: DEFAULT_EVIDENCE_OPTIONS })
    try {
      const blobs = { reference: [ref], candidate: [cand] }
      const [a, b] = await Promise.all([
        plain.measure(job, jobId, blobs, new AbortController().signal, 0, SEED),
        evidenced.measure(job, jobId, blobs, new AbortController().signal, 0, SEED)
      ])
      expect(canonicalEncode({ m: a.metrics.ssim, s: a.samples })).toEqual(canonicalEncode({ m: b.metrics.ssim, s: b.samples }))
      expect((a as EvidencedMeasurement).evidence).toBeUndefined()
      expect((b as EvidencedMeasurement).evidence).toBeDefined()
      expect(shared.workers).toBe(1)
      expect(plain.workers).toBe(1)
      await plain.close()
      const refused = await plain.measure(job, jobId, blobs, new AbortController().signal, 0, SEED).catch((e: unknown) => e)
      expect((refused as { code?: string }).code).toBe('ERR_MEASURE_WORKER')
      const after = await evidenced.measure(job, jobId, blobs, new AbortController().signal, 0, SEED)
      expect(after.samples).toBe(b.samples)
    } finally {
      await evidenced.close()
      await shared.close()
    }
  })

  it('refuses work once closed', async () => {
    const closed = new MeasureWorkerPool()
    await closed.close()
    const err = await closed.measure(job, jobId, { reference: [ref], candidate: [cand] }, new AbortController().signal, 0, SEED).catch((e: unknown) => e)
    expect((err as { code?: string }).code).toBe('ERR_MEASURE_WORKER')
    // Declared for the API: the node cannot do the work now (stopping, or a worker lost), a retry may succeed.
    expect(statusOfCode('ERR_MEASURE_WORKER')).toBe(503)
  })

  it('ends a network optimization whose deadline is reached with ERR_MEASURE_ABORTED, answered 504 by the API', async () => {
    const bytes = await smallScene()
    const deadline = new AbortController()
    const running = pool.optimize({ bytes, sha256: sha256Hex(bytes) }, { profile: 'balanced', ratio: 0.5 }, deadline.signal, sha256Hex).catch((e: unknown) => e)
    deadline.abort()
    const err = await running as { code?: string }
    expect(err.code).toBe('ERR_MEASURE_ABORTED')
    expect(statusOfCode(err.code!)).toBe(504)
  })

  it('loads its workers\' TypeScript from the launcher\'s cache of stripped sources (bin/ts-cache.js), the worker\'s entry included', async () => {
    // The cache's hook is per thread and this test's thread does not have it: an entry in this folder can only come from the worker.
    const own = mkdtempSync(join(tmpdir(), 'trust-engine-ts-cache-'))
    const before = process.env.TRUST_ENGINE_TS_CACHE_DIR
    process.env.TRUST_ENGINE_TS_CACHE_DIR = own
    const cached = new MeasureWorkerPool()
    try {
      const m = await cached.measure(job, jobId, { reference: [ref], candidate: [cand] }, new AbortController().signal, 0, SEED)
      expect(m.metrics).toEqual((await measureJob(job, jobId, { reference: [ref], candidate: [cand] }, 0, SEED)).metrics)
      const source = readFileSync(resolve(import.meta.dirname, '../../../node/wiring/measure-worker.ts'), 'utf8')
      const key = createHash('sha256').update(process.version).update('\0').update(source).digest('hex')
      expect(readdirSync(own)).toContain(`${key}.js`)
    } finally {
      await cached.close()
      if (before === undefined) delete process.env.TRUST_ENGINE_TS_CACHE_DIR
      else process.env.TRUST_ENGINE_TS_CACHE_DIR = before
      rmSync(own, { recursive: true, force: true })
    }
  })
})

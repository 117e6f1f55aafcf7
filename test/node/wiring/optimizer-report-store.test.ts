/**
 * Optimizer reports on a real LevelDB store, with real reports of the real
 * optimizer: kept by job, replaced, bounded in count (the oldest goes first,
 * also when the bound is lowered between runs) and in size, refused when they
 * fail the schema on the way in and on the way out; and the measurement port
 * of a verifier keeps the report of its re-execution, made in a worker.
 */
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sha256Hex } from '../../../protocol/hash.ts'
import { jobIdOf, newJob, signJob } from '../../../protocol/job.ts'
import { parseNetwork } from '../../../protocol/network.ts'
import { generateKeyPair } from '../../../protocol/signing.ts'
import { optimizeScene } from '../../../node/optimizer/optimize.ts'
import type { OptimizationReport } from '../../../node/optimizer/report.ts'
import { BUCKETS } from '../../../node/store/buckets.ts'
import { openStore, type Store } from '../../../node/store/db.ts'
import { ERR_STORE_BAD_VALUE, ERR_STORE_CORRUPT } from '../../../node/store/errors.ts'
import { concatBytes } from '../../../node/store/key-codec.ts'
import { optimizerReportKey } from '../../../node/store/repositories/optimizer-reports.ts'
import { MeasureWorkerPool } from '../../../node/wiring/measure-worker-pool.ts'
import { OptimizerReportStore } from '../../../node/wiring/optimizer-report-store.ts'
import { recordingOptimizerReport } from '../../../node/wiring/record-optimizer-report.ts'
import { smallScene } from '../economy/fixtures.ts'
import { removeTempDirs, tempDir } from '../store/helpers.ts'

afterAll(removeTempDirs)

const jobIds = Array.from({ length: 6 }, (_, i) => sha256Hex(`job-${i}`))

async function codeOf (p: Promise<unknown>): Promise<string | undefined> {
  return await p.then(() => undefined, (e: { code?: string }) => e.code)
}

describe('OptimizerReportStore on LevelDB', () => {
  let scene: Uint8Array
  let report: OptimizationReport
  beforeAll(async () => {
    scene = await smallScene()
    report = (await optimizeScene(scene, { profile: 'balanced', ratio: 0.5 })).report
  })

  async function withReports<T> (dir: string, options: { maxReports?: number, maxReportBytes?: number }, fn: (reports: OptimizerReportStore, store: Store) => Promise<T>): Promise<T> {
    const store = await openStore(dir)
    try {
      return await fn(await OptimizerReportStore.open(store, options), store)
    } finally {
      await store.close()
    }
  }

  it('keeps a report by job, replaces it, and reads it back after a restart', async () => {
    const dir = tempDir()
    await withReports(dir, {}, async (reports) => {
      expect(await reports.get(jobIds[0]!)).toBeNull()
      expect(await reports.put(jobIds[0]!, 'submitter', report, 1000)).toBe(true)
      expect(await reports.get(jobIds[0]!)).toEqual({ jobId: jobIds[0], source: 'submitter', storedAt: 1000, report })
      expect(await reports.put(jobIds[0]!, 're-execution', report, 2000)).toBe(true)
      expect(reports.size).toBe(1)
    })
    await withReports(dir, {}, async (reports) => {
      expect(reports.size).toBe(1)
      expect(await reports.get(jobIds[0]!)).toMatchObject({ source: 're-execution', storedAt: 2000 })
    })
  })

  it('keeps at most maxReports, deleting the oldest first, and prunes to a bound lowered between runs', async () => {
    const dir = tempDir()
    await withReports(dir, { maxReports: 3 }, async (reports) => {
      for (const [i, id] of jobIds.slice(0, 5).entries()) await reports.put(id, 'submitter', report, i)
      // Replacing the oldest kept one makes it the newest.
      await reports.put(jobIds[2]!, 're-execution', report, 5)
      expect(reports.size).toBe(3)
      await reports.put(jobIds[5]!, 'submitter', report, 6)
      const kept = await Promise.all(jobIds.map(async (id) => (await reports.get(id))?.storedAt ?? null))
      expect(kept).toEqual([null, null, 5, null, 4, 6])
    })
    await withReports(dir, { maxReports: 2 }, async (reports, store) => {
      expect(reports.size).toBe(2)
      expect(await reports.get(jobIds[4]!)).toBeNull()
      expect((await reports.get(jobIds[2]!))?.storedAt).toBe(5)
      // The pruned records are gone from the bucket, not only from the index.
      let stored = 0
      for await (const _ of store.iterate({ gte: Uint8Array.of(BUCKETS.optimizerReports), lt: Uint8Array.of(BUCKETS.optimizerReports + 1) })) stored++
      expect(stored).toBe(2)
    })
  })

  it('does not keep a report over maxReportBytes', async () => {
    await withReports(tempDir(), { maxReportBytes: 512 }, async (reports) => {
      expect(await reports.put(jobIds[0]!, 'submitter', report, 1)).toBe(false)
      expect(await reports.get(jobIds[0]!)).toBeNull()
      expect(reports.size).toBe(0)
    })
  })

  it('refuses a report that fails the schema on the way in (ERR_STORE_BAD_VALUE) and on the way out (ERR_STORE_CORRUPT)', async () => {
    await withReports(tempDir(), {}, async (reports, store) => {
      const wrong = { ...report, outputHash: 'not a hash' }
      expect(await codeOf(reports.put(jobIds[0]!, 'submitter', wrong, 1))).toBe(ERR_STORE_BAD_VALUE)
      expect(await codeOf(reports.put(jobIds[0]!, 'submitter', { ...report, operations: Array.from({ length: 65 }, () => report.operations[0]!) }, 1))).toBe(ERR_STORE_BAD_VALUE)
      expect(reports.size).toBe(0)
      await reports.put(jobIds[1]!, 'submitter', report, 1)
      // Edit the stored bytes behind the store's back: a routing pipeline the optimizer never writes.
      const key = concatBytes(Uint8Array.of(BUCKETS.optimizerReports), optimizerReportKey.encode({ seq: 0, jobId: jobIds[1]! }))
      const stored = JSON.parse(new TextDecoder().decode((await store.get(key))!)) as { report: OptimizationReport }
      stored.report.routing = { ...stored.report.routing, pipeline: 'teleport' as never }
      await store.write((batch) => { batch.put(key, stored) })
      expect(await codeOf(reports.get(jobIds[1]!))).toBe(ERR_STORE_CORRUPT)
    })
  })

  it("keeps a verifier's re-execution report, made in a worker, whose output hash is the job's candidate", async () => {
    const key = generateKeyPair()
    const network = parseNetwork({ networkId: 'reportnet', protocolVersion: 1, validators: [{ name: 'a', publicKey: key.publicKey, weight: 1 }] })
    const candidate = (await optimizeScene(scene, { profile: 'balanced', ratio: 0.5 })).bytes
    const job = signJob(newJob(network, {
      kind: 'scene', submitter: key.publicKey, createdAt: 1_700_000_000_000, reference: [sha256Hex(scene)], candidate: [sha256Hex(candidate)],
      nonce: 'ef'.repeat(16), profile: 'balanced', optimize: { profile: 'balanced', ratio: 0.5 }
    }), key.privateKey)
    const jobId = jobIdOf(job)
    const pool = new MeasureWorkerPool()
    try {
      await withReports(tempDir(), {}, async (reports) => {
        const measure = recordingOptimizerReport(pool.measure, reports, () => 42, pino({ level: 'silent' }))
        const m = await measure(job, jobId, { reference: [scene], candidate: [candidate] }, new AbortController().signal, 0, sha256Hex('seed'))
        expect(m.checks).toEqual({ candidateHashMatches: true })
        // The report stays with the node: the measurement handed on carries none.
        expect('optimizerReport' in m).toBe(false)
        const kept = await reports.get(jobId)
        expect(kept).toMatchObject({ jobId, source: 're-execution', storedAt: 42 })
        expect(kept!.report.outputHash).toBe(sha256Hex(candidate))
        expect(kept!.report.inputHash).toBe(sha256Hex(scene))
        expect(kept!.report).toEqual(report)
      })
    } finally {
      await pool.close()
    }
  })
})

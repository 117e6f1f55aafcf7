/**
 * `GET /v1/jobs/:id/optimizer-report` on a real node (LevelDB, libp2p, the
 * optimizer in a worker thread): a scene job the network optimizes is served
 * with the report of the optimization that made its candidate, equal to the
 * report of running the optimizer here; a frames job and an unknown job get
 * their codes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sha256Hex } from '../../../protocol/hash.ts'
import { optimizeScene } from '../../../node/optimizer/optimize.ts'
import type { JobView } from '../../../node/types.ts'
import type { OptimizerReportView } from '../../../node/wiring/optimizer-report-store.ts'
import { smallScene } from '../economy/fixtures.ts'
import { goodCandidatePng, json, octets, referencePng, startTestNode, type TestNode } from './fixtures.ts'

async function upload (t: TestNode, bytes: Uint8Array): Promise<string> {
  const r = await fetch(`${t.url}/v1/blobs`, octets(bytes))
  expect(r.status).toBe(201)
  return ((await r.json()) as { sha256: string }).sha256
}

async function errorOf (r: Response): Promise<[number, string]> {
  return [r.status, ((await r.json()) as { error: { code: string } }).error.code]
}

describe('GET /v1/jobs/:id/optimizer-report', () => {
  let t: TestNode
  let scene: Uint8Array
  let view: JobView
  beforeAll(async () => {
    t = await startTestNode()
    scene = await smallScene()
    const reference = await upload(t, scene)
    const r = await fetch(`${t.url}/v1/jobs`, json({ kind: 'scene', reference: [reference], candidate: [], profile: 'balanced', ratio: 0.5 }))
    expect(r.status).toBe(201)
    view = (await r.json()) as JobView
  })
  afterAll(async () => { await t.close() })

  it("serves the submitter's report of the optimization that made the candidate, as the optimizer makes it", async () => {
    const r = await fetch(`${t.url}/v1/jobs/${view.jobId}/optimizer-report`)
    expect(r.status).toBe(200)
    const body = (await r.json()) as OptimizerReportView
    expect(body.jobId).toBe(view.jobId)
    expect(body.source).toBe('submitter')
    expect(body.report.inputHash).toBe(sha256Hex(scene))
    expect(body.report.outputHash).toBe(view.candidate[0])
    expect(body.report.profile).toBe('balanced')
    expect(body.report.options.ratio).toBe(0.5)
    expect(body.report.after.triangles).toBeLessThan(body.report.before.triangles)
    // Deterministic: the same report as running the optimizer here with the job's options.
    expect(body.report).toEqual((await optimizeScene(scene, { profile: 'balanced', ratio: 0.5 })).report)
  })

  it('answers a frames job, an unknown job and a malformed id with their codes', async () => {
    const r = await fetch(`${t.url}/v1/jobs`, json({ kind: 'frames', reference: [await upload(t, referencePng())], candidate: [await upload(t, goodCandidatePng())] }))
    const frames = (await r.json()) as JobView
    expect(await errorOf(await fetch(`${t.url}/v1/jobs/${frames.jobId}/optimizer-report`))).toEqual([404, 'ERR_OPTIMIZER_REPORT_NOT_FOUND'])
    expect(await errorOf(await fetch(`${t.url}/v1/jobs/${'cd'.repeat(32)}/optimizer-report`))).toEqual([404, 'ERR_JOB_NOT_FOUND'])
    expect(await errorOf(await fetch(`${t.url}/v1/jobs/..%2Fkey.json/optimizer-report`))).toEqual([400, 'ERR_BAD_REQUEST'])
  })
})

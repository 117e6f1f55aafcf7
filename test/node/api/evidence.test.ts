/**
 * Evidence served by a real node (LevelDB, libp2p, worker-thread measurement,
 * real PNG frames): after measuring a frames job the node keeps the worst and
 * a few random samples as PNG files and serves the manifest and each image;
 * unknown jobs, jobs without evidence and names outside the fixed pattern get
 * their codes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { analysisSize } from '../../../protocol/sampling/plan.ts'
import type { JobEvidenceManifest } from '../../../node/evidence/evidence-store.ts'
import { addNoise, encodePng, scene } from '../measure/fixtures.ts'
import { json, octets, startTestNode, type TestNode } from './fixtures.ts'

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]
const W = 96
const H = 64

/** Width and height from a PNG's IHDR chunk. */
function pngSize (bytes: Uint8Array): { width: number, height: number } {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  return { width: v.getUint32(16), height: v.getUint32(20) }
}

async function upload (t: TestNode, bytes: Uint8Array): Promise<string> {
  const r = await fetch(`${t.url}/v1/blobs`, octets(bytes))
  expect(r.status).toBe(201)
  return ((await r.json()) as { sha256: string }).sha256
}

/** Submits a three-frame job and resolves once the node stored its evidence (or the job is final without any). */
async function submitAndMeasure (t: TestNode): Promise<string> {
  const reference: string[] = []
  const candidate: string[] = []
  for (let f = 0; f < 3; f++) {
    reference.push(await upload(t, encodePng(scene(W, H, f))))
    candidate.push(await upload(t, encodePng(addNoise(scene(W, H, f), 12, `evidence-${f}`))))
  }
  const stored = new Promise<string>((resolve) => {
    const offEvidence = t.node.on('job:evidence', (e) => { offEvidence(); offFinal(); resolve(e.jobId) })
    const offFinal = t.node.on('job:final', (v) => { offEvidence(); offFinal(); resolve(v.jobId) })
  })
  const r = await fetch(`${t.url}/v1/jobs`, json({ kind: 'frames', reference, candidate }))
  expect(r.status).toBe(201)
  const { jobId } = (await r.json()) as { jobId: string }
  expect(await stored).toBe(jobId)
  return jobId
}

describe('GET /v1/jobs/:id/evidence on a node that measured the job', () => {
  let t: TestNode
  let jobId: string
  let manifest: JobEvidenceManifest
  beforeAll(async () => {
    t = await startTestNode()
    jobId = await submitAndMeasure(t)
    const r = await fetch(`${t.url}/v1/jobs/${jobId}/evidence`)
    expect(r.status).toBe(200)
    manifest = (await r.json()) as JobEvidenceManifest
  })
  afterAll(async () => { await t.close() })

  it('serves the manifest: the job, the round, four worst and two random samples, and their file names', () => {
    expect(manifest.jobId).toBe(jobId)
    expect(manifest.round).toBe(0)
    expect(manifest.input).toBe('frames')
    expect(manifest.samples.map((s) => s.reason)).toEqual(['worst', 'worst', 'worst', 'worst', 'random', 'random'])
    const worst = manifest.samples.slice(0, 4).map((s) => s.worstTile)
    expect(worst).toEqual([...worst].sort((a, b) => a - b))
    for (const s of manifest.samples) {
      expect(s.ssim).toBeGreaterThan(0)
      expect(s.ssim).toBeLessThan(1)
      expect(s.files.reference).toBe(`sample-${s.id}-reference.png`)
    }
  })

  it('serves every image as a PNG of the size of the sample as measured', async () => {
    const analysis = analysisSize(W, H)
    for (const s of manifest.samples) {
      const size = s.kind === 'region' ? { width: s.rect!.width, height: s.rect!.height } : s.kind === 'full' ? { width: W, height: H } : { width: analysis.width, height: analysis.height }
      for (const [which, name] of Object.entries(s.files)) {
        const r = await fetch(`${t.url}/v1/jobs/${jobId}/evidence/${name}`)
        expect(r.status).toBe(200)
        expect(r.headers.get('content-type')).toBe('image/png')
        const bytes = new Uint8Array(await r.arrayBuffer())
        expect([...bytes.subarray(0, 8)]).toEqual(PNG_SIGNATURE)
        // The SSIM map has one pixel per 11×11 window position.
        expect(pngSize(bytes)).toEqual(which === 'ssimMap' ? { width: size.width - 10, height: size.height - 10 } : size)
      }
    }
  })

  it('counts the evidence it keeps in its metrics', async () => {
    const text = await (await fetch(`${t.url}/metrics`)).text()
    const bytes = Number(/^trust_engine_evidence_bytes (\d+)$/m.exec(text)?.[1])
    expect(text).toMatch(/^trust_engine_evidence_jobs 1$/m)
    expect(bytes).toBeGreaterThan(manifest.samples.length * 4 * 8)
  })

  it('answers unknown jobs, unknown files and names outside the pattern with their codes', async () => {
    const code = async (path: string): Promise<[number, string]> => {
      const r = await fetch(`${t.url}${path}`)
      return [r.status, ((await r.json()) as { error: { code: string } }).error.code]
    }
    const unknown = 'ab'.repeat(32)
    expect(await code(`/v1/jobs/${unknown}/evidence`)).toEqual([404, 'ERR_JOB_NOT_FOUND'])
    expect(await code(`/v1/jobs/${unknown}/evidence/sample-0-reference.png`)).toEqual([404, 'ERR_JOB_NOT_FOUND'])
    expect(await code(`/v1/jobs/${jobId}/evidence/sample-99-reference.png`)).toEqual([404, 'ERR_EVIDENCE_NOT_FOUND'])
    for (const bad of ['manifest.json', '..%2F..%2Fkey.json', '..%2Fmanifest.json', 'sample-0-reference.png%00', 'sample-01-reference.png', 'SAMPLE-0-reference.png']) {
      expect(await code(`/v1/jobs/${jobId}/evidence/${bad}`)).toEqual([400, 'ERR_BAD_REQUEST'])
    }
    expect(await code('/v1/jobs/..%2F..%2Fkey.json/evidence')).toEqual([400, 'ERR_BAD_REQUEST'])
  })
})

describe('GET /v1/jobs/:id/evidence on a node that keeps none', () => {
  let t: TestNode
  beforeAll(async () => { t = await startTestNode({ evidence: { enabled: false } }) })
  afterAll(async () => { await t.close() })

  it('answers ERR_EVIDENCE_NOT_FOUND for a job it measured', async () => {
    const jobId = await submitAndMeasure(t)
    const r = await fetch(`${t.url}/v1/jobs/${jobId}/evidence`)
    expect(r.status).toBe(404)
    expect(((await r.json()) as { error: { code: string } }).error.code).toBe('ERR_EVIDENCE_NOT_FOUND')
  })
})

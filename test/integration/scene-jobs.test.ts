/**
 * Scene jobs on a four-node network of real processes: one with a candidate
 * made by gltfpack, one the network optimizes itself (every verifier re-runs
 * the optimizer and checks the candidate's hash, keeping the optimizer's
 * report, which equals the submitter's). Both become final on every
 * node with SSIM, PSNR and intervals, and their certificates verify offline
 * and name the original's and the candidate's hashes. A scene whose material
 * uses KHR_materials_sheen (which the renderer does not draw) is certified
 * with the caveat `sheen` in every agreeing vote, the certificate, the job
 * API, the event stream's final event and the CLI's job view, although
 * node4 is Byzantine and signs its votes without caveats (`strip-caveats`,
 * honest where there are none): its vote deviates.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Document } from '@gltf-transform/core'
import { KHRMaterialsSheen } from '@gltf-transform/extensions'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { verifyCertificate } from '../../protocol/certificate-verify.ts'
import { decodeCertificate } from '../../protocol/certificate.ts'
import { sha256Hex } from '../../protocol/hash.ts'
import { parseNetwork } from '../../protocol/network.ts'
import { Cluster, runCli, waitFor } from '../../sim/cluster.ts'
import { readEvents } from '../../node/cli/event-stream-client.ts'
import { gltfpack, sphereScene, toGlb } from '../node/render/scenes.ts'

interface SceneView {
  status: string
  final: boolean
  values: { ssim: number, psnr: number | string }
  intervals: { ssim: [number, number], psnr: [unknown, unknown] }
  reference: string[]
  candidate: string[]
  optimize: { profile: string, ratio: number } | null
  candidateHashMatches: boolean | null
  caveats: string[] | null
  votes: Array<{ name: string }>
}

/**
 * Deadline of the scene jobs here: ten minutes, a hang guard rather than a
 * speed requirement. The deadline decision never waits for a measurement, so
 * on a slow or shared machine four nodes rendering at once must still finish
 * in time.
 */
const SCENE_DEADLINE_MS = 600_000

describe('scene jobs on four node processes', () => {
  let cluster: Cluster
  let original: Uint8Array
  const names = ['node1', 'node2', 'node3', 'node4']

  beforeAll(async () => {
    original = await toGlb(sphereScene(24, 32, { bumpy: true }))
    cluster = Cluster.init(4)
    await cluster.startAll({ node4: { kind: 'strip-caveats' } })
    await cluster.waitConnected()
  })
  afterAll(async () => { await cluster?.cleanup() })

  async function upload (bytes: Uint8Array): Promise<string> {
    const r = await cluster.raw('node1', '/v1/blobs', { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: bytes })
    expect(r.status).toBe(201)
    return (r.body as { sha256: string }).sha256
  }

  async function decidedEverywhere (jobId: string): Promise<SceneView[]> {
    const views: SceneView[] = []
    for (const n of names) views.push(await cluster.waitDecided(n, jobId) as unknown as SceneView)
    return views
  }

  function checkCertificate (cert: unknown, jobId: string): void {
    const network = parseNetwork(readFileSync(cluster.networkFile))
    const parsed = decodeCertificate(new TextEncoder().encode(JSON.stringify(cert)))
    expect(verifyCertificate(parsed, network)).toMatchObject({ ok: true, jobId })
    const file = join(cluster.dir, `cert-${jobId.slice(0, 8)}.json`)
    writeFileSync(file, JSON.stringify(cert))
    expect(runCli(['certificate', 'verify', file, '--network', cluster.networkFile]).code).toBe(0)
  }

  it('finalizes a job with a gltfpack-made candidate', async () => {
    const candidate = await gltfpack(original, [])
    const ref = await upload(original)
    const cand = await upload(candidate)
    const r = await cluster.raw('node1', '/v1/jobs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'scene', reference: [ref], candidate: [cand], deadlineMs: SCENE_DEADLINE_MS }) })
    expect(r.status).toBe(201)
    const jobId = (r.body as { jobId: string }).jobId
    const views = await decidedEverywhere(jobId)
    for (const v of views) {
      expect(v.final).toBe(true)
      expect(v.status).toBe('validated')
      expect(v.values).toEqual(views[0]!.values)
      expect(v.values.ssim).toBeGreaterThan(0.98)
      expect(v.optimize).toBeNull()
      expect(v.caveats).toEqual([])
    }
    const cert = await cluster.get('node2', `/v1/jobs/${jobId}/certificate`) as { job: { reference: string[], candidate: string[] } }
    expect(cert.job.reference).toEqual([sha256Hex(original)])
    expect(cert.job.candidate).toEqual([sha256Hex(candidate)])
    checkCertificate(cert, jobId)
  })

  it('finalizes a job the network optimizes, every verifier confirming the candidate by re-execution', async () => {
    const ref = await upload(original)
    const r = await cluster.raw('node1', '/v1/jobs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'scene', reference: [ref], candidate: [], profile: 'balanced', ratio: 0.5, deadlineMs: SCENE_DEADLINE_MS }) })
    expect(r.status).toBe(201)
    const jobId = (r.body as { jobId: string }).jobId
    const views = await decidedEverywhere(jobId)
    for (const v of views) {
      expect(v.final).toBe(true)
      expect(v.optimize).toEqual({ profile: 'balanced', ratio: 0.5 })
      expect(v.candidate).toEqual(views[0]!.candidate)
      expect(v.values).toEqual(views[0]!.values)
    }
    // Every node re-runs the optimizer (measurement goes on after the decision) and gets the announced bytes.
    for (const n of names) {
      let matches: boolean | null = null
      await waitFor(async () => {
        matches = (await cluster.get(n, `/v1/jobs/${jobId}`) as SceneView).candidateHashMatches
        return matches !== null
      }, `${n} re-ran the optimization`)
      expect(matches, n).toBe(true)
    }
    // Each node keeps the optimizer report of its own run: node1 made the candidate, the others re-ran the optimizer; the reports agree to the last field.
    const reports = await Promise.all(names.map(async (n) => await cluster.get(n, `/v1/jobs/${jobId}/optimizer-report`) as { source: string, report: { outputHash: string, inputHash: string } }))
    expect(reports.map((r) => r.source)).toEqual(['submitter', 're-execution', 're-execution', 're-execution'])
    for (const r of reports) expect(r.report).toEqual(reports[0]!.report)
    expect([reports[0]!.report.inputHash, reports[0]!.report.outputHash]).toEqual([sha256Hex(original), views[0]!.candidate[0]])
    const cert = await cluster.get('node3', `/v1/jobs/${jobId}/certificate`) as { checks?: { candidateHashMatches?: boolean }, job: { reference: string[] } }
    expect(cert.checks?.candidateHashMatches).toBe(true)
    expect(cert.job.reference).toEqual([sha256Hex(original)])
    checkCertificate(cert, jobId)
  })

  it('certifies a scene whose material uses KHR_materials_sheen with the caveat sheen, shown by the API, the event stream and the CLI; a vote stripped of it deviates', async () => {
    const withSheen = (name: string): Document => {
      const doc = sphereScene(24, 32, { bumpy: true })
      const sheen = doc.createExtension(KHRMaterialsSheen).createSheen().setSheenColorFactor([1, 1, 1]).setSheenRoughnessFactor(0.5)
      doc.getRoot().listMaterials()[0]!.setExtension('KHR_materials_sheen', sheen).setName(name)
      return doc
    }
    const sheenOriginal = await toGlb(withSheen('sphere'))
    // Another file that renders the same: only the material's name differs.
    const sheenCandidate = await toGlb(withSheen('sphere, re-encoded'))
    const ref = await upload(sheenOriginal)
    const cand = await upload(sheenCandidate)
    // node2's event stream, followed from before the job exists, until the job's final event.
    const abort = new AbortController()
    const events: Array<{ jobId: string, final: boolean, caveats: string[] | null }> = []
    let jobId = ''
    const followed = (async () => {
      for await (const e of readEvents(cluster.entry('node2').apiUrl!, { signal: abort.signal })) {
        if (e.event !== 'job') continue
        const data = e.data as { jobId: string, final: boolean, caveats: string[] | null }
        events.push(data)
        if (data.jobId === jobId && data.final) return
      }
    })().catch((err: unknown) => { if (!abort.signal.aborted) throw err })
    const r = await cluster.raw('node1', '/v1/jobs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'scene', reference: [ref], candidate: [cand], deadlineMs: SCENE_DEADLINE_MS }) })
    expect(r.status).toBe(201)
    jobId = (r.body as { jobId: string }).jobId
    const views = await decidedEverywhere(jobId)
    for (const v of views) {
      expect(v.final).toBe(true)
      expect(v.status).toBe('validated')
      expect(v.caveats).toEqual(['sheen'])
    }
    // node4 measured the same numbers but signed no caveat: its vote does not agree, wherever it arrived in time.
    const node4 = (await cluster.get('node4', '/v1/node') as { publicKey: string }).publicKey
    type Votes = { votes: Array<{ voter: string, agrees: boolean | null }> }
    let onNode1: Votes = { votes: [] }
    await waitFor(async () => {
      onNode1 = await cluster.get('node1', `/v1/jobs/${jobId}`) as Votes
      return onNode1.votes.length === 4
    }, 'node1 holds all four votes')
    // The three honest votes agree; node4's deviates, and is left out of the certificate (checked below).
    for (const v of onNode1.votes) expect([v.voter, v.agrees]).toEqual([v.voter, v.voter !== node4])
    // The listing's items carry them too.
    const list = await cluster.get('node3', '/v1/jobs?limit=10') as { jobs: Array<{ jobId: string, caveats: string[] | null }> }
    expect(list.jobs.find((j) => j.jobId === jobId)?.caveats).toEqual(['sheen'])
    // Every vote signed the caveat, and the certificate carries it and verifies with it.
    const cert = await cluster.get('node4', `/v1/jobs/${jobId}/certificate`) as { caveats?: string[], votes: Array<{ caveats?: string[] }> }
    expect(cert.caveats).toEqual(['sheen'])
    for (const v of cert.votes) expect(v.caveats).toEqual(['sheen'])
    expect(cert.votes.map((v) => (v as { voter?: string }).voter)).not.toContain(node4)
    checkCertificate(cert, jobId)
    const network = parseNetwork(readFileSync(cluster.networkFile))
    expect(verifyCertificate(decodeCertificate(new TextEncoder().encode(JSON.stringify(cert))), network)).toMatchObject({ ok: true, caveats: ['sheen'] })
    // The event stream's final event.
    await waitFor(async () => await Promise.resolve(events.some((e) => e.jobId === jobId && e.final)), 'the final event on node2\'s stream')
    abort.abort()
    await followed
    expect(events.find((e) => e.jobId === jobId && e.final)?.caveats).toEqual(['sheen'])
    // The CLI's job view.
    const status = runCli(['status', jobId, '--api', cluster.entry('node1').apiUrl!])
    expect(status.code).toBe(0)
    expect(status.stdout).toMatch(/^caveats +sheen /m)
  })
})

/**
 * The HTTP API against a real node (LevelDB, libp2p, real PNG frames and
 * measurements): every route's happy path and its refusals, with the codes
 * and statuses of docs/api.md, and the check that a refused request stores
 * nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startApi } from '../../../node/api/server.ts'
import { NODE_METRIC_NAMES } from '../../../node/metrics.ts'
import type { JobView } from '../../../node/types.ts'
import { verifyAuditHead } from '../../../protocol/audit-chain.ts'
import { decodeCertificate } from '../../../protocol/certificate.ts'
import { verifyCertificate } from '../../../protocol/certificate-verify.ts'
import { sha256Hex } from '../../../protocol/hash.ts'
import { badCandidatePng, goodCandidatePng, json, octets, referencePng, startTestNode, type TestNode } from './fixtures.ts'

let t: TestNode

beforeAll(async () => { t = await startTestNode() })
afterAll(async () => { await t.close() })

async function call (path: string, init?: RequestInit): Promise<{ status: number, body: any, headers: Headers }> {
  const res = await fetch(`${t.url}${path}`, init)
  const text = await res.text()
  let body: unknown = text
  try { body = JSON.parse(text) } catch { /* text routes */ }
  return { status: res.status, body, headers: res.headers }
}

async function upload (bytes: Uint8Array): Promise<string> {
  const r = await call('/v1/blobs', octets(bytes))
  expect(r.status).toBe(201)
  return r.body.sha256
}

/** Polls GET /v1/jobs/:id until the job is no longer pending (bounded: a hang guard, not a timing check). */
async function settled (jobId: string): Promise<JobView> {
  for (let i = 0; i < 2000; i++) {
    const r = await call(`/v1/jobs/${jobId}`)
    expect(r.status).toBe(200)
    if (r.body.status !== 'pending') return r.body
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  throw new Error(`job ${jobId} still pending`)
}

/** What a refused request must leave unchanged: the job list and the audit head. */
async function storedState (): Promise<unknown> {
  return { jobs: (await t.node.listJobs({ limit: 1000 })).map((j) => j.jobId), head: (await t.node.audit(0, 1)).head }
}

describe('GET /v1/node', () => {
  it('returns the node identity', async () => {
    const r = await call('/v1/node')
    expect(r.status).toBe(200)
    expect(r.body.publicKey).toBe(t.key.publicKey)
    expect(r.body.networkId).toBe('api-test')
    expect(r.body.peerId).toMatch(/^12D3KooW/)
  })
})

describe('POST /v1/blobs', () => {
  it('stores raw bytes under their sha256', async () => {
    const bytes = referencePng(7)
    const r = await call('/v1/blobs', octets(bytes))
    expect(r.status).toBe(201)
    expect(r.body).toEqual({ sha256: sha256Hex(bytes), size: bytes.length })
    expect(await t.node.hasBlob(sha256Hex(bytes))).toBe(true)
  })

  it('refuses an empty body, JSON and a missing content type', async () => {
    expect((await call('/v1/blobs', octets(new Uint8Array(0)))).body.error.code).toBe('ERR_BAD_REQUEST')
    const asJson = await call('/v1/blobs', json({ a: 1 }))
    expect([asJson.status, asJson.body.error.code]).toEqual([415, 'ERR_UNSUPPORTED_MEDIA_TYPE'])
    const untyped = await call('/v1/blobs', { method: 'POST', body: new Uint8Array([1, 2, 3]) })
    expect([untyped.status, untyped.body.error.code]).toEqual([415, 'ERR_UNSUPPORTED_MEDIA_TYPE'])
  })

  it('refuses a blob above maxBlobBytes with 413 and stores nothing', async () => {
    const small = await startApi(t.node, { port: 0, maxBlobBytes: 1024 })
    try {
      const bytes = new Uint8Array(1025).fill(9)
      const res = await fetch(`${small.url}/v1/blobs`, octets(bytes))
      expect(res.status).toBe(413)
      expect(((await res.json()) as any).error.code).toBe('ERR_TOO_LARGE')
      expect(await t.node.hasBlob(sha256Hex(bytes))).toBe(false)
      const fits = await fetch(`${small.url}/v1/blobs`, octets(bytes.subarray(0, 1024)))
      expect(fits.status).toBe(201)
    } finally {
      await small.close()
    }
  })
})

describe('POST /v1/jobs and the job routes', () => {
  let validated: JobView
  let rejected: JobView

  beforeAll(async () => {
    const ref = await upload(referencePng())
    const good = await upload(goodCandidatePng())
    const bad = await upload(badCandidatePng())
    const a = await call('/v1/jobs', json({ kind: 'frames', reference: [ref], candidate: [good] }))
    expect(a.status).toBe(201)
    expect(a.body.kind).toBe('frames')
    const b = await call('/v1/jobs', json({ kind: 'frames', reference: [ref], candidate: [bad], thresholds: { ssimMin: 0.98, psnrMin: 35 } }))
    expect(b.status).toBe(201)
    validated = await settled(a.body.jobId)
    rejected = await settled(b.body.jobId)
  })

  it('a one-validator network finalizes a good frame pair as validated, a poor one as rejected', () => {
    expect(validated.status).toBe('validated')
    expect(validated.final).toBe(true)
    expect(validated.votes).toHaveLength(1)
    expect(validated.values!.ssim as number).toBeGreaterThan(0.98)
    expect(rejected.status).toBe('rejected')
    expect(rejected.values!.ssim as number).toBeLessThan(0.98)
  })

  it('serves a certificate that the protocol verifier accepts', async () => {
    const r = await call(`/v1/jobs/${validated.jobId}/certificate`)
    expect(r.status).toBe(200)
    const cert = decodeCertificate(new TextEncoder().encode(JSON.stringify(r.body)))
    const check = verifyCertificate(cert, t.network)
    expect(check).toMatchObject({ ok: true, jobId: validated.jobId, status: 'validated' })
  })

  it('lists jobs newest first, bounded by limit', async () => {
    const all = await call('/v1/jobs')
    expect(all.status).toBe(200)
    const ids = all.body.jobs.map((j: JobView) => j.jobId)
    expect(ids).toEqual(expect.arrayContaining([validated.jobId, rejected.jobId]))
    const one = await call('/v1/jobs?limit=1')
    expect(one.body.jobs).toHaveLength(1)
    for (const q of ['limit=abc', 'limit=-1', 'limit=1&limit=2', 'other=1']) {
      const r = await call(`/v1/jobs?${q}`)
      expect([q, r.status, r.body.error.code]).toEqual([q, 400, 'ERR_BAD_REQUEST'])
    }
  })

  it('filters by status and pages with before, from the job index', async () => {
    const all = (await call('/v1/jobs?limit=1000')).body.jobs.map((j: JobView) => j.jobId)
    const paged: string[] = []
    let next = '/v1/jobs?limit=1'
    for (let i = 0; i <= all.length; i++) {
      const r = await call(next)
      expect(r.status).toBe(200)
      if (r.body.jobs.length === 0) break
      paged.push(r.body.jobs[0].jobId)
      next = `/v1/jobs?limit=1&before=${r.body.jobs[0].jobId as string}`
    }
    expect(paged).toEqual(all)
    const ok = await call('/v1/jobs?status=validated')
    expect(ok.body.jobs.map((j: JobView) => j.jobId)).toContain(validated.jobId)
    expect(ok.body.jobs.map((j: JobView) => j.status).filter((s: string) => s !== 'validated')).toEqual([])
    const bad = await call(`/v1/jobs?status=rejected&before=${validated.jobId}`)
    expect(bad.body.jobs.map((j: JobView) => j.status).filter((s: string) => s !== 'rejected')).toEqual([])
    for (const q of ['status=final', 'before=xyz', `before=${'A'.repeat(64)}`]) {
      const r = await call(`/v1/jobs?${q}`)
      expect([q, r.status, r.body.error.code]).toEqual([q, 400, 'ERR_BAD_REQUEST'])
    }
    const unknown = await call(`/v1/jobs?before=${'c'.repeat(64)}`)
    expect([unknown.status, unknown.body.error.code]).toEqual([404, 'ERR_JOB_NOT_FOUND'])
  })

  it('answers 400 for a malformed job id and 404 for an unknown one', async () => {
    for (const id of ['xyz', 'A'.repeat(64), 'a'.repeat(63)]) {
      const r = await call(`/v1/jobs/${id}`)
      expect([r.status, r.body.error.code]).toEqual([400, 'ERR_BAD_REQUEST'])
      expect(r.body.error.issues[0].path).toBe('params.id')
    }
    const unknown = 'c'.repeat(64)
    expect((await call(`/v1/jobs/${unknown}`)).body.error.code).toBe('ERR_JOB_NOT_FOUND')
    const cert = await call(`/v1/jobs/${unknown}/certificate`)
    expect([cert.status, cert.body.error.code]).toEqual([404, 'ERR_JOB_NOT_FOUND'])
  })

  it('refuses bad JSON, schema violations, oversized bodies and unknown blobs, storing nothing', async () => {
    const before = await storedState()
    const ref = validated.reference[0]!
    const cases: Array<[RequestInit, number, string, string[]?]> = [
      [{ method: 'POST', body: '{"kind":', headers: { 'content-type': 'application/json' } }, 400, 'ERR_BAD_JSON'],
      [{ method: 'POST', body: '', headers: { 'content-type': 'application/json' } }, 400, 'ERR_BAD_JSON'],
      [{ method: 'POST', body: '{"__proto__":{"x":1}}', headers: { 'content-type': 'application/json' } }, 400, 'ERR_BAD_JSON'],
      [{ method: 'POST', body: 'kind=frames', headers: { 'content-type': 'text/plain' } }, 415, 'ERR_UNSUPPORTED_MEDIA_TYPE'],
      [json({ kind: 'frames', reference: ['zz'], candidate: [ref] }), 400, 'ERR_BAD_REQUEST', ['body.reference.0']],
      [json({ kind: 'frames', reference: [ref], candidate: [] }), 400, 'ERR_BAD_REQUEST', ['body.candidate']],
      [json({ kind: 'scene', reference: [ref, ref], candidate: [] }), 400, 'ERR_BAD_REQUEST', ['body.reference']],
      [json({ kind: 'video', reference: [ref], candidate: [ref] }), 400, 'ERR_BAD_REQUEST', ['body.kind']],
      [json({ kind: 'frames', reference: [ref], candidate: [ref], extra: true }), 400, 'ERR_BAD_REQUEST', ['body']],
      [json({ kind: 'frames', reference: [ref], candidate: [ref], thresholds: { ssimMin: 2 } }), 400, 'ERR_BAD_REQUEST', ['body.thresholds.ssimMin']],
      [json({ kind: 'frames', reference: [ref], candidate: [ref], deadlineMs: 1.5 }), 400, 'ERR_BAD_REQUEST', ['body.deadlineMs']],
      // profile, ratio and the economy fields are scene options: a frames job refuses them instead of carrying them.
      [json({ kind: 'frames', reference: [ref], candidate: [ref], profile: 'balanced' }), 400, 'ERR_BAD_REQUEST', ['body.profile']],
      [json({ kind: 'frames', reference: [ref], candidate: [ref], ratio: 0.5 }), 400, 'ERR_BAD_REQUEST', ['body.ratio']],
      [json({ kind: 'frames', reference: [ref], candidate: [ref], profile: 'economy', optimizeBy: 1 }), 400, 'ERR_BAD_REQUEST', ['body.profile', 'body.optimizeBy']],
      [json({ kind: 'frames', reference: [ref], candidate: [ref], pad: 'x'.repeat(70_000) }), 413, 'ERR_TOO_LARGE'],
      [json({ kind: 'frames', reference: [ref], candidate: ['d'.repeat(64)] }), 400, 'ERR_BLOB_UNKNOWN', ['body.candidate.0']],
      // The network allows deadlines from 1 s (minVoteMs): the node refuses shorter ones.
      [json({ kind: 'frames', reference: [ref], candidate: [ref], deadlineMs: 10 }), 400, 'ERR_JOB_DEADLINE']
    ]
    for (const [init, status, code, paths] of cases) {
      const r = await call('/v1/jobs', init)
      expect([code, r.status, r.body.error.code]).toEqual([code, status, code])
      if (paths !== undefined) expect(r.body.error.issues.map((i: { path: string }) => i.path)).toEqual(paths)
    }
    expect(await storedState()).toEqual(before)
  })
})

describe('frames jobs naming blobs that are not PNG frames', () => {
  it('are refused 400 with the decoder\'s code, at admission', async () => {
    const ref = await upload(referencePng())
    const notPng = await upload(new TextEncoder().encode('not a png at all, just text'))
    // The PNG signature, then a header cut short.
    const truncated = await upload(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48]))
    for (const [candidate, code] of [[notPng, 'ERR_PNG_SIGNATURE'], [truncated, 'ERR_PNG_DECODE']] as const) {
      const r = await call('/v1/jobs', json({ kind: 'frames', reference: [ref], candidate: [candidate] }))
      expect([code, r.status, r.body.error.code]).toEqual([code, 400, code])
    }
  })
})

describe('GET /v1/jobs/:id/certificate before a job is final', () => {
  it('answers 404 ERR_CERTIFICATE_NOT_READY while the job waits for votes', async () => {
    // Two validators, only one running: the job cannot reach quorum and stays
    // pending until its one-hour deadline.
    const two = await startTestNode({ validators: 2 })
    try {
      const up = async (bytes: Uint8Array): Promise<string> => ((await (await fetch(`${two.url}/v1/blobs`, octets(bytes))).json()) as any).sha256
      const res = await fetch(`${two.url}/v1/jobs`, json({ kind: 'frames', reference: [await up(referencePng())], candidate: [await up(goodCandidatePng())], deadlineMs: 3_600_000 }))
      const job = (await res.json()) as JobView
      expect(res.status).toBe(201)
      expect(job.status).toBe('pending')
      const cert = await fetch(`${two.url}/v1/jobs/${job.jobId}/certificate`)
      expect(cert.status).toBe(404)
      expect(((await cert.json()) as any).error.code).toBe('ERR_CERTIFICATE_NOT_READY')
    } finally {
      await two.close()
    }
  })
})

describe('reputation, peers, audit, health', () => {
  it('GET /v1/reputation lists every validator', async () => {
    const r = await call('/v1/reputation')
    expect(r.status).toBe(200)
    expect(r.body.validators).toHaveLength(1)
    expect(r.body.validators[0]).toMatchObject({ publicKey: t.key.publicKey, name: 'node1', baseWeight: 1 })
  })

  it('GET /v1/peers answers a list', async () => {
    const r = await call('/v1/peers')
    expect(r.status).toBe(200)
    expect(Array.isArray(r.body.peers)).toBe(true)
  })

  it('GET /v1/audit pages the trail and bounds the limit', async () => {
    const page = await call('/v1/audit?from=0&limit=2')
    expect(page.status).toBe(200)
    expect(page.body.entries).toHaveLength(2)
    expect(page.body.entries.map((e: { seq: number }) => e.seq)).toEqual([0, 1])
    expect(page.body.head.seq).toBeGreaterThanOrEqual(1)
    const info = t.node.info()
    expect(verifyAuditHead(page.body.head, info.publicKey, info.networkId)).toBe(true)
    const next = await call('/v1/audit?from=1&limit=1')
    expect(next.body.entries[0].hash).toBe(page.body.entries[1].hash)
    const capped = await startApi(t.node, { port: 0, maxListLimit: 1 })
    try {
      const body = (await (await fetch(`${capped.url}/v1/audit?limit=500`)).json()) as any
      expect(body.entries).toHaveLength(1)
    } finally {
      await capped.close()
    }
    for (const q of ['from=-1', 'limit=1e3', 'from=01', 'limit=']) {
      expect([q, (await call(`/v1/audit?${q}`)).body.error.code]).toEqual([q, 'ERR_BAD_REQUEST'])
    }
  })

  it('GET /healthz is 200 while the node runs', async () => {
    const r = await call('/healthz')
    expect(r.status).toBe(200)
    expect(r.body).toEqual({ ok: true, peers: 0, gossipPeers: 0, meshPeers: 0, openJobs: expect.any(Number) })
  })
})

describe('unknown routes and methods', () => {
  it('answers 404 ERR_NOT_FOUND for an unknown path', async () => {
    const r = await call('/v2/nothing')
    expect([r.status, r.body.error.code]).toEqual([404, 'ERR_NOT_FOUND'])
  })

  it('answers 405 with Allow for a known path and another method', async () => {
    const r = await call('/v1/node', { method: 'DELETE' })
    expect([r.status, r.body.error.code]).toEqual([405, 'ERR_METHOD_NOT_ALLOWED'])
    expect(r.headers.get('allow')).toBe('GET, HEAD')
    const put = await call(`/v1/jobs/${'e'.repeat(64)}`, { method: 'PUT' })
    expect(put.status).toBe(405)
  })

  it('answers 400 for a URL that is not validly percent-encoded', async () => {
    const r = await call('/v1/jobs/%zz')
    expect([r.status, r.body.error.code]).toEqual([400, 'ERR_BAD_REQUEST'])
  })
})

describe('GET /metrics', () => {
  it('exposes the node metrics and counts requests by route pattern, rejections included', async () => {
    await call(`/v1/jobs/${'f'.repeat(64)}`)
    const res = await fetch(`${t.url}/metrics`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toContain('text/plain')
    const text = await res.text()
    for (const name of Object.values(NODE_METRIC_NAMES)) expect(text).toContain(`# TYPE ${name} `)
    expect(text).toContain('trust_engine_process_cpu_user_seconds_total')
    expect(text).toMatch(/trust_engine_http_requests_total\{route="\/v1\/jobs\/:id",method="GET",status="404"\} [1-9]/)
    expect(text).toMatch(/trust_engine_http_requests_total\{route="\/v1\/jobs",method="POST",status="400"\} [1-9]/)
    expect(text).toMatch(/trust_engine_http_requests_total\{route="unmatched",method="GET",status="404"\} [1-9]/)
    expect(text).toMatch(/trust_engine_own_votes_total [1-9]/)
    // Labels are route patterns, never ids.
    expect(text).not.toContain('f'.repeat(64))
  })
})

describe('bearer token', () => {
  it('guards the writing routes and leaves reading routes open', async () => {
    const token = 'a-token-of-some-length-0123456789'
    const guarded = await startApi(t.node, { port: 0, token })
    try {
      const bytes = referencePng(99)
      const none = await fetch(`${guarded.url}/v1/blobs`, octets(bytes))
      expect(none.status).toBe(401)
      expect(none.headers.get('www-authenticate')).toBe('Bearer')
      expect(((await none.json()) as any).error.code).toBe('ERR_UNAUTHORIZED')
      for (const header of [`Bearer ${token}x`, `Bearer ${token.slice(1)}`, `Basic ${token}`, token]) {
        expect((await fetch(`${guarded.url}/v1/blobs`, octets(bytes, { authorization: header }))).status).toBe(401)
      }
      const jobs = await fetch(`${guarded.url}/v1/jobs`, json({ kind: 'frames', reference: [], candidate: [] }))
      expect(jobs.status).toBe(401)
      expect(await t.node.hasBlob(sha256Hex(bytes))).toBe(false)
      expect((await fetch(`${guarded.url}/v1/blobs`, octets(bytes, { authorization: `Bearer ${token}` }))).status).toBe(201)
      expect((await fetch(`${guarded.url}/v1/node`)).status).toBe(200)
    } finally {
      await guarded.close()
    }
  })

  it('refuses to start on a non-loopback address without a token', async () => {
    for (const host of ['0.0.0.0', '::', '192.0.2.10', 'example.org']) {
      await expect(startApi(t.node, { host, port: 0 })).rejects.toMatchObject({ code: 'ERR_API_TOKEN_REQUIRED' })
    }
  })
})

/**
 * Fuzzing the HTTP API of a real node on 127.0.0.1: every route with made-up
 * path parameters and query strings, and the bodies of the write routes
 * (job submission, blob upload) mutated from valid ones, with wrong or
 * missing content types. The invariant: every answer is JSON; an error
 * answer carries a declared code (docs/errors.md) and is never a 500 (a
 * 500 is this node's own failure, which bad input must not cause); and the
 * node keeps serving: its health check and a valid job submission still
 * work after the run.
 */
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { declaredCodes } from '../../protocol/errors.ts'
import { sha256Hex } from '../../protocol/hash.ts'
import { goodCandidatePng, json, referencePng, startTestNode, type TestNode, uploadBlob } from '../node/api/fixtures.ts'
import { jsonBytes, mutatedBytes, runs } from './fuzz-kit.ts'

let t: TestNode
// The per-client limits are lifted: every fuzzed request comes from one address, and what is fuzzed is bodies and
// parameters (the limits have their own test, test/node/api/write-rate-limit.test.ts).
beforeAll(async () => { t = await startTestNode({ api: { writesPerMinute: 1_000_000, uploadsPerMinute: 1_000_000 } }) })
afterAll(async () => { await t?.close() })

const ROUTES = [
  '/v1/audit', '/v1/events', '/v1/jobs', '/v1/jobs/:id', '/v1/jobs/:id/certificate', '/v1/jobs/:id/evidence',
  '/v1/jobs/:id/evidence/:file', '/v1/jobs/:id/optimizer-report', '/v1/node', '/v1/network', '/v1/peers',
  '/v1/reputation', '/v1/reputation/history', '/v1/schedules', '/v1/schedules/:id', '/ui/assets/:file', '/healthz'
]
const QUERY_KEYS = ['limit', 'before', 'status', 'from', 'after', 'since', 'validator', 'kind', 'x']

/** A path segment: hex ids of the right and wrong length, encoded junk, dots, very long runs. */
const segment = fc.oneof(
  fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString('hex')),
  fc.string({ maxLength: 80 }).map(encodeURIComponent),
  fc.constantFrom('..', '%2e%2e', '%00', '-1', '1e309', 'ﬀ', 'a'.repeat(5000), 'sample-0-reference.png')
)
/** A query value: numbers of every kind, junk, repeats. */
const queryValue = fc.oneof(fc.integer().map(String), fc.double().map(String), fc.string({ maxLength: 40 }), fc.constantFrom('', '9007199254740993', 'NaN', '-0', 'pending'))

async function answer (path: string, init?: RequestInit): Promise<{ status: number, body: unknown }> {
  const res = await fetch(`${t.url}${path}`, init)
  const text = await res.text()
  let body: unknown
  try { body = JSON.parse(text) } catch { body = { unparsed: text.slice(0, 200), contentType: res.headers.get('content-type') } }
  return { status: res.status, body }
}

function expectWellFormed (path: string, r: { status: number, body: unknown }): void {
  expect(r.status, `${path} answered ${r.status}: ${JSON.stringify(r.body).slice(0, 300)}`).not.toBe(500)
  if (r.status >= 400) {
    const code = (r.body as { error?: { code?: unknown } }).error?.code
    expect(typeof code === 'string' && new Set(declaredCodes().map(([c]) => c)).has(code), `${path} answered ${r.status} without a declared code: ${JSON.stringify(r.body).slice(0, 300)}`).toBe(true)
  }
}

describe('fuzzing the HTTP API: well-formed answers, no 500, and the node keeps serving', () => {
  it('GET on every route with made-up parameters and query strings', async () => {
    await fc.assert(fc.asyncProperty(fc.constantFrom(...ROUTES), segment, segment, fc.array(fc.tuple(fc.constantFrom(...QUERY_KEYS), queryValue), { maxLength: 4 }), async (route, id, file, query) => {
      if (route === '/v1/events') return // a stream that stays open; its parameters are checked below
      const q = new URLSearchParams(query).toString()
      const path = route.replace(':id', id).replace(':file', file) + (q === '' ? '' : `?${q}`)
      const r = await answer(path)
      expectWellFormed(path, r)
    }), { numRuns: runs(300) })
  })

  it('the events stream refuses bad parameters with a code, before streaming', async () => {
    await fc.assert(fc.asyncProperty(fc.array(fc.tuple(fc.constantFrom('since', 'types', 'x'), queryValue), { minLength: 1, maxLength: 3 }), async (query) => {
      const controller = new AbortController()
      const res = await fetch(`${t.url}/v1/events?${new URLSearchParams(query).toString()}`, { signal: controller.signal })
      expect(res.status).not.toBe(500)
      if (res.status >= 400) expectWellFormed('/v1/events', { status: res.status, body: await res.json() })
      controller.abort()
      await res.body?.cancel().catch(() => {})
    }), { numRuns: runs(40) })
  })

  it('POST bodies of job submission and blob upload, mutated from valid ones, with any content type', async () => {
    const reference = await uploadBlob(t, referencePng())
    const candidate = await uploadBlob(t, goodCandidatePng())
    const valid = new TextEncoder().encode(JSON.stringify({ kind: 'frames', reference: [reference], candidate: [candidate], thresholds: { ssimMin: 0.9 } }))
    const body = fc.oneof(mutatedBytes([valid]), jsonBytes())
    const contentType = fc.constantFrom('application/json', 'application/octet-stream', 'text/plain', 'application/json; charset=utf-16', '')
    await fc.assert(fc.asyncProperty(fc.constantFrom('/v1/jobs', '/v1/blobs'), body, contentType, async (route, bytes, type) => {
      const r = await answer(route, { method: 'POST', body: bytes, headers: type === '' ? {} : { 'content-type': type } })
      expectWellFormed(route, r)
    }), { numRuns: runs(150) })
    // Still serving: health, and a valid job is taken.
    expect((await answer('/healthz')).status).toBe(200)
    const job = await answer('/v1/jobs', json({ kind: 'frames', reference: [reference], candidate: [candidate] }))
    expect(job.status).toBe(201)
    expect(sha256Hex(referencePng())).toBe(reference)
  })
})

/**
 * Requests at the edges of the HTTP API against a real node: numbers past
 * 2^53, ids of kilobytes, errors the HTTP server answers itself (bad request
 * line, oversized headers, a request that never completes) and upload floods.
 * Each answer is a 4xx in the API's error format `{ error: { code, message } }`.
 */
import { connect } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sha256Hex } from '../../../protocol/hash.ts'
import { octets, startTestNode, type TestNode } from './fixtures.ts'

let t: TestNode

beforeAll(async () => { t = await startTestNode({ api: { requestTimeoutMs: 1000, uploadsPerMinute: 5 } }) })
afterAll(async () => { await t.close() })

async function call (path: string, init?: RequestInit): Promise<{ status: number, body: any }> {
  const res = await fetch(`${t.url}${path}`, init)
  const text = await res.text()
  let body: unknown = text
  try { body = JSON.parse(text) } catch { /* not JSON: the assertion below says so */ }
  return { status: res.status, body }
}

/** Sends raw bytes on a fresh connection and returns everything the server answers before it closes. */
async function rawExchange (bytes: string | null): Promise<{ status: number, body: any }> {
  const { port, hostname } = new URL(t.url)
  const text = await new Promise<string>((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => { if (bytes !== null) socket.write(bytes) })
    let out = ''
    socket.on('data', (d) => { out += d.toString() })
    socket.on('end', () => { resolve(out) })
    socket.on('close', () => { resolve(out) })
    socket.on('error', reject)
  })
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1])
  const body = text.slice(text.indexOf('\r\n\r\n') + 4)
  return { status, body: JSON.parse(body) }
}

describe('hostile requests', () => {
  it('answers 400 ERR_BAD_REQUEST to an audit position past 2^53, not a store error', async () => {
    const r = await call('/v1/audit?from=9999999999999999')
    expect(r.status).toBe(400)
    expect(r.body.error.code).toBe('ERR_BAD_REQUEST')
    expect((await call('/v1/audit?from=9007199254740991')).status).toBe(200)
  })

  it('answers ids of 8 and 15 KB with a 4xx in the API format, never 405', async () => {
    for (const size of [8 * 1024, 15 * 1024]) {
      for (const path of [`/v1/jobs/${'a'.repeat(size)}`, `/v1/jobs/${'a'.repeat(size)}/certificate`, `/v1/schedules/${'a'.repeat(size)}`]) {
        const r = await call(path)
        expect(r.status).toBe(400)
        expect(r.body.error.code).toBe('ERR_PARAM_TOO_LONG')
      }
    }
  })

  it('answers the HTTP server\'s own 400, 431 and 408 in the API format', async () => {
    const bad = await rawExchange('NOT HTTP AT ALL\r\n\r\n')
    expect(bad).toEqual({ status: 400, body: { error: { code: 'ERR_BAD_REQUEST', message: 'bad request' } } })
    const big = await rawExchange(`GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'a'.repeat(20 * 1024)}\r\n\r\n`)
    expect(big.status).toBe(431)
    expect(big.body.error.code).toBe('ERR_HEADERS_TOO_LARGE')
    // Headers sent, body promised and never sent: the server's request timeout (1 s here) answers 408.
    const slow = await rawExchange('POST /v1/blobs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/octet-stream\r\nContent-Length: 10\r\n\r\n')
    expect(slow.status).toBe(408)
    expect(slow.body.error.code).toBe('ERR_REQUEST_TIMEOUT')
  })

  it('rate-limits uploads per client address: 429 ERR_RATE_LIMITED past the quota, before the body is stored', async () => {
    const statuses: number[] = []
    const codes: string[] = []
    for (let i = 0; i < 8; i++) {
      const r = await call('/v1/blobs', octets(new Uint8Array([i + 1, 2, 3])))
      statuses.push(r.status)
      if (r.status !== 201) codes.push(r.body.error.code)
    }
    // The slow client of the previous test may have spent one upload token.
    expect(statuses.filter((s) => s === 201).length).toBeLessThanOrEqual(5)
    expect(statuses.filter((s) => s === 201).length).toBeGreaterThanOrEqual(4)
    expect(new Set(codes)).toEqual(new Set(['ERR_RATE_LIMITED']))
    expect(await t.node.hasBlob(sha256Hex(new Uint8Array([8, 2, 3])))).toBe(false)
  })
})

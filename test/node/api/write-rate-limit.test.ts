/**
 * The per-client rate limits of the API's writing routes, over real HTTP on
 * 127.0.0.1 against a real node: `POST /v1/jobs` beyond `writesPerMinute`
 * from one address answers 429 `ERR_RATE_LIMITED` with `Retry-After`, before
 * anything else is checked, and is counted in
 * `trust_engine_http_rate_limited_total{route}`; another client address
 * (127.0.0.2, also loopback) has its own bucket; `DELETE /v1/schedules/:id`
 * shares the bucket; uploads' own limit answers the same way. The limits
 * come from the config file's `rateLimits` into the node's API options.
 */
import { join } from 'node:path'
import { writeFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ERR_CONFIG_INVALID, parseConfigFile } from '../../../node/config/config-file.ts'
import { resolveNodeInit } from '../../../node/cli/commands/node.ts'
import { tempDir } from '../../../sim/cluster.ts'
import { startTestNode, type TestNode } from './fixtures.ts'
import { type SentAnswer, sendFrom } from './send-from.ts'

let t: TestNode

beforeAll(async () => { t = await startTestNode({ api: { writesPerMinute: 3, uploadsPerMinute: 2 } }) })
afterAll(async () => { await t.close() })

/** One request from local address `from`; resolves with status, `Retry-After` and the error code. */
async function send (method: string, path: string, from: string, body?: Uint8Array, type = 'application/json'): Promise<SentAnswer> {
  return await sendFrom(t.url, method, path, from, body, type)
}

const job = new TextEncoder().encode(JSON.stringify({ kind: 'frames', reference: ['a'.repeat(64)], candidate: ['b'.repeat(64)] }))

async function limitedCount (route: string): Promise<number> {
  const text = await t.node.metricsRegistry.getSingleMetricAsString('trust_engine_http_rate_limited_total')
  const line = text.split('\n').find((l) => l.startsWith(`trust_engine_http_rate_limited_total{route="${route}"}`))
  return line === undefined ? 0 : Number(line.split(' ').at(-1))
}

describe('per-client rate limits of the API', () => {
  it('answers 429 ERR_RATE_LIMITED with Retry-After past writesPerMinute from one address, counts it, and leaves other addresses alone', async () => {
    // Within the limit the request reaches the node (which refuses the unknown blobs: 400, not 429).
    for (let i = 0; i < 2; i++) expect(await send('POST', '/v1/jobs', '127.0.0.1', job)).toMatchObject({ status: 400, code: 'ERR_BLOB_UNKNOWN' })
    // A cancellation spends from the same bucket (404: no such schedule).
    expect(await send('DELETE', `/v1/schedules/${'c'.repeat(32)}`, '127.0.0.1')).toMatchObject({ status: 404 })
    const refused = await send('POST', '/v1/jobs', '127.0.0.1', job)
    expect(refused).toMatchObject({ status: 429, code: 'ERR_RATE_LIMITED' })
    // 3 a minute: the next token comes within 20 s.
    expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(1)
    expect(Number(refused.retryAfter)).toBeLessThanOrEqual(20)
    expect(await send('DELETE', `/v1/schedules/${'c'.repeat(32)}`, '127.0.0.1')).toMatchObject({ status: 429, code: 'ERR_RATE_LIMITED' })
    expect(await limitedCount('/v1/jobs')).toBe(1)
    expect(await limitedCount('/v1/schedules/:id')).toBe(1)
    // Another client address has its own bucket.
    expect(await send('POST', '/v1/jobs', '127.0.0.2', job)).toMatchObject({ status: 400, code: 'ERR_BLOB_UNKNOWN' })
    // Reads spend from their own bucket (test/node/api/read-rate-limit.test.ts).
    expect((await send('GET', '/v1/jobs', '127.0.0.1')).status).toBe(200)
  })

  it('refuses uploads past uploadsPerMinute the same way, with Retry-After and the metric', async () => {
    const blob = new Uint8Array([1, 2, 3])
    for (let i = 0; i < 2; i++) expect((await send('POST', '/v1/blobs', '127.0.0.3', blob, 'application/octet-stream')).status).toBe(201)
    const refused = await send('POST', '/v1/blobs', '127.0.0.3', blob, 'application/octet-stream')
    expect(refused).toMatchObject({ status: 429, code: 'ERR_RATE_LIMITED' })
    expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(1)
    expect(await limitedCount('/v1/blobs')).toBe(1)
  })

  it('are set by the config file\'s rateLimits, checked at the edge', async () => {
    const bytes = (o: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(o))
    expect(() => parseConfigFile(bytes({ rateLimits: { writesPerMinute: 0 } }))).toThrow(expect.objectContaining({ code: ERR_CONFIG_INVALID }))
    expect(() => parseConfigFile(bytes({ rateLimits: { deletesPerMinute: 5 } }))).toThrow(expect.objectContaining({ code: ERR_CONFIG_INVALID }))
    const dir = tempDir('rate-limits')
    const file = join(dir, 'config.json')
    writeFileSync(file, JSON.stringify({ dataDir: '.', api: '127.0.0.1:0', rateLimits: { writesPerMinute: 7, uploadBytesPerMinute: 1024 } }))
    const init = await resolveNodeInit({ config: file })
    expect(init.api).toMatchObject({ host: '127.0.0.1', port: 0, writesPerMinute: 7, uploadBytesPerMinute: 1024 })
    expect(init.api).not.toHaveProperty('uploadsPerMinute')
  })
})

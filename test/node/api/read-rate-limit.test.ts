/**
 * The per-client limit of the API's reading routes, over real HTTP against a
 * real node from two loopback addresses: past `readsPerMinute` reads from
 * 127.0.0.1, a read answers 429 `ERR_RATE_LIMITED` with `Retry-After` and is
 * counted in `trust_engine_http_rate_limited_total{route}`, the event
 * stream's opening included, while 127.0.0.2 reads on (the two addresses
 * tracked, in `trust_engine_rate_limit_keys{limiter="api-reads"}`); `/healthz` and
 * `/metrics` are not limited, and writes spend from their own bucket. The
 * limit comes from the config file's `rateLimits.readsPerMinute`.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEFAULT_API_OPTIONS } from '../../../node/api/options.ts'
import { resolveNodeInit } from '../../../node/cli/commands/node.ts'
import { ERR_CONFIG_INVALID, parseConfigFile } from '../../../node/config/config-file.ts'
import { tempDir } from '../../../sim/cluster.ts'
import { startTestNode, type TestNode } from './fixtures.ts'
import { type SentAnswer, sendFrom } from './send-from.ts'

let t: TestNode

beforeAll(async () => { t = await startTestNode({ api: { readsPerMinute: 3 } }) })
afterAll(async () => { await t.close() })

/** One request from local address `from`; resolves with status, `Retry-After` and the error code. */
async function send (method: string, path: string, from: string, body?: Uint8Array): Promise<SentAnswer> {
  return await sendFrom(t.url, method, path, from, body)
}

async function limitedCount (route: string): Promise<number> {
  const text = await t.node.metricsRegistry.getSingleMetricAsString('trust_engine_http_rate_limited_total')
  const line = text.split('\n').find((l) => l.startsWith(`trust_engine_http_rate_limited_total{route="${route}"}`))
  return line === undefined ? 0 : Number(line.split(' ').at(-1))
}

const job = new TextEncoder().encode(JSON.stringify({ kind: 'frames', reference: ['a'.repeat(64)], candidate: ['b'.repeat(64)] }))
const unknownJob = `/v1/jobs/${'d'.repeat(64)}`

describe('the per-client limit of reads', () => {
  it('answers 429 ERR_RATE_LIMITED with Retry-After past readsPerMinute from one address, counts it, and leaves the other address alone', async () => {
    expect((await send('GET', '/v1/jobs', '127.0.0.1')).status).toBe(200)
    expect(await send('GET', unknownJob, '127.0.0.1')).toMatchObject({ status: 404, code: 'ERR_JOB_NOT_FOUND' })
    expect((await send('GET', '/v1/node', '127.0.0.1')).status).toBe(200)
    const refused = await send('GET', unknownJob, '127.0.0.1')
    expect(refused).toMatchObject({ status: 429, code: 'ERR_RATE_LIMITED' })
    // 3 a minute: the next token comes within 20 s.
    expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(1)
    expect(Number(refused.retryAfter)).toBeLessThanOrEqual(20)
    expect(await send('GET', '/v1/jobs', '127.0.0.1')).toMatchObject({ status: 429, code: 'ERR_RATE_LIMITED' })
    // The event stream's opening is a read too.
    expect(await send('GET', '/v1/events', '127.0.0.1')).toMatchObject({ status: 429, code: 'ERR_RATE_LIMITED' })
    expect(await limitedCount('/v1/jobs/:id')).toBe(1)
    expect(await limitedCount('/v1/jobs')).toBe(1)
    expect(await limitedCount('/v1/events')).toBe(1)
    // Another client address has its own bucket.
    for (let i = 0; i < 3; i++) expect((await send('GET', '/v1/jobs', '127.0.0.2')).status).toBe(200)
    expect((await send('GET', '/v1/jobs', '127.0.0.2')).status).toBe(429)
    // The two client addresses are the reads limiter's keys; the node's peer limiters are shown too (no peer here).
    const keys = await t.node.metricsRegistry.getSingleMetricAsString('trust_engine_rate_limit_keys')
    expect(keys).toContain('trust_engine_rate_limit_keys{limiter="api-reads"} 2')
    expect(keys).toContain('trust_engine_rate_limit_keys{limiter="api-writes"} 0')
    expect(keys).toContain('trust_engine_rate_limit_keys{limiter="gossip-peers"} 0')
    expect(keys).toContain('trust_engine_rate_limit_keys{limiter="inbound-connections"} 0')
    for (const limiter of ['catch-up-serve-votes', 'catch-up-serve-open-jobs', 'catch-up-serve-certificates', 'blob-serve-bytes', 'catch-up-own-asks']) {
      expect(keys).toContain(`trust_engine_rate_limit_keys{limiter="${limiter}"} 0`)
    }
  })

  it('does not limit /healthz and /metrics, nor charge writes to the reads\' bucket', async () => {
    // 127.0.0.3 spends its reads (three, a fourth refused).
    const statuses = []
    for (let i = 0; i < 4; i++) statuses.push((await send('GET', '/v1/reputation', '127.0.0.3')).status)
    expect(statuses).toEqual([200, 200, 200, 429])
    for (let i = 0; i < 10; i++) {
      expect((await send('GET', '/healthz', '127.0.0.3')).status).toBe(200)
      expect((await send('GET', '/metrics', '127.0.0.3')).status).toBe(200)
    }
    // A write reaches the node (which refuses the unknown blobs: 400, not 429).
    expect(await send('POST', '/v1/jobs', '127.0.0.3', job)).toMatchObject({ status: 400, code: 'ERR_BLOB_UNKNOWN' })
  })

  it('is set by the config file\'s rateLimits.readsPerMinute, checked at the edge, 1200 by default', async () => {
    expect(DEFAULT_API_OPTIONS.readsPerMinute).toBe(1200)
    const bytes = (o: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(o))
    expect(() => parseConfigFile(bytes({ rateLimits: { readsPerMinute: 0 } }))).toThrow(expect.objectContaining({ code: ERR_CONFIG_INVALID }))
    expect(() => parseConfigFile(bytes({ rateLimits: { readsPerMinute: 1.5 } }))).toThrow(expect.objectContaining({ code: ERR_CONFIG_INVALID }))
    const file = join(tempDir('read-limit'), 'config.json')
    writeFileSync(file, JSON.stringify({ dataDir: '.', api: '127.0.0.1:0', rateLimits: { readsPerMinute: 90 } }))
    const init = await resolveNodeInit({ config: file })
    expect(init.api).toMatchObject({ host: '127.0.0.1', port: 0, readsPerMinute: 90 })
  })
})

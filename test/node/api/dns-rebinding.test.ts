/**
 * DNS rebinding: a web page on evil.example whose name is rebound to
 * 127.0.0.1 is same-origin with a node's loopback API, which has no token by
 * default; it could read the node and make it upload, sign and gossip jobs.
 * Its requests still say `Host: evil.example`, so a loopback API answers
 * only requests for a loopback host (403 ERR_HOST_NOT_ALLOWED otherwise).
 */
import { request } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hostOfHeader } from '../../../node/api/server.ts'
import { referencePng, startTestNode, type TestNode } from './fixtures.ts'

let t: TestNode
beforeAll(async () => { t = await startTestNode() })
afterAll(async () => { await t.close() })

/** `method path` to the test node with the given `Host` header (none when null). */
async function withHost (host: string | null, method: string, path: string, body?: Uint8Array): Promise<{ status: number, code: string | undefined }> {
  const { hostname, port } = new URL(t.url)
  const headers: Record<string, string | number> = body === undefined ? {} : { 'content-type': 'application/octet-stream', 'content-length': body.byteLength }
  if (host !== null) headers.host = host
  return await new Promise((resolve, reject) => {
    const req = request({ host: hostname, port: Number(port), method, path, headers, setHost: host === null ? false : undefined }, (res) => {
      let text = ''
      res.on('data', (d: Buffer) => { text += d.toString() })
      res.on('end', () => {
        let code: string | undefined
        try { code = (JSON.parse(text) as { error?: { code?: string } }).error?.code } catch {}
        resolve({ status: res.statusCode!, code })
      })
    })
    req.on('error', reject)
    req.end(body)
  })
}

describe('a loopback API and the Host header', () => {
  it('refuses reads and writes for a foreign host', async () => {
    for (const host of ['evil.example', 'evil.example:7700', 'attacker.127.0.0.1.nip.io', '10.0.0.1', '[fe80::1]:7700']) {
      expect(await withHost(host, 'GET', '/v1/node')).toEqual({ status: 403, code: 'ERR_HOST_NOT_ALLOWED' })
      expect(await withHost(host, 'POST', '/v1/blobs', referencePng())).toEqual({ status: 403, code: 'ERR_HOST_NOT_ALLOWED' })
    }
  })
  it("answers loopback hosts, with or without a port, and the project's own clients", async () => {
    const { port } = new URL(t.url)
    for (const host of [`127.0.0.1:${port}`, '127.0.0.1', 'localhost', `LOCALHOST:${port}`, '127.1.2.3:80', `[::1]:${port}`]) {
      expect((await withHost(host, 'GET', '/v1/node')).status).toBe(200)
    }
    expect((await withHost(`127.0.0.1:${port}`, 'POST', '/v1/blobs', referencePng())).status).toBe(201)
    expect((await fetch(`${t.url}/v1/node`)).status).toBe(200)
  })
})

describe('hostOfHeader', () => {
  it('strips the port, keeps IPv6 brackets, lowercases', () => {
    expect(hostOfHeader('127.0.0.1:7700')).toBe('127.0.0.1')
    expect(hostOfHeader('[::1]:7700')).toBe('[::1]')
    expect(hostOfHeader('[::1]')).toBe('[::1]')
    expect(hostOfHeader('LocalHost')).toBe('localhost')
    expect(hostOfHeader('evil.example:80')).toBe('evil.example')
  })
})

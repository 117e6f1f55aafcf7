/**
 * The bound on blob uploads being received at once, against a real node and
 * its HTTP API: an upload whose declared bytes would take the uploads in
 * flight over `maxUploadBytesInFlight` answers 503 ERR_UPLOADS_BUSY before
 * its body is read, the gauge shows the bytes held, and the room comes back
 * when an upload ends.
 */
import { connect, type Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { NODE_METRIC_NAMES } from '../../../node/metrics.ts'
import { sha256Hex } from '../../../protocol/hash.ts'
import { octets, startTestNode, type TestNode } from './fixtures.ts'
import { waitUntil } from '../p2p/fixtures/cluster.ts'

let t: TestNode

beforeAll(async () => { t = await startTestNode({ api: { maxBlobBytes: 1000, maxUploadBytesInFlight: 1000 } }) })
afterAll(async () => { await t.close() })

const inFlight = async (): Promise<number> => {
  const text = await t.node.metricsRegistry.getSingleMetricAsString(NODE_METRIC_NAMES.blobUploadsInFlight)
  return Number(text.split('\n').at(-1)!.split(' ')[1])
}

describe('uploads in flight', () => {
  it('answers 503 ERR_UPLOADS_BUSY past the bytes in flight, before reading the body, and takes uploads again once one ends', async () => {
    // A client that declares 800 bytes and sends them only later holds 800 of the 1000.
    const { port, hostname } = new URL(t.url)
    const slow: Socket = connect(Number(port), hostname)
    const answer = new Promise<string>((resolve, reject) => {
      let out = ''
      slow.on('data', (d) => { out += d.toString(); if (out.includes('\r\n\r\n') && out.includes('}')) resolve(out) })
      slow.on('close', () => { resolve(out) })
      slow.on('error', reject)
    })
    const held = new Uint8Array(800).fill(9)
    slow.write(`POST /v1/blobs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/octet-stream\r\nContent-Length: ${held.byteLength}\r\n\r\n`)
    await waitUntil(async () => await inFlight() === 800, 'the slow upload holds its bytes')

    const small = new Uint8Array(300).fill(1)
    const busy = await fetch(`${t.url}/v1/blobs`, octets(small))
    expect(busy.status).toBe(503)
    expect(((await busy.json()) as { error: { code: string } }).error.code).toBe('ERR_UPLOADS_BUSY')
    expect(await t.node.hasBlob(sha256Hex(small))).toBe(false)
    // An upload that fits beside it goes through.
    const fits = new Uint8Array(200).fill(2)
    expect((await fetch(`${t.url}/v1/blobs`, octets(fits))).status).toBe(201)

    slow.write(held)
    expect(await answer).toMatch(/^HTTP\/1\.1 201 /)
    slow.destroy()
    await waitUntil(async () => await inFlight() === 0, 'released')
    expect((await fetch(`${t.url}/v1/blobs`, octets(small))).status).toBe(201)
    expect(await t.node.hasBlob(sha256Hex(held))).toBe(true)
  })
})

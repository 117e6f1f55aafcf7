/**
 * `GET /v1/events` against a real node (LevelDB, libp2p, worker-thread
 * measurement, real frames): a job's life as events in order, the per-job
 * filter, heartbeats, the client limit, query validation; and the per-client
 * buffer bound, with a reader that never reads on a real socket.
 */
import { EventEmitter } from 'node:events'
import { createServer, type Server } from 'node:http'
import { connect, type AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EventHub, type EventSource } from '../../../node/api/event-stream.ts'
import { startApi } from '../../../node/api/server.ts'
import { DEFAULT_EVENT_STREAM_OPTIONS } from '../../../node/api/event-stream.ts'
import { readEvents, type StreamEvent } from '../../../node/cli/event-stream-client.ts'
import { goodCandidatePng, json, octets, referencePng, startTestNode, type TestNode } from './fixtures.ts'

const HEARTBEAT_MS = 50

/** Reads raw stream text from `url` until `until` holds for it. */
async function readUntil (url: string, until: (text: string) => boolean): Promise<string> {
  const abort = new AbortController()
  const res = await fetch(url, { signal: abort.signal })
  let text = ''
  const decoder = new TextDecoder()
  for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
    text += decoder.decode(chunk, { stream: true })
    if (until(text)) break
  }
  abort.abort()
  return text
}

describe('GET /v1/events on a real node', () => {
  let t: TestNode
  beforeAll(async () => { t = await startTestNode({ api: { events: { ...DEFAULT_EVENT_STREAM_OPTIONS, heartbeatMs: HEARTBEAT_MS } } }) })
  afterAll(async () => { await t.close() })

  async function submit (): Promise<string> {
    const up = async (bytes: Uint8Array): Promise<string> => ((await (await fetch(`${t.url}/v1/blobs`, octets(bytes))).json()) as { sha256: string }).sha256
    const r = await fetch(`${t.url}/v1/jobs`, json({ kind: 'frames', reference: [await up(referencePng(3))], candidate: [await up(goodCandidatePng(3))] }))
    expect(r.status).toBe(201)
    return ((await r.json()) as { jobId: string }).jobId
  }

  it('announces a job as accepted, then its vote before its final status, and its evidence after its vote', async () => {
    const abort = new AbortController()
    const events: StreamEvent[] = []
    const stream = readEvents(t.url, { signal: abort.signal })
    const first = await stream.next()
    expect(first.value).toMatchObject({ event: 'hello', data: { networkId: 'api-test', peerId: t.node.info().peerId } })
    const jobId = await submit()
    // The evidence is made after the vote (docs/decisions.md), so it may come before or after the final status.
    let final = false
    let evidence = false
    for await (const e of stream) {
      events.push(e)
      const data = e.data as { jobId?: string, final?: boolean }
      if (data.jobId !== jobId) continue
      if (e.event === 'job' && data.final === true) final = true
      if (e.event === 'evidence') evidence = true
      if (final && evidence) break
    }
    abort.abort()
    const mine = events.filter((e) => (e.data as { jobId: string }).jobId === jobId)
    const kinds = mine.map((e) => e.event)
    expect([...kinds].sort()).toEqual(['evidence', 'job', 'job', 'vote'])
    expect(kinds[0]).toBe('job')
    expect(kinds.indexOf('vote')).toBeLessThan(kinds.lastIndexOf('job'))
    expect(kinds.indexOf('vote')).toBeLessThan(kinds.indexOf('evidence'))
    expect(mine[0]!.data).toMatchObject({ jobId, kind: 'frames', status: 'pending', final: false, votes: 0 })
    expect(mine.find((e) => e.event === 'evidence')!.data).toEqual({ jobId, round: 0 })
    expect(mine.find((e) => e.event === 'vote')!.data).toEqual({ jobId, voter: t.key.publicKey, round: 0 })
    expect(mine.findLast((e) => e.event === 'job')!.data).toMatchObject({ jobId, status: 'validated', final: true, votes: 1, round: 0 })
  })

  it('sends a filtered client only its job\'s events, and heartbeats to everyone', async () => {
    const other = 'ef'.repeat(32)
    const filtered = readUntil(`${t.url}/v1/events?job=${other}`, (text) => text.includes('event: hello') && text.includes('\n: heartbeat\n\n', text.indexOf('event: hello')))
    // Everything written to the filtered client before a heartbeat that follows the job's final event arrives before it.
    const all = readUntil(`${t.url}/v1/events`, (text) => /"final":true/.test(text) && text.includes(': heartbeat', text.search(/"final":true/)))
    await new Promise((resolve) => setTimeout(resolve, 0))
    const jobId = await submit()
    const [a, f] = await Promise.all([all, filtered])
    expect(a).toContain(jobId)
    expect(f).not.toContain('event: job')
    expect(f).not.toContain('event: vote')
    expect(f).toMatch(/^retry: 2000\nevent: hello\n/)
  })

  it('refuses a client beyond maxClients with 503 ERR_EVENTS_BUSY, and malformed queries with 400', async () => {
    // A second API of the same node, with its own hub: no stream of the other tests counts.
    const api = await startApi(t.node, { port: 0, events: { ...DEFAULT_EVENT_STREAM_OPTIONS, maxClients: 3 } })
    const abort = new AbortController()
    try {
      const open = await Promise.all([0, 1, 2].map(async () => await fetch(`${api.url}/v1/events`, { signal: abort.signal })))
      expect(open.map((r) => r.status)).toEqual([200, 200, 200])
      const busy = await fetch(`${api.url}/v1/events`)
      expect([busy.status, ((await busy.json()) as { error: { code: string } }).error.code]).toEqual([503, 'ERR_EVENTS_BUSY'])
    } finally {
      abort.abort()
      await api.close()
    }
    for (const q of ['job=xyz', 'job=' + 'A'.repeat(64), 'other=1']) {
      const r = await fetch(`${t.url}/v1/events?${q}`)
      expect([r.status, ((await r.json()) as { error: { code: string } }).error.code]).toEqual([400, 'ERR_BAD_REQUEST'])
    }
  })
})

describe('EventHub back-pressure', () => {
  let server: Server
  let hub: EventHub
  const reported = { clients: [] as number[], dropped: 0 }
  const emitter = new EventEmitter()
  const source: EventSource = { on: (event, listener) => { emitter.on(event, listener); return () => { emitter.off(event, listener) } } }

  beforeAll(async () => {
    hub = new EventHub(source, { maxClients: 8, maxBufferedBytes: 64 * 1024, heartbeatMs: 60_000 }, { clients: (n) => { reported.clients.push(n) }, dropped: () => { reported.dropped++ } })
    server = createServer((_req, res) => { hub.attach(res, { hello: true }) })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  })
  afterAll(async () => {
    hub.close()
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  })

  it('drops a client that does not read once its buffer passes the bound; a reading client gets every event', async () => {
    const port = (server.address() as AddressInfo).port
    const stalled = connect(port, '127.0.0.1')
    stalled.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n')
    stalled.pause()
    const closed = new Promise<void>((resolve) => stalled.on('close', () => { resolve() }))
    const abort = new AbortController()
    const reader = readEvents(`http://127.0.0.1:${port}`, { signal: abort.signal })
    expect((await reader.next()).value?.event).toBe('hello')
    for (let i = 0; i < 100 && hub.clients < 2; i++) await new Promise((resolve) => setTimeout(resolve, 10))
    expect(hub.clients).toBe(2)

    // About 30 MiB of events in all: far beyond the socket buffers and the 64 KiB bound. The reader is
    // never more than 10 events (30 KB) behind, so it stays within the bound; the stalled client does not.
    const padding = 'x'.repeat(3000)
    const total = 10_000
    let received = 0
    const reading = (async () => {
      for await (const e of reader) {
        if (e.event === 'vote' && ++received === total) break
      }
    })()
    for (let i = 0; i < total; i++) {
      while (i - received >= 10) await new Promise((resolve) => setTimeout(resolve, 1))
      emitter.emit('job:vote', { jobId: padding, voter: String(i), round: 0 })
    }
    await reading
    expect(hub.counters.dropped).toBe(1)
    expect(hub.clients).toBe(1)
    expect(reported.dropped).toBe(1)
    expect(reported.clients.slice(0, 2)).toEqual([1, 2])
    abort.abort()
    // The stalled client, reading at last, finds its stream cut short.
    let got = 0
    stalled.on('data', (chunk: Buffer) => { got += chunk.length })
    stalled.resume()
    await closed
    expect(got).toBeLessThan(total * padding.length)
    expect(received).toBe(total)
    expect(hub.counters.dropped).toBe(1)
  })
})

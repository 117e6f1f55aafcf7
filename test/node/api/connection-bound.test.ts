/**
 * The bound on the HTTP API's open connections, against a real node: with
 * `maxConnections` connections open, a new one is closed at once and
 * counted; once one closes, requests are served again.
 */
import { once } from 'node:events'
import { connect, type Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { NODE_METRIC_NAMES } from '../../../node/metrics.ts'
import { startTestNode, type TestNode } from './fixtures.ts'
import { waitUntil } from '../p2p/fixtures/cluster.ts'

let t: TestNode

beforeAll(async () => { t = await startTestNode({ api: { maxConnections: 2 } }) })
afterAll(async () => { await t.close() })

const dropped = async (): Promise<number> => {
  const text = await t.node.metricsRegistry.getSingleMetricAsString(NODE_METRIC_NAMES.httpConnectionsDropped)
  return Number(text.split('\n').at(-1)!.split(' ')[1])
}

/** An idle connection, once the server has answered a request on it (so the server counts it). */
async function openConnection (): Promise<Socket> {
  const { port, hostname } = new URL(t.url)
  const socket = connect(Number(port), hostname)
  await once(socket, 'connect')
  socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n')
  await once(socket, 'data')
  return socket
}

describe('HTTP connections', () => {
  it('closes a connection beyond maxConnections at once, counts it, and serves again once one closes', async () => {
    const held = [await openConnection(), await openConnection()]
    const { port, hostname } = new URL(t.url)
    const extra = connect(Number(port), hostname)
    extra.on('error', () => {})
    extra.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n')
    let answered = false
    extra.on('data', () => { answered = true })
    await once(extra, 'close')
    expect(answered).toBe(false)
    await waitUntil(async () => await dropped() === 1, 'drop counted')

    held[0]!.destroy()
    await waitUntil(async () => { try { return (await fetch(`${t.url}/healthz`)).status === 200 } catch { return false } }, 'served again')
    held[1]!.destroy()
  })
})

describe('HTTP connections per client address', () => {
  let u: TestNode
  beforeAll(async () => { u = await startTestNode({ api: { maxConnectionsPerClient: 2 } }) })
  afterAll(async () => { await u.close() })

  const droppedPerClient = async (): Promise<number> => {
    const text = await u.node.metricsRegistry.getSingleMetricAsString(NODE_METRIC_NAMES.httpConnectionsDropped)
    const line = text.split('\n').find((l) => l.includes('bound="maxConnectionsPerClient"'))
    return line === undefined ? 0 : Number(line.split(' ').at(-1))
  }

  /** A connection from local address `from` that sent a request; resolves with whether it was answered before it closed (or once answered). */
  async function request (from: string, keep: Socket[]): Promise<boolean> {
    const { port, hostname } = new URL(u.url)
    const socket = connect({ port: Number(port), host: hostname, localAddress: from })
    socket.on('error', () => {})
    keep.push(socket)
    socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n')
    return await new Promise((resolve) => {
      socket.once('data', () => { resolve(true) })
      socket.once('close', () => { resolve(false) })
    })
  }

  it('closes a connection beyond maxConnectionsPerClient from one address at once, counts it, and serves other addresses', async () => {
    const held: Socket[] = []
    expect(await request('127.0.0.1', held)).toBe(true)
    expect(await request('127.0.0.1', held)).toBe(true)
    expect(await request('127.0.0.1', held)).toBe(false)
    await waitUntil(async () => await droppedPerClient() === 1, 'drop counted')
    expect(await request('127.0.0.2', held)).toBe(true)
    // Once one of its connections closes, the address is served again.
    held[0]!.destroy()
    await waitUntil(async () => await request('127.0.0.1', held), 'served again')
    for (const s of held) s.destroy()
  })
})

/**
 * The node's own bounds on inbound connections, with real TCP dials from
 * 127.0.0.1: handshakes in progress, connections per second from one
 * address, connections open. Each refusal is counted with its code (libp2p's
 * own limits, set above the node's, refuse silently).
 */
import { connect, type Socket } from 'node:net'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { multiaddr } from '@multiformats/multiaddr'
import { afterEach, describe, expect, it } from 'vitest'
import type { MultiaddrConnection } from '@libp2p/interface'
import { CounterTally, DEFAULT_HOST_OPTIONS, InboundLimits, createHost, libp2pConnectionLimits, type Host, type HostOptions } from '../../../node/p2p/index.ts'
import { waitUntil } from './fixtures/cluster.ts'

const hosts: Host[] = []
const sockets: Socket[] = []
afterEach(async () => {
  for (const s of sockets) s.destroy()
  sockets.length = 0
  await Promise.all(hosts.map(async (h) => { await h.stop() }))
  hosts.length = 0
})

async function server (options: Partial<HostOptions>): Promise<{ server: Host, counters: CounterTally, port: number }> {
  const counters = new CounterTally()
  const host = await createHost({ privateKey: await generateKeyPair('Ed25519'), networkId: 'limitnet', counters, ...options })
  hosts.push(host)
  await host.start()
  const port = Number(multiaddr(host.multiaddrs()[0]!).toOptions().port)
  return { server: host, counters, port }
}

/** A TCP connection to `port` that never says a word (a handshake that never ends). */
async function silentSocket (port: number): Promise<Socket> {
  return await new Promise((resolve) => {
    const s = connect(port, '127.0.0.1', () => { resolve(s) })
    s.on('error', () => {})
    sockets.push(s)
  })
}

async function peer (): Promise<Host> {
  const h = await createHost({ privateKey: await generateKeyPair('Ed25519'), networkId: 'limitnet' })
  hosts.push(h)
  await h.start()
  return h
}

describe('inbound connection limits', () => {
  it('refuses and counts a connection beyond the handshakes in progress, and frees the place when a socket closes', async () => {
    // Handshakes never time out during the test, whatever the machine's speed.
    const { server: s, counters, port } = await server({ maxPendingConnections: 2, handshakeTimeoutMs: 3_600_000 })
    const first = [await silentSocket(port), await silentSocket(port)]
    await waitUntil(() => s.admission.pendingHandshakes === 2, 'two handshakes in progress')
    await silentSocket(port)
    await waitUntil(() => counters.get('refused|ERR_TOO_MANY_PENDING_CONNECTIONS') === 1, 'the third refused and counted')
    expect(s.admission.pendingHandshakes).toBe(2)
    for (const sock of first) sock.destroy()
    await waitUntil(() => s.admission.pendingHandshakes === 0, 'closed sockets no longer count')
    const p = await peer()
    await p.libp2p.dial(multiaddr(s.multiaddrs()[0]!))
    await waitUntil(() => s.isAdmitted(p.peerId), 'a peer admitted once the places are free')
    expect(counters.get('refused|ERR_TOO_MANY_PENDING_CONNECTIONS')).toBe(1)
  })

  it('refuses and counts connections from one address beyond its rate', async () => {
    const { server: s, counters, port } = await server({ inboundConnectionsPerSecond: 1 })
    await Promise.all(Array.from({ length: 20 }, async () => await silentSocket(port)))
    // libp2p lets 4 a second through (its backstop), of which the node takes 1 a second.
    await waitUntil(() => counters.get('refused|ERR_CONNECTION_RATE') >= 1, 'a connection refused for its rate and counted')
    expect(s.admission.pendingHandshakes).toBeLessThan(20)
  })

  it('refuses and counts an inbound connection beyond maxConnections', async () => {
    const { server: s, counters } = await server({ maxConnections: 2 })
    for (let i = 0; i < 2; i++) {
      const p = await peer()
      await p.libp2p.dial(multiaddr(s.multiaddrs()[0]!))
      await waitUntil(() => s.isAdmitted(p.peerId), 'peer admitted')
    }
    const third = await peer()
    await expect(third.libp2p.dial(multiaddr(s.multiaddrs()[0]!))).rejects.toThrow()
    await waitUntil(() => counters.get('refused|ERR_TOO_MANY_CONNECTIONS') === 1, 'the third refused and counted')
    expect(s.libp2p.getConnections().length).toBe(2)
  })

  it('sets libp2p\'s own limits explicitly, above the node\'s', () => {
    const node = { maxConnections: DEFAULT_HOST_OPTIONS.maxConnections, maxPendingConnections: DEFAULT_HOST_OPTIONS.maxPendingConnections, inboundConnectionsPerSecond: DEFAULT_HOST_OPTIONS.inboundConnectionsPerSecond, handshakeTimeoutMs: DEFAULT_HOST_OPTIONS.handshakeTimeoutMs }
    expect(libp2pConnectionLimits(node)).toEqual({ maxConnections: 1600, maxIncomingPendingConnections: 20, inboundConnectionThreshold: 200, inboundUpgradeTimeout: 10_000 })
  })
})

describe('InboundLimits', () => {
  it('counts a handshake until it is done, its socket closes or its time is up, and checks in order: handshakes, rate, count', () => {
    let now = 0
    const limits = new InboundLimits({ maxConnections: 5, maxPendingConnections: 2, inboundConnectionsPerSecond: 3, handshakeTimeoutMs: 10_000 }, () => now)
    const conn = (ip: string): MultiaddrConnection => ({ remoteAddr: multiaddr(`/ip4/${ip}/tcp/4001`), timeline: { open: now } }) as unknown as MultiaddrConnection
    const a = conn('10.0.0.1')
    const b = conn('10.0.0.1')
    expect(limits.admit(a, 0)).toBeNull()
    expect(limits.admit(b, 0)).toBeNull()
    expect(limits.admit(conn('10.0.0.2'), 0)).toBe('ERR_TOO_MANY_PENDING_CONNECTIONS')
    limits.handshakeDone(a)
    b.timeline.close = now
    expect(limits.pending).toBe(0)
    // Address 10.0.0.1 spent 2 of its 3 tokens.
    expect(limits.admit(conn('10.0.0.1'), 0)).toBeNull()
    expect(limits.admit(conn('10.0.0.1'), 0)).toBe('ERR_CONNECTION_RATE')
    expect(limits.admit(conn('10.0.0.3'), 5)).toBe('ERR_TOO_MANY_CONNECTIONS')
    // A handshake that never ends stops counting after handshakeTimeoutMs (libp2p aborts it).
    expect(limits.pending).toBe(1)
    now += 10_001
    expect(limits.pending).toBe(0)
    expect(limits.admit(conn('10.0.0.1'), 4)).toBeNull()
  })
})

/**
 * The user-space relays (sim/relay.ts) with real TCP sockets on 127.0.0.1:
 * bytes arrive in order, no earlier than the link's delay, and a partition
 * holds them until it heals.
 */
import { type Server, type Socket, connect, createServer } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { RelayMesh } from '../../sim/relay.ts'
import { parseScenario } from '../../sim/scenario.ts'

/** An echo server standing in for node B. */
async function echo (): Promise<{ server: Server, port: number }> {
  const server = createServer((s) => s.pipe(s))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  return { server, port: (server.address() as { port: number }).port }
}

const entry = (name: string, port: number) => ({ name, peerId: `peer-${name}`, publicKey: '', config: '', apiUrl: '', listen: `/ip4/127.0.0.1/tcp/${port}/p2p/peer-${name}` })

/** Sends `text` through relay A→B and resolves with the echo and the time it took (ms). */
async function roundTrip (addr: string, text: string): Promise<{ reply: string, ms: number }> {
  const port = Number(/\/tcp\/(\d+)/.exec(addr)![1])
  const t0 = Date.now()
  const socket: Socket = connect(port, '127.0.0.1')
  socket.write(text)
  let reply = ''
  await new Promise<void>((resolve) => socket.on('data', (d) => { reply += d.toString(); if (reply.length >= text.length) resolve() }))
  socket.destroy()
  return { reply, ms: Date.now() - t0 }
}

describe('relays', () => {
  const cleanups: Array<() => Promise<void>> = []
  afterEach(async () => { for (const c of cleanups.splice(0)) await c() })

  it('are not used when the scenario asks for no condition', async () => {
    const s = parseScenario({ name: 'x', nodes: [{ count: 2 }] })
    const mesh = new RelayMesh(s.network, s.seed)
    expect(mesh.active).toBe(false)
    await mesh.prepare(['node1', 'node2'])
    expect(mesh.route('node1', entry('node2', 1234))).toBe('/ip4/127.0.0.1/tcp/1234/p2p/peer-node2')
  })

  it('delay both directions of a link, in order', async () => {
    const b = await echo()
    const s = parseScenario({ name: 'x', nodes: [{ count: 2 }], network: { delayMs: 150 } })
    const mesh = new RelayMesh(s.network, s.seed)
    cleanups.push(async () => { await mesh.stop(); b.server.close() })
    await mesh.prepare(['node1', 'node2'])
    const addr = mesh.route('node1', entry('node2', b.port))
    expect(addr).toMatch(/\/p2p\/peer-node2$/)
    await mesh.start([entry('node1', 1), entry('node2', b.port)])
    const { reply, ms } = await roundTrip(addr, 'hello through the relay')
    expect(reply).toBe('hello through the relay')
    // There and back: at least twice the one-way delay.
    expect(ms).toBeGreaterThanOrEqual(300)
  })

  it('hold bytes across a partition and release them when it heals', async () => {
    const b = await echo()
    const s = parseScenario({ name: 'x', nodes: [{ count: 2 }], network: { partitions: [{ groups: [['node1'], ['node2']], fromMs: 0, healMs: 400 }] } })
    const mesh = new RelayMesh(s.network, s.seed)
    cleanups.push(async () => { await mesh.stop(); b.server.close() })
    await mesh.prepare(['node1', 'node2'])
    await mesh.start([entry('node1', 1), entry('node2', b.port)])
    const t0 = Date.now()
    mesh.schedule(t0)
    expect(mesh.cut('node1', 'node2', t0 + 100)).toBe(true)
    expect(mesh.cut('node1', 'node2', t0 + 400)).toBe(false)
    const { reply } = await roundTrip(mesh.route('node1', entry('node2', b.port)), 'held')
    expect(reply).toBe('held')
    expect(Date.now()).toBeGreaterThanOrEqual(t0 + 400)
  })
})

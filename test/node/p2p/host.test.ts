/**
 * The host in one process (real libp2p over 127.0.0.1): options checked at
 * the edge, start/stop idempotent, gossip adapter refusals, publishing before
 * any peer, version gating, the validation timeout and the bound on
 * messages in validation per topic, and the redial targets kept.
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import { afterEach, describe, expect, it } from 'vitest'
import {
  CounterTally, ERR_GOSSIP_QUEUE_FULL, ERR_HOST_STOPPED, ERR_MESSAGE_TOO_LARGE, ERR_NO_VALIDATOR, ERR_P2P_OPTIONS, ERR_UNKNOWN_TOPIC,
  createHost, type Host, type HostOptions
} from '../../../node/p2p/index.ts'
import { MAX_MESSAGE_BYTES } from '../../../protocol/constants.ts'
import { waitUntil } from './fixtures/cluster.ts'

const hosts: Host[] = []
afterEach(async () => {
  await Promise.all(hosts.map(async (h) => { await h.stop() }))
  hosts.length = 0
})

async function host (options: Partial<HostOptions> = {}): Promise<Host> {
  const h = await createHost({ privateKey: await generateKeyPair('Ed25519'), networkId: 'testnet', ...options })
  hosts.push(h)
  return h
}

describe('createHost', () => {
  it('refuses malformed options with ERR_P2P_OPTIONS', async () => {
    const privateKey = await generateKeyPair('Ed25519')
    await expect(createHost({ privateKey, networkId: 'Bad/Net' })).rejects.toMatchObject({ code: ERR_P2P_OPTIONS })
    await expect(createHost({ privateKey, networkId: 'n', listen: ['not a multiaddr'] })).rejects.toMatchObject({ code: ERR_P2P_OPTIONS })
    await expect(createHost({ privateKey, networkId: 'n', bootstrap: ['/ip4/1.2.3.4/tcp/x'] })).rejects.toMatchObject({ code: ERR_P2P_OPTIONS })
    await expect(createHost({ privateKey, networkId: 'n', protocolVersion: 0 })).rejects.toMatchObject({ code: ERR_P2P_OPTIONS })
    const rsaLike = { type: 'RSA', raw: privateKey.raw }
    await expect(createHost({ privateKey: rsaLike, networkId: 'n' })).rejects.toMatchObject({ code: ERR_P2P_OPTIONS })
  })

  it('opens nothing before start; start and stop may be called twice; a stopped host stays stopped', async () => {
    const h = await host()
    expect(h.multiaddrs()).toEqual([])
    await Promise.all([h.start(), h.start()])
    expect(h.multiaddrs()).toHaveLength(1)
    expect(h.multiaddrs()[0]).toMatch(/^\/ip4\/127\.0\.0\.1\/tcp\/\d+\/p2p\//)
    await h.stop()
    await h.stop()
    await expect(h.start()).rejects.toMatchObject({ code: ERR_HOST_STOPPED })
  })
})

describe('redial targets', () => {
  it('are the bootstrap peers and the peer book\'s while started, less a known peer given up, and none once stopped', async () => {
    const a = await host()
    await a.start()
    // A peer id of a host never started: nobody listens for it.
    const gone = (await host()).peerId.toString()
    // Port 1 on the loopback refuses at once: the known peer fails its one allowed dial.
    const b = await host({
      bootstrap: a.multiaddrs(),
      peerBook: { load: async () => [{ peerId: gone, multiaddrs: ['/ip4/127.0.0.1/tcp/1'], lastSeen: Date.now() }], save: async () => {} },
      redial: { knownPeerMaxFailures: 1, initialDelayMs: 10 }
    })
    expect(b.redialTargets).toBe(0)
    await b.start()
    expect(b.redialTargets).toBe(2)
    await waitUntil(async () => b.redialTargets === 1, 'the known peer given up')
    await b.stop()
    expect(b.redialTargets).toBe(0)
  })
})

describe('gossip adapter', () => {
  it('refuses unknown topics, subscriptions without a validator and oversized messages', async () => {
    const h = await host()
    expect(() => { h.gossip.subscribe(h.topics.votes) }).toThrow(expect.objectContaining({ code: ERR_NO_VALIDATOR }))
    expect(() => { h.gossip.setValidator('/trust-engine/1/other/votes', () => {}) }).toThrow(expect.objectContaining({ code: ERR_UNKNOWN_TOPIC }))
    await h.start()
    await expect(h.gossip.publish(h.topics.votes, new Uint8Array(MAX_MESSAGE_BYTES + 1))).rejects.toMatchObject({ code: ERR_MESSAGE_TOO_LARGE })
  })

  it('carries a message up to a topic\'s own limit (a large network\'s seed certificate), and refuses one beyond it or a limit over a frame', async () => {
    const limit = 300 * 1024
    const got: number[] = []
    const b = await host({ onMessage: (_t, d) => { got.push(d.byteLength) } })
    b.gossip.setValidator(b.topics.seeds, () => {}, { maxMessageBytes: limit })
    b.gossip.subscribe(b.topics.seeds)
    await b.start()
    const a = await host({ bootstrap: b.multiaddrs() })
    a.gossip.setValidator(a.topics.seeds, () => {}, { maxMessageBytes: limit })
    a.gossip.subscribe(a.topics.seeds)
    await a.start()
    await waitUntil(() => a.gossip.subscribers(a.topics.seeds).length === 1, 'b subscribed')
    expect(await a.gossip.publish(a.topics.seeds, new Uint8Array(limit).fill(1))).toBe(1)
    await waitUntil(() => got.length === 1, 'b received')
    expect(got).toEqual([limit])
    await expect(a.gossip.publish(a.topics.seeds, new Uint8Array(limit + 1))).rejects.toMatchObject({ code: ERR_MESSAGE_TOO_LARGE })
    // Other topics keep the adapter's limit.
    await expect(a.gossip.publish(a.topics.votes, new Uint8Array(MAX_MESSAGE_BYTES + 1))).rejects.toMatchObject({ code: ERR_MESSAGE_TOO_LARGE })
    expect(() => { a.gossip.setValidator(a.topics.jobs, () => {}, { maxMessageBytes: 2 * 1024 * 1024 }) }).toThrow(expect.objectContaining({ code: ERR_P2P_OPTIONS }))
  })

  it('publishes to nobody in a one-node network, and the same bytes again once a peer is there', async () => {
    const a = await host()
    a.gossip.setValidator(a.topics.jobs, () => {})
    a.gossip.subscribe(a.topics.jobs)
    await a.start()
    const data = Buffer.from('job 1')
    expect(await a.gossip.publish(a.topics.jobs, data)).toBe(0)

    const got: string[] = []
    const b = await host({ bootstrap: a.multiaddrs(), onMessage: (_t, d) => { got.push(Buffer.from(d).toString()) } })
    b.gossip.setValidator(b.topics.jobs, () => {})
    b.gossip.subscribe(b.topics.jobs)
    await b.start()
    await waitUntil(() => a.gossip.subscribers(a.topics.jobs).length === 1, 'b subscribed')
    expect(await a.gossip.publish(a.topics.jobs, data)).toBe(1)
    await waitUntil(() => got.length === 1, 'b received')
    expect(got).toEqual(['job 1'])
    // Read from gossipsub's internals: the message sits in both message caches (for IWANT); no IDONTWANT here (small message, one peer).
    expect(a.gossip.caches).toEqual({ messages: 1, idontwant: 0 })
    expect(b.gossip.caches).toEqual({ messages: 1, idontwant: 0 })
    // Same content id: publishing it again is a no-op.
    expect(await a.gossip.publish(a.topics.jobs, data)).toBe(0)
  })

  it('ignores a message whose validator does not settle in time', async () => {
    const counters = new CounterTally()
    const a = await host()
    a.gossip.setValidator(a.topics.votes, () => {})
    a.gossip.subscribe(a.topics.votes)
    await a.start()
    const b = await host({ bootstrap: a.multiaddrs(), counters, gossip: { validationTimeoutMs: 100 } })
    let release = (): void => {}
    const stuck = new Promise<void>((resolve) => { release = resolve })
    b.gossip.setValidator(b.topics.votes, async () => { await stuck })
    b.gossip.subscribe(b.topics.votes)
    await b.start()
    await waitUntil(() => a.gossip.subscribers(a.topics.votes).length === 1, 'b subscribed')
    await a.gossip.publish(a.topics.votes, Buffer.from('slow'))
    await waitUntil(() => counters.get(`gossip|${b.topics.votes}|ignore|ERR_VALIDATION_TIMEOUT`) === 1, 'timed out')
    release()
    expect(b.gossip.getScore(a.peerId)).toBeGreaterThanOrEqual(0)
  })

  it('ignores, unread and unpenalised, messages beyond a topic\'s validation queue bound in count and in bytes', async () => {
    const counters = new CounterTally()
    const a = await host()
    for (const topic of [a.topics.votes, a.topics.jobs]) {
      a.gossip.setValidator(topic, () => {})
      a.gossip.subscribe(topic)
    }
    await a.start()
    const b = await host({ bootstrap: a.multiaddrs(), counters, gossip: { validationTimeoutMs: 600_000, maxValidatingPerTopic: 2, maxValidatingBytesPerTopic: 1000 } })
    let release = (): void => {}
    const stuck = new Promise<void>((resolve) => { release = resolve })
    const validated: string[] = []
    for (const topic of [b.topics.votes, b.topics.jobs]) {
      b.gossip.setValidator(topic, async (data) => { validated.push(Buffer.from(data).toString().slice(0, 8)); await stuck })
      b.gossip.subscribe(topic)
    }
    await b.start()
    await waitUntil(() => a.gossip.subscribers(a.topics.votes).length === 1 && a.gossip.subscribers(a.topics.jobs).length === 1, 'b subscribed')
    // Votes: five small messages, two fit the count bound.
    for (let i = 0; i < 5; i++) await a.gossip.publish(a.topics.votes, Buffer.from(`vote ${i}`))
    // Jobs: two of 600 bytes, one fits the byte bound; the votes queue, full, does not hold the jobs queue back.
    for (let i = 0; i < 2; i++) await a.gossip.publish(a.topics.jobs, Buffer.from(`job ${i} `.padEnd(600, '.')))
    const full = (topic: string): number => counters.get(`gossip|${topic}|ignore|${ERR_GOSSIP_QUEUE_FULL}`)
    await waitUntil(() => full(b.topics.votes) === 3 && full(b.topics.jobs) === 1, 'queues full')
    expect(b.gossip.queued.validating).toBe(3)
    expect(validated).toHaveLength(3)
    release()
    await waitUntil(() => counters.get(`gossip|${b.topics.votes}|accept|OK`) === 2 && counters.get(`gossip|${b.topics.jobs}|accept|OK`) === 1, 'held ones accepted')
    expect(b.gossip.queued.validating).toBe(0)
    // Room again: the next message is validated.
    await a.gossip.publish(a.topics.votes, Buffer.from('vote 5'))
    await waitUntil(() => counters.get(`gossip|${b.topics.votes}|accept|OK`) === 3, 'room again')
    expect(full(b.topics.votes)).toBe(3)
    expect(b.gossip.getScore(a.peerId)).toBeGreaterThanOrEqual(0)
  })

  it('validates a later copy of a message it ignored for a full queue (the id is not left marked seen)', async () => {
    const counters = new CounterTally()
    const b = await host({ counters, gossip: { validationTimeoutMs: 600_000, maxValidatingPerTopic: 1 } })
    let release = (): void => {}
    const stuck = new Promise<void>((resolve) => { release = resolve })
    b.gossip.setValidator(b.topics.votes, async (data) => { if (Buffer.from(data).toString() === 'held') await stuck })
    b.gossip.subscribe(b.topics.votes)
    await b.start()
    const a = await host({ bootstrap: b.multiaddrs() })
    const c = await host({ bootstrap: b.multiaddrs() })
    for (const h of [a, c]) {
      h.gossip.setValidator(h.topics.votes, () => {})
      h.gossip.subscribe(h.topics.votes)
      await h.start()
    }
    await waitUntil(() => a.gossip.subscribers(a.topics.votes).length === 1 && c.gossip.subscribers(c.topics.votes).length === 1, 'b subscribed')
    const full = (): number => counters.get(`gossip|${b.topics.votes}|ignore|${ERR_GOSSIP_QUEUE_FULL}`)
    await a.gossip.publish(a.topics.votes, Buffer.from('held'))
    await waitUntil(() => b.gossip.queued.validating === 1, 'held in validation')
    await a.gossip.publish(a.topics.votes, Buffer.from('dropped'))
    await waitUntil(() => full() === 1, 'queue full')
    release()
    await waitUntil(() => counters.get(`gossip|${b.topics.votes}|accept|OK`) === 1, 'held one accepted')
    // c never saw 'dropped' (b did not forward it): its copy reaches b, which validates and accepts it.
    await c.gossip.publish(c.topics.votes, Buffer.from('dropped'))
    await waitUntil(() => counters.get(`gossip|${b.topics.votes}|accept|OK`) === 2, 'later copy accepted')
    expect(full()).toBe(1)
  })

  it('publishes on, and delivers, a message its validator accepted after the validation timed out', async () => {
    const counters = new CounterTally()
    const b = await host({ counters, gossip: { validationTimeoutMs: 100 } })
    let release = (): void => {}
    const stuck = new Promise<void>((resolve) => { release = resolve })
    const bGot: string[] = []
    b.gossip.setValidator(b.topics.votes, async () => { await stuck })
    b.gossip.subscribe(b.topics.votes)
    await b.start()
    // a and c reach each other only through b.
    const a = await host({ bootstrap: b.multiaddrs() })
    const cGot: string[] = []
    const c = await host({ bootstrap: b.multiaddrs(), onMessage: (_t, d) => { cGot.push(Buffer.from(d).toString()) } })
    for (const h of [a, c]) {
      h.gossip.setValidator(h.topics.votes, () => {})
      h.gossip.subscribe(h.topics.votes)
      await h.start()
    }
    await waitUntil(() => a.gossip.subscribers(a.topics.votes).length === 1 && c.gossip.subscribers(c.topics.votes).length === 1, 'b subscribed')
    await waitUntil(() => b.gossip.subscribers(b.topics.votes).length === 2, 'a and c subscribed')
    await a.gossip.publish(a.topics.votes, Buffer.from('slow'))
    await waitUntil(() => counters.get(`gossip|${b.topics.votes}|ignore|ERR_VALIDATION_TIMEOUT`) === 1, 'timed out')
    release()
    // b's validator accepts it after all: b publishes it on, so c behind b has it.
    await waitUntil(() => cGot.includes('slow'), 'c got the message through b')
    expect(counters.get(`gossip|${b.topics.votes}|accept|LATE`)).toBe(1)
    expect(cGot).toEqual(['slow'])
  })

  it('drops, and counts, gossip to a peer whose outbound queue is over its bound', async () => {
    const counters = new CounterTally()
    const got: string[] = []
    const b = await host({ onMessage: (_t, d) => { got.push(Buffer.from(d).toString()) } })
    b.gossip.setValidator(b.topics.votes, () => {})
    b.gossip.subscribe(b.topics.votes)
    await b.start()
    const a = await host({ bootstrap: b.multiaddrs(), counters, gossip: { maxOutboundBufferBytes: 1 } })
    a.gossip.setValidator(a.topics.votes, () => {})
    a.gossip.subscribe(a.topics.votes)
    await a.start()
    await waitUntil(() => a.gossip.subscribers(a.topics.votes).includes(b.peerId.toString()), 'b subscribed')
    // Five sends in one tick: the stream's reader takes at most the first, the next waits in the queue
    // (over its 1-byte bound), so at least the last three are dropped for b.
    const names = ['m0', 'm1', 'm2', 'm3', 'm4']
    const sent = names.map((name) => a.gossip.publishTo(a.topics.votes, Buffer.from(name), [b.peerId.toString()]))
    const dropped = sent.filter((n) => n === 0).length
    expect(sent.slice(2)).toEqual([0, 0, 0])
    expect(counters.get('gossip|outbound-dropped')).toBe(dropped)
    await waitUntil(() => got.length === names.length - dropped, 'b received what was sent')
    expect(got).toEqual(names.filter((_, i) => sent[i] === 1))
  })
})

describe('network gate (one process)', () => {
  it('refuses a peer of the same network id but another protocol version', async () => {
    const ca = new CounterTally()
    const a = await host({ counters: ca })
    await a.start()
    const b = await host({ protocolVersion: 2, bootstrap: a.multiaddrs() })
    await b.start()
    await waitUntil(() => ca.get('refused|ERR_WRONG_NETWORK') >= 1, 'a refused b')
    expect(a.admittedPeers()).toEqual([])
    expect(b.topics.votes).toBe('/trust-engine/2/testnet/votes')
  })
})

describe('connection monitor', () => {
  it('opens no check stream on an idle connection within libp2p\'s default 10 s interval (every 60 s instead)', async () => {
    // Both sides serve the protocol libp2p's connection monitor opens, and count the streams.
    let checks = 0
    const serve = async (h: Host): Promise<void> => {
      await h.libp2p.handle('/ipfs/ping/1.0.0', ({ stream }) => { checks++; stream.abort(new Error('counted')) }, { runOnLimitedConnection: true })
    }
    const a = await host()
    await serve(a)
    await a.start()
    const b = await host({ bootstrap: a.multiaddrs() })
    await serve(b)
    await b.start()
    await waitUntil(() => a.libp2p.getConnections().length === 1 && b.libp2p.getConnections().length === 1, 'connected')
    // Past the first tick of a 10 s monitor on either side (each started before it connected).
    await new Promise((resolve) => setTimeout(resolve, 12_000))
    expect(a.libp2p.getConnections()).toHaveLength(1)
    expect(checks).toBe(0)
  }, 30_000)
})

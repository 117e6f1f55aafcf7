/**
 * Each peer's share of gossip validation, between real libp2p hosts on
 * 127.0.0.1: a flooding peer holds at most its share of a topic's
 * validation queue and is limited to its rate, so a second peer's messages
 * are still taken; what the flooder sent beyond is dropped unread and not
 * marked seen. And the seen cache is bounded by count.
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import { multiaddr } from '@multiformats/multiaddr'
import { afterEach, describe, expect, it } from 'vitest'
import { CounterTally, DEFAULT_GOSSIP_OPTIONS, GossipPeerShare, createHost, type GossipOptions, type Host } from '../../../node/p2p/index.ts'
import { waitUntil } from './fixtures/cluster.ts'

const hosts: Host[] = []
afterEach(async () => {
  await Promise.all(hosts.map(async (h) => { await h.stop() }))
  hosts.length = 0
})

const message = (kind: 'ok' | 'hold', n: number): Uint8Array => new TextEncoder().encode(JSON.stringify({ kind, n }))

/**
 * A server whose votes validator accepts `ok` at once and holds `hold` until
 * released (a node whose validation lags), and two peers connected to it:
 * `flooder` and `honest`. Returns what the server accepted, by sender.
 */
async function setUp (gossip: Partial<GossipOptions>): Promise<{ server: Host, flooder: Host, honest: Host, counters: CounterTally, topic: string, accepted: Map<string, number[]>, release: () => void }> {
  const counters = new CounterTally()
  const accepted = new Map<string, number[]>()
  let release = (): void => {}
  const released = new Promise<void>((resolve) => { release = resolve })
  const server = await createHost({
    privateKey: await generateKeyPair('Ed25519'),
    networkId: 'sharenet',
    // Held messages stay in validation for the whole test.
    gossip: { validationTimeoutMs: 3_600_000, ...gossip },
    counters,
    onMessage: (_topic, data, from) => {
      const { n } = JSON.parse(new TextDecoder().decode(data)) as { n: number }
      const list = accepted.get(from.toString()) ?? []
      list.push(n)
      accepted.set(from.toString(), list)
    }
  })
  hosts.push(server)
  const topic = server.topics.votes
  server.gossip.setValidator(topic, async (data) => {
    if ((JSON.parse(new TextDecoder().decode(data)) as { kind: string }).kind === 'hold') await released
  })
  server.gossip.subscribe(topic)
  await server.start()
  const peer = async (): Promise<Host> => {
    const h = await createHost({ privateKey: await generateKeyPair('Ed25519'), networkId: 'sharenet' })
    hosts.push(h)
    await h.start()
    await h.libp2p.dial(multiaddr(server.multiaddrs()[0]!))
    await waitUntil(() => h.gossip.subscribers(topic).includes(server.peerId.toString()), 'peer sees the server subscribed')
    return h
  }
  const flooder = await peer()
  const honest = await peer()
  return { server, flooder, honest, counters, topic, accepted, release }
}

/** Messages of `topic` the server ignored with `code`. */
const ignored = (counters: CounterTally, topic: string, code: string): number => counters.get(`gossip|${topic}|ignore|${code}`)

describe('gossip: each peer\'s share', () => {
  it('keeps a flooder to its share of the validation queue: a second peer\'s messages are all taken, the flood\'s excess dropped unread and not marked seen', async () => {
    const { server, flooder, honest, counters, topic, accepted, release } = await setUp({})
    const share = DEFAULT_GOSSIP_OPTIONS.maxValidatingPerPeer
    const flood = DEFAULT_GOSSIP_OPTIONS.maxValidatingPerTopic + 904
    for (let n = 0; n < flood; n++) await flooder.gossip.publish(topic, message('hold', n))
    const beyond = (): number => ignored(counters, topic, 'ERR_GOSSIP_PEER_QUEUE_FULL') + ignored(counters, topic, 'ERR_GOSSIP_QUEUE_FULL')
    await waitUntil(() => server.gossip.queued.validating + beyond() === flood, 'every flood message held or dropped')
    // The flooder holds its share of the topic's queue, no more.
    expect(server.gossip.queued.validating).toBe(share)
    expect(ignored(counters, topic, 'ERR_GOSSIP_PEER_QUEUE_FULL')).toBe(flood - share)

    // The other peer's messages are all taken while the flood is held.
    const honestId = honest.peerId.toString()
    for (let n = 0; n < 50; n++) await honest.gossip.publish(topic, message('ok', 100_000 + n))
    await waitUntil(() => (accepted.get(honestId)?.length ?? 0) + ignored(counters, topic, 'ERR_GOSSIP_QUEUE_FULL') >= 50, 'the second peer\'s messages handled')
    expect(accepted.get(honestId)?.length).toBe(50)
    expect(ignored(counters, topic, 'ERR_GOSSIP_QUEUE_FULL')).toBe(0)

    // Released, the flooder's share is taken; a message of its excess, relayed by another peer, is taken too (never marked seen).
    release()
    const flooderId = flooder.peerId.toString()
    await waitUntil(() => accepted.get(flooderId)?.length === share, 'the held share accepted')
    const taken = new Set(accepted.get(flooderId))
    const dropped = Array.from({ length: flood }, (_, n) => n).find((n) => !taken.has(n))!
    expect(await honest.gossip.publish(topic, message('hold', dropped))).toBe(1)
    await waitUntil(() => accepted.get(honestId)?.includes(dropped) === true, 'a dropped message taken from another peer')
    expect(counters.get(`gossip|${topic}|reject|ERR_MESSAGE_TOO_LARGE`)).toBe(0)
    expect(server.penaltyOf(flooder.peerId)).toBe(0)
  })

  it('limits each peer to its rate: beyond its burst a flooder\'s messages are dropped unread, the other peer\'s taken', async () => {
    // A rate so low that no token comes back during the test, whatever the machine's speed.
    const { flooder, honest, counters, topic, accepted } = await setUp({ peerMessagesPerSecond: 0.001, peerMessageBurst: 100 })
    for (let n = 0; n < 300; n++) await flooder.gossip.publish(topic, message('ok', n))
    for (let n = 0; n < 20; n++) await honest.gossip.publish(topic, message('ok', 1000 + n))
    const flooderId = flooder.peerId.toString()
    const honestId = honest.peerId.toString()
    await waitUntil(() => (accepted.get(flooderId)?.length ?? 0) + ignored(counters, topic, 'ERR_GOSSIP_PEER_RATE') === 300 && accepted.get(honestId)?.length === 20, 'every message handled')
    expect(accepted.get(flooderId)?.length).toBe(100)
    expect(ignored(counters, topic, 'ERR_GOSSIP_PEER_RATE')).toBe(200)
    expect(accepted.get(honestId)?.length).toBe(20)
  })

  it('bounds the seen cache by count: the oldest ids are forgotten, and a copy of one is taken again', async () => {
    const { server, flooder, honest, topic, accepted } = await setUp({ maxSeenIds: 50 })
    for (let n = 0; n < 120; n++) await flooder.gossip.publish(topic, message('ok', n))
    const flooderId = flooder.peerId.toString()
    await waitUntil(() => accepted.get(flooderId)?.length === 120, 'every message accepted')
    expect(server.gossip.seenIds).toBe(50)
    // The first message's id was forgotten: another peer's copy is validated and delivered again.
    await honest.gossip.publish(topic, message('ok', 0))
    await waitUntil(() => accepted.get(honest.peerId.toString())?.includes(0) === true, 'the forgotten message taken again')
    expect(server.gossip.seenIds).toBe(50)
  })
})

describe('GossipPeerShare', () => {
  it('bounds each peer and topic by count and bytes, spends a token per message taken, and refills at its rate', () => {
    let now = 0
    const share = new GossipPeerShare({ maxValidatingPerPeer: 2, maxValidatingBytesPerPeer: 100, peerMessagesPerSecond: 1, peerMessageBurst: 4 }, () => now)
    expect(share.admit('a', 'votes', 10)).toBeNull()
    expect(share.admit('a', 'votes', 10)).toBeNull()
    // Two in hand on this topic: the third waits for one to be released; another topic is its own share.
    expect(share.admit('a', 'votes', 10)).toBe('ERR_GOSSIP_PEER_QUEUE_FULL')
    expect(share.admit('a', 'jobs', 95)).toBeNull()
    // Bytes: 95 + 10 would pass 100.
    expect(share.admit('a', 'jobs', 10)).toBe('ERR_GOSSIP_PEER_QUEUE_FULL')
    expect(share.handling).toBe(3)
    share.release('a', 'jobs', 95)
    share.release('a', 'votes', 10)
    expect(share.handling).toBe(1)
    expect(share.admit('a', 'jobs', 10)).toBeNull()
    // Four tokens spent (refused messages spent none): the rate is reached, for this peer only.
    expect(share.admit('a', 'jobs', 10)).toBe('ERR_GOSSIP_PEER_RATE')
    expect(share.admit('b', 'jobs', 10)).toBeNull()
    now += 1000
    expect(share.admit('a', 'jobs', 10)).toBeNull()
    expect(share.admit('a', 'evidence', 10)).toBe('ERR_GOSSIP_PEER_RATE')
  })
})

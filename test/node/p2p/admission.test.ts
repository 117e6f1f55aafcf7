/**
 * Admission between real libp2p hosts on 127.0.0.1: validators always in,
 * observers only while there is room (per IP and in all), and the token
 * buckets and penalties behind the quotas.
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { afterEach, describe, expect, it } from 'vitest'
import { CounterTally, KeyedTokenBuckets, PeerPenalties, createHost, type Host } from '../../../node/p2p/index.ts'
import { waitUntil } from './fixtures/cluster.ts'

const hosts: Host[] = []
afterEach(async () => {
  await Promise.all(hosts.map(async (h) => { await h.stop() }))
  hosts.length = 0
})

describe('admission', () => {
  it('admits every validator but at most maxObserverConnectionsPerIp observers from one address', async () => {
    // Probes every 200 ms: the validator's redial, refused before the handshake while the address is in backoff, gets in soon.
    const { server, counters, validatorKey, validatorId } = await backoffServer(3, 200)
    const observers: Host[] = []
    for (let i = 0; i < 6; i++) {
      const h = await createHost({ privateKey: await generateKeyPair('Ed25519'), networkId: 'admitnet', bootstrap: server.multiaddrs(), redial: { maxDelayMs: 60_000, initialDelayMs: 60_000 } })
      hosts.push(h)
      observers.push(h)
      await h.start()
    }
    await waitUntil(() => counters.get('refused|ERR_TOO_MANY_CONNECTIONS_PER_IP') + counters.get('refused|ERR_IP_BACKOFF') >= 3, 'three observers refused')
    // The validator still gets in while the observer slots are full.
    const validator = await createHost({ privateKey: validatorKey, networkId: 'admitnet', bootstrap: server.multiaddrs() })
    hosts.push(validator)
    await validator.start()
    await waitUntil(() => server.isAdmitted(validatorId), 'validator admitted')
    const admittedObservers = server.admittedPeers().filter((p) => p !== validatorId)
    expect(admittedObservers.length).toBeLessThanOrEqual(3)
    expect(server.admission.classOf(validatorId)).toBe('validator')
    expect(server.quota(observers[0]!.peerId).blobStreams).toBe(1)
  })

  /** A started server that knows one validator key, with the given per-IP bound and backoff probe interval (backoff far longer than any test). */
  async function backoffServer (perIp: number, probeMs: number, maxObservers = 10): Promise<{ server: Host, counters: CounterTally, validatorKey: Awaited<ReturnType<typeof generateKeyPair>>, validatorId: string, target: ReturnType<typeof multiaddr>, identity: () => Promise<Host> }> {
    const validatorKey = await generateKeyPair('Ed25519')
    const validatorId = peerIdFromPrivateKey(validatorKey as never).toString()
    const counters = new CounterTally()
    const server = await createHost({
      privateKey: await generateKeyPair('Ed25519'),
      networkId: 'admitnet',
      isValidator: (p) => p === validatorId,
      admission: { maxObserverConnectionsPerIp: perIp, maxObservers, ipBackoffMs: 3_600_000, ipBackoffProbeMs: probeMs },
      counters
    })
    hosts.push(server)
    await server.start()
    const identity = async (): Promise<Host> => {
      const h = await createHost({ privateKey: await generateKeyPair('Ed25519'), networkId: 'admitnet' })
      hosts.push(h)
      await h.start()
      return h
    }
    return { server, counters, validatorKey, validatorId, target: multiaddr(server.multiaddrs()[0]!), identity }
  }

  it('refuses an address before the handshake once its identities went beyond the per-IP bound, yet still dials validators', async () => {
    // A probe interval far longer than the test: no probe, whatever the machine's speed.
    const { server, counters, validatorKey, validatorId, target, identity } = await backoffServer(2, 3_600_000)
    for (let i = 0; i < 2; i++) {
      const h = await identity()
      await h.libp2p.dial(target)
      await waitUntil(() => server.isAdmitted(h.peerId), 'observer admitted')
    }
    // Twenty more identities from the same address, one dial each (a sybil farm's redials look alike).
    const dials = 20
    for (let i = 0; i < dials; i++) await (await identity()).libp2p.dial(target).catch(() => null)
    await waitUntil(() => counters.get('refused|ERR_TOO_MANY_CONNECTIONS_PER_IP') + counters.get('refused|ERR_IP_BACKOFF') >= dials, 'every dial refused')
    // One handshake paid for an identity beyond the bound; the other 19 refused before any handshake.
    expect(counters.get('refused|ERR_TOO_MANY_CONNECTIONS_PER_IP')).toBe(1)
    expect(counters.get('refused|ERR_IP_BACKOFF')).toBe(dials - 1)
    expect(server.admission.inBackoff('127.0.0.1')).toBe(true)
    // A validator on that address: its own dial is refused like any, but the node's dial to it is never held back.
    const validator = await createHost({ privateKey: validatorKey, networkId: 'admitnet' })
    hosts.push(validator)
    await validator.start()
    await server.libp2p.dial(multiaddr(validator.multiaddrs()[0]!))
    await waitUntil(() => server.isAdmitted(validatorId), 'validator admitted')
    expect(server.admittedPeers().filter((p) => p !== validatorId)).toHaveLength(2)
  })

  it('refuses an address before the handshake once an identity from it was refused because every observer slot was taken', async () => {
    // Two observer slots in all, eight per address: the slots, not the per-IP bound, run out. No probe during the test.
    const { server, counters, target, identity } = await backoffServer(8, 3_600_000, 2)
    for (let i = 0; i < 2; i++) {
      const h = await identity()
      await h.libp2p.dial(target)
      await waitUntil(() => server.isAdmitted(h.peerId), 'observer admitted')
    }
    const dials = 10
    for (let i = 0; i < dials; i++) await (await identity()).libp2p.dial(target).catch(() => null)
    await waitUntil(() => counters.get('refused|ERR_OBSERVER_LIMIT') + counters.get('refused|ERR_IP_BACKOFF') >= dials, 'every dial refused')
    // One handshake paid at the full observer set (ten before: each identity was refused after its handshake).
    expect([counters.get('refused|ERR_OBSERVER_LIMIT'), counters.get('refused|ERR_IP_BACKOFF')]).toEqual([1, dials - 1])
    expect(server.admission.inBackoff('127.0.0.1')).toBe(true)
  })

  it('lets a validator behind an address in backoff in through a probe handshake', async () => {
    const { server, validatorKey, validatorId, target, identity } = await backoffServer(1, 200)
    for (let i = 0; i < 3; i++) await (await identity()).libp2p.dial(target).catch(() => null)
    await waitUntil(() => server.admission.inBackoff('127.0.0.1'), 'address in backoff')
    const validator = await createHost({ privateKey: validatorKey, networkId: 'admitnet', bootstrap: server.multiaddrs(), redial: { initialDelayMs: 100, maxDelayMs: 400 } })
    hosts.push(validator)
    await validator.start()
    await waitUntil(() => server.isAdmitted(validatorId), 'validator admitted through a probe')
  })

  it('penalises stream abuse into the app score and bans at the graylist threshold', async () => {
    const counters = new CounterTally()
    const server = await createHost({ privateKey: await generateKeyPair('Ed25519'), networkId: 'admitnet', counters })
    hosts.push(server)
    await server.start()
    const client = await createHost({ privateKey: await generateKeyPair('Ed25519'), networkId: 'admitnet', bootstrap: server.multiaddrs() })
    hosts.push(client)
    await client.start()
    await waitUntil(() => server.isAdmitted(client.peerId), 'connected')
    for (let i = 0; i < 3; i++) server.penalise(client.peerId, 'ERR_STREAM_QUOTA')
    expect(server.isAdmitted(client.peerId)).toBe(true)
    expect(server.penaltyOf(client.peerId)).toBeGreaterThan(290)
    // Four offences decay to just under 400; the fifth reaches the graylist threshold.
    server.penalise(client.peerId, 'ERR_STREAM_QUOTA')
    server.penalise(client.peerId, 'ERR_STREAM_QUOTA')
    await waitUntil(() => !server.isAdmitted(client.peerId), 'hung up at the fifth offence')
    expect(server.admission.isBanned(client.peerId)).toBe(true)
    expect(counters.get('offence|ERR_STREAM_QUOTA')).toBe(5)
    expect(counters.get('offence|ERR_GRAYLISTED')).toBe(1)
  })
})

describe('token buckets and penalties', () => {
  it('takes up to the burst, refills at the rate, and reserves with a wait', () => {
    let now = 0
    const b = new KeyedTokenBuckets({ ratePerSecond: 2, burst: 4 }, 2, () => now)
    expect([1, 2, 3, 4, 5].map(() => b.take('a'))).toEqual([true, true, true, true, false])
    now = 1000
    expect(b.take('a', 2)).toBe(true)
    expect(b.take('a')).toBe(false)
    expect(b.reserve('b', 6)).toBe(1000) // 4 in the bucket, 2 more at 2/s
    b.take('c')
    expect(b.size).toBe(2) // bounded: the least recently used key is forgotten
  })

  it('decays a penalty like gossipsub P4', () => {
    let now = 0
    const p = new PeerPenalties({ offencePenalty: 100, decayPerSecond: 0.5, checkIntervalMs: 1000 }, () => now)
    p.penalise('x', 'ERR_STREAM_QUOTA')
    now = 1000
    expect(p.penaltyOf('x')).toBeCloseTo(50, 9)
    expect(p.offences()).toEqual({ ERR_STREAM_QUOTA: 1 })
    expect(p.penaltyOf('y')).toBe(0)
  })
})

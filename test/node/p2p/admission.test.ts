/**
 * Admission between real libp2p hosts on 127.0.0.1: validators always in,
 * observers only while there is room (per IP and in all), and the token
 * buckets and penalties behind the quotas.
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
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
    const validatorKey = await generateKeyPair('Ed25519')
    const validatorId = peerIdFromPrivateKey(validatorKey as never).toString()
    const counters = new CounterTally()
    const server = await createHost({
      privateKey: await generateKeyPair('Ed25519'),
      networkId: 'admitnet',
      isValidator: (p) => p === validatorId,
      admission: { maxObserverConnectionsPerIp: 3, maxObservers: 10 },
      counters
    })
    hosts.push(server)
    await server.start()
    const observers: Host[] = []
    for (let i = 0; i < 6; i++) {
      const h = await createHost({ privateKey: await generateKeyPair('Ed25519'), networkId: 'admitnet', bootstrap: server.multiaddrs(), redial: { maxDelayMs: 60_000, initialDelayMs: 60_000 } })
      hosts.push(h)
      observers.push(h)
      await h.start()
    }
    await waitUntil(() => counters.get('refused|ERR_TOO_MANY_CONNECTIONS_PER_IP') >= 3, 'three observers refused')
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

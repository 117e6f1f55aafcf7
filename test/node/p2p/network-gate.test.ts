/**
 * Network gating between real processes: a peer of another network id is
 * refused on both sides (and keeps being refused as it redials), a peer
 * outside `allowPeer` is refused at the connection gater.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { Cluster, peerIdOfName, testMessage, waitUntil, type PeerProcess } from './fixtures/cluster.ts'

const cluster = new Cluster()
afterEach(async () => { await cluster.stopAll() })

const counters = async (p: PeerProcess): Promise<Record<string, number>> => await p.request<Record<string, number>>('counters')
const admitted = async (p: PeerProcess): Promise<string[]> => await p.request<string[]>('admitted')

describe('network gating', () => {
  it('refuses a peer of another network id, also after it redials', async () => {
    const a = await cluster.start('a')
    const [b, x] = await cluster.startMany([
      ['b', { bootstrap: a.addrs }],
      ['x', { networkId: 'othernet', bootstrap: a.addrs, redialInitialDelayMs: 200 }]
    ]) as [PeerProcess, PeerProcess]
    await waitUntil(async () => (await admitted(a)).includes(b.peerId), 'b admitted')
    // x dials, is identified, refused; dials again after its backoff, refused again.
    await waitUntil(async () => ((await counters(a))['refused|ERR_WRONG_NETWORK'] ?? 0) >= 2, 'a refused x twice')
    await waitUntil(async () => ((await counters(x))['refused|ERR_WRONG_NETWORK'] ?? 0) >= 2, 'x refused a twice')

    expect(await admitted(a)).toEqual([b.peerId])
    expect(await admitted(x)).toEqual([])
    // Gossip of our network reaches b and never x.
    await waitUntil(async () => (await a.request<string[]>('subscribers', { kind: 'votes' })).length === 1, 'b subscribed')
    expect(await a.request('publish', { kind: 'votes', hex: testMessage('ok', 1) })).toBe(1)
    await waitUntil(async () => (await b.request<unknown[]>('received')).length === 1, 'b received')
    expect(await x.request('received')).toEqual([])
    expect(Object.keys(await counters(x)).filter((k) => k.startsWith('gossip|'))).toEqual([])
  })

  it('refuses a peer id that allowPeer rejects, before any protocol runs', async () => {
    const a = await cluster.start('a', { allowPeers: [await peerIdOfName('b')] })
    const [c, b] = await cluster.startMany([
      ['c', { bootstrap: a.addrs, redialInitialDelayMs: 200 }],
      ['b', { bootstrap: a.addrs }]
    ]) as [PeerProcess, PeerProcess]
    await waitUntil(async () => (await admitted(a)).includes(b.peerId), 'b admitted')
    await waitUntil(async () => ((await counters(a))['refused|ERR_PEER_NOT_ALLOWED'] ?? 0) >= 1, 'c refused')
    expect(await admitted(a)).toEqual([b.peerId])
    expect(await admitted(c)).toEqual([])
    // c never got as far as identify: no network check ran for it.
    expect((await counters(a))['refused|ERR_WRONG_NETWORK']).toBeUndefined()
  })
})

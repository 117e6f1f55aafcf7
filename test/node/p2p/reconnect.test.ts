/**
 * Restarts with real processes: a node restarted with the same key keeps its
 * peer id and its neighbour's backoff redial reconnects to it; a node
 * restarted without bootstrap addresses finds its neighbour again through
 * its LevelDB peer book.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { Cluster, testMessage, waitUntil, type PeerProcess } from './fixtures/cluster.ts'

const cluster = new Cluster()
afterEach(async () => { await cluster.stopAll() })

const admitted = async (p: PeerProcess): Promise<string[]> => await p.request<string[]>('admitted')

describe('reconnection', () => {
  it('keeps the peer id across a restart and is redialled by its neighbour', async () => {
    const dataDir = await cluster.dir()
    const a = await cluster.start('a', { dataDir })
    const b = await cluster.start('b', { bootstrap: a.addrs, redialInitialDelayMs: 200 })
    await waitUntil(async () => (await admitted(b)).includes(a.peerId), 'b connected to a')

    await a.stop()
    await waitUntil(async () => (await admitted(b)).length === 0, 'b saw a leave')
    // Same key, same address: b's redial loop (backing off meanwhile) finds it.
    const listen = [a.addrs[0]!.replace(/\/p2p\/.*$/, '')]
    const a2 = await cluster.start('a', { dataDir, listen })
    expect(a2.peerId).toBe(a.peerId)
    await waitUntil(async () => (await admitted(b)).includes(a.peerId), 'b reconnected to a')

    await waitUntil(async () => (await b.request<string[]>('subscribers', { kind: 'votes' })).includes(a.peerId), 'a subscribed again')
    await b.request('publish', { kind: 'votes', hex: testMessage('ok', 1) })
    await waitUntil(async () => (await a2.request<unknown[]>('received')).length === 1, 'a2 received')
  })

  it('dials the peers of its peer book at start, without bootstrap addresses', async () => {
    const a = await cluster.start('a')
    const dataDir = await cluster.dir()
    const b = await cluster.start('b', { dataDir, bootstrap: a.addrs, peerBook: true })
    await waitUntil(async () => (await b.request<string[]>('knownPeers')).includes(a.peerId), 'b recorded a')
    await b.stop()

    const b2 = await cluster.start('b', { dataDir, peerBook: true })
    await waitUntil(async () => (await admitted(b2)).includes(a.peerId), 'b found a through its peer book')
    expect(b2.peerId).toBe(b.peerId)
  })
})

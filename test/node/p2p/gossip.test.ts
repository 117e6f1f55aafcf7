/**
 * Gossip between real peer processes on 127.0.0.1: delivery exactly once,
 * refused messages neither delivered nor forwarded, REJECT penalised and
 * IGNORE not, and a peer whose app score drops graylisted, hung up and banned.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { DEFAULT_GOSSIP_SCORE_OPTIONS } from '../../../node/p2p/index.ts'
import { Cluster, testMessage, waitUntil, type PeerProcess } from './fixtures/cluster.ts'

interface Received { kind: string, hex: string, from: string }

const cluster = new Cluster()
afterEach(async () => { await cluster.stopAll() })

const received = async (p: PeerProcess): Promise<Received[]> => await p.request<Received[]>('received')
const counters = async (p: PeerProcess): Promise<Record<string, number>> => await p.request<Record<string, number>>('counters')
const score = async (p: PeerProcess, of: PeerProcess): Promise<number> => await p.request<number>('score', { peerId: of.peerId })
const admitted = async (p: PeerProcess): Promise<string[]> => await p.request<string[]>('admitted')
const mesh = async (p: PeerProcess): Promise<string[]> => await p.request<string[]>('mesh', { kind: 'votes' })
const VOTES = '/trust-engine/1/testnet/votes'
const count = (c: Record<string, number>, result: string, code: string): number => c[`gossip|${VOTES}|${result}|${code}`] ?? 0

/** Waits until `p`'s votes mesh holds every one of `peers`. */
async function meshed (p: PeerProcess, peers: PeerProcess[]): Promise<void> {
  await waitUntil(async () => {
    const m = await mesh(p)
    return peers.every((q) => m.includes(q.peerId))
  }, `mesh of ${p.peerId}`)
}

describe('gossip between processes', () => {
  it('delivers a message published by one peer to every other peer exactly once (ring of 4)', async () => {
    const [a, b, c, d] = await cluster.startMany([['a'], ['b'], ['c'], ['d']]) as [PeerProcess, PeerProcess, PeerProcess, PeerProcess]
    await cluster.connect(b, a)
    await cluster.connect(c, b)
    await cluster.connect(d, c, a)
    const ring: Array<[PeerProcess, PeerProcess[]]> = [[a, [b, d]], [b, [a, c]], [c, [b, d]], [d, [c, a]]]
    for (const [p, neighbours] of ring) await meshed(p, neighbours)

    const peers = [a, b, c, d]
    for (let round = 0; round < 2; round++) {
      for (const [i, p] of peers.entries()) await p.request('publish', { kind: 'votes', hex: testMessage('ok', round * 10 + i) })
      await waitUntil(async () => (await Promise.all(peers.map(received))).every((r) => r.length === 3 * (round + 1)), `round ${round} delivered`)
    }
    for (const [i, p] of peers.entries()) {
      const got = (await received(p)).map((r) => r.hex).sort()
      const expected = [0, 1].flatMap((round) => peers.map((_, j) => j).filter((j) => j !== i).map((j) => testMessage('ok', round * 10 + j))).sort()
      // Each message of another peer once; none twice; never our own.
      expect(got).toEqual(expected)
    }
  })

  it('penalises REJECT but not IGNORE, and neither delivers nor forwards a refused message', async () => {
    // Line topology a - b - c: c hears a only through b.
    const [a, b, c] = await cluster.startMany([['a'], ['b'], ['c']]) as [PeerProcess, PeerProcess, PeerProcess]
    await cluster.connect(a, b)
    await cluster.connect(c, b)
    await meshed(b, [a, c])
    await meshed(c, [b])

    // A valid message crosses both hops.
    await a.request('publish', { kind: 'votes', hex: testMessage('ok', 1) })
    await waitUntil(async () => (await received(c)).length === 1, 'valid message reached c')

    // IGNORE (a rule saying "not now") and a validator bug cost a nothing.
    for (let n = 0; n < 3; n++) await a.request('publish', { kind: 'votes', hex: testMessage('ignore', n) })
    await a.request('publish', { kind: 'votes', hex: testMessage('bug', 9) })
    await waitUntil(async () => {
      const cb = await counters(b)
      return count(cb, 'ignore', 'ERR_TEST_IGNORE') === 3 && count(cb, 'ignore', 'ERR_VALIDATOR_BUG') === 1
    }, 'b ignored all four')
    expect(await score(b, a)).toBeGreaterThanOrEqual(0)
    expect(await mesh(b)).toContain(a.peerId)

    // Malformed bytes and a rule violation: both REJECT.
    await a.request('publish', { kind: 'votes', hex: Buffer.from('not json').toString('hex') })
    await a.request('publish', { kind: 'votes', hex: testMessage('reject', 2) })
    await waitUntil(async () => {
      const cb = await counters(b)
      return count(cb, 'reject', 'ERR_MALFORMED') === 1 && count(cb, 'reject', 'ERR_TEST_REJECT') === 1
    }, 'b rejected both')
    // Anything b forwarded would precede this message on the b→c stream.
    await b.request('publish', { kind: 'votes', hex: testMessage('ok', 3) })
    await waitUntil(async () => (await received(c)).length === 2, 'barrier reached c')

    expect((await received(b)).map((r) => r.hex)).toEqual([testMessage('ok', 1)])
    expect((await received(c)).map((r) => r.hex)).toEqual([testMessage('ok', 1), testMessage('ok', 3)])
    const cc = await counters(c)
    expect(Object.keys(cc).filter((k) => k.includes('|reject|') || k.includes('|ignore|'))).toEqual([])
    // P4: two rejects cost 100·2² = 400, far beyond any reward (capped at 10).
    // (Scores are cached for a heartbeat, so wait for the value that counts both.)
    await waitUntil(async () => await score(b, a) < DEFAULT_GOSSIP_SCORE_OPTIONS.gossipThreshold, 'score of a at b below the gossip threshold')
    // A negative score takes a out of b's mesh at the next heartbeat.
    await waitUntil(async () => !(await mesh(b)).includes(a.peerId), 'a pruned from b\'s mesh')
  })

  it('graylists a peer whose app score drops, hangs it up and refuses it while banned', async () => {
    const [a, b] = await cluster.startMany([['a'], ['b']]) as [PeerProcess, PeerProcess]
    await cluster.connect(a, b)
    await meshed(b, [a])
    await a.request('publish', { kind: 'votes', hex: testMessage('ok', 1) })
    await waitUntil(async () => (await received(b)).length === 1, 'first message delivered')

    // The node's reputation of a collapses: P5 far below the graylist threshold.
    await b.request('setAppScore', { peerId: a.peerId, value: -1000 })
    // b hangs a up at its next graylist check and bans it: a can neither publish to b nor reach it.
    await waitUntil(async () => !(await admitted(b)).includes(a.peerId), 'a disconnected by b')
    await a.request('publish', { kind: 'votes', hex: testMessage('ok', 2) }).catch(() => {})
    await expect(a.request('fetchBlob', { peerId: b.peerId, sha: 'ab'.repeat(32) })).rejects.toMatchObject({ code: 'ERR_BLOB_UNREACHABLE' })
    await waitUntil(async () => (await counters(b))['offence|ERR_GRAYLISTED'] === 1, 'counted as graylisted')
    await waitUntil(async () => ((await counters(b))['refused|ERR_PEER_BANNED'] ?? 0) >= 1, 'reconnection refused while banned')

    expect((await received(b)).map((r) => r.hex)).toEqual([testMessage('ok', 1)])
    expect(count(await counters(b), 'accept', 'OK')).toBe(1)
  })
})

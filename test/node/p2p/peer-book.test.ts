/** The peer book over a real LevelDB: records, order, bounds, bad records skipped. */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Level } from 'level'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { PeerBook, type PeerBookPersistence, type PeerRecord } from '../../../node/p2p/index.ts'
import { silentLogger } from '../../../node/p2p/logger.ts'
import { peerIdOfName } from './fixtures/cluster.ts'

let dir: string
let db: Level<string, unknown>
let persistence: PeerBookPersistence
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'te-peerbook-'))
  db = new Level<string, unknown>(join(dir, 'peers'), { valueEncoding: 'json' })
  await db.open()
  persistence = {
    load: async () => await db.values().all() as PeerRecord[],
    save: async (rec) => { await db.put(rec.peerId, rec) }
  }
})
afterEach(async () => {
  await db.close()
  await rm(dir, { recursive: true, force: true })
})

describe('PeerBook', () => {
  it('records peers and loads them most recently seen first', async () => {
    let now = 1000
    const book = new PeerBook(persistence, { maxPeers: 2, maxAddrsPerPeer: 2, maxAgeMs: 1_000_000 }, silentLogger(), () => now)
    const [p1, p2, p3] = await Promise.all(['p1', 'p2', 'p3'].map(peerIdOfName))
    await book.record(p1!, ['/ip4/127.0.0.1/tcp/1', '/ip4/10.0.0.1/tcp/1', '/ip4/10.0.0.2/tcp/1'])
    now = 2000
    await book.record(p2!, [`/ip4/127.0.0.1/tcp/2/p2p/${p2!}`])
    now = 3000
    await book.record(p3!, ['/ip4/127.0.0.1/tcp/3'])
    now = 4000
    await book.record(p1!, ['/ip4/127.0.0.1/tcp/1'])
    const loaded = await book.load()
    // maxPeers 2: the two most recent; the /p2p/ suffix is stripped.
    expect(loaded).toEqual([
      { peerId: p1, multiaddrs: ['/ip4/127.0.0.1/tcp/1'], lastSeen: 4000 },
      { peerId: p3, multiaddrs: ['/ip4/127.0.0.1/tcp/3'], lastSeen: 3000 }
    ])
    await book.record(p2!, ['/ip4/1.2.3.4/tcp/9', '/ip4/1.2.3.5/tcp/9', '/ip4/1.2.3.6/tcp/9'])
    expect((await book.load())[0]!.multiaddrs).toHaveLength(2)
  })

  it('skips stored records that are malformed instead of failing', async () => {
    const good = await peerIdOfName('good')
    await db.put('a', { peerId: 'not a peer id', multiaddrs: [], lastSeen: 1 })
    await db.put('b', { peerId: good, multiaddrs: ['not a multiaddr'], lastSeen: 1 })
    await db.put('c', { peerId: good, multiaddrs: [], lastSeen: -5 })
    await db.put('d', 'garbage')
    await db.put('e', { peerId: good, multiaddrs: ['/ip4/127.0.0.1/tcp/7'], lastSeen: 7 })
    const book = new PeerBook(persistence, { maxPeers: 10, maxAddrsPerPeer: 8, maxAgeMs: 1000 }, silentLogger(), () => 10)
    expect(await book.load()).toEqual([{ peerId: good, multiaddrs: ['/ip4/127.0.0.1/tcp/7'], lastSeen: 7 }])
  })

  it('expires records not refreshed within maxAgeMs: they are not loaded (so not dialled)', async () => {
    let now = 1000
    const book = new PeerBook(persistence, { maxPeers: 10, maxAddrsPerPeer: 8, maxAgeMs: 5000 }, silentLogger(), () => now)
    const [old, fresh] = await Promise.all(['old', 'fresh'].map(peerIdOfName))
    await book.record(old!, ['/ip4/127.0.0.1/tcp/1'])
    now = 4000
    await book.record(fresh!, ['/ip4/127.0.0.1/tcp/2'])
    now = 6001
    expect((await book.load()).map((r) => r.peerId)).toEqual([fresh])
    now = 9001
    expect(await book.load()).toEqual([])
  })
})

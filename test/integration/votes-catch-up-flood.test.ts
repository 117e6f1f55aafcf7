/**
 * A peer that answers a node's votes catch-up with page after page of the
 * largest frames a page may hold, against a real node process on 127.0.0.1
 * (node1 of a two-validator network; node2 is not running, so node1's job
 * never gets its seed and node1 asks its peers for the job's votes stream
 * every second; node2's key plays the Byzantine validator it asks).
 *
 * A votes stream is one job's seed certificate (at most 257 KiB) and its
 * votes and shares (under 2 KiB each), a few MiB at the largest network.
 * Before, the client read pages while the last was full, up to 3001 items
 * of up to 257 KiB each: about 750 MiB held in memory for one ask of one job,
 * at a lying peer's word. Now an answer stops at MAX_SYNC_VOTES_BYTES.
 */
import * as lp from 'it-length-prefixed'
import { describe, expect, it } from 'vitest'
import { VOTE_SYNC_PROTOCOL } from '../../node/p2p/index.ts'
import { MAX_SYNC_ITEM_BYTES, MAX_SYNC_VOTES_BYTES } from '../../node/p2p/vote-sync.ts'
import { waitFor } from '../../sim/cluster.ts'
import { testPng } from '../../sim/images.ts'
import { rogueNetwork } from '../helpers/rogue-network.ts'

describe('votes catch-up from a peer that serves endless full pages', () => {
  const net = rogueNetwork(2)

  it('reads at most MAX_SYNC_VOTES_BYTES of one answer', async () => {
    const { cluster, network } = net
    const rogue = await net.rogue('node2')
    const junk = new Uint8Array(MAX_SYNC_ITEM_BYTES).fill(0x20)
    let maxFrom = 0
    let requests = 0
    await rogue.libp2p.handle(VOTE_SYNC_PROTOCOL, ({ stream }) => {
      void (async () => {
        const first = await lp.decode(stream.source).next()
        const { from } = JSON.parse(new TextDecoder().decode(first.value!.subarray())) as { from: number }
        requests++
        maxFrom = Math.max(maxFrom, from)
        await stream.sink(lp.encode([junk])) // one item over the page's "full" mark: the client asks for the next
      })().catch(() => {})
    }, { maxInboundStreams: 64 })
    await rogue.start()
    await waitFor(async () => (await cluster.get('node1', '/v1/peers') as { peers: Array<{ connected: boolean }> }).peers.some((p) => p.connected), 'rogue connected')
    // A job of node1's that cannot get its seed: node1 asks its peer for the job's votes stream every second.
    await cluster.submitFrames('node1', [testPng(16, 16)], [testPng(16, 16)], { deadlineMs: 60_000 })
    await waitFor(async () => requests > 0, 'node1 asks the rogue for votes')
    // Several asks' worth of time (bounded by waitFor's tries).
    const target = requests + 3 * Math.ceil(MAX_SYNC_VOTES_BYTES / MAX_SYNC_ITEM_BYTES) + 3
    await waitFor(async () => requests >= target, 'node1 asks again')
    expect(maxFrom * MAX_SYNC_ITEM_BYTES).toBeLessThanOrEqual(MAX_SYNC_VOTES_BYTES)
  })
})

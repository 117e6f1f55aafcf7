/**
 * The vote catch-up protocol between two real libp2p hosts on 127.0.0.1:
 * votes come back as served, a peer without the protocol or that stalls
 * gives a typed error, and a malformed request is refused by the server.
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import * as lp from 'it-length-prefixed'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHost, type Host } from '../../../node/p2p/host.ts'
import { MAX_SYNC_PAGE_BYTES, VOTE_SYNC_PROTOCOL, fetchOpenJobs, fetchVotes, serveOpenJobs, serveVotes } from '../../../node/p2p/vote-sync.ts'
import { isTrustEngineError } from '../../../protocol/errors.ts'

describe('vote catch-up protocol', () => {
  let server: Host
  let client: Host
  const jobId = 'ab'.repeat(32)
  const votes = [new TextEncoder().encode('{"vote":1}'), new TextEncoder().encode('{"vote":2}')]

  beforeAll(async () => {
    server = await createHost({ privateKey: await generateKeyPair('Ed25519'), networkId: 'syncnet' })
    await server.start()
    await serveVotes(server, async (id) => (id === jobId ? votes : []))
    await serveOpenJobs(server, async () => [new TextEncoder().encode('{"job":1}')])
    client = await createHost({ privateKey: await generateKeyPair('Ed25519'), networkId: 'syncnet', bootstrap: server.multiaddrs() })
    await client.start()
    for (let i = 0; i < 100 && !client.isAdmitted(server.peerId); i++) await new Promise((r) => setTimeout(r, 100))
  })
  afterAll(async () => {
    await client?.stop()
    await server?.stop()
  })

  it('returns the votes the peer holds for the job, and none for another job', async () => {
    expect((await fetchVotes(client, server.peerId, jobId)).map((v) => new TextDecoder().decode(v))).toEqual(['{"vote":1}', '{"vote":2}'])
    expect(await fetchVotes(client, server.peerId, 'cd'.repeat(32))).toEqual([])
  })

  it('returns an item larger than a page (a large network\'s seed certificate) and the items after it', async () => {
    const big = new Uint8Array(MAX_SYNC_PAGE_BYTES + 1000).fill(0x7b)
    const small = Array.from({ length: 3 }, (_, i) => new TextEncoder().encode(`{"vote":${i}}`))
    const bigJob = 'ef'.repeat(32)
    const s = await createHost({ privateKey: await generateKeyPair('Ed25519'), networkId: 'syncnet' })
    await s.start()
    try {
      await serveVotes(s, async (id) => (id === bigJob ? [big, ...small] : []))
      await client.libp2p.dial(s.libp2p.getMultiaddrs()[0]!)
      for (let i = 0; i < 100 && !client.isAdmitted(s.peerId); i++) await new Promise((r) => setTimeout(r, 100))
      const got = await fetchVotes(client, s.peerId, bigJob)
      expect(got.map((v) => v.byteLength)).toEqual([big.byteLength, ...small.map((v) => v.byteLength)])
      expect(Buffer.from(got[0]!).equals(Buffer.from(big))).toBe(true)
    } finally {
      await s.stop()
    }
  })

  it('returns the announcements of the peer\'s open jobs', async () => {
    expect((await fetchOpenJobs(client, server.peerId)).map((v) => new TextDecoder().decode(v))).toEqual(['{"job":1}'])
    const err = await fetchOpenJobs(server, client.peerId).catch((e: unknown) => e)
    expect(isTrustEngineError(err, 'ERR_SYNC_UNREACHABLE')).toBe(true)
  })

  it('gives ERR_SYNC_UNREACHABLE for a peer that does not speak the protocol', async () => {
    const err = await fetchVotes(server, client.peerId, jobId).catch((e: unknown) => e)
    expect(isTrustEngineError(err, 'ERR_SYNC_UNREACHABLE')).toBe(true)
  })

  it('the server ends the stream on a malformed request without answering', async () => {
    const stream = await client.libp2p.dialProtocol(server.peerId, VOTE_SYNC_PROTOCOL)
    void stream.sink([lp.encode.single(new TextEncoder().encode('{"jobId":"nope"}'))]).catch(() => {})
    const frames: unknown[] = []
    try {
      for await (const f of lp.decode(stream.source)) frames.push(f)
    } catch {}
    expect(frames).toEqual([])
  })
})

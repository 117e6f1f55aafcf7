/**
 * Blob transfer between real processes: a fetched blob is hash-checked and
 * stored; a lying peer (ERR_BLOB_HASH), an oversized blob
 * (ERR_BLOB_TOO_LARGE) and a stalled peer (ERR_BLOB_TIMEOUT) leave nothing
 * stored; fetching from several peers skips the bad ones.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { blobPeerOrder } from '../../../node/p2p/index.ts'
import { sha256Hex } from '../../../protocol/hash.ts'
import { Cluster, waitUntil, type PeerProcess } from './fixtures/cluster.ts'

const cluster = new Cluster()
let server: PeerProcess
let liar: PeerProcess
let staller: PeerProcess
let client: PeerProcess

// One set of processes for the file: every test only reads from the servers
// and each fetches a different blob into the client.
beforeAll(async () => {
  [server, liar, staller, client] = await cluster.startMany([
    ['server', { blobMode: 'dir' }], ['liar', { blobMode: 'liar' }], ['staller', { blobMode: 'stall' }], ['client']
  ]) as [PeerProcess, PeerProcess, PeerProcess, PeerProcess]
  await cluster.connect(client, server, liar, staller)
  await waitUntil(async () => (await client.request<string[]>('admitted')).length === 3, 'client connected to all three')
})
afterAll(async () => { await cluster.stopAll() })

const has = async (p: PeerProcess, sha: string): Promise<boolean> => await p.request<boolean>('hasBlob', { sha })

describe('blob protocol between processes', () => {
  it('fetches a multi-chunk blob, checks its hash and stores it', async () => {
    // 2.5 MiB: three chunk frames of at most 1 MiB.
    const size = 2.5 * 1024 * 1024
    const sha = await server.request<string>('putBlob', { size, fill: 7 })
    expect(sha).toBe(sha256Hex(Buffer.alloc(size, 7)))
    expect(await has(client, sha)).toBe(false)
    expect(await client.request('fetchBlob', { peerId: server.peerId, sha })).toEqual({ sha, size })
    expect(await has(client, sha)).toBe(true)
  })

  it('refuses bytes that do not hash to the requested id, and stores nothing', async () => {
    const sha = sha256Hex('the blob the liar does not have')
    await expect(client.request('fetchBlob', { peerId: liar.peerId, sha })).rejects.toMatchObject({ code: 'ERR_BLOB_HASH' })
    expect(await has(client, sha)).toBe(false)
  })

  it('refuses a blob larger than the limit before reading it, and stores nothing', async () => {
    const sha = await server.request<string>('putBlob', { size: 5000, fill: 1 })
    await expect(client.request('fetchBlob', { peerId: server.peerId, sha, maxBytes: 4999 })).rejects.toMatchObject({ code: 'ERR_BLOB_TOO_LARGE' })
    expect(await has(client, sha)).toBe(false)
    // The same blob within the limit is fine: the limit, not the blob, refused it.
    expect(await client.request('fetchBlob', { peerId: server.peerId, sha, maxBytes: 5000 })).toEqual({ sha, size: 5000 })
  })

  it('gives up on a peer that accepts the stream and never answers', async () => {
    const sha = await server.request<string>('putBlob', { size: 100, fill: 2 })
    await expect(client.request('fetchBlob', { peerId: staller.peerId, sha, idleTimeoutMs: 300 })).rejects.toMatchObject({ code: 'ERR_BLOB_TIMEOUT' })
    expect(await has(client, sha)).toBe(false)
  })

  it('answers not-found for an unknown blob', async () => {
    await expect(client.request('fetchBlob', { peerId: server.peerId, sha: sha256Hex('nobody has this') })).rejects.toMatchObject({ code: 'ERR_BLOB_NOT_FOUND' })
  })

  it('fetches from any peer, skipping one that serves wrong bytes', async () => {
    // Pick a blob for which the deterministic order asks the liar first.
    let fill = 3
    while (blobPeerOrder([server.peerId, liar.peerId], sha256Hex(Buffer.alloc(3000, fill)))[0] !== liar.peerId) fill++
    const sha = await server.request<string>('putBlob', { size: 3000, fill })
    // One peer at a time, so that the liar's answer surely comes first.
    const res = await client.request<{ size: number, attempts: string[] }>('fetchAny', { peers: [server.peerId, liar.peerId], sha, probes: 1 })
    expect(res.size).toBe(3000)
    expect(res.attempts).toEqual([`${liar.peerId}:ERR_BLOB_HASH`, `${server.peerId}:OK`])
    expect(await has(client, sha)).toBe(true)
  })

  it('asks peers a few at a time: a peer that never answers does not hold up one that has the blob', async () => {
    // A blob for which the deterministic order asks the staller first: one after another, the fetch waited
    // out the staller's idle deadline (ERR_BLOB_TIMEOUT) before asking the server.
    let fill = 40
    while (blobPeerOrder([server.peerId, staller.peerId], sha256Hex(Buffer.alloc(2000, fill)))[0] !== staller.peerId) fill++
    const sha = await server.request<string>('putBlob', { size: 2000, fill })
    const res = await client.request<{ size: number, attempts: string[] }>('fetchAny', { peers: [staller.peerId, server.peerId], sha })
    expect(res.size).toBe(2000)
    // The server's answer came while the staller's request was still open; that request was cancelled, not timed out.
    expect(res.attempts).toEqual([`${staller.peerId}:superseded`, `${server.peerId}:OK`])
    expect(await has(client, sha)).toBe(true)
  })

  it('asked at once, a liar and an honest server: the lie is refused and the blob comes from the server', async () => {
    const sha = await server.request<string>('putBlob', { size: 3000, fill: 90 })
    const res = await client.request<{ size: number, attempts: string[] }>('fetchAny', { peers: [liar.peerId, server.peerId, staller.peerId], sha })
    expect(res.size).toBe(3000)
    expect(res.attempts.at(-1)).toBe(`${server.peerId}:OK`)
    // Whichever answered first: the liar's bytes, when read, were refused, and a request cancelled for its answer
    // (the server's among them) was asked again; nothing else ended a request.
    const allowed = [`${liar.peerId}:ERR_BLOB_HASH`, `${liar.peerId}:superseded`, `${staller.peerId}:superseded`, `${server.peerId}:superseded`]
    for (const a of res.attempts.slice(0, -1)) expect(allowed).toContain(a)
    expect(await has(client, sha)).toBe(true)
  })

  it('asks the first preferred peer alone: when it has the blob, no other peer is asked', async () => {
    const sha = await server.request<string>('putBlob', { size: 2500, fill: 120 })
    const res = await client.request<{ size: number, attempts: string[] }>('fetchAny', { peers: [liar.peerId, staller.peerId, server.peerId], sha, prefer: [server.peerId] })
    expect(res.attempts).toEqual([`${server.peerId}:OK`])
  })

  it('a preferred peer that never answers holds the fetch only for its time alone', async () => {
    const sha = await server.request<string>('putBlob', { size: 2500, fill: 121 })
    const res = await client.request<{ size: number, attempts: string[] }>('fetchAny', { peers: [staller.peerId, server.peerId], sha, prefer: [staller.peerId], soloMs: 200 })
    expect(res.attempts).toEqual([`${staller.peerId}:superseded`, `${server.peerId}:OK`])
  })
})

/**
 * Blob transfer edge cases in one process (real libp2p hosts over
 * 127.0.0.1): servers that break their promises, limits on the server side,
 * cancellation, unreachable peers, and streaming from a blob directory.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { afterEach, describe, expect, it } from 'vitest'
import {
  BlobDir, CounterTally, ERR_BLOB_ABORTED, ERR_BLOB_ID, ERR_BLOB_PROTOCOL, ERR_BLOB_TOO_LARGE, ERR_BLOB_UNREACHABLE,
  createHost, fetchBlob, serveBlobs, type BlobBody, type Host, type ServeBlobsOptions
} from '../../../node/p2p/index.ts'
import { sha256Hex } from '../../../protocol/hash.ts'
import { waitUntil } from './fixtures/cluster.ts'

const hosts: Host[] = []
const dirs: string[] = []
afterEach(async () => {
  await Promise.all(hosts.map(async (h) => { await h.stop() }))
  hosts.length = 0
  await Promise.all(dirs.map(async (d) => { await rm(d, { recursive: true, force: true }) }))
  dirs.length = 0
})

/** A started server host (serving `getBlob` with `serve`'s options) and a started client host connected to it. */
async function pair (getBlob: (sha: string) => Promise<BlobBody>, serve: Omit<ServeBlobsOptions, 'getBlob'> = {}): Promise<{ server: Host, client: Host }> {
  const server = await createHost({ privateKey: await generateKeyPair('Ed25519'), networkId: 'testnet' })
  hosts.push(server)
  await serveBlobs(server, { ...serve, getBlob })
  await server.start()
  const client = await createHost({ privateKey: await generateKeyPair('Ed25519'), networkId: 'testnet', bootstrap: server.multiaddrs() })
  hosts.push(client)
  await client.start()
  await waitUntil(() => client.isAdmitted(server.peerId), 'connected')
  return { server, client }
}

async function * chunksOf (...parts: Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const p of parts) yield p
}

describe('blob transfer', () => {
  it('fails with ERR_BLOB_PROTOCOL when the server sends fewer bytes than it declared', async () => {
    const blob = Buffer.alloc(1000, 5)
    const { server, client } = await pair(async () => ({ size: 1000, chunks: chunksOf(blob.subarray(0, 600)) }))
    await expect(fetchBlob(client, server.peerId, sha256Hex(blob))).rejects.toMatchObject({ code: ERR_BLOB_PROTOCOL })
  })

  it('answers too-large for a blob over the server\'s limit', async () => {
    const counters = new CounterTally()
    const blob = Buffer.alloc(2000, 5)
    const { server, client } = await pair(async () => blob, { maxBlobBytes: 1000, counters })
    await expect(fetchBlob(client, server.peerId, sha256Hex(blob))).rejects.toMatchObject({ code: ERR_BLOB_TOO_LARGE })
    await waitUntil(() => counters.get('blob|serve|too-large') === 1, 'counted')
  })

  it('serves a blob whose lookup outlasts the server\'s idle deadline: the lookup is the server\'s own work, not the peer\'s silence', async () => {
    const counters = new CounterTally()
    const blob = Buffer.alloc(1000, 7)
    // The lookup ends after the server's idle deadline (as BlobDir.open hashing a 64 MiB file does on a loaded
    // machine, several streams at once); the timers fire in order whatever the machine's speed.
    const { server, client } = await pair(async () => { await new Promise((resolve) => setTimeout(resolve, 600)); return blob }, { idleTimeoutMs: 200, counters })
    // The client's idle deadline is a hang guard here.
    const got = await fetchBlob(client, server.peerId, sha256Hex(blob), { idleTimeoutMs: 120_000 })
    expect(Buffer.from(got).equals(blob)).toBe(true)
    await waitUntil(() => counters.get('blob|serve|found') === 1, 'counted')
    expect(counters.get('blob|serve|ERR_BLOB_TIMEOUT')).toBe(0)
  })

  it('stops at once when the caller aborts', async () => {
    let release = (): void => {}
    const never = new Promise<BlobBody>((resolve) => { release = () => { resolve(null) } })
    const { server, client } = await pair(async () => await never)
    const controller = new AbortController()
    const fetching = fetchBlob(client, server.peerId, sha256Hex('x'), { signal: controller.signal })
    controller.abort()
    await expect(fetching).rejects.toMatchObject({ code: ERR_BLOB_ABORTED })
    release()
  })

  it('refuses malformed ids and unreachable peers with their codes', async () => {
    const { server, client } = await pair(async () => null)
    await expect(fetchBlob(client, server.peerId, 'ABC')).rejects.toMatchObject({ code: ERR_BLOB_ID })
    const stranger = await createHost({ privateKey: await generateKeyPair('Ed25519'), networkId: 'testnet' })
    await expect(fetchBlob(client, stranger.peerId, sha256Hex('x'))).rejects.toMatchObject({ code: ERR_BLOB_UNREACHABLE })
    await expect(fetchBlob(client, 'not a peer id', sha256Hex('x'))).rejects.toMatchObject({ code: ERR_BLOB_UNREACHABLE })
  })

  it('streams a blob from a blob directory in 1 MiB frames', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'te-blobs-'))
    dirs.push(dataDir)
    const dir = new BlobDir(dataDir)
    const blob = Buffer.alloc(3 * 1024 * 1024 + 17)
    for (let i = 0; i < blob.length; i++) blob[i] = (i * 31) & 0xff
    const sha = await dir.put(blob)
    const { server, client } = await pair(async (s) => await dir.open(s))
    const got = await fetchBlob(client, server.peerId, sha)
    // (Buffer.equals: a deep toEqual over megabytes is very slow.)
    expect(Buffer.from(got).equals(blob)).toBe(true)
  })
})

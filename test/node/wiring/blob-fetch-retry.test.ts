/**
 * A job's blob fetch goes on until its round's deadline (the caller's
 * signal), not for a fixed number of rounds: a verifier that asked while
 * every holder of the blobs was down (a restarting submitter) gets them once
 * a holder serves them again, and votes, instead of giving up after about
 * 30 s and leaving its job to be disputed at the deadline (found by the
 * crash loop, docs/crashloop.md). Real libp2p hosts over 127.0.0.1, real
 * blob folders; the holder's folder is empty until the test fills it.
 */
import { Registry } from 'prom-client'
import { describe, expect, it } from 'vitest'
import { createNodeMetrics } from '../../../node/metrics.ts'
import { BlobDir, ERR_BLOB_ABORTED } from '../../../node/p2p/index.ts'
import { DEFAULT_BLOB_FETCH_RETRY, blobPort } from '../../../node/wiring/blob-port.ts'
import { referencePng } from '../api/fixtures.ts'
import { waitUntil } from '../p2p/fixtures/cluster.ts'
import { blobPeerFixtures } from './blob-peers.ts'

const { tempDir, blobPeers: peers } = blobPeerFixtures('te-fetch-retry-')

describe('a blob fetch whose holders cannot serve yet', () => {
  it('goes on past the old 12 rounds and gets the blob once a holder has it', async () => {
    const { served: held, asked, server, client, local } = await peers()
    const bytes = Buffer.from(referencePng())
    // The id of the bytes, without storing them where the holder serves from.
    const sha = await new BlobDir(await tempDir()).put(bytes)
    const metrics = createNodeMetrics(new Registry())
    // Short waits, the default number of rounds.
    const port = blobPort({ host: client, blobs: local, peerIdOf: () => server.peerId.toString(), clock: Date.now, metrics, retry: { initialDelayMs: 5, maxDelayMs: 20 } })
    const fetching = port.get(sha, 'aa'.repeat(32), new AbortController().signal)
    const outcome = fetching.then(() => 'got', (err: { code?: string }) => err.code ?? 'error')
    // The holder answers "not found" 20 times (more rounds than the old fixed 12), then has the blob.
    await waitUntil(() => asked() >= 20, 'twenty asks')
    await held.put(bytes)
    expect(await outcome).toBe('got')
    expect(Buffer.from(await fetching).equals(bytes)).toBe(true)
    expect(await local.has(sha)).toBe(true)
  }, 120_000)

  it('ends when its signal ends (the round\'s deadline), with ERR_BLOB_ABORTED', async () => {
    const { asked, server, client, local } = await peers()
    const sha = 'cd'.repeat(32)
    const metrics = createNodeMetrics(new Registry())
    const port = blobPort({ host: client, blobs: local, peerIdOf: () => server.peerId.toString(), clock: Date.now, metrics, retry: { initialDelayMs: 5, maxDelayMs: 20 } })
    const deadline = new AbortController()
    const fetching = port.get(sha, 'aa'.repeat(32), deadline.signal)
    const outcome = fetching.then(() => 'got', (err: { code?: string }) => err.code ?? 'error')
    await waitUntil(() => asked() >= 3, 'three asks')
    deadline.abort()
    expect(await outcome).toBe(ERR_BLOB_ABORTED)
    expect(DEFAULT_BLOB_FETCH_RETRY.maxRounds).toBe(Number.POSITIVE_INFINITY)
  }, 120_000)
})

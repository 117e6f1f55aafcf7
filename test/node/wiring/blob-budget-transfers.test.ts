/**
 * The blob port's transfers are within the node's blob budget
 * (node/job/blob-budget.ts): each transfer from a peer reserves the size
 * the peer declared, before reading the bytes, until the blob is stored, and
 * nothing between the rounds of a fetch that no peer serves yet, so such a
 * fetch does not keep another job's blob from coming; `fetch` stores a blob
 * and gives its size without holding its bytes; a transfer waiting for room
 * ends at its signal with `ERR_BLOB_BUDGET`, having read nothing. Real
 * libp2p hosts over 127.0.0.1, real blob folders.
 */
import { Registry } from 'prom-client'
import { describe, expect, it } from 'vitest'
import { BlobBudget } from '../../../node/job/blob-budget.ts'
import { ERR_BLOB_BUDGET } from '../../../node/job/errors.ts'
import { createNodeMetrics } from '../../../node/metrics.ts'
import { ERR_BLOB_ABORTED } from '../../../node/p2p/index.ts'
import { blobPort } from '../../../node/wiring/blob-port.ts'
import { MAX_BLOB_BYTES } from '../../../protocol/constants.ts'
import { referencePng } from '../api/fixtures.ts'
import { waitUntil } from '../p2p/fixtures/cluster.ts'
import { blobPeerFixtures } from './blob-peers.ts'

const { blobPeers: peers } = blobPeerFixtures('te-blob-budget-')

describe('blob transfers within the blob budget', () => {
  it('reserve per transfer only: a fetch no peer serves yet leaves room between its rounds for another job\'s blob', async () => {
    const { served, asked, server, client, local } = await peers()
    // Room for one transfer at a time.
    const budget = new BlobBudget({ maxBytes: MAX_BLOB_BYTES, maxBytesPerOwner: MAX_BLOB_BYTES })
    const port = blobPort({ host: client, blobs: local, peerIdOf: () => server.peerId.toString(), clock: Date.now, metrics: createNodeMetrics(new Registry()), retry: { initialDelayMs: 20, maxDelayMs: 50 }, budget })
    const waiting = new AbortController()
    const missing = port.fetch!('cd'.repeat(32), 'aa'.repeat(32), waiting.signal).then(() => 'got', (err: { code?: string }) => err.code ?? 'error')
    await waitUntil(() => asked() >= 3, 'three asks for the missing blob')

    const bytes = Buffer.from(referencePng())
    const sha = await served.put(bytes)
    expect(await port.fetch!(sha, 'bb'.repeat(32), new AbortController().signal)).toBe(bytes.byteLength)
    expect(await local.has(sha)).toBe(true)

    waiting.abort()
    expect(await missing).toBe(ERR_BLOB_ABORTED)
    expect(budget.bytes).toEqual({ held: 0, waiting: 0 })
    // A stored blob is not transferred again: its size comes from the folder. Only the asks for this blob
    // are counted: the server may still be answering a request of the cancelled fetch for 'cd…' (it sent
    // one just before the abort, and a loaded machine answers it after the count was read).
    const before = asked(sha)
    expect(await port.fetch!(sha, 'bb'.repeat(32), new AbortController().signal)).toBe(bytes.byteLength)
    expect(asked(sha)).toBe(before)
  })

  it('reserves the size the peer declared before reading the bytes, and ends at its signal with ERR_BLOB_BUDGET', async () => {
    const { served, asked, server, client, local } = await peers()
    const budget = new BlobBudget({ maxBytes: MAX_BLOB_BYTES, maxBytesPerOwner: MAX_BLOB_BYTES })
    const port = blobPort({ host: client, blobs: local, peerIdOf: () => server.peerId.toString(), clock: Date.now, metrics: createNodeMetrics(new Registry()), budget })
    const bytes = Buffer.from(referencePng())
    const sha = await served.put(bytes)
    const other = await budget.reserve('someone else', MAX_BLOB_BYTES, new AbortController().signal)
    const deadline = new AbortController()
    const fetching = port.fetch!(sha, 'aa'.repeat(32), deadline.signal).then(() => 'got', (err: { code?: string }) => err.code ?? 'error')
    // The blob's own size, not the largest blob's: a small blob waits only for its own bytes' room.
    await waitUntil(() => budget.bytes.waiting === bytes.byteLength, 'the transfer waits for room for its declared size')
    expect(asked(sha)).toBe(1)
    deadline.abort()
    expect(await fetching).toBe(ERR_BLOB_BUDGET)
    other.release()
    expect(budget.bytes).toEqual({ held: 0, waiting: 0 })
    expect(await local.has(sha)).toBe(false)
  })

  it('a small blob is read while a large one holds most of the budget', async () => {
    const { served, server, client, local } = await peers()
    const budget = new BlobBudget({ maxBytes: MAX_BLOB_BYTES, maxBytesPerOwner: MAX_BLOB_BYTES })
    const port = blobPort({ host: client, blobs: local, peerIdOf: () => server.peerId.toString(), clock: Date.now, metrics: createNodeMetrics(new Registry()), budget })
    const bytes = Buffer.from(referencePng())
    const sha = await served.put(bytes)
    // Room for this blob but not for the largest one: reserving the largest blob per transfer waited here for ever.
    const other = await budget.reserve('someone else', MAX_BLOB_BYTES - bytes.byteLength, new AbortController().signal)
    expect(await port.fetch!(sha, 'aa'.repeat(32), new AbortController().signal)).toBe(bytes.byteLength)
    expect(await local.has(sha)).toBe(true)
    other.release()
    expect(budget.bytes).toEqual({ held: 0, waiting: 0 })
  })
})

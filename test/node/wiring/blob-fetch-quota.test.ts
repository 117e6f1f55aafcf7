/**
 * The blob port charges each blob it fetches to the job's submitter (the
 * hint) in the node's fetch quota (node/store/fetch-quota.ts): a submitter
 * at its share gets `ERR_BLOB_SUBMITTER_QUOTA` at once, not retried until
 * the deadline, stores nothing more, and another submitter's fetch still
 * succeeds; a deleted blob gives its share back. Real libp2p hosts over
 * 127.0.0.1, real blob folders.
 */
import { randomBytes } from 'node:crypto'
import { Registry } from 'prom-client'
import { describe, expect, it } from 'vitest'
import { createNodeMetrics } from '../../../node/metrics.ts'
import { ERR_BLOB_SUBMITTER_QUOTA, FetchQuota } from '../../../node/store/fetch-quota.ts'
import { blobPort } from '../../../node/wiring/blob-port.ts'
import { blobPeerFixtures } from './blob-peers.ts'

const { blobPeers: peers } = blobPeerFixtures('te-fetch-quota-')
const A = 'aa'.repeat(32)
const B = 'bb'.repeat(32)
const KIB = 1024

describe('blob fetches bounded per submitter', () => {
  it('refuses a submitter at its share, at once, and still fetches for the others', async () => {
    const { served, server, client, local, asked } = await peers()
    const blobs = await Promise.all([0, 1, 2, 3].map(async () => await served.put(new Uint8Array(randomBytes(10 * KIB)))))
    const quota = new FetchQuota(25 * KIB)
    local.watchRemoved((sha) => { quota.released(sha) })
    const registry = new Registry()
    const metrics = createNodeMetrics(registry)
    // Retried without end (the default): only the quota ends a refused fetch before its signal.
    const port = blobPort({ host: client, blobs: local, peerIdOf: () => server.peerId.toString(), clock: Date.now, metrics, quota, retry: { initialDelayMs: 5, maxDelayMs: 20 } })
    const signal = new AbortController().signal
    const code = async (p: Promise<unknown>): Promise<string> => await p.then(() => 'OK', (err: { code?: string }) => err.code ?? String(err))

    expect(await port.fetch!(blobs[0]!, A, signal)).toBe(10 * KIB)
    expect(await port.fetch!(blobs[1]!, A, signal)).toBe(10 * KIB)
    // A third 10 KiB blob would take A to 30 KiB, over its 25 KiB: refused once its size is declared.
    expect(await code(port.fetch!(blobs[2]!, A, signal))).toBe(ERR_BLOB_SUBMITTER_QUOTA)
    expect(await local.has(blobs[2]!)).toBe(false)
    expect(quota.heldBy(A)).toBe(20 * KIB)
    // Asked of one peer, once: not retried.
    expect(asked(blobs[2]!)).toBe(1)
    // B's job is unaffected, even for a blob A was refused.
    expect(await port.fetch!(blobs[2]!, B, signal)).toBe(10 * KIB)
    expect(quota.heldBy(B)).toBe(10 * KIB)
    // A blob already stored costs A nothing.
    expect(await port.fetch!(blobs[2]!, A, signal)).toBe(10 * KIB)
    expect(quota.heldBy(A)).toBe(20 * KIB)
    // Once deleted (retention), A's bytes come back.
    await local.delete(blobs[0]!)
    expect(quota.heldBy(A)).toBe(10 * KIB)
    expect(await port.fetch!(blobs[3]!, A, signal)).toBe(10 * KIB)
    expect(quota.heldBy(A)).toBe(20 * KIB)
    // At its share now? No: 20 of 25 KiB; a fetch checked before asking once full.
    quota.charge(A, 'cc'.repeat(32), 5 * KIB)
    const before = asked()
    expect(await code(port.fetch!(blobs[0]!, A, signal))).toBe(ERR_BLOB_SUBMITTER_QUOTA)
    expect(asked()).toBe(before)
    expect(/^trust_engine_blob_fetch_refused_total (\d+)/m.exec(await registry.metrics())?.[1]).toBe('2')
  })
})

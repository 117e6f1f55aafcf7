/**
 * Blob transfers are counted on both sides of a real node: a blob a peer
 * fetches from the node shows on its `/metrics` as a served request and
 * bytes sent (createNode: LevelDB, the blob folder, libp2p on 127.0.0.1, the
 * HTTP API), and a blob the node's blob port fetches from a peer is counted
 * through its host's counters (real hosts, a real blob folder).
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair as generateLibp2pKey } from '@libp2p/crypto/keys'
import { Registry } from 'prom-client'
import { afterEach, describe, expect, it } from 'vitest'
import { parseNetwork } from '../../../protocol/network.ts'
import { sha256Hex } from '../../../protocol/hash.ts'
import { generateKeyFile } from '../../../node/keys.ts'
import { createNodeMetrics, NODE_METRIC_NAMES } from '../../../node/metrics.ts'
import { createNode } from '../../../node/node.ts'
import { BlobDir, CounterTally, createHost, fetchBlob, serveBlobs } from '../../../node/p2p/index.ts'
import { blobPort } from '../../../node/wiring/blob-port.ts'
import { waitUntil } from '../p2p/fixtures/cluster.ts'

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn()
})

async function folder (): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'trust-engine-blob-metrics-'))
  cleanups.push(async () => { await rm(dir, { recursive: true, force: true }) })
  return dir
}

/** 3 MiB and a bit, so the blob goes out in several 1 MiB chunks. */
const BLOB = Buffer.alloc(3 * 1024 * 1024 + 17, 7)

describe('blob metrics', () => {
  it('counts a blob a peer fetches from a node as served, with its bytes sent', async () => {
    const dir = await folder()
    const key = generateKeyFile(join(dir, 'key.json'))
    const network = parseNetwork({ networkId: 'blob-metrics', protocolVersion: 1, validators: [{ name: 'node1', publicKey: key.publicKey, weight: 1 }] })
    const node = await createNode({ dataDir: dir, network, logLevel: 'silent', api: { port: 0 } })
    cleanups.push(async () => { await node.stop() })
    const sha = await node.putBlob(BLOB)

    const client = await createHost({ privateKey: await generateLibp2pKey('Ed25519'), networkId: network.networkId, bootstrap: node.host.multiaddrs() })
    await client.start()
    cleanups.push(async () => { await client.stop() })
    await waitUntil(() => node.host.isAdmitted(client.peerId), 'client admitted')
    const metrics = async (): Promise<string> => await (await fetch(`${node.info().apiUrl!}/metrics`)).text()
    expect(sha256Hex(await fetchBlob(client, node.host.peerId, sha))).toBe(sha)
    // An observer has one blob stream at a time: the next request waits until the first is counted (its stream ended).
    await waitUntil(async () => /^trust_engine_blob_serves_total\{result="found"\} 1$/m.test(await metrics()), 'found counted')
    await expect(fetchBlob(client, node.host.peerId, sha256Hex('absent'))).rejects.toMatchObject({ code: 'ERR_BLOB_NOT_FOUND' })
    await waitUntil(async () => /^trust_engine_blob_serves_total\{result="not-found"\} 1$/m.test(await metrics()), 'not-found counted')
    expect(await metrics()).toContain(`${NODE_METRIC_NAMES.blobBytes}{direction="sent"} ${BLOB.byteLength}\n`)
  })

  it('counts a blob the blob port fetches from a peer through its host\'s counters', async () => {
    const serverDir = new BlobDir(await folder())
    const sha = await serverDir.put(BLOB)
    const server = await createHost({ privateKey: await generateLibp2pKey('Ed25519'), networkId: 'blob-metrics' })
    await serveBlobs(server, { getBlob: async (s) => await serverDir.open(s) })
    await server.start()
    cleanups.push(async () => { await server.stop() })
    const counters = new CounterTally()
    const host = await createHost({ privateKey: await generateLibp2pKey('Ed25519'), networkId: 'blob-metrics', bootstrap: server.multiaddrs(), counters })
    await host.start()
    cleanups.push(async () => { await host.stop() })
    await waitUntil(() => host.isAdmitted(server.peerId), 'server admitted')

    const metrics = createNodeMetrics(new Registry(), { defaultMetrics: false })
    const port = blobPort({ host, blobs: new BlobDir(await folder()), peerIdOf: () => server.peerId.toString(), clock: Date.now, metrics })
    expect(sha256Hex(await port.get(sha, 'submitter', new AbortController().signal))).toBe(sha)
    expect(counters.get('blob|fetch|OK')).toBe(1)
  })
})

/**
 * A blob file truncated or altered on disk is never measured nor served:
 * the node reading it moves it aside, counts it
 * (`trust_engine_blobs_quarantined_total`), treats it as absent, and fetches
 * it again from a peer when a job needs it. Real files, real libp2p hosts
 * over 127.0.0.1, a real node with its API.
 */
import { readdir, truncate, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Registry } from 'prom-client'
import { describe, expect, it } from 'vitest'
import { startApi } from '../../../node/api/server.ts'
import { generateKeyFile } from '../../../node/keys.ts'
import { createNodeMetrics } from '../../../node/metrics.ts'
import { createNode } from '../../../node/node.ts'
import { BlobDir, ERR_BLOB_NOT_FOUND } from '../../../node/p2p/index.ts'
import { blobPort } from '../../../node/wiring/blob-port.ts'
import { parseNetwork } from '../../../protocol/network.ts'
import { goodCandidatePng, referencePng } from '../api/fixtures.ts'
import { blobPeerFixtures } from './blob-peers.ts'

const { tempDir, blobPeers: peers } = blobPeerFixtures('te-quarantine-')

describe('a blob file broken on disk', () => {
  it('is quarantined at the read a job makes, and fetched again from a peer', async () => {
    const { served, local, server, client } = await peers()
    const bytes = Buffer.from(referencePng())
    const sha = await served.put(bytes)
    await local.put(bytes)
    await truncate(local.pathOf(sha), 100)
    const metrics = createNodeMetrics(new Registry())
    const port = blobPort({ host: client, blobs: local, peerIdOf: () => server.peerId.toString(), clock: Date.now, metrics, retry: { initialDelayMs: 10, maxRounds: 2 } })
    local.watchQuarantine((_sha, reason) => { metrics.blobs.quarantined.inc({ reason }) })
    const got = await port.get(sha, 'aa'.repeat(32), new AbortController().signal)
    expect(Buffer.from(got).equals(bytes)).toBe(true)
    expect((await metrics.blobs.quarantined.get()).values).toMatchObject([{ labels: { reason: 'hash' }, value: 1 }])
    expect(Buffer.from((await local.get(sha))!).equals(bytes)).toBe(true)
    expect((await readdir(local.quarantineDir)).length).toBe(1)
  }, 60_000)

  it('is never served: the peer holding it quarantines it and answers not found', async () => {
    const { served, local, server, client } = await peers()
    const bytes = Buffer.from(goodCandidatePng())
    const sha = await served.put(bytes)
    const altered = Buffer.from(bytes)
    altered.writeUInt8(altered.readUInt8(altered.length - 1) ^ 0xff, altered.length - 1)
    await writeFile(served.pathOf(sha), altered)
    const metrics = createNodeMetrics(new Registry())
    const port = blobPort({ host: client, blobs: local, peerIdOf: () => server.peerId.toString(), clock: Date.now, metrics, retry: { initialDelayMs: 10, maxRounds: 2 } })
    await expect(port.get(sha, 'aa'.repeat(32), new AbortController().signal)).rejects.toMatchObject({ code: ERR_BLOB_NOT_FOUND })
    expect(await served.has(sha)).toBe(false)
    expect(await local.has(sha)).toBe(false)
    expect((await readdir(served.quarantineDir)).length).toBe(1)
  }, 60_000)

  it('in a node: a job naming it is refused with ERR_BLOB_UNKNOWN and the metric counts it; an upload of the bytes repairs it', async () => {
    const dataDir = await tempDir()
    const key = generateKeyFile(join(dataDir, 'key.json'))
    const network = parseNetwork({ networkId: 'quarantine', protocolVersion: 1, validators: [{ name: 'node1', publicKey: key.publicKey, weight: 1 }] })
    const node = await createNode({ dataDir, keyFile: join(dataDir, 'key.json'), network, logLevel: 'silent' })
    const api = await startApi(node, { port: 0 })
    try {
      const upload = async (bytes: Uint8Array): Promise<Response> => await fetch(`${api.url}/v1/blobs`, { method: 'POST', body: bytes, headers: { 'content-type': 'application/octet-stream' } })
      const reference = ((await (await upload(referencePng())).json()) as { sha256: string }).sha256 as string
      const candidate = ((await (await upload(goodCandidatePng())).json()) as { sha256: string }).sha256 as string
      await truncate(new BlobDir(dataDir).pathOf(reference), 50)
      const job = JSON.stringify({ kind: 'frames', reference: [reference], candidate: [candidate] })
      const refused = await fetch(`${api.url}/v1/jobs`, { method: 'POST', body: job, headers: { 'content-type': 'application/json' } })
      expect([refused.status, ((await refused.json()) as { error: { code: string } }).error.code]).toEqual([400, 'ERR_BLOB_UNKNOWN'])
      const metrics = await (await fetch(`${api.url}/metrics`)).text()
      expect(/^trust_engine_blobs_quarantined_total\{reason="hash"\} (\d+)/m.exec(metrics)?.[1]).toBe('1')
      expect((await upload(referencePng())).status).toBe(201)
      const accepted = await fetch(`${api.url}/v1/jobs`, { method: 'POST', body: job, headers: { 'content-type': 'application/json' } })
      expect(accepted.status).toBe(201)
    } finally {
      await api.close()
      await node.stop()
    }
  }, 120_000)
})

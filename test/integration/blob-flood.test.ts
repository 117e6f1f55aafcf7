/**
 * One validator's jobs cannot fill an honest node's blob folder.
 *
 * A real node process on 127.0.0.1 (node1 of a two-validator network, its
 * blob folder set to 6 MiB so the test stays small; the default is 32 GiB)
 * and node2's key played by a Byzantine validator that announces frames jobs
 * naming blobs only it serves (random bytes: nothing is decoded before the
 * blobs are in), more than the whole folder. node1 used to fetch and store
 * every blob of every job the submitter has open and keep them for
 * `decidedJobsMs` after the jobs closed, so its own clients got 507
 * `ERR_BLOB_QUOTA` and every other validator's job failed to fetch there.
 * Now fetched blobs are charged to the job's submitter, who holds at most
 * its share (node/store/fetch-quota.ts: three quarters of the folder among
 * the two validators, 2.25 MiB): the further fetches are refused
 * (`ERR_BLOB_SUBMITTER_QUOTA`) and an honest client's upload still fits.
 */
import { randomBytes } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { canonicalEncode } from '../../protocol/canonical.ts'
import { sha256Hex } from '../../protocol/hash.ts'
import { newJob, signJob } from '../../protocol/job.ts'
import { parseNetwork } from '../../protocol/network.ts'
import { fetchShareOf } from '../../node/store/fetch-quota.ts'
import { libp2pPrivateKey, loadKeyFile } from '../../node/keys.ts'
import { createHost, serveBlobs, type Host } from '../../node/p2p/index.ts'
import { Cluster, waitFor } from '../../sim/cluster.ts'

const MIB = 1024 * 1024
const FOLDER_BYTES = 6 * MIB
/** The attacker's jobs: two 1 MiB blobs each, 8 MiB in all, more than the folder. */
const JOBS = 4

async function metric (cluster: Cluster, name: string): Promise<number> {
  const text = await (await fetch(`${cluster.entry('node1').apiUrl}/metrics`)).text()
  const line = text.split('\n').find((l) => l.startsWith(name + ' '))
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1))
}

describe('blob flood from one validator', () => {
  let cluster: Cluster
  const hosts: Host[] = []

  beforeAll(async () => {
    cluster = Cluster.init(2)
    const configFile = join(cluster.dir, cluster.entry('node1').config)
    writeFileSync(configFile, JSON.stringify({ ...JSON.parse(readFileSync(configFile, 'utf8')), blobs: { maxTotalBytes: FOLDER_BYTES } }))
    await cluster.start('node1')
  })
  afterAll(async () => {
    for (const h of hosts) await h.stop().catch(() => {})
    await cluster?.cleanup()
  })

  it('leaves room in an honest node\'s blob folder for other submitters\' jobs', async () => {
    const network = parseNetwork(readFileSync(cluster.networkFile))
    const keyFile = join(cluster.dir, 'node2', 'key.json')
    const key = JSON.parse(readFileSync(keyFile, 'utf8')) as { publicKey: string, privateKey: string }
    const blobs = new Map<string, Uint8Array>()
    const rogue = await createHost({ privateKey: libp2pPrivateKey(loadKeyFile(keyFile)), networkId: network.networkId, bootstrap: [cluster.entry('node1').listen] })
    hosts.push(rogue)
    await serveBlobs(rogue, { getBlob: async (sha) => blobs.get(sha) ?? null })
    await rogue.start()
    await waitFor(async () => rogue.gossip.subscribers(rogue.topics.jobs).length > 0, 'rogue sees node1 subscribed to jobs')

    for (let i = 0; i < JOBS; i++) {
      const [ref, cand] = [randomBytes(MIB), randomBytes(MIB)].map((b) => { const u = new Uint8Array(b); blobs.set(sha256Hex(u), u); return sha256Hex(u) })
      const job = signJob(newJob(network, { kind: 'frames', submitter: key.publicKey, createdAt: Date.now(), voteMs: 20_000, reference: [ref!], candidate: [cand!], nonce: randomBytes(16).toString('hex') }), key.privateKey)
      await rogue.libp2p.services.pubsub.publish(rogue.topics.jobs, canonicalEncode(job))
    }
    // node1 fetches the attacker's blobs up to the submitter's share, then refuses the rest.
    const share = fetchShareOf(FOLDER_BYTES, network.validators.length)
    await waitFor(async () => await metric(cluster, 'trust_engine_blob_fetch_refused_total') >= 1, 'node1 refused the attacker\'s blobs beyond its share')
    await waitFor(async () => await metric(cluster, 'trust_engine_blob_fetched_bytes') >= 2 * MIB, 'node1 stored the attacker\'s blobs within its share')
    expect(await metric(cluster, 'trust_engine_blob_fetched_bytes')).toBeLessThanOrEqual(share)
    expect(await metric(cluster, 'trust_engine_blob_store_bytes')).toBeLessThanOrEqual(share)

    // An honest client's 1 MiB upload: room was left for it.
    const up = await cluster.raw('node1', '/v1/blobs', { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: randomBytes(MIB) })
    expect(up.status).toBe(201)
  })
})

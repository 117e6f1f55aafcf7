/**
 * KNOWN DEFECT, not fixed (it.fails: flip to `it` once it is): one
 * validator's jobs can fill every honest node's blob folder.
 *
 * A real node process on 127.0.0.1 (node1 of a two-validator network, its
 * blob folder set to 6 MiB so the test stays small; the default is 32 GiB)
 * and node2's key played by a Byzantine validator that announces frames jobs
 * naming blobs only it serves (random bytes: nothing is decoded before the
 * blobs are in). node1 fetches and stores every blob of every job the
 * submitter has open (up to `maxOpenJobsPerSubmitter`, 64, each up to
 * `maxJobBytes`, 512 MiB: the whole default folder), and keeps them for
 * `decidedJobsMs` (7 days) after the job is disputed. No quota per
 * submitter bounds the folder, so once it is full the node's own clients
 * get 507 `ERR_BLOB_QUOTA` and every other validator's job fails to fetch
 * its blobs on that node: one validator stops the network for a week at
 * the pace of its bandwidth.
 */
import { randomBytes } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { canonicalEncode } from '../../protocol/canonical.ts'
import { sha256Hex } from '../../protocol/hash.ts'
import { newJob, signJob } from '../../protocol/job.ts'
import { parseNetwork } from '../../protocol/network.ts'
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

  it.fails('leaves room in an honest node\'s blob folder for other submitters\' jobs', async () => {
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
    // node1 fetches the attacker's blobs until its folder is full.
    await waitFor(async () => await metric(cluster, 'trust_engine_blob_store_bytes') >= FOLDER_BYTES - 2 * MIB, 'node1 stored the attacker\'s blobs')

    // An honest client's 1 MiB upload: refused with 507 ERR_BLOB_QUOTA today.
    const up = await cluster.raw('node1', '/v1/blobs', { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: randomBytes(MIB) })
    expect(up.status).toBe(201)
  })
})

/**
 * One validator's jobs cannot fill an honest node's blob folder.
 *
 * Real node processes on 127.0.0.1 (node1 and node3 of a three-validator
 * network, node1's blob folder set to 6 MiB so the test stays small; the
 * default is 32 GiB) and node2's key played by a Byzantine validator that
 * announces frames jobs naming blobs only it serves (random bytes: nothing
 * is decoded before the blobs are in), more than node1's whole folder.
 * node1 used to fetch and store every blob of every job the submitter has
 * open and keep them for `decidedJobsMs` after the jobs closed, so its own
 * clients got 507 `ERR_BLOB_QUOTA` and every other validator's job failed
 * to fetch there. Now fetched blobs are charged to the job's submitter, who
 * holds at most its share (node/store/fetch-quota.ts: three quarters of the
 * folder among the three validators, 1.5 MiB): the further fetches are
 * refused (`ERR_BLOB_SUBMITTER_QUOTA`), an honest client's upload still
 * fits and node3's job still gets its blobs to node1; and the blobs of a
 * job closed as unmeasurable are deleted at its close.
 */
import { randomBytes } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { canonicalEncode } from '../../protocol/canonical.ts'
import { sha256Hex } from '../../protocol/hash.ts'
import { newJob, signJob } from '../../protocol/job.ts'
import { fetchShareOf } from '../../node/store/fetch-quota.ts'
import { serveBlobs } from '../../node/p2p/index.ts'
import { Cluster, waitFor } from '../../sim/cluster.ts'
import { testPng } from '../../sim/images.ts'
import { rogueNetwork } from '../helpers/rogue-network.ts'

const MIB = 1024 * 1024
const HALF_MIB = MIB / 2
const FOLDER_BYTES = 6 * MIB
/** The attacker's jobs: one of 1 MiB, then three of 2 MiB, 7 MiB in all, more than the folder. */
const JOBS = 4

async function metric (cluster: Cluster, name: string): Promise<number> {
  const text = await (await fetch(`${cluster.entry('node1').apiUrl}/metrics`)).text()
  const line = text.split('\n').find((l) => l.startsWith(name + ' '))
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1))
}

describe('blob flood from one validator', () => {
  const net = rogueNetwork(3, {
    start: ['node1', 'node3'],
    prepare: (cluster) => {
      const configFile = join(cluster.dir, cluster.entry('node1').config)
      writeFileSync(configFile, JSON.stringify({ ...JSON.parse(readFileSync(configFile, 'utf8')), blobs: { maxTotalBytes: FOLDER_BYTES } }))
    }
  })
  beforeAll(async () => { await net.cluster.waitConnected(['node1', 'node3']) })

  it('leaves room in an honest node\'s blob folder for other submitters\' jobs', async () => {
    const { cluster, network } = net
    const key = JSON.parse(readFileSync(join(cluster.dir, 'node2', 'key.json'), 'utf8')) as { publicKey: string, privateKey: string }
    const blobs = new Map<string, Uint8Array>()
    const rogue = await net.rogue('node2')
    await serveBlobs(rogue, { getBlob: async (sha) => blobs.get(sha) ?? null })
    await rogue.start()
    await waitFor(async () => rogue.gossip.subscribers(rogue.topics.jobs).length > 0, 'rogue sees node1 subscribed to jobs')

    const publish = async (sizes: { reference: number[], candidate: number[] }): Promise<string[]> => {
      const make = (n: number): string => { const u = new Uint8Array(randomBytes(n)); blobs.set(sha256Hex(u), u); return sha256Hex(u) }
      const reference = sizes.reference.map(make)
      const job = signJob(newJob(network, { kind: 'frames', submitter: key.publicKey, createdAt: Date.now(), voteMs: 20_000, reference, candidate: sizes.candidate.map(make), nonce: randomBytes(16).toString('hex') }), key.privateKey)
      await rogue.libp2p.services.pubsub.publish(rogue.topics.jobs, canonicalEncode(job))
      return reference
    }
    const jobOf = async (reference: string): Promise<{ status: string, reason: string, error: { code: string } | null } | undefined> => {
      const { jobs } = await (await fetch(`${cluster.entry('node1').apiUrl}/v1/jobs`)).json() as { jobs: Array<{ reference: string[], status: string, reason: string, error: { code: string } | null }> }
      return jobs.find((j) => j.reference[0] === reference)
    }
    const share = fetchShareOf(FOLDER_BYTES, network.validators.length)

    // A job whose blobs (random bytes, no frames) all come in is closed as unmeasurable, and its fetched blobs are
    // deleted at its close rather than kept 7 days: they count in the submitter's share no more.
    const [first] = await publish({ reference: [HALF_MIB], candidate: [HALF_MIB] })
    await waitFor(async () => (await jobOf(first!))?.reason === 'unmeasurable', 'node1 closed the unmeasurable job')
    await waitFor(async () => await metric(cluster, 'trust_engine_blob_fetched_bytes') === 0, 'node1 deleted the unmeasurable job\'s blobs')
    expect(await metric(cluster, 'trust_engine_blob_store_bytes')).toBe(0)

    // Then jobs of 2 MiB each (four 512 KiB blobs), 6 MiB in all, the whole folder: none fits the submitter's share
    // (1.5 MiB), so node1 fetches up to the share and refuses the rest; every such job fails with
    // ERR_BLOB_SUBMITTER_QUOTA on node1.
    const flood: string[] = []
    for (let i = 0; i < JOBS - 1; i++) flood.push((await publish({ reference: [HALF_MIB, HALF_MIB], candidate: [HALF_MIB, HALF_MIB] }))[0]!)
    for (const ref of flood) await waitFor(async () => (await jobOf(ref))?.error?.code === 'ERR_BLOB_SUBMITTER_QUOTA', 'node1 refused the job beyond the share')
    expect(await metric(cluster, 'trust_engine_blob_fetch_refused_total')).toBeGreaterThanOrEqual(JOBS - 1)
    expect(await metric(cluster, 'trust_engine_blob_fetched_bytes')).toBeLessThanOrEqual(share)
    expect(await metric(cluster, 'trust_engine_blob_store_bytes')).toBeLessThanOrEqual(share)

    // An honest client's 1 MiB upload: room was left for it (refused with 507 ERR_BLOB_QUOTA before the fix).
    const up = await cluster.raw('node1', '/v1/blobs', { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: randomBytes(MIB) })
    expect(up.status).toBe(201)

    // Another validator's job: node1 still fetches its blobs (from node3) and reads them for its measurement.
    const honest = await cluster.submitFrames('node3', [testPng(16, 16)], [testPng(16, 16)])
    const honestView = async (): Promise<{ error: unknown, timings: { blobsAt: number | null } } | null> => {
      const res = await fetch(`${cluster.entry('node1').apiUrl}/v1/jobs/${honest}`)
      return res.ok ? await res.json() as { error: unknown, timings: { blobsAt: number | null } } : null
    }
    await waitFor(async () => (await honestView())?.timings.blobsAt != null, 'node1 fetched the other validator\'s blobs')
    expect((await honestView())?.error).toBeNull()
  })
})

/**
 * Bad gossip against a real node process: malformed, oversized, unsigned,
 * non-validator, unknown-job and replayed messages from rogue libp2p peers in
 * the same network. Each gets its typed gossip result (REJECT or IGNORE),
 * counted in the node's metrics by code; nothing is stored; the node keeps
 * serving and still decides the next job.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { canonicalEncode } from '../../protocol/canonical.ts'
import { generateKeyPair } from '../../protocol/signing.ts'
import { newVote, signVote } from '../../protocol/vote.ts'
import { networkDigest, parseNetwork } from '../../protocol/network.ts'
import { createHost, type Host } from '../../node/p2p/host.ts'
import { generateKeyPair as libp2pKeyPair } from '@libp2p/crypto/keys'
import { Cluster, waitFor } from '../../sim/cluster.ts'
import { testPng } from '../../sim/images.ts'

/** Value of one labelled counter on the node's /metrics page (0 when absent). */
async function counter (cluster: Cluster, name: string, labels: string): Promise<number> {
  const text = await (await fetch(`${cluster.entry('node1').apiUrl}/metrics`)).text()
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`))
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1))
}

describe('bad gossip against a node process', () => {
  let cluster: Cluster
  const rogues: Host[] = []
  let networkId = ''

  /** A fresh rogue peer (new key) in the node's network, connected and seeing the node's subscriptions. */
  async function rogue (): Promise<Host> {
    const host = await createHost({ privateKey: await libp2pKeyPair('Ed25519'), networkId, bootstrap: [cluster.entry('node1').listen] })
    rogues.push(host)
    await host.start()
    await waitFor(async () => host.gossip.subscribers(host.topics.votes).length > 0 && host.gossip.subscribers(host.topics.jobs).length > 0, 'rogue sees the node subscriptions')
    return host
  }
  const raw = (host: Host, topic: string, data: Uint8Array): Promise<unknown> =>
    host.libp2p.services.pubsub.publish(topic, data)

  beforeAll(async () => {
    cluster = Cluster.init(2)
    networkId = (JSON.parse(readFileSync(cluster.networkFile, 'utf8')) as { networkId: string }).networkId
    await cluster.start('node1')
  })
  afterAll(async () => {
    for (const h of rogues) await h.stop().catch(() => {})
    await cluster?.cleanup()
  })

  it('answers each bad message with its typed result, stores nothing and keeps serving', async () => {
    const jobsBefore = await cluster.get('node1', '/v1/jobs')
    const auditBefore = await cluster.get('node1', '/v1/audit?from=0&limit=1000') as { entries: unknown[] }
    const v = 'trust_engine_gossip_validation_results_total'
    const node2Key = JSON.parse(readFileSync(join(cluster.dir, 'node2', 'key.json'), 'utf8')) as { publicKey: string, privateKey: string }
    const network = parseNetwork(readFileSync(cluster.networkFile))
    const vote = (signer: { publicKey: string, privateKey: string }, jobId: string) => signVote(newVote({
      networkId, networkDigest: networkDigest(network), engine: network.measurement.engine, seed: 'cd'.repeat(32), jobId, round: 0, voter: signer.publicKey, metrics: { ssim: 0.99, psnr: 40, ssimLocal: 0.95 }, intervals: { ssim: [0.98, 1], psnr: [39, 41], ssimLocal: [0.93, 0.97] }, samples: 10
    }), signer.privateKey)

    // [IGNORE] a validly signed vote for a job the node does not know (node2 is a validator, not running).
    const r1 = await rogue()
    const unknownJob = vote(node2Key, 'ab'.repeat(32))
    await raw(r1, r1.topics.votes, canonicalEncode(unknownJob))
    await waitFor(async () => await counter(cluster, v, 'topic="votes",result="ignore",code="ERR_UNKNOWN_JOB"') === 1, 'unknown job ignored')
    // [REJECT] ... but its re-encoding (other bytes, same signed vote) is refused before any signature check.
    await raw(r1, r1.topics.votes, new TextEncoder().encode(JSON.stringify(unknownJob, null, 1)))
    await waitFor(async () => await counter(cluster, v, 'topic="votes",result="reject",code="ERR_NOT_CANONICAL"') === 1, 're-encoding rejected')

    // [REJECT] malformed bytes.
    const r2 = await rogue()
    await raw(r2, r2.topics.votes, new TextEncoder().encode('{"type":"vote",'))
    await waitFor(async () => await counter(cluster, v, 'topic="votes",result="reject",code="ERR_MALFORMED"') === 1, 'malformed rejected')

    // [REJECT] a vote signed by a key outside the network.
    const r3 = await rogue()
    await raw(r3, r3.topics.votes, canonicalEncode(vote(generateKeyPair(), 'cd'.repeat(32))))
    await waitFor(async () => await counter(cluster, v, 'topic="votes",result="reject",code="ERR_UNKNOWN_SIGNER"') === 1, 'non-validator rejected')

    // [REJECT] an unsigned (zero-signature) vote claiming to be node2's.
    const r4 = await rogue()
    await raw(r4, r4.topics.votes, canonicalEncode({ ...vote(node2Key, 'ef'.repeat(32)), signature: '0'.repeat(128) }))
    await waitFor(async () => await counter(cluster, v, 'topic="votes",result="reject",code="ERR_BAD_SIGNATURE"') === 1, 'unsigned rejected')

    // [REJECT] an oversized job message (checked before any parsing).
    const r5 = await rogue()
    await raw(r5, r5.topics.jobs, new Uint8Array(100 * 1024).fill(0x20))
    await waitFor(async () => {
      const text = await (await fetch(`${cluster.entry('node1').apiUrl}/metrics`)).text()
      return /topic="jobs",result="reject",code="ERR_(MESSAGE_)?TOO_LARGE"/.test(text)
    }, 'oversized rejected')

    // Rejected peers lose score at the node.
    await waitFor(async () => {
      const { peers } = await cluster.get('node1', '/v1/peers') as { peers: Array<{ peerId: string, gossipScore: number | null }> }
      const score = peers.find((p) => p.peerId === r2.peerId.toString())?.gossipScore
      return typeof score === 'number' && score < 0
    }, 'malformed sender scored below 0')

    // Nothing stored: no job, no audit entry.
    expect(await cluster.get('node1', '/v1/jobs')).toEqual(jobsBefore)
    expect((await cluster.get('node1', '/v1/audit?from=0&limit=1000') as { entries: unknown[] }).entries).toHaveLength(auditBefore.entries.length)

    // And the node keeps serving: health, and a real job still decided.
    expect((await cluster.raw('node1', '/healthz')).status).toBe(200)
  })

  it('still decides a job after the attack (its network of two needs node2 too)', async () => {
    await cluster.start('node2')
    await cluster.waitConnected()
    const jobId = await cluster.submitFrames('node1', [testPng(32, 32)], [testPng(32, 32)])
    const view = await cluster.waitDecided('node1', jobId)
    expect(view.status).toBe('validated')
  })
})

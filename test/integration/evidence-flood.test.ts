/**
 * One validator's key proving its own equivocation over and over, for job
 * ids it makes up, against a real node process on 127.0.0.1 (node1 of a
 * two-validator network; node2 is not running, so its key plays the
 * Byzantine validator, and a fresh observer identity relays, so graylisting
 * the validator's own peer would not stop it).
 *
 * Each piece of evidence verifies (two signed votes of one voter, job and
 * round that differ), so without a bound every one of them was stored in
 * LevelDB with an `evidence.equivocation` audit entry and a reputation point,
 * kept for good (no job of that id is ever decided, so retention never
 * prunes it) and forwarded to every peer: a disk and audit-trail flood of
 * every honest node at gossip rate. The offender's trust is 0 for good after
 * its first proof; a further proof for a job this node does not hold adds
 * nothing and is IGNOREd unstored (docs/protocol.md, "Equivocation").
 * Likewise, for a job the node holds, every further different vote of the
 * same validator used to write the proof again, with an audit entry and a
 * gossiped message each: one proof per validator and job is kept.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { canonicalEncode } from '../../protocol/canonical.ts'
import { detectEquivocation } from '../../protocol/evidence.ts'
import { newVote, signVote } from '../../protocol/vote.ts'
import { networkDigest } from '../../protocol/network.ts'
import { Cluster, waitFor } from '../../sim/cluster.ts'
import { testPng } from '../../sim/images.ts'
import { rogueNetwork } from '../helpers/rogue-network.ts'

/** Pieces of evidence the rogue sends, each for a job id of its own. */
const FLOOD = 200

async function metric (cluster: Cluster, name: string, labels: string[]): Promise<number> {
  const text = await (await fetch(`${cluster.entry('node1').apiUrl}/metrics`)).text()
  let sum = 0
  for (const line of text.split('\n')) {
    if (!line.startsWith(name + '{') || !labels.every((l) => line.includes(l))) continue
    sum += Number(line.slice(line.lastIndexOf(' ') + 1))
  }
  return sum
}

async function proofsIn (cluster: Cluster): Promise<number> {
  let n = 0
  for (let from = 0; ; from += 1000) {
    const page = await cluster.get('node1', `/v1/audit?from=${from}&limit=1000`) as { entries: Array<{ kind: string }> }
    n += page.entries.filter((e) => e.kind === 'evidence.equivocation').length
    if (page.entries.length < 1000) return n
  }
}

describe('evidence flood from one validator', () => {
  const net = rogueNetwork(2)

  it('stores one proof of a validator\'s equivocation for jobs the node does not hold, not one per made-up job', async () => {
    const { cluster, network } = net
    const key = JSON.parse(readFileSync(join(cluster.dir, 'node2', 'key.json'), 'utf8')) as { publicKey: string, privateKey: string }
    const vote = (jobId: string, ssim: number): ReturnType<typeof signVote> => signVote(newVote({
      networkId: network.networkId, networkDigest: networkDigest(network), engine: network.measurement.engine, seed: 'cd'.repeat(32), jobId, round: 0, voter: key.publicKey,
      metrics: { ssim, psnr: 40, ssimLocal: 0.95 }, intervals: { ssim: [0.9, 1], psnr: [39, 41], ssimLocal: [0.93, 0.97] }, samples: 10
    }), key.privateKey)

    const rogue = await net.rogue()
    await rogue.start()
    await waitFor(async () => rogue.gossip.subscribers(rogue.topics.evidence).length > 0, 'rogue sees node1 subscribed to evidence')

    for (let i = 0; i < FLOOD; i++) {
      const jobId = (i + 1).toString(16).padStart(64, '0')
      const evidence = detectEquivocation(vote(jobId, 0.99), vote(jobId, 0.5))
      await rogue.libp2p.services.pubsub.publish(rogue.topics.evidence, canonicalEncode(evidence!))
    }
    const results = async (): Promise<number> => await metric(cluster, 'trust_engine_gossip_validation_results_total', ['topic="evidence"'])
    await waitFor(async () => await results() >= FLOOD, 'every piece of evidence validated')

    const audit = await cluster.get('node1', '/v1/audit?from=0&limit=1000') as { entries: Array<{ kind: string }> }
    const proofs = audit.entries.filter((e) => e.kind === 'evidence.equivocation').length
    expect(proofs).toBeGreaterThanOrEqual(1)
    expect(proofs).toBe(1)
    expect(await metric(cluster, 'trust_engine_gossip_validation_results_total', ['topic="evidence"', 'result="accept"'])).toBe(1)
  })

  it('stores one proof per validator and job however many different votes it signs for a job the node holds', async () => {
    const { cluster, network } = net
    // A job of node1's that node2 (not running) never seeds: disputed at its deadline, held here for good.
    const jobId = await cluster.submitFrames('node1', [testPng(16, 16)], [testPng(16, 16)], { deadlineMs: 1000 })
    await cluster.waitDecided('node1', jobId)
    const trailBefore = await proofsIn(cluster)
    const key = JSON.parse(readFileSync(join(cluster.dir, 'node2', 'key.json'), 'utf8')) as { publicKey: string, privateKey: string }
    const rogue = await net.rogue()
    await rogue.start()
    await waitFor(async () => rogue.gossip.subscribers(rogue.topics.votes).length > 0, 'rogue sees node1 subscribed to votes')
    const before = await metric(cluster, 'trust_engine_gossip_validation_results_total', ['topic="votes"'])
    for (let i = 0; i < FLOOD; i++) {
      const vote = signVote(newVote({
        networkId: network.networkId, networkDigest: networkDigest(network), engine: network.measurement.engine, seed: 'cd'.repeat(32), jobId, round: 0, voter: key.publicKey,
        metrics: { ssim: 0.5 + i / 1000, psnr: 40, ssimLocal: 0.95 }, intervals: { ssim: [0, 1], psnr: [39, 41], ssimLocal: [0.93, 0.97] }, samples: 10
      }), key.privateKey)
      await rogue.libp2p.services.pubsub.publish(rogue.topics.votes, canonicalEncode(vote))
    }
    await waitFor(async () => await metric(cluster, 'trust_engine_gossip_validation_results_total', ['topic="votes"']) - before >= FLOOD, 'every vote validated')
    // The first vote is a late vote, the second proves equivocation; the other 198 prove nothing new.
    expect(await proofsIn(cluster) - trailBefore).toBe(1)
  })
})

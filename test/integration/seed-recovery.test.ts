/**
 * Seed shares lost on gossip are pulled again. A submitter that restarts
 * during its own job's seed phase has lost the shares it held in memory, and
 * shares gossiped while it was down never reach it; while the job has no
 * seed, it asks its peers for the job's votes stream, which then starts with
 * the shares they hold, and certifies the seed from those.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { Cluster, waitFor } from '../../sim/cluster.ts'
import { testPng } from '../../sim/images.ts'

describe('seed share recovery', () => {
  let cluster: Cluster | null = null
  afterAll(async () => { await cluster?.cleanup() })

  it('a submitter restarted during its job\'s seed phase collects the shares from its peers and the job finalizes', async () => {
    // Three validators of weight 1: a seed certificate needs all three shares (3·3 > 2·3; 3·2 is not).
    cluster = Cluster.init(3)
    await cluster.start('node1')
    await cluster.start('node2')
    await cluster.waitConnected(['node1', 'node2'])
    const jobId = await cluster.submitFrames('node1', [testPng(48, 48)], [testPng(48, 48)], { deadlineMs: 90_000 })
    await waitFor(async () => (await cluster!.raw('node2', `/v1/jobs/${jobId}`)).status === 200, 'node2 accepted the job')
    // node2's share is on its way to node1; node1 dies holding at most two of three shares, without a seed.
    await cluster.kill9('node1')
    // node3 comes up while node1 is down: it learns of the job from node2 and gossips its share, which node1 misses.
    await cluster.start('node3')
    await waitFor(async () => (await cluster!.raw('node3', `/v1/jobs/${jobId}`)).status === 200, 'node3 learned of the job')
    for (const n of ['node2', 'node3']) {
      const view = await cluster.get(n, `/v1/jobs/${jobId}`) as { seed: string | null }
      expect(view.seed).toBeNull()
    }
    await cluster.start('node1')
    for (const n of ['node1', 'node2', 'node3']) {
      const view = await cluster.waitDecided(n, jobId)
      expect(view.status).toBe('validated')
      expect(view.votes.map((v) => v.name).sort()).toEqual(['node1', 'node2', 'node3'])
    }
  })
})

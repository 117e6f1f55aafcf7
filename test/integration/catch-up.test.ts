/**
 * Catch-up after downtime. A validator that accepted a job, then was frozen
 * and killed while the others voted, comes back, measures, asks its peers for
 * the votes it missed (`/trust-engine/votes/1.0.0`) and finalizes like
 * everyone else instead of disputing at the deadline. A validator that was
 * down when a job was announced learns of it from its peers
 * (`/trust-engine/open-jobs/1.0.0`), gives its seed share and votes, so the
 * job becomes final.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { Cluster, waitFor } from '../../sim/cluster.ts'
import { testPng } from '../../sim/images.ts'

/**
 * Deadline of the jobs here: ten minutes, a hang guard rather than a speed
 * requirement. Both cases decide by quorum as soon as the restarted node has
 * voted, so the deadline never adds to the run; but the node's restart sits
 * inside the job's voting time, and on a loaded machine a node process took
 * 37 s (first case) and 50 s (second) to print its ready line, past the 40 s
 * and 30 s deadlines these jobs had, which then ended disputed at the deadline
 * instead of validated by quorum.
 */
const DEADLINE_MS = 600_000

describe('vote catch-up', () => {
  let cluster: Cluster | null = null
  afterAll(async () => { await cluster?.cleanup() })

  it('a restarted validator fetches the votes gossiped while it was down and finalizes', async () => {
    // Three validators of weight 1: finality needs all three votes (3·3 > 2·3; 3·2 is not).
    cluster = Cluster.init(3)
    await cluster.startAll({ node3: { kind: 'silent' } })
    await cluster.waitConnected()
    const jobId = await cluster.submitFrames('node1', [testPng(64, 64)], [testPng(64, 64)], { deadlineMs: DEADLINE_MS })
    await waitFor(async () => (await cluster!.raw('node3', `/v1/jobs/${jobId}`)).status === 200, 'node3 accepted the job')
    // The seed phase needs node3's share too (three validators): wait until node1 has the seed.
    await waitFor(async () => ((await cluster!.get('node1', `/v1/jobs/${jobId}`)) as { timings: { seededAt: number | null } }).timings.seededAt !== null, 'the seed fixed on node1')
    // Freeze node3 at once, so the votes that follow stay unread in its sockets, then kill it.
    const node3 = cluster.running.get('node3')!
    node3.proc.kill('SIGSTOP')
    await waitFor(async () => {
      const v = await cluster!.get('node1', `/v1/jobs/${jobId}`) as { votes: unknown[] }
      return v.votes.length === 2
    }, 'node1 and node2 voted')
    await cluster.kill9('node3')
    // Wait past gossipsub's message-cache window (3 heartbeats of 1 s), so
    // gossip alone cannot replay the missed votes to the restarted node.
    await new Promise((r) => setTimeout(r, 5000))

    // Back without the fault: it resumes the open job, votes, and catches up on the votes it missed.
    await cluster.start('node3')
    const view = await cluster.waitDecided('node3', jobId) as unknown as { status: string, reason: string, votes: Array<{ name: string }> }
    expect(view.status).toBe('validated')
    expect(view.reason).toBe('quorum')
    expect(view.votes.map((v) => v.name).sort()).toEqual(['node1', 'node2', 'node3'])
    expect((await cluster.waitDecided('node1', jobId)).status).toBe('validated')
  })

  it('a validator that was down when a job was announced learns of it on restart and votes', async () => {
    await cluster!.stop('node2')
    const jobId = await cluster!.submitFrames('node1', [testPng(48, 48)], [testPng(48, 48)], { deadlineMs: DEADLINE_MS })
    // node1 and node3 alone hold no more than 2/3 of the weight: the job's seed phase waits for node2's share
    // (as finality would wait for its vote), so the job stays open.
    await waitFor(async () => (await cluster!.raw('node3', `/v1/jobs/${jobId}`)).status === 200, 'node3 accepted the job')
    expect(((await cluster!.get('node1', `/v1/jobs/${jobId}`)) as { status: string }).status).toBe('pending')
    await cluster!.start('node2')
    for (const n of ['node1', 'node2', 'node3']) {
      const view = await cluster!.waitDecided(n, jobId)
      expect(view.status).toBe('validated')
      expect(view.votes.map((v) => v.name).sort()).toEqual(['node1', 'node2', 'node3'])
    }
  })
})

/**
 * Open jobs learnt from a peer admitted after the start: three job engines
 * (each with its own LevelDB store and audit trail, one blob folder, the
 * measurement worker) joined by an in-memory gossip. The third is cut off
 * from the start and while a job is announced, as a restarted node is
 * while its peers are not yet admitted (on a loaded machine that took longer
 * than its ask at start waits). The job's seed needs the third's share
 * (three validators of weight 1), so nothing of that job ever reaches it to
 * make it ask; once a peer is admitted it asks that peer for its open jobs,
 * takes the announcement in, gives its share, votes, and the job finalizes
 * everywhere. The asks on admission are paced.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { ADMITTED_OPEN_JOBS_PEERS } from '../../../node/job/catch-up.ts'
import { encodePng, scene } from '../measure/fixtures.ts'
import { EngineHarness, gossipingEngines, testNetwork, untilFinal } from './engine-harness.ts'

describe('a peer admitted after the start', () => {
  const cleanups: Array<() => Promise<void>> = []
  afterEach(async () => {
    for (const fn of cleanups.splice(0).reverse()) await fn()
  })

  it('is asked for its open jobs, so a job announced while this node had no peer finalizes; asks are paced', async () => {
    const h = await EngineHarness.create('trust-engine-admitted-')
    cleanups.push(async () => { await h.close() })
    const { keys, network } = testNetwork('admitted-test', 3)
    let connected = false
    // Engine 2's asks of one peer for its open jobs (a message for an unknown job makes it ask all its peers too).
    const asked: string[] = []
    const engines = await gossipingEngines(h, network, keys, {
      // Engine 2 reaches nobody and nobody reaches it until it is connected.
      drop: (from, to) => !connected && (from === 2 || to === 2),
      onAsk: (i, what, peer) => { if (i === 2 && what === 'open-jobs' && peer !== undefined) asked.push(peer) },
      // An hour between asks of one peer, so the pacing checked below does not depend on how fast the job decides.
      options: { missedJobFetchMs: 3_600_000 }
    })
    const png = await h.blobs.put(encodePng(scene(32, 32)))
    const { jobId } = await engines[0]!.submit({ kind: 'frames', reference: [png], candidate: [png], deadlineMs: network.deadlines.maxVoteMs })
    // Engines 0 and 1 hold the job open; engine 2 never heard of it.
    for (let n = 0; n < 1200 && await engines[1]!.view(jobId) === null; n++) await new Promise((r) => setTimeout(r, 50))
    expect(await engines[2]!.view(jobId)).toBeNull()
    expect((await engines[0]!.view(jobId))!.status).toBe('pending')
    expect((await engines[1]!.view(jobId))!.status).toBe('pending')

    connected = true
    engines[2]!.onPeerAdmitted('peer-a')
    expect(asked).toEqual(['peer-a'])
    await untilFinal(engines, jobId)
    for (const e of engines) {
      const view = (await e.view(jobId))!
      expect(view.status).toBe('validated')
      expect(view.reason).toBe('quorum')
      expect(view.votes).toHaveLength(3)
    }

    // Paced: the same peer admitted again at once is not asked again; other peers up to the bound are.
    engines[2]!.onPeerAdmitted('peer-a')
    expect(asked).toEqual(['peer-a'])
    for (const p of ['peer-b', 'peer-c', 'peer-d', 'peer-e']) engines[2]!.onPeerAdmitted(p)
    expect(asked).toEqual(['peer-a', 'peer-b', 'peer-c', 'peer-d', 'peer-e'].slice(0, ADMITTED_OPEN_JOBS_PEERS))
  })
})

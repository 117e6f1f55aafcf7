/**
 * Seed shares lost on gossip are recovered: three job engines (each with its
 * own LevelDB store and audit trail, one blob folder, the measurement
 * worker) joined by an in-memory gossip that drops every seed share the two
 * other validators send to the submitter, as a partition does. The
 * submitter, still without a seed, asks its peers for the job's votes
 * stream, which starts with the shares they hold, certifies the seed, and
 * the job becomes final on every engine.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { encodePng, scene } from '../measure/fixtures.ts'
import { EngineHarness, gossipingEngines, testNetwork, untilFinal } from './engine-harness.ts'

describe('seed shares lost on gossip', () => {
  const cleanups: Array<() => Promise<void>> = []
  afterEach(async () => {
    for (const fn of cleanups.splice(0).reverse()) await fn()
  })

  it('the submitter pulls the shares it missed from its peers and the job finalizes', async () => {
    const h = await EngineHarness.create('trust-engine-shares-')
    cleanups.push(async () => { await h.close() })
    // Three validators of weight 1: the seed certificate needs all three shares.
    const { keys, network } = testNetwork('shares-test', 3)
    let dropped = 0
    const engines = await gossipingEngines(h, network, keys, {
      // Seed shares never reach the submitter (engine 0).
      drop: (_from, to, topic, data) => {
        const drop = topic === 'seeds' && to === 0 && new TextDecoder().decode(data).includes('"type":"seed-share"')
        if (drop) dropped++
        return drop
      },
      options: { seedFetchMs: 50 }
    })
    const png = await h.blobs.put(encodePng(scene(32, 32)))
    const { jobId } = await engines[0]!.submit({ kind: 'frames', reference: [png], candidate: [png], deadlineMs: network.deadlines.maxVoteMs })

    await untilFinal(engines, jobId)
    expect(dropped).toBe(2)
    for (const e of engines) {
      const view = (await e.view(jobId))!
      expect(view.seed).not.toBeNull()
      expect(view.status).toBe('validated')
    }
  })
})

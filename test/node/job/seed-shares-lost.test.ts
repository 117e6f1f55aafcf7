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
import type { JobEngine } from '../../../node/job/engine.ts'
import type { EngineTopic } from '../../../node/job/ports.ts'
import { encodePng, scene } from '../measure/fixtures.ts'
import { deliverAll, EngineHarness, NO_NETWORK, testNetwork } from './engine-harness.ts'

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
    const engines: JobEngine[] = []
    let dropped = 0
    /** Delivers a publish to every other engine, except seed shares sent to the submitter (engine 0). */
    const deliver = async (from: number, topic: EngineTopic, data: Uint8Array): Promise<number> => deliverAll(engines, from, topic, data, (to) => {
      const drop = topic === 'seeds' && to === 0 && new TextDecoder().decode(data).includes('"type":"seed-share"')
      if (drop) dropped++
      return drop
    })
    for (const [i, key] of keys.entries()) {
      const { engine } = await h.engine(`db${i}`, network, key, {
        net: {
          ...NO_NETWORK,
          publish: async (topic, data) => await deliver(i, topic, data),
          // The peers' votes streams, as the catch-up protocol serves them.
          catchUp: async (jobId) => (await Promise.all(engines.filter((_, j) => j !== i).map(async (e) => await e.votesFor(jobId)))).flat()
        }
      }, { seedFetchMs: 50 })
      engines.push(engine)
    }
    for (const e of engines) await h.start(e)
    const png = await h.blobs.put(encodePng(scene(32, 32)))
    const { jobId } = await engines[0]!.submit({ kind: 'frames', reference: [png], candidate: [png], deadlineMs: network.deadlines.maxVoteMs })

    // Hang guard only (bounded polls), not a time limit on the protocol.
    for (let n = 0; n < 1200 && !(await Promise.all(engines.map(async (e) => (await e.view(jobId))?.final === true))).every(Boolean); n++) {
      await new Promise((r) => setTimeout(r, 50))
    }
    expect(dropped).toBe(2)
    for (const e of engines) {
      const view = (await e.view(jobId))!
      expect(view.seed).not.toBeNull()
      expect(view.status).toBe('validated')
    }
  })
})

/**
 * An announcement missed on gossip is learnt from the peers: four job
 * engines (each with its own LevelDB store and audit trail, one blob folder,
 * the measurement worker) joined by an in-memory gossip that never delivers
 * the job's announcement to one engine, as when its mesh was not yet
 * formed. That engine sees the seed certificate and votes for a job it does
 * not know, asks its peers for their open jobs, takes the announcement in,
 * counts the held votes and finalizes like the others.
 */
import { afterEach, describe, expect, it } from 'vitest'
import type { JobEngine } from '../../../node/job/engine.ts'
import type { EngineTopic } from '../../../node/job/ports.ts'
import { encodePng, scene } from '../measure/fixtures.ts'
import { deliverAll, EngineHarness, NO_NETWORK, testNetwork } from './engine-harness.ts'

describe('an announcement missed on gossip', () => {
  const cleanups: Array<() => Promise<void>> = []
  afterEach(async () => {
    for (const fn of cleanups.splice(0).reverse()) await fn()
  })

  it('is fetched from the peers when a message for the unknown job arrives, and the job finalizes there too', async () => {
    const h = await EngineHarness.create('trust-engine-missed-')
    cleanups.push(async () => { await h.close() })
    // Four validators of weight 1: three shares fix the seed without the engine that missed the job.
    const { keys, network } = testNetwork('missed-test', 4)
    const engines: JobEngine[] = []
    let withheld = 0
    let asked = 0
    /** Delivers a publish to every other engine, except job announcements to engine 2. */
    const deliver = async (from: number, topic: EngineTopic, data: Uint8Array): Promise<number> => deliverAll(engines, from, topic, data, (to) => {
      const drop = topic === 'jobs' && to === 2
      if (drop) withheld++
      return drop
    })
    for (const [i, key] of keys.entries()) {
      const { engine } = await h.engine(`db${i}`, network, key, {
        net: {
          ...NO_NETWORK,
          publish: async (topic, data) => await deliver(i, topic, data),
          // The peers' open-jobs and votes streams, as the catch-up protocols serve them.
          openJobs: async () => {
            if (i === 2) asked++
            return engines.filter((_, j) => j !== i).flatMap((e) => e.openAnnouncements())
          },
          catchUp: async (jobId) => (await Promise.all(engines.filter((_, j) => j !== i).map(async (e) => await e.votesFor(jobId)))).flat()
        }
      })
      engines.push(engine)
    }
    for (const e of engines) await h.start(e)
    const askedAtStart = asked
    const png = await h.blobs.put(encodePng(scene(32, 32)))
    const { jobId } = await engines[0]!.submit({ kind: 'frames', reference: [png], candidate: [png], deadlineMs: network.deadlines.maxVoteMs })

    // Hang guard only (bounded polls), not a time limit on the protocol.
    for (let n = 0; n < 1200 && !(await Promise.all(engines.map(async (e) => (await e.view(jobId))?.final === true))).every(Boolean); n++) {
      await new Promise((r) => setTimeout(r, 50))
    }
    expect(withheld).toBe(1)
    expect(asked).toBeGreaterThan(askedAtStart)
    for (const e of engines) {
      const view = (await e.view(jobId))!
      expect(view.status).toBe('validated')
      expect(view.reason).toBe('quorum')
    }
  })
})

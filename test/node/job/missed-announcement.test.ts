/**
 * An announcement missed on gossip is learnt from the peers: four job
 * engines (each with its own LevelDB store and audit trail, one blob folder,
 * the measurement worker) joined by an in-memory gossip that never delivers
 * the job's announcement to one engine, as when its mesh was not yet
 * formed. That engine sees the seed certificate and votes for a job it does
 * not know, asks its peers for their open jobs, takes the announcement in,
 * counts the held votes and finalizes like the others. Each ask is counted
 * in the node's metrics (`catch_up_asks_total{kind="open-jobs"}`).
 */
import { Registry } from 'prom-client'
import { afterEach, describe, expect, it } from 'vitest'
import { createNodeMetrics, NODE_METRIC_NAMES } from '../../../node/metrics.ts'
import { encodePng, scene } from '../measure/fixtures.ts'
import { EngineHarness, gossipingEngines, testNetwork, untilFinal } from './engine-harness.ts'

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
    let withheld = 0
    let asked = 0
    const register = new Registry()
    const metrics = createNodeMetrics(register, { defaultMetrics: false })
    const engines = await gossipingEngines(h, network, keys, {
      // The job's announcement never reaches engine 2.
      drop: (_from, to, topic) => {
        const drop = topic === 'jobs' && to === 2
        if (drop) withheld++
        return drop
      },
      onAsk: (i, what) => { if (i === 2 && what === 'open-jobs') asked++ },
      metricsOf: (i) => i === 2 ? metrics : createNodeMetrics(new Registry(), { defaultMetrics: false })
    })
    const askedAtStart = asked
    const png = await h.blobs.put(encodePng(scene(32, 32)))
    const { jobId } = await engines[0]!.submit({ kind: 'frames', reference: [png], candidate: [png], deadlineMs: network.deadlines.maxVoteMs })

    await untilFinal(engines, jobId)
    expect(withheld).toBe(1)
    expect(asked).toBeGreaterThan(askedAtStart)
    const asks = (await register.getSingleMetric(NODE_METRIC_NAMES.catchUpAsks)!.get()).values
    expect(asks.find((v) => v.labels.kind === 'open-jobs')?.value).toBe(asked)
    for (const e of engines) {
      const view = (await e.view(jobId))!
      expect(view.status).toBe('validated')
      expect(view.reason).toBe('quorum')
    }
  })
})

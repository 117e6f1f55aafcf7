/**
 * A seed certificate that reaches a node while the node is still taking in
 * the job's announcement (its announcement is checked, its record being
 * written) is for a job the node knows: it is checked against that
 * announcement and fixes the seed at once, and the node does not ask its
 * peers for their open jobs as if it had missed the announcement. Gossip
 * validates messages of different topics concurrently, and a job's
 * acceptance waits for a store read and write, so on a busy node this
 * happened for most jobs: each time an ask to every peer and a re-check of
 * every open announcement they hold. A real engine (real LevelDB) of a
 * four-validator network; the announcement and the certificate are handed
 * to its gossip handlers one right after the other.
 */
import { Registry } from 'prom-client'
import { afterEach, describe, expect, it } from 'vitest'
import { canonicalEncode } from '../../../protocol/canonical.ts'
import { jobIdOf, newJob, signJob } from '../../../protocol/job.ts'
import { buildSeedCertificate, makeSeedShare, verifySeedCertificate } from '../../../protocol/seed.ts'
import { createNodeMetrics, NODE_METRIC_NAMES } from '../../../node/metrics.ts'
import { encodePng, scene } from '../measure/fixtures.ts'
import { EngineHarness, NO_NETWORK, testNetwork } from './engine-harness.ts'

describe('a seed certificate that overtakes the acceptance of its announcement', () => {
  const cleanups: Array<() => Promise<void>> = []
  afterEach(async () => {
    for (const fn of cleanups.splice(0).reverse()) await fn()
  })

  it('fixes the seed against the announcement being accepted, and no open-jobs catch-up is asked', async () => {
    const h = await EngineHarness.create('trust-engine-cert-accept-')
    cleanups.push(async () => { await h.close() })
    const { keys, network } = testNetwork('cert-during-accept', 4)
    const register = new Registry()
    let asked = 0
    const { engine } = await h.engine('a', network, keys[0]!, {
      metrics: createNodeMetrics(register, { defaultMetrics: false }),
      net: { ...NO_NETWORK, openJobs: async () => { asked++; return [] } }
    })
    await h.start(engine)
    // The start asks once (catch-up.ts openJobs); none is asked after it.
    const openJobsAsks = async (): Promise<number> => (await register.getSingleMetric(NODE_METRIC_NAMES.catchUpAsks)!.get()).values.find((v) => v.labels.kind === 'open-jobs')?.value ?? 0
    const askedAtStart = asked
    const countedAtStart = await openJobsAsks()
    const png = await h.blobs.put(encodePng(scene(16, 16)))
    const submitter = keys[1]!
    const job = signJob(newJob(network, { kind: 'frames', submitter: submitter.publicKey, createdAt: Date.now(), reference: [png], candidate: [png], nonce: '00000000000000c1', voteMs: network.deadlines.maxVoteMs }), submitter.privateKey)
    const jobId = jobIdOf(job)
    const shares = keys.slice(1).map((k) => makeSeedShare(network, jobId, k))
    const cert = buildSeedCertificate(network, jobId, shares, submitter.privateKey)
    const { seed } = verifySeedCertificate(cert, job, network, jobId)

    // The announcement's acceptance starts (it reads and writes the store); the certificate comes meanwhile.
    const accepting = engine.onJobMessage(canonicalEncode(job))
    await engine.onSeedMessage(canonicalEncode(cert))
    await accepting

    expect(asked).toBe(askedAtStart)
    expect(await openJobsAsks()).toBe(countedAtStart)
    // The seed is the certificate's, stored with the job once its acceptance is done.
    let view = await engine.view(jobId)
    for (let n = 0; n < 200 && view?.timings.seededAt === null; n++) {
      await new Promise((r) => setTimeout(r, 10))
      view = await engine.view(jobId)
    }
    expect(view!.seed).toBe(seed)
  })
})

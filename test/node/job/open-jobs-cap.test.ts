/**
 * Open jobs per submitter are capped: a validator announcing more jobs than
 * `maxOpenJobsPerSubmitter` while its earlier ones are open makes a node
 * track only the first ones; the rest are IGNOREd `ERR_TOO_MANY_OPEN_JOBS`
 * and counted, other submitters' jobs are still taken, the votes of an
 * ignored job are never counted in any job (held as for any unknown job),
 * and once a job of the submitter is over a new one is taken again.
 * Real engines, real LevelDB, real signed announcements and votes.
 */
import { Registry } from 'prom-client'
import { afterEach, describe, expect, it } from 'vitest'
import { ERR_TOO_MANY_OPEN_JOBS, ERR_UNKNOWN_JOB } from '../../../node/job/errors.ts'
import { createNodeMetrics } from '../../../node/metrics.ts'
import { canonicalEncode } from '../../../protocol/canonical.ts'
import { jobIdOf, newJob, signJob } from '../../../protocol/job.ts'
import { encodePng, scene } from '../measure/fixtures.ts'
import { EngineHarness, type KeyPair, signedVoteBytes, testNetwork } from './engine-harness.ts'

const VALUES = {
  metrics: { ssim: 0.99, psnr: 40, ssimLocal: 0.95 },
  intervals: { ssim: [0.98, 1] as [number, number], psnr: [39, 41] as [number, number], ssimLocal: [0.93, 0.97] as [number, number] },
  samples: 24
}

describe('open jobs per submitter', () => {
  const cleanups: Array<() => Promise<void>> = []
  afterEach(async () => {
    for (const fn of cleanups.splice(0).reverse()) await fn()
  })

  it('are capped on a node: announcements beyond the cap are ignored with ERR_TOO_MANY_OPEN_JOBS and counted, other submitters are not affected', async () => {
    const h = await EngineHarness.create('trust-engine-open-cap-')
    cleanups.push(async () => { await h.close() })
    const { keys, network } = testNetwork('open-cap', 4)
    const registry = new Registry()
    const metrics = createNodeMetrics(registry, { defaultMetrics: false })
    let now = Date.now()
    const { engine } = await h.engine('a', network, keys[0]!, { metrics, clock: () => now }, { maxOpenJobsPerSubmitter: 2 })
    await h.start(engine)
    const png = await h.blobs.put(encodePng(scene(32, 32)))
    let nonce = 0
    const announce = (submitter: KeyPair, createdAt = now): { bytes: Uint8Array, jobId: string } => {
      const job = signJob(newJob(network, { kind: 'frames', submitter: submitter.publicKey, createdAt, reference: [png], candidate: [png], nonce: (++nonce).toString(16).padStart(16, '0'), voteMs: 10_000 }), submitter.privateKey)
      return { bytes: canonicalEncode(job), jobId: jobIdOf(job) }
    }
    const outcome = async (p: Promise<unknown>): Promise<string> => await p.then(() => 'taken', (err: { code?: string }) => err.code ?? 'other')

    const first = announce(keys[1]!)
    const second = announce(keys[1]!)
    const third = announce(keys[1]!)
    expect(await outcome(engine.onJobMessage(first.bytes))).toBe('taken')
    expect(await outcome(engine.onJobMessage(second.bytes))).toBe('taken')
    expect(await outcome(engine.onJobMessage(third.bytes))).toBe(ERR_TOO_MANY_OPEN_JOBS)
    expect(await engine.view(third.jobId)).toBeNull()
    expect(engine.openJobs).toBe(2)
    expect(await registry.getSingleMetricAsString('trust_engine_jobs_ignored_total')).toContain(`trust_engine_jobs_ignored_total{code="${ERR_TOO_MANY_OPEN_JOBS}"} 1`)
    // Another submitter's jobs are still taken.
    expect(await outcome(engine.onJobMessage(announce(keys[2]!).bytes))).toBe('taken')
    expect(engine.openJobs).toBe(3)

    // A vote for the ignored job is never counted: it is held as for any job this node does not know.
    const vote = signedVoteBytes(network, keys[2]!, { jobId: third.jobId, seed: 'aa'.repeat(32), round: 0 }, VALUES)
    expect(await outcome(engine.onVoteMessage(vote))).toBe(ERR_UNKNOWN_JOB)
    expect(await engine.view(third.jobId)).toBeNull()

    // Once the submitter's first jobs are past their deadline by this node's clock they no longer count, and a new job is taken.
    now += 10_001
    const later = announce(keys[1]!, now)
    expect(await outcome(engine.onJobMessage(later.bytes))).toBe('taken')
  })
})

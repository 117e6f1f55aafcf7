/**
 * Two jobs decided at the same moment each change every voter's reputation
 * once: a decision's reputation change is computed, stored and applied as
 * one step, so the second job starts from the first one's records instead
 * of the records both read before either was stored (a lost update that a
 * crash-loop run found as reputation steps counting a verification less
 * than the jobs before them imply). Real parts: LevelDB store and audit
 * trail, the blob folder, the measurement worker; each store write waits a
 * turn of the event loop, as a loaded disk makes it wait.
 */
import { setImmediate as nextTurn } from 'node:timers/promises'
import { afterEach, describe, expect, it } from 'vitest'
import { addNoise, encodePng, scene } from '../measure/fixtures.ts'
import { EngineHarness, seedAsSubmitter, signedVoteBytes, testNetwork } from './engine-harness.ts'

/** Clear of every threshold (no grey zone): each job is final at the quorum. */
const VALUES = {
  metrics: { ssim: 0.995, psnr: 45, ssimLocal: 0.97 },
  intervals: { ssim: [0.99, 0.999] as [number, number], psnr: [44, 46] as [number, number], ssimLocal: [0.96, 0.98] as [number, number] },
  samples: 24
}

describe('jobs decided at the same moment', () => {
  const cleanups: Array<() => Promise<void>> = []
  afterEach(async () => {
    for (const fn of cleanups.splice(0).reverse()) await fn()
  })

  it('each raise every agreeing voter\'s reputation once, none lost', async () => {
    const h = await EngineHarness.create('trust-engine-concurrent-decisions-')
    cleanups.push(async () => { await h.close() })
    const { keys, network } = testNetwork('concurrent-decisions', 4)
    const [own, ...others] = keys as [typeof keys[0], typeof keys[0], typeof keys[0], typeof keys[0]]
    const { engine, repos } = await h.engine('db', network, own)
    await h.start(engine)
    // Large pairs: the own measurements are still running when the others' votes decide both jobs.
    const jobs = []
    for (const tag of ['a', 'b']) {
      const reference = await h.blobs.put(encodePng(scene(1024, 1024)))
      const candidate = await h.blobs.put(encodePng(addNoise(scene(1024, 1024), 2, `concurrent-${tag}`)))
      const job = await engine.submit({ kind: 'frames', reference: [reference], candidate: [candidate], deadlineMs: network.deadlines.maxVoteMs })
      jobs.push({ jobId: job.jobId, seed: await seedAsSubmitter(engine, network, job.jobId, own, others.slice(0, 2)) })
    }
    // Two of the three other votes for each job: nothing decided yet.
    for (const j of jobs) {
      for (const voter of others.slice(0, 2)) await engine.onVoteMessage(signedVoteBytes(network, voter, { jobId: j.jobId, seed: j.seed, round: 0 }, VALUES))
    }
    for (const v of others) expect(engine.reputationOf(v.publicKey).verifications).toBe(0)
    const write = repos.store.write.bind(repos.store)
    repos.store.write = (async (...args: Parameters<typeof write>) => { await nextTurn(); return await write(...args) }) as typeof write
    // The third vote of each job, at once: each decides its job.
    await Promise.all(jobs.map(async (j) => { await engine.onVoteMessage(signedVoteBytes(network, others[2], { jobId: j.jobId, seed: j.seed, round: 0 }, VALUES)) }))
    for (const j of jobs) expect((await engine.view(j.jobId))?.status).toBe('validated')
    // Every other validator voted in time and agreed in both jobs: two verifications each, on the book and on disk.
    for (const v of others) {
      expect(engine.reputationOf(v.publicKey)).toMatchObject({ verifications: 2, successes: 2 })
      expect(await repos.reputations.get(v.publicKey)).toMatchObject({ verifications: 2, successes: 2 })
    }
  })
})

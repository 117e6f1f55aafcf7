/**
 * The vote that completes a quorum is stored in the batch that decides its
 * job (one store write on the way to finality), as it would have been just
 * before it: its `vote.received` entry directly precedes `job.finalized` in
 * the audit trail, and the vote is held with the others. A vote that decides
 * nothing is stored on its own before its intake returns. Real parts:
 * LevelDB store and audit trail, the blob folder, the measurement worker.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { listAudit } from '../../../node/store/audit.ts'
import { addNoise, encodePng, scene } from '../measure/fixtures.ts'
import { EngineHarness, seedAsSubmitter, signedVoteBytes, testNetwork } from './engine-harness.ts'

/** Clear of every threshold (no grey zone): the job is final at the quorum. */
const VALUES = {
  metrics: { ssim: 0.995, psnr: 45, ssimLocal: 0.97 },
  intervals: { ssim: [0.99, 0.999] as [number, number], psnr: [44, 46] as [number, number], ssimLocal: [0.96, 0.98] as [number, number] },
  samples: 24
}

describe('the vote that completes a quorum', () => {
  const cleanups: Array<() => Promise<void>> = []
  afterEach(async () => {
    for (const fn of cleanups.splice(0).reverse()) await fn()
  })

  it('is stored in the batch that finalizes the job; a vote that decides nothing is stored on its own', async () => {
    const h = await EngineHarness.create('trust-engine-deciding-')
    cleanups.push(async () => { await h.close() })
    const { keys, network } = testNetwork('deciding-test', 4)
    const [own, ...others] = keys as [typeof keys[0], typeof keys[0], typeof keys[0], typeof keys[0]]
    const { engine, repos } = await h.engine('db', network, own)
    await h.start(engine)
    // A large pair: the own measurement is still running when the others' three votes decide the job.
    const reference = await h.blobs.put(encodePng(scene(1024, 1024)))
    const candidate = await h.blobs.put(encodePng(addNoise(scene(1024, 1024), 2, 'deciding')))
    const job = await engine.submit({ kind: 'frames', reference: [reference], candidate: [candidate], deadlineMs: network.deadlines.maxVoteMs })
    // Two shares with its own hold 3 of 4: the seed is fixed from those.
    const seed = await seedAsSubmitter(engine, network, job.jobId, own, others.slice(0, 2))
    const writes: number[] = []
    const write = repos.store.write.bind(repos.store)
    repos.store.write = (async (...args: Parameters<typeof write>) => { writes.push(1); return await write(...args) }) as typeof write

    for (const [i, voter] of others.entries()) {
      writes.length = 0
      await engine.onVoteMessage(signedVoteBytes(network, voter, { jobId: job.jobId, seed, round: 0 }, VALUES))
      // Each vote costs one write: on its own for the first two, with the decision for the third (3 of 4 > 2/3).
      expect([i, writes.length]).toEqual([i, 1])
      expect((await repos.votes.listByJob(job.jobId)).map((e) => e.value.vote.voter).sort()).toEqual(others.slice(0, i + 1).map((k) => k.publicKey).sort())
      expect((await engine.view(job.jobId))?.status).toBe(i < 2 ? 'pending' : 'validated')
    }

    const entries = await listAudit(repos.store, 0)
    const kinds = entries.map((e) => e.kind)
    const finalized = kinds.indexOf('job.finalized')
    expect(finalized).toBeGreaterThan(0)
    expect(entries[finalized - 1]).toMatchObject({ kind: 'vote.received', data: { jobId: job.jobId, voter: others[2].publicKey } })
    expect(kinds.filter((k) => k === 'vote.received')).toHaveLength(3)
    expect(await repos.certificates.get(job.jobId)).not.toBeNull()
  })
})

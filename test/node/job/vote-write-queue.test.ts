/**
 * A vote that decides nothing does not hold its job's decision queue while
 * its store write waits: the job's next vote is counted meanwhile, and each
 * vote's gossip handler still returns only once that vote is stored. Votes
 * of one job come in bursts (validators measure alike), and the store has
 * one writer, so on a loaded node each vote waited for the write of the one
 * before it, and the quorum-completing vote for all of them. A real engine
 * (real LevelDB) observing a four-validator network; the store's writer is
 * held by a write of the test's own while two votes come.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { canonicalEncode } from '../../../protocol/canonical.ts'
import { jobIdOf, newJob, signJob } from '../../../protocol/job.ts'
import { buildSeedCertificate, makeSeedShare, verifySeedCertificate } from '../../../protocol/seed.ts'
import { generateKeyPair } from '../../../protocol/signing.ts'
import { encodePng, scene } from '../measure/fixtures.ts'
import { EngineHarness, signedVoteBytes, testNetwork } from './engine-harness.ts'

/** Clear of every threshold: two such votes of four validators decide nothing. */
const VALUES = {
  metrics: { ssim: 0.995, psnr: 45, ssimLocal: 0.97 },
  intervals: { ssim: [0.99, 0.999] as [number, number], psnr: [44, 46] as [number, number], ssimLocal: [0.96, 0.98] as [number, number] },
  samples: 24
}

describe('a vote that decides nothing', () => {
  const cleanups: Array<() => Promise<void>> = []
  afterEach(async () => {
    for (const fn of cleanups.splice(0).reverse()) await fn()
  })

  it('leaves the decision queue before its write is done, and its handler returns once it is stored', async () => {
    const h = await EngineHarness.create('trust-engine-vote-write-')
    cleanups.push(async () => { await h.close() })
    const { keys, network } = testNetwork('vote-write-queue', 4)
    // An observer: it neither shares nor votes, so only the two votes below are counted.
    const { engine, repos } = await h.engine('observer', network, generateKeyPair())
    await h.start(engine)
    const png = await h.blobs.put(encodePng(scene(16, 16)))
    const submitter = keys[0]!
    const job = signJob(newJob(network, { kind: 'frames', submitter: submitter.publicKey, createdAt: Date.now(), reference: [png], candidate: [png], nonce: '00000000000000d2', voteMs: network.deadlines.maxVoteMs }), submitter.privateKey)
    const jobId = jobIdOf(job)
    const cert = buildSeedCertificate(network, jobId, keys.slice(0, 3).map((k) => makeSeedShare(network, jobId, k)), submitter.privateKey)
    const { seed } = verifySeedCertificate(cert, job, network, jobId)
    await engine.onJobMessage(canonicalEncode(job))
    await engine.onSeedMessage(canonicalEncode(cert))
    while ((await engine.view(jobId))?.seed !== seed) await new Promise((r) => setTimeout(r, 10))

    // The store's one writer is busy with a write of ours until `release`.
    let release = (): void => {}
    const held = repos.store.write(async () => { await new Promise<void>((resolve) => { release = resolve }) })
    // Released before the store closes, should an expectation fail while it is held.
    cleanups.push(async () => { release() })
    const stored: string[] = []
    const handled = keys.slice(1, 3).map(async (voter) => {
      await engine.onVoteMessage(signedVoteBytes(network, voter, { jobId, seed, round: 0 }, VALUES))
      stored.push(voter.publicKey)
    })
    // Both votes are counted while the writer is held (a hang guard of 400 polls, not a time limit).
    let counted = 0
    for (let n = 0; n < 400 && counted < 2; n++) {
      await new Promise((r) => setTimeout(r, 10))
      counted = (await engine.view(jobId))!.votes.length
    }
    expect(counted).toBe(2)
    expect(stored).toEqual([])
    expect(await repos.votes.listByJob(jobId)).toHaveLength(0)

    release()
    await held
    await Promise.all(handled)
    expect(stored.sort()).toEqual(keys.slice(1, 3).map((k) => k.publicKey).sort())
    expect((await repos.votes.listByJob(jobId)).map((e) => e.value.vote.voter).sort()).toEqual(keys.slice(1, 3).map((k) => k.publicKey).sort())
    expect((await engine.view(jobId))!.status).toBe('pending')
  })
})

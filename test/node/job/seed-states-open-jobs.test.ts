/**
 * The seed phase keeps the state of every open job while the open jobs stay
 * within the open-jobs cap: its bound is sized from the cap (every
 * validator's cap of open jobs, plus 256 states of jobs not tracked), and
 * the states it drops when full are those of jobs this node does not track.
 * A real engine (real LevelDB) takes in more open jobs than the seed phase's
 * former fixed 256, then a flood of real shares for made-up jobs.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { sha256Hex } from '../../../protocol/hash.ts'
import { canonicalEncode } from '../../../protocol/canonical.ts'
import { jobIdOf, newJob, signJob } from '../../../protocol/job.ts'
import { makeSeedShare } from '../../../protocol/seed.ts'
import { SEED_JOBS_NOT_OPEN, seedJobsBound } from '../../../node/job/seed-phase.ts'
import { encodePng, scene } from '../measure/fixtures.ts'
import { EngineHarness, testNetwork } from './engine-harness.ts'

describe('seed states of open jobs', () => {
  const cleanups: Array<() => Promise<void>> = []
  afterEach(async () => {
    for (const fn of cleanups.splice(0).reverse()) await fn()
  })

  it('are never dropped while the open jobs stay within the cap, however many shares of unknown jobs come', async () => {
    const h = await EngineHarness.create('trust-engine-seed-open-')
    cleanups.push(async () => { await h.close() })
    const { keys, network } = testNetwork('seed-open', 4)
    const cap = 70
    const { engine } = await h.engine('a', network, keys[0]!, {}, { maxOpenJobsPerSubmitter: cap })
    await h.start(engine)
    const png = await h.blobs.put(encodePng(scene(16, 16)))
    const jobIds: string[] = []
    let nonce = 0
    // 65 jobs of each of the other three validators and this node's own: 260 open jobs, more than 256, within the cap.
    for (let round = 0; round < 65; round++) {
      for (const k of keys.slice(1)) {
        const job = signJob(newJob(network, { kind: 'frames', submitter: k.publicKey, createdAt: Date.now(), reference: [png], candidate: [png], nonce: (++nonce).toString(16).padStart(16, '0'), voteMs: network.deadlines.maxVoteMs }), k.privateKey)
        await engine.onJobMessage(canonicalEncode(job))
        jobIds.push(jobIdOf(job))
      }
      jobIds.push((await engine.submit({ kind: 'frames', reference: [png], candidate: [png], deadlineMs: network.deadlines.maxVoteMs })).jobId)
    }
    expect(engine.openJobs).toBe(260)
    expect(engine.seedJobsHeld).toBe(260)
    // Each open job still holds this validator's own share (its seed is not fixed: no other share came).
    for (const id of [jobIds[0]!, jobIds[259]!]) expect((await engine.votesFor(id)).length).toBe(1)

    // A flood of shares for made-up jobs fills the rest of the bound and then drops only its own states.
    const bound = seedJobsBound(network, cap)
    expect(bound).toBe(cap * 4 + SEED_JOBS_NOT_OPEN)
    for (let i = 0; i < bound; i++) {
      await engine.onSeedMessage(canonicalEncode(makeSeedShare(network, sha256Hex(`made-up ${i}`), keys[1 + (i % 3)]!))).catch(() => {})
    }
    expect(engine.seedJobsHeld).toBe(bound)
    for (const id of jobIds) expect((await engine.votesFor(id)).length).toBe(1)
  })
})

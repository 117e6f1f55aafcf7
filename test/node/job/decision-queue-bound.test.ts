/**
 * A job's decision queue is bounded: a step that does not end (here held on
 * purpose, as an engine stuck on a slow write would be) leaves the votes
 * gossip keeps delivering queued behind it, and their gossip validations
 * time out while their steps stay queued. Beyond `decisionStepsPerValidator`
 * × validators + `decisionStepsOwn` steps, a vote is refused at once with
 * `ERR_DECISION_QUEUE_FULL` (IGNORE) and never runs; the node's own steps
 * are still queued. Real engine, real LevelDB, real signed votes.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { ERR_DECISION_QUEUE_FULL } from '../../../node/job/errors.ts'
import { DEFAULT_JOB_ENGINE_OPTIONS, decisionStepBound } from '../../../node/job/engine-options.ts'
import { encodePng, scene } from '../measure/fixtures.ts'
import { EngineHarness, signedVoteBytes, testNetwork } from './engine-harness.ts'

const VALUES = {
  metrics: { ssim: 0.99, psnr: 40, ssimLocal: 0.95 },
  intervals: { ssim: [0.98, 1] as [number, number], psnr: [39, 41] as [number, number], ssimLocal: [0.93, 0.97] as [number, number] },
  samples: 24
}

describe("a job's decision queue", () => {
  const cleanups: Array<() => Promise<void>> = []
  afterEach(async () => {
    for (const fn of cleanups.splice(0).reverse()) await fn()
  })

  it('refuses votes beyond its bound with ERR_DECISION_QUEUE_FULL while a step holds it, and takes them again once it moves', async () => {
    const h = await EngineHarness.create('trust-engine-decision-bound-')
    cleanups.push(async () => { await h.close() })
    const { keys, network } = testNetwork('decision-bound', 4)
    const { engine } = await h.engine('a', network, keys[0]!)
    await h.start(engine)
    const png = await h.blobs.put(encodePng(scene(32, 32)))
    const { jobId } = await engine.submit({ kind: 'frames', reference: [png], candidate: [png], deadlineMs: network.deadlines.maxVoteMs })
    const bound = decisionStepBound(network, DEFAULT_JOB_ENGINE_OPTIONS)
    expect(bound).toBe(3 * 4 + 64)

    let release = (): void => {}
    const held = engine.serial(jobId, async () => { await new Promise<void>((resolve) => { release = resolve }) })
    cleanups.push(async () => { release() })
    const vote = signedVoteBytes(network, keys[1]!, { jobId, seed: 'aa'.repeat(32), round: 0 }, VALUES)
    const sent = 2 * bound
    const answered: string[] = []
    const outcomes = Array.from({ length: sent }, async () => await engine.onVoteMessage(vote).then(() => 'taken', (err: { code?: string }) => err.code ?? 'other').then((o) => { answered.push(o); return o }))
    // The refusals answer at once, while the held step still blocks the queue: the others wait behind it.
    await new Promise((resolve) => setImmediate(resolve))
    // The held step and bound - 1 votes fill the queue; every vote after them is refused.
    expect(answered).toEqual(Array.from({ length: sent - (bound - 1) }, () => ERR_DECISION_QUEUE_FULL))
    expect(engine.decisionSteps.longest).toBe(bound)
    // The node's own steps are never refused.
    const own = engine.serial(jobId, async () => 'own')
    expect(engine.decisionSteps.longest).toBe(bound + 1)

    release()
    await held
    expect(await own).toBe('own')
    const queued = await Promise.all(outcomes)
    expect(queued.filter((o) => o !== ERR_DECISION_QUEUE_FULL)).toHaveLength(bound - 1)
    expect(engine.decisionSteps).toEqual({ all: 0, longest: 0 })
    // With the queue empty again, the next vote is taken in (held: the job's seed is not fixed yet).
    expect(await engine.onVoteMessage(vote).then(() => 'taken', (err: { code?: string }) => err.code)).toBe('taken')
  })
})

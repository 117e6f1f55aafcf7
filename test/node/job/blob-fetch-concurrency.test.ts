/**
 * A job's blobs are fetched a few at a time (`BLOB_FETCHES_PER_JOB`), not
 * one after another: each transfer costs a stream and round trips, which on
 * lagging event loops added up to most of a large network's time to a vote.
 * The first is fetched alone (until a peer has the job's blobs, asking for
 * all of them at once multiplied every node's polling of its peers). A
 * failed fetch stops the job's other fetches. Real engine (real LevelDB,
 * real measurement), real PNG blobs; the blob port reads the harness's blob
 * folder and counts the fetches in flight.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { BLOB_FETCHES_PER_JOB } from '../../../node/job/own-vote.ts'
import type { BlobPort } from '../../../node/job/ports.ts'
import { addNoise, encodePng, scene } from '../measure/fixtures.ts'
import { EngineHarness, testNetwork, untilFinal } from './engine-harness.ts'

/** How long a fetch waits for the others of its job to start before it answers anyway, ms: a bound on the wait, so that fetches one after another still end. */
const GATHER_MS = 300

describe('blob fetches of a job', () => {
  const cleanups: Array<() => Promise<void>> = []
  afterEach(async () => {
    for (const fn of cleanups.splice(0).reverse()) await fn()
  })

  it(`runs up to ${BLOB_FETCHES_PER_JOB} at once, and every blob is measured`, async () => {
    const h = await EngineHarness.create('trust-engine-blob-fetches-')
    cleanups.push(async () => { await h.close() })
    const { keys, network } = testNetwork('blob-fetches', 1)
    const reference: string[] = []
    const candidate: string[] = []
    for (let f = 0; f < 3; f++) {
      reference.push(await h.blobs.put(encodePng(scene(48, 48, f))))
      candidate.push(await h.blobs.put(encodePng(addNoise(scene(48, 48, f), 1, `c${f}`))))
    }
    let inFlight = 0
    let most = 0
    const waiters: Array<() => void> = []
    const fetched: string[] = []
    const events: string[] = []
    const blobs: BlobPort = {
      get: async (sha) => (await h.blobs.get(sha))!,
      fetch: async (sha) => {
        fetched.push(sha)
        events.push(`start ${sha}`)
        inFlight++
        most = Math.max(most, inFlight)
        // Wait until as many fetches as the job may run are in flight (or a bounded while), then answer.
        if (inFlight >= BLOB_FETCHES_PER_JOB) for (const w of waiters.splice(0)) w()
        else await new Promise<void>((resolve) => { waiters.push(resolve); setTimeout(resolve, GATHER_MS) })
        inFlight--
        events.push(`end ${sha}`)
        return (await h.blobs.size(sha))!
      }
    }
    const { engine } = await h.engine('a', network, keys[0]!, { blobs })
    await h.start(engine)
    const { jobId } = await engine.submit({ kind: 'frames', reference, candidate, deadlineMs: network.deadlines.maxVoteMs })
    await untilFinal([engine], jobId)
    expect(most).toBe(BLOB_FETCHES_PER_JOB)
    // The first ended before any other began.
    expect(events.slice(0, 2)).toEqual([`start ${fetched[0]!}`, `end ${fetched[0]!}`])
    expect([...fetched].sort()).toEqual([...reference, ...candidate].sort())
    expect((await engine.view(jobId))?.status).toBe('validated')
  })

  it('stops the job\'s other fetches when one fails: no vote of this node, nothing left fetching', async () => {
    const h = await EngineHarness.create('trust-engine-blob-fetch-fail-')
    cleanups.push(async () => { await h.close() })
    const { keys, network } = testNetwork('blob-fetch-fail', 1)
    const reference = [await h.blobs.put(encodePng(scene(48, 48, 0))), await h.blobs.put(encodePng(scene(48, 48, 1))), await h.blobs.put(encodePng(scene(48, 48, 4)))]
    const candidate = [await h.blobs.put(encodePng(scene(48, 48, 2))), await h.blobs.put(encodePng(scene(48, 48, 3))), await h.blobs.put(encodePng(scene(48, 48, 5)))]
    const stopped: string[] = []
    const fetched: string[] = []
    const blobs: BlobPort = {
      get: async (sha) => (await h.blobs.get(sha))!,
      fetch: async (sha, _hint, signal) => {
        fetched.push(sha)
        // The first comes (it is fetched alone), the second fails.
        if (sha === reference[0]) return (await h.blobs.size(sha))!
        if (sha === reference[1]) throw Object.assign(new Error('no peer served it'), { code: 'ERR_BLOB_NOT_FOUND' })
        // The others wait until they are cancelled (no peer has them either).
        await new Promise<void>((resolve) => { signal.addEventListener('abort', () => { resolve() }, { once: true }) })
        stopped.push(sha)
        throw Object.assign(new Error('cancelled'), { code: 'ERR_BLOB_ABORTED' })
      }
    }
    const { engine } = await h.engine('a', network, keys[0]!, { blobs })
    await h.start(engine)
    // A long deadline: a cancellation of the other fetches comes from the failure, not from the round's end.
    const { jobId } = await engine.submit({ kind: 'frames', reference, candidate, deadlineMs: network.deadlines.maxVoteMs })
    for (let n = 0; n < 3000 && stopped.length < 3; n++) await new Promise((resolve) => setTimeout(resolve, 10))
    expect(stopped).toHaveLength(3)
    // Every fetch begun beside the failed one was stopped by it; none began after it.
    expect([...stopped].sort()).toEqual(fetched.filter((h) => h !== reference[0] && h !== reference[1]).sort())
    // No vote of this node: its blobs never came.
    expect((await engine.view(jobId))?.ownMeasurement).toBeNull()
  })
})

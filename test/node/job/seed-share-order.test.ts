/**
 * The order of the seed phase on a validator: its seed share depends on the
 * job id alone, so it is gossiped as soon as the announcement checks, before
 * the node's store write of the job (docs/protocol.md, "Sampling seed"). A
 * slow disk on one validator then delays its own record, not every node's
 * measurement. Real parts: LevelDB store and audit trail, the blob folder;
 * the store's writes are held back by the test to stand for a slow disk.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { canonicalEncode } from '../../../protocol/canonical.ts'
import { jobIdOf, newJob, signJob } from '../../../protocol/job.ts'
import { decodeSeedShare } from '../../../protocol/seed.ts'
import type { EngineTopic } from '../../../node/job/ports.ts'
import { encodePng, scene } from '../measure/fixtures.ts'
import { EngineHarness, NO_NETWORK, testNetwork } from './engine-harness.ts'

describe('seed phase order', () => {
  const cleanups: Array<() => Promise<void>> = []
  afterEach(async () => {
    for (const fn of cleanups.splice(0).reverse()) await fn()
  })

  it('gossips the validator\'s seed share while its write of the job is still held, and stores the job once the write goes through', async () => {
    const h = await EngineHarness.create('trust-engine-seed-order-')
    cleanups.push(async () => { await h.close() })
    const { keys: [own, submitter], network } = testNetwork('seed-order', 4)
    const published: Array<{ topic: EngineTopic, data: Uint8Array, writesHeld: boolean }> = []
    let writesHeld = false
    const { engine, repos } = await h.engine('db', network, own!, {
      net: { ...NO_NETWORK, publish: async (topic, data) => { published.push({ topic, data, writesHeld }); return 0 } }
    })
    await h.start(engine)
    const png = await h.blobs.put(encodePng(scene(32, 32)))
    const job = signJob(newJob(network, {
      kind: 'frames', submitter: submitter!.publicKey, createdAt: Date.now(), reference: [png], candidate: [png], nonce: '00'.repeat(16)
    }), submitter!.privateKey)
    const jobId = jobIdOf(job)

    // From here on every store write waits until the test lets it through (a disk that does not answer).
    const store = repos.store
    const write = store.write.bind(store)
    let release!: () => void
    const gate = new Promise<void>((resolve) => { release = resolve })
    // On a failure below, the held writes still go through before the engine stops.
    cleanups.push(async () => { release() })
    let writesAsked = 0
    writesHeld = true
    store.write = (async (...args: Parameters<typeof store.write>) => {
      writesAsked++
      await gate
      return await write(...args)
    }) as typeof store.write

    const accepting = engine.onJobMessage(canonicalEncode(job))
    // The share goes out on its own task: wait (a bounded number of polls, a hang guard) for it or give up.
    for (let n = 0; n < 500 && !published.some((p) => p.topic === 'seeds'); n++) await new Promise((resolve) => setTimeout(resolve, 10))
    const shares = published.filter((p) => p.topic === 'seeds')
    expect(shares).toHaveLength(1)
    expect(shares[0]!.writesHeld).toBe(true)
    expect(writesAsked).toBeGreaterThanOrEqual(1)
    const share = decodeSeedShare(shares[0]!.data)
    expect([share.jobId, share.validator]).toEqual([jobId, own!.publicKey])
    // The job is not stored yet: its write is the one held.
    writesHeld = false
    expect(await repos.jobs.get(jobId)).toBeNull()

    release()
    await accepting
    expect((await repos.jobs.get(jobId))?.jobId).toBe(jobId)
    // One share per job: accepting it did not publish a second.
    expect(published.filter((p) => p.topic === 'seeds')).toHaveLength(1)
  })
})

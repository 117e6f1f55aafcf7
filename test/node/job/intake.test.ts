/**
 * Vote intake never waits on a measurement: with a job's own measurement
 * still running in the worker, a verified vote from another validator is
 * counted at once. Real parts: LevelDB store and audit trail, the blob
 * folder, the measurement worker; the network is this node alone (no peers:
 * gossip reaches nobody and catch-up finds nothing).
 */
import { afterEach, describe, expect, it } from 'vitest'
import { parseNetwork } from '../../../protocol/network.ts'
import { generateKeyPair } from '../../../protocol/signing.ts'
import { addNoise, encodePng, scene } from '../measure/fixtures.ts'
import { EngineHarness, seedAsSubmitter, signedVoteBytes } from './engine-harness.ts'

describe('vote intake beside a running measurement', () => {
  const cleanups: Array<() => Promise<void>> = []
  afterEach(async () => {
    for (const fn of cleanups.splice(0).reverse()) await fn()
  })

  it('counts a verified vote while the own measurement of its job is still running', async () => {
    const h = await EngineHarness.create('trust-engine-intake-')
    cleanups.push(async () => { await h.close() })
    const own = generateKeyPair()
    const other = generateKeyPair()
    const third = generateKeyPair()
    const network = parseNetwork({
      networkId: 'intake-test',
      protocolVersion: 1,
      validators: [own, other, third].map((k, i) => ({ name: `node${i + 1}`, publicKey: k.publicKey, weight: 1 }))
    })
    const { engine } = await h.engine('db', network, own)
    await h.start(engine)
    // A 1024×1024 pair: its measurement takes far longer than storing one vote.
    const reference = await h.blobs.put(encodePng(scene(1024, 1024)))
    const candidate = await h.blobs.put(encodePng(addNoise(scene(1024, 1024), 2, 'intake')))
    const job = await engine.submit({ kind: 'frames', reference: [reference], candidate: [candidate], deadlineMs: network.deadlines.maxVoteMs })
    // The seed phase: the two other validators' shares reach this node, the submitter, which then fixes the seed.
    const seed = await seedAsSubmitter(engine, network, job.jobId, own, [other, third])
    const vote = signedVoteBytes(network, other, { jobId: job.jobId, seed, round: 0 }, {
      metrics: { ssim: 0.99, psnr: 40, ssimLocal: 0.95 },
      intervals: { ssim: [0.98, 1], psnr: [39, 41], ssimLocal: [0.93, 0.97] },
      samples: 24
    })
    await engine.onVoteMessage(vote)
    const view = await engine.view(job.jobId)
    expect(view?.votes.map((v) => v.voter)).toEqual([other.publicKey])
    expect(view?.ownMeasurement).toBeNull()
  })
})

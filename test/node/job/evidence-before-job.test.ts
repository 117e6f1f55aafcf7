/**
 * Equivocation evidence that reaches a node before the job it concerns is
 * counted at the offender's reputation at once, and named in the job's own
 * record when the job arrives. Real parts: LevelDB store and audit trail, the
 * blob folder, the measurement worker; the network is this node alone.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { canonicalEncode } from '../../../protocol/canonical.ts'
import { detectEquivocation } from '../../../protocol/evidence.ts'
import { jobIdOf, newJob, signJob } from '../../../protocol/job.ts'
import { networkDigest, parseNetwork } from '../../../protocol/network.ts'
import { generateKeyPair } from '../../../protocol/signing.ts'
import { newVote, signVote } from '../../../protocol/vote.ts'
import { encodePng, scene } from '../measure/fixtures.ts'
import { EngineHarness } from './engine-harness.ts'

describe('evidence before its job', () => {
  const cleanups: Array<() => Promise<void>> = []
  afterEach(async () => {
    for (const fn of cleanups.splice(0).reverse()) await fn()
  })

  it('names the equivocator in the job record when the job arrives after the evidence', async () => {
    const h = await EngineHarness.create('trust-engine-evidence-')
    cleanups.push(async () => { await h.close() })
    const [own, submitter, liar, fourth] = [generateKeyPair(), generateKeyPair(), generateKeyPair(), generateKeyPair()]
    const network = parseNetwork({
      networkId: 'evidence-test',
      protocolVersion: 1,
      validators: [own, submitter, liar, fourth].map((k, i) => ({ name: `node${i + 1}`, publicKey: k.publicKey, weight: 1 }))
    })
    const offences: Array<[string, string]> = []
    const { engine, repos } = await h.engine('db', network, own, { onEvidence: (offender, jobId) => { offences.push([offender, jobId]) } })
    await h.start(engine)
    const png = await h.blobs.put(encodePng(scene(32, 32)))
    const job = signJob(newJob(network, {
      kind: 'frames', submitter: submitter.publicKey, createdAt: Date.now(), reference: [png], candidate: [png], nonce: '00'.repeat(16)
    }), submitter.privateKey)
    const jobId = jobIdOf(job)
    const vote = (ssim: number) => signVote(newVote({
      networkId: network.networkId,
      networkDigest: networkDigest(network),
      engine: network.measurement.engine,
      seed: '11'.repeat(32),
      jobId,
      round: 0,
      voter: liar.publicKey,
      metrics: { ssim, psnr: 40, ssimLocal: 0.95 },
      intervals: { ssim: [0.9, 1], psnr: [39, 41], ssimLocal: [0.93, 0.97] },
      samples: 24
    }), liar.privateKey)
    const evidence = detectEquivocation(vote(0.99), vote(0.5))!
    expect(evidence).not.toBeNull()

    // The evidence first: the job is unknown, the offender's reputation takes it at once.
    await engine.onEvidenceMessage(canonicalEncode(evidence))
    expect(offences).toEqual([[liar.publicKey, jobId]])
    expect(engine.reputationOf(liar.publicKey).equivocated).toBe(true)
    expect(await engine.view(jobId)).toBeNull()

    // Then the job: its record names the equivocator (an innocent validator stays out).
    await engine.onJobMessage(canonicalEncode(job))
    const view = await engine.view(jobId)
    expect(view?.status).toBe('pending')
    expect(view?.equivocators).toEqual([liar.publicKey])
    // Stored, not only in memory.
    expect((await repos.jobs.get(jobId))?.equivocators).toEqual([liar.publicKey])
  })
})

/**
 * A job is shown final only together with its certificate: while the batch
 * that decides a job (record, verdict, certificate) is being written, a
 * client reading the job sees it still pending, never "validated" with no
 * certificate to serve. Real parts: LevelDB store and audit trail, the blob
 * folder, the measurement worker; the order is controlled by holding the
 * deciding batch before it commits, as a slow disk would.
 */
import { afterEach, expect, it } from 'vitest'
import type { Certificate } from '../../../protocol/certificate.ts'
import { verifyCertificate } from '../../../protocol/certificate-verify.ts'
import { parseNetwork } from '../../../protocol/network.ts'
import { generateKeyPair } from '../../../protocol/signing.ts'
import type { JobView } from '../../../node/types.ts'
import { addNoise, encodePng, scene } from '../measure/fixtures.ts'
import { EngineHarness, seedAsSubmitter, signedVoteBytes } from './engine-harness.ts'

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn()
})

it('a decided job is shown pending while its deciding batch is written, then final with its certificate', async () => {
  const [own, other, third] = [generateKeyPair(), generateKeyPair(), generateKeyPair()] as const
  // The two other validators hold 10 of 11 base weight: their votes alone decide, and this node is silent.
  const weights = [1, 5, 5]
  const network = parseNetwork({
    networkId: 'final-cert-test',
    protocolVersion: 1,
    validators: [own, other, third].map((k, i) => ({ name: `v${i}`, publicKey: k.publicKey, weight: weights[i]! }))
  })
  const h = await EngineHarness.create('trust-engine-final-cert-')
  cleanups.push(async () => { await h.close() })
  let finals = 0
  let onDecided: (view: JobView) => void = () => {}
  const decided = new Promise<JobView>((resolve) => { onDecided = resolve })
  // This node stays silent (a simulated fault, node/job/faults.ts): the two votes given below decide alone.
  const { engine, repos } = await h.engine('db', network, own, {
    fault: { name: 'silent', votes: () => [] },
    onFinal: (view) => { finals++; onDecided(view) }
  })

  // Hold the batch that stores a certificate after it is filled and before it commits.
  let holding = false
  let release: () => void = () => {}
  const held = new Promise<void>((resolve) => { release = resolve })
  cleanups.push(async () => { release() }) // a failed expectation must not leave the store held
  let reached: () => void = () => {}
  const atGate = new Promise<void>((resolve) => { reached = resolve })
  const putCertificate = repos.certificates.put.bind(repos.certificates)
  repos.certificates.put = (batch, jobId, cert) => { holding = true; putCertificate(batch, jobId, cert) }
  const write = repos.store.write.bind(repos.store)
  repos.store.write = async (fn, options) => await write(async (batch) => {
    const out = await fn(batch)
    if (holding) {
      holding = false
      reached()
      await held
    }
    return out
  }, options)

  await h.start(engine)
  const reference = await h.blobs.put(encodePng(scene(64, 64)))
  const candidate = await h.blobs.put(encodePng(addNoise(scene(64, 64), 2, 'final-cert')))
  const job = await engine.submit({ kind: 'frames', reference: [reference], candidate: [candidate], deadlineMs: network.deadlines.maxVoteMs })
  const seed = await seedAsSubmitter(engine, network, job.jobId, own, [other, third])
  const voteOf = (k: typeof own): Uint8Array => signedVoteBytes(network, k, { jobId: job.jobId, seed, round: 0 }, {
    metrics: { ssim: 0.995, psnr: 45, ssimLocal: 0.99 },
    intervals: { ssim: [0.994, 0.996], psnr: [44.5, 45.5], ssimLocal: [0.989, 0.991] },
    samples: 200
  })
  await engine.onVoteMessage(voteOf(other))
  // The deciding vote: its intake waits for the held batch, so it is not awaited here.
  const intake = engine.onVoteMessage(voteOf(third))
  await atGate

  // The deciding batch is filled, not yet on disk: the job must not read as final without its certificate.
  const during = await engine.view(job.jobId)
  const certDuring = await engine.certificate(job.jobId)
  expect(certDuring).toBeNull()
  expect(during?.status).toBe('pending')
  expect(finals).toBe(0)

  release()
  await intake
  const view = await decided
  expect(view.status).toBe('validated')
  expect((await engine.view(job.jobId))?.status).toBe('validated')
  const cert = await engine.certificate(job.jobId) as Certificate
  expect(cert).not.toBeNull()
  expect(cert.status).toBe('validated')
  expect(cert.votes.map((v) => v.voter).sort()).toEqual([other.publicKey, third.publicKey].sort())
  expect(verifyCertificate(cert, network).ok).toBe(true)
})

/**
 * Certificate catch-up (`/trust-engine/certificates/1.0.0`). A validator
 * that was down while jobs were announced and decided comes back, fetches
 * their certificates from its peers, verifies and stores them, and reports
 * those jobs with the network's final status and a certificate that
 * verifies. A node whose only peer serves a forged certificate refuses it
 * with the verification's code, stores nothing and penalises the peer; an
 * honest peer admitted afterwards is asked too. A validator back after the
 * deadline of a job it held open disputes it by its own clock, then takes
 * the certified verdict.
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import { multiaddr } from '@multiformats/multiaddr'
import { readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createNode, type TrustEngineNode } from '../../node/node.ts'
import { serveCertificates } from '../../node/p2p/certificate-sync.ts'
import { createHost, type Host } from '../../node/p2p/host.ts'
import { canonicalEncode } from '../../protocol/canonical.ts'
import { type Certificate, decodeCertificate } from '../../protocol/certificate.ts'
import { verifyCertificate } from '../../protocol/certificate-verify.ts'
import { parseNetwork } from '../../protocol/network.ts'
import { Cluster, waitFor } from '../../sim/cluster.ts'
import { degradedPng, testPng } from '../../sim/images.ts'

describe('certificate catch-up', () => {
  let cluster: Cluster | null = null
  const closers: Array<() => Promise<void>> = []
  afterAll(async () => {
    for (const fn of closers.reverse()) await fn().catch(() => {})
    await cluster?.cleanup()
  })
  const decided: Array<{ jobId: string, status: string }> = []
  // The slowest latency (announcement to decision) of the first test's jobs on this machine, under its load.
  let slowestLatencyMs = 0

  it('a validator down while jobs were decided fetches their certificates on restart and reports the same verdicts', async () => {
    // Four validators of weight 1: three hold more than 2/3 for shares and votes alike.
    cluster = Cluster.init(4)
    await cluster.startAll()
    await cluster.waitConnected()
    await cluster.stop('node4')
    const pass = await cluster.submitFrames('node1', [testPng(48, 48)], [testPng(48, 48)])
    const fail = await cluster.submitFrames('node1', [testPng(48, 48)], [degradedPng(48, 48, 60)])
    for (const jobId of [pass, fail]) {
      for (const n of ['node1', 'node2', 'node3']) expect((await cluster.waitDecided(n, jobId)).final).toBe(true)
      decided.push({ jobId, status: (await cluster.waitDecided('node1', jobId)).status })
      for (const n of ['node1', 'node2', 'node3']) {
        const { timings } = await cluster.get(n, `/v1/jobs/${jobId}`) as { timings: { latencyMs: number | null } }
        slowestLatencyMs = Math.max(slowestLatencyMs, timings.latencyMs ?? 0)
      }
    }
    expect(decided.map((d) => d.status)).toEqual(['validated', 'rejected'])

    await cluster.start('node4')
    const network = parseNetwork(readFileSync(cluster.networkFile))
    for (const { jobId, status } of decided) {
      const view = await cluster.waitDecided('node4', jobId)
      expect(view.status).toBe(status)
      expect(view.final).toBe(true)
      expect(view.reason).toBe('certificate')
      const cert = await cluster.raw('node4', `/v1/jobs/${jobId}/certificate`)
      expect(cert.status).toBe(200)
      const result = verifyCertificate(decodeCertificate(new TextEncoder().encode(JSON.stringify(cert.body))), network)
      expect(result).toMatchObject({ ok: true, jobId, status })
    }
  })

  it('a peer serving a forged certificate gets it refused with its code, and nothing is stored', async () => {
    const network = parseNetwork(readFileSync(cluster!.networkFile))
    const { jobId, status } = decided[0]!
    const real = (await cluster!.get('node1', `/v1/jobs/${jobId}/certificate`)) as Certificate
    // The forgery flips the verdict: every signature still verifies, the status does not follow from the values.
    const forged: Certificate = { ...real, status: status === 'validated' ? 'rejected' : 'validated' }
    expect(verifyCertificate(forged, network)).toMatchObject({ ok: false, code: 'ERR_CERT_STATUS' })

    const liar: Host = await createHost({ privateKey: await generateKeyPair('Ed25519'), networkId: network.networkId })
    closers.push(async () => { await liar.stop() })
    await liar.start()
    await serveCertificates(liar, { list: () => [jobId], load: async () => canonicalEncode(forged) })

    const dir = await mkdtemp(join(tmpdir(), 'trust-engine-cert-catch-up-'))
    closers.push(async () => { await rm(dir, { recursive: true, force: true }) })
    const observer: TrustEngineNode = await createNode({ dataDir: dir, network, role: 'observer', bootstrap: liar.multiaddrs(), logLevel: 'silent' })
    closers.push(async () => { await observer.stop() })

    const offences = async (): Promise<Record<string, number>> => {
      const metric = await observer.metricsRegistry.getSingleMetric('trust_engine_peer_offences_total')?.get()
      return Object.fromEntries((metric?.values ?? []).map((v) => [String(v.labels.code), v.value]))
    }
    await waitFor(async () => (await offences()).ERR_CERT_STATUS === 1, 'the observer refused the forged certificate')
    expect(await observer.getJob(jobId)).toBeNull()
    expect(await observer.getCertificate(jobId)).toBeNull()

    // An honest peer admitted later is asked too, and its certificate is taken.
    await observer.host.libp2p.dial(multiaddr(cluster!.entry('node1').listen))
    await waitFor(async () => (await observer.getJob(jobId))?.status === status, 'the observer took the honest certificate')
    expect((await observer.getJob(jobId))?.reason).toBe('certificate')
    expect(verifyCertificate((await observer.getCertificate(jobId)) as Certificate, network)).toMatchObject({ ok: true, status })
    expect((await offences()).ERR_CERT_STATUS).toBe(1)
  })

  it('a validator that held a job open and came back after its deadline disputes it, then takes the certified verdict', async () => {
    const network = parseNetwork(readFileSync(cluster!.networkFile))
    // The test waits for this deadline to pass, so it is no longer than the job needs: three times the slowest
    // decision of the first test (one node fewer, the same 3-of-4 quorum), at least 8 s and at most the default 30 s.
    // A deadline that came before node1-3's decision would show as `disputed` below, not as a pass.
    const deadlineMs = Math.min(30_000, Math.max(8_000, 3 * slowestLatencyMs))
    // node4 must go down holding the job but not yet the votes that decide it (with them stored, it would decide
    // by quorum on restart, rightly, and the rule under test would not run): four processes reach finality in
    // about 90 ms here, within one 100 ms poll of waitFor. So the frames take longer to measure (512² rather
    // than 40²), and node4 is asked every 5 ms and killed as soon as it answers with the job.
    const jobId = await cluster!.submitFrames('node1', [testPng(512, 512)], [testPng(512, 512)], { deadlineMs })
    for (let i = 0; i < 6000 && (await cluster!.raw('node4', `/v1/jobs/${jobId}`)).status !== 200; i++) await new Promise((r) => setTimeout(r, 5))
    await cluster!.kill9('node4')
    for (const n of ['node1', 'node2', 'node3']) expect((await cluster!.waitDecided(n, jobId)).status).toBe('validated')
    // Back after the job's deadline (the wait is for the condition, not a limit): its own deadline rule disputes the job at once.
    const { timings } = await cluster!.get('node1', `/v1/jobs/${jobId}`) as { timings: { deadline: number } }
    while (Date.now() <= timings.deadline) await new Promise((r) => setTimeout(r, Math.min(1000, timings.deadline - Date.now() + 1)))
    await cluster!.start('node4')
    await waitFor(async () => ((await cluster!.get('node4', `/v1/jobs/${jobId}`)) as { status: string }).status === 'validated', 'node4 took the certified verdict')
    const view = await cluster!.get('node4', `/v1/jobs/${jobId}`) as { reason: string, final: boolean }
    expect(view).toMatchObject({ reason: 'certificate', final: true })
    const cert = decodeCertificate(new TextEncoder().encode(JSON.stringify(await cluster!.get('node4', `/v1/jobs/${jobId}/certificate`))))
    expect(verifyCertificate(cert, network)).toMatchObject({ ok: true, jobId, status: 'validated' })
    const { head } = await cluster!.get('node4', '/v1/audit?limit=1') as { head: { seq: number } }
    const audit = await cluster!.get('node4', `/v1/audit?from=${Math.max(0, head.seq - 999)}&limit=1000`) as { entries: Array<{ kind: string, data: { jobId?: string } }> }
    const kinds = audit.entries.filter((e) => e.data.jobId === jobId).map((e) => e.kind)
    expect(kinds).toContain('job.disputed')
    expect(kinds.at(-1)).toBe('job.certified')
  })
})

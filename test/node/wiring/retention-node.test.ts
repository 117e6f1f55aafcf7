/**
 * Retention in a real node (createNode: LevelDB, blob and evidence folders,
 * libp2p on 127.0.0.1, the measurement worker, the HTTP API) on a clock the
 * test moves: a decided job is served whole before its period is over and,
 * after the pass at its end, without its blobs, votes and evidence but with
 * its verdict and a certificate that verifies, and another host catching up
 * gets the certificate's votes and the certificate; the metrics on `/metrics`
 * count the prune; the audit trail of the stopped node verifies. And a
 * prune that dies between deleting the files and committing its batch
 * leaves a consistent store that the next start finishes.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { generateKeyPair as generateLibp2pKey } from '@libp2p/crypto/keys'
import { verifyCertificate } from '../../../protocol/certificate-verify.ts'
import { type Certificate, decodeCertificate } from '../../../protocol/certificate.ts'
import { parseNetwork, type NetworkConfig } from '../../../protocol/network.ts'
import { generateKeyFile, type KeyFile } from '../../../node/keys.ts'
import { createNode, type TrustEngineNode } from '../../../node/node.ts'
import { ManualClock } from '../../../node/optimizer/economy/clock.ts'
import { fetchCertificates } from '../../../node/p2p/certificate-sync.ts'
import { createHost } from '../../../node/p2p/host.ts'
import { fetchVotes } from '../../../node/p2p/vote-sync.ts'
import { verifyAudit } from '../../../node/store/audit-verify.ts'
import { BUCKETS } from '../../../node/store/buckets.ts'
import { openStore } from '../../../node/store/db.ts'
import type { JobView } from '../../../node/types.ts'
import { goodCandidatePng, referencePng } from '../api/fixtures.ts'

const DAY = 24 * 3600 * 1000
const T0 = Date.parse('2026-03-02T09:00:00Z')

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn()
})

async function folder (): Promise<{ dir: string, key: KeyFile, network: NetworkConfig }> {
  const dir = await mkdtemp(join(tmpdir(), 'trust-engine-retention-node-'))
  cleanups.push(async () => { await rm(dir, { recursive: true, force: true }) })
  const key = generateKeyFile(join(dir, 'key.json'))
  const network = parseNetwork({ networkId: 'retention-node', protocolVersion: 1, validators: [{ name: 'node1', publicKey: key.publicKey, weight: 1 }] })
  return { dir, key, network }
}

async function start (dir: string, network: NetworkConfig, clock: ManualClock): Promise<TrustEngineNode> {
  const node = await createNode({ dataDir: dir, network, logLevel: 'silent', clock, api: { port: 0 } })
  cleanups.push(async () => { await node.stop() })
  return node
}

/** Submits a frames job on a one-validator node and waits for its own vote to decide it. */
async function decidedJob (node: TrustEngineNode, shift: number): Promise<JobView> {
  const final = new Promise<JobView>((resolve) => { node.on('job:final', resolve) })
  const view = await node.submitJob({ kind: 'frames', reference: [await node.putBlob(referencePng(shift))], candidate: [await node.putBlob(goodCandidatePng(shift))] })
  const decided = await final
  expect([decided.jobId, decided.status]).toEqual([view.jobId, 'validated'])
  return decided
}

const get = async (node: TrustEngineNode, path: string): Promise<{ status: number, body: unknown }> => {
  const res = await fetch(`${node.info().apiUrl!}${path}`)
  return { status: res.status, body: res.headers.get('content-type')?.includes('json') === true ? await res.json() : await res.text() }
}

describe('retention in a node', () => {
  it('serves a decided job whole within its period, and its verdict and certificate without its blobs, votes and evidence after it', async () => {
    const { dir, key, network } = await folder()
    const clock = new ManualClock(T0)
    const node = await start(dir, network, clock)
    const job = await decidedJob(node, 0)
    // Stored before the node's vote, so before the decision.
    expect((await get(node, `/v1/jobs/${job.jobId}/evidence`)).status).toBe(200)
    const certBefore = (await get(node, `/v1/jobs/${job.jobId}/certificate`)).body as Certificate

    clock.set(T0 + 7 * DAY - 1)
    expect((await node.retention.pass()).jobs).toBe(0)
    expect(await node.hasBlob(job.reference[0]!)).toBe(true)

    clock.set(T0 + 7 * DAY + 5 * 60_000)
    const pass = await node.retention.pass()
    expect(pass).toMatchObject({ jobs: 1, votes: 1, blobs: 2, evidence: 1, failed: 0 })
    expect(await node.hasBlob(job.reference[0]!)).toBe(false)
    expect(await node.hasBlob(job.candidate[0]!)).toBe(false)

    const after = (await get(node, `/v1/jobs/${job.jobId}`)).body as JobView
    expect([after.status, after.final, after.timings.prunedAt, after.votes.length]).toEqual(['validated', true, T0 + 7 * DAY + 5 * 60_000, 1])
    const cert = await get(node, `/v1/jobs/${job.jobId}/certificate`)
    expect(cert.status).toBe(200)
    expect(cert.body).toEqual(certBefore)
    expect(verifyCertificate(cert.body as Certificate, network).ok).toBe(true)
    const evidence = await get(node, `/v1/jobs/${job.jobId}/evidence`)
    expect([evidence.status, (evidence.body as { error: { code: string } }).error.code]).toEqual([404, 'ERR_EVIDENCE_NOT_FOUND'])
    const listed = (await get(node, '/v1/jobs?status=validated')).body as { jobs: JobView[] }
    expect(listed.jobs.map((j) => j.jobId)).toEqual([job.jobId])

    // Catch-up from another host: the votes stream is the seed certificate and the certificate's votes; the certificate is served as before.
    const client = await createHost({ privateKey: await generateLibp2pKey('Ed25519'), networkId: network.networkId, bootstrap: node.host.multiaddrs() })
    await client.start()
    cleanups.push(async () => { await client.stop() })
    for (let i = 0; i < 300 && !node.host.isAdmitted(client.peerId); i++) await new Promise((r) => setTimeout(r, 100))
    const stream = (await fetchVotes(client, node.host.peerId, job.jobId)).map((b) => JSON.parse(new TextDecoder().decode(b)) as { type: string, voter?: string })
    expect(stream.map((m) => [m.type, m.voter ?? null])).toEqual([['seed-certificate', null], ['vote', key.publicKey]])
    const certs: Uint8Array[] = []
    for await (const c of fetchCertificates(client, node.host.peerId, 0)) certs.push(c)
    expect(certs.map((c) => decodeCertificate(c))).toEqual([certBefore])

    const metrics = (await get(node, '/metrics')).body as string
    expect(metrics).toMatch(/^trust_engine_retention_pruned_total\{kind="jobs"\} 1$/m)
    expect(metrics).toMatch(/^trust_engine_retention_pruned_total\{kind="blobs"\} 2$/m)
    expect(metrics).toMatch(new RegExp(`^trust_engine_retention_freed_bytes_total\\{kind="blobs"\\} ${pass.bytes.blobs}$`, 'm'))
    expect(metrics).toMatch(/^trust_engine_retention_last_pass_seconds [0-9.e-]+$/m)

    await node.stop()
    const audit = await verifyAudit(join(dir, 'db'), key.publicKey, network.networkId)
    expect(audit.ok).toBe(true)
  }, 120_000)

  it('finishes at the next start a prune that died between deleting the files and committing its batch', async () => {
    const { dir, key, network } = await folder()
    const clock = new ManualClock(T0)
    const node = await start(dir, network, clock)
    const job = await decidedJob(node, 1)
    await node.stop()

    // The files go, then the batch does not: as if the process were killed between the two.
    const store = await openStore(join(dir, 'db'))
    const { BlobDir } = await import('../../../node/p2p/blob-dir.ts')
    const blobs = new BlobDir(dir)
    for (const sha of [...job.reference, ...job.candidate]) expect(await blobs.delete(sha)).toBeGreaterThan(0)
    let queued = 0
    for await (const _ of store.iterate({ gte: Uint8Array.of(BUCKETS.retentionQueue), lt: Uint8Array.of(BUCKETS.retentionQueue + 1) })) queued++
    expect(queued).toBe(1)
    await store.close()
    expect((await verifyAudit(join(dir, 'db'), key.publicKey, network.networkId)).ok).toBe(true)

    // The next start's first pass (it runs at start) finishes the job.
    clock.set(T0 + 7 * DAY)
    const again = await start(dir, network, clock)
    const view = await new Promise<JobView>((resolve, reject) => {
      const poll = (): void => {
        again.getJob(job.jobId).then((v) => { if (v?.timings.prunedAt !== null && v !== null) resolve(v); else setTimeout(poll, 20) }, reject)
      }
      poll()
    })
    expect([view.status, view.timings.prunedAt, view.votes.length]).toEqual(['validated', T0 + 7 * DAY, 1])
    expect(verifyCertificate((await again.getCertificate(job.jobId)) as Certificate, network).ok).toBe(true)
    await again.stop()
    expect((await verifyAudit(join(dir, 'db'), key.publicKey, network.networkId)).ok).toBe(true)
  }, 120_000)
})

/**
 * Four honest node processes from `network init` finalize the same result,
 * every certificate verifies; a node killed with SIGKILL comes back with its
 * identity and state and takes part in the next job; a node of another
 * network is refused.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decodeCertificate } from '../../protocol/certificate.ts'
import { verifyCertificate } from '../../protocol/certificate-verify.ts'
import { parseNetwork } from '../../protocol/network.ts'
import { NODE_METRIC_NAMES } from '../../node/metrics.ts'
import { ERR_WRONG_NETWORK } from '../../node/p2p/errors.ts'
import { Cluster, runCli, waitFor } from '../../sim/cluster.ts'
import { degradedPng, testPng } from '../../sim/images.ts'

describe('four honest nodes', () => {
  let cluster: Cluster
  let foreign: Cluster | null = null
  const names = ['node1', 'node2', 'node3', 'node4']

  beforeAll(async () => {
    cluster = Cluster.init(4)
    await cluster.startAll()
    await cluster.waitConnected()
  })
  afterAll(async () => {
    await cluster?.cleanup()
    await foreign?.cleanup()
  })

  it('finalize the same result on a frames job and every certificate verifies', async () => {
    const jobId = await cluster.submitFrames('node1', [testPng(64, 48), testPng(64, 48, 1)], [degradedPng(64, 48, 6), testPng(64, 48, 1)])
    const views = []
    for (const n of names) views.push(await cluster.waitDecided(n, jobId))
    for (const v of views) {
      expect(v.final).toBe(true)
      expect(v.status).toBe(views[0]!.status)
      expect(v.values).toEqual(views[0]!.values)
      expect(v.byzantine).toEqual([])
    }
    expect(['validated', 'rejected']).toContain(views[0]!.status)
    expect(typeof views[0]!.values!.ssim).toBe('number')

    const network = parseNetwork(readFileSync(cluster.networkFile))
    for (const n of names) {
      const cert = await cluster.get(n, `/v1/jobs/${jobId}/certificate`)
      const parsed = decodeCertificate(new TextEncoder().encode(JSON.stringify(cert)))
      const verdict = verifyCertificate(parsed, network)
      expect(verdict.ok).toBe(true)
      expect(verdict).toMatchObject({ jobId, status: views[0]!.status, totalBaseWeight: 4 })
      expect(parsed.values).toEqual(views[0]!.values)
    }
    // And through the CLI, as a third party would: a genuine copy passes, a tampered copy fails.
    const certFile = join(cluster.dir, 'cert.json')
    const cert = await cluster.get('node2', `/v1/jobs/${jobId}/certificate`) as { values: { ssim: number } }
    writeFileSync(certFile, JSON.stringify(cert))
    expect(runCli(['certificate', 'verify', certFile, '--network', cluster.networkFile]).code).toBe(0)
    writeFileSync(certFile, JSON.stringify({ ...cert, values: { ...cert.values, ssim: 0.5 } }))
    expect(runCli(['certificate', 'verify', certFile, '--network', cluster.networkFile]).code).toBe(1)
  })

  it('takes a second, larger round when round 0 ends in the grey zone, and says so', async () => {
    // Identical frames measure SSIM 1 with the interval [1, 1]; a threshold of 1 lies inside it.
    const jobId = await cluster.submitFrames('node2', [testPng(40, 40)], [testPng(40, 40)], { thresholds: { ssimMin: 1 } })
    const network = parseNetwork(readFileSync(cluster.networkFile))
    for (const n of names) {
      const view = await cluster.waitDecided(n, jobId) as unknown as {
        status: string, round: number, greyZone: { metrics: string[], values: unknown } | null, votes: Array<{ round: number }>
      }
      expect(view.status).toBe('validated')
      expect(view.round).toBe(1)
      expect(view.greyZone?.metrics).toEqual(['ssim'])
      expect(view.greyZone?.values).toEqual({ ssim: 1, psnr: 'Infinity', ssimLocal: 1 })
      expect(view.votes.some((v) => v.round === 1)).toBe(true)
      const cert = decodeCertificate(new TextEncoder().encode(JSON.stringify(await cluster.get(n, `/v1/jobs/${jobId}/certificate`))))
      expect(cert.round).toBe(1)
      expect(cert.votes.every((v) => v.round === 1 && v.samples > 100)).toBe(true)
      expect(verifyCertificate(cert, network).ok).toBe(true)
    }
  })

  it('a node killed with SIGKILL keeps its peer id, reputations, jobs and audit chain, and takes part in the next job', async () => {
    const before = await cluster.get('node3', '/v1/node') as { peerId: string }
    const { jobs: jobsBefore } = await cluster.get('node3', '/v1/jobs') as { jobs: Array<{ jobId: string, status: string }> }
    const repsBefore = await cluster.get('node3', '/v1/reputation')
    expect(jobsBefore.length).toBeGreaterThan(0)

    await cluster.kill9('node3')
    const dataDir = join(cluster.dir, 'node3')
    const audit = runCli(['audit', 'verify', '--data-dir', dataDir, '--json'])
    expect(audit.code).toBe(0)
    const auditHead = JSON.parse(audit.stdout) as { ok: boolean, length: number }
    expect(auditHead.ok).toBe(true)
    expect(auditHead.length).toBeGreaterThan(0)

    await cluster.start('node3')
    await cluster.waitConnected()
    const after = await cluster.get('node3', '/v1/node') as { peerId: string }
    expect(after.peerId).toBe(before.peerId)
    expect(await cluster.get('node3', '/v1/reputation')).toEqual(repsBefore)
    const { jobs: jobsAfter } = await cluster.get('node3', '/v1/jobs') as { jobs: Array<{ jobId: string, status: string }> }
    expect(jobsAfter.map((j) => [j.jobId, j.status])).toEqual(jobsBefore.map((j) => [j.jobId, j.status]))

    const jobId = await cluster.submitFrames('node1', [testPng(48, 48)], [testPng(48, 48)])
    const view = await cluster.waitDecided('node1', jobId)
    expect(view.status).toBe('validated')
    expect(view.values).toEqual({ ssim: 1, psnr: 'Infinity', ssimLocal: 1 })
    // node3 measured and voted: its vote reaches node1 (in time or late).
    await waitFor(async () => {
      const v = await cluster.get('node1', `/v1/jobs/${jobId}`) as { votes: Array<{ name: string }> }
      return v.votes.some((x) => x.name === 'node3')
    }, 'node3 vote on node1')
    const own = await cluster.waitDecided('node3', jobId)
    expect(own.status).toBe('validated')
  })

  it('refuses a node of another network', async () => {
    foreign = Cluster.init(1)
    const config = join(foreign.dir, 'node1', 'config.json')
    const cfg = JSON.parse(readFileSync(config, 'utf8')) as { bootstrap?: string[] }
    cfg.bootstrap = [cluster.entry('node1').listen]
    writeFileSync(config, JSON.stringify(cfg))
    // node1's refusals of a peer of another network, from its metrics endpoint.
    const refusals = async (): Promise<number> => {
      const { body } = await cluster.raw('node1', '/metrics')
      const line = new RegExp(`^${NODE_METRIC_NAMES.peersRefused}\\{code="${ERR_WRONG_NETWORK}"\\} (\\d+)$`, 'm').exec(String(body))
      return line === null ? 0 : Number(line[1])
    }
    const before = await refusals()
    await foreign.start('node1')
    const foreignId = foreign.entry('node1').peerId
    // The foreign node dials node1 (its bootstrap peer) and is identified: node1 counts the refusal.
    await waitFor(async () => (await refusals()) > before, 'node1 refuses the node of another network (ERR_WRONG_NETWORK)')
    const { peers } = await cluster.get('node1', '/v1/peers') as { peers: Array<{ peerId: string, connected: boolean }> }
    expect(peers.some((p) => p.peerId === foreignId && p.connected)).toBe(false)
    const { peers: foreignPeers } = await foreign.get('node1', '/v1/peers') as { peers: Array<{ connected: boolean }> }
    expect(foreignPeers.filter((p) => p.connected)).toEqual([])
  })
})

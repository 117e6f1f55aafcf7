/**
 * Byzantine node processes (started through the simulation's node host with a fault strategy):
 * one liar of four cannot stop the others; two liars of four make the job
 * disputed, never final; an equivocating node is caught and the evidence
 * reaches every node.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { Cluster, waitFor } from '../../sim/cluster.ts'
import { degradedPng, testPng } from '../../sim/images.ts'

const HONEST = ['node1', 'node2', 'node3']

describe('Byzantine nodes', () => {
  let cluster: Cluster | null = null
  afterEach(async () => { await cluster?.cleanup(); cluster = null })

  it('with one node reporting false metrics the other three finalize, flag it, lower its reputation and its gossip score', async () => {
    cluster = Cluster.init(4)
    await cluster.startAll({ node4: { kind: 'liar' } })
    await cluster.waitConnected()
    const liar = cluster.entry('node4')
    const jobId = await cluster.submitFrames('node1', [testPng(64, 64)], [degradedPng(64, 64, 4)])
    for (const n of HONEST) {
      const view = await cluster.waitDecided(n, jobId)
      expect(view.final).toBe(true)
      // The liar's vote is judged on arrival, in time or late.
      await waitFor(async () => ((await cluster!.get(n, `/v1/jobs/${jobId}`)) as { byzantine: string[] }).byzantine.includes(liar.publicKey), `${n} flags the liar`)
      const { validators } = await cluster.get(n, '/v1/reputation') as { validators: Array<{ name: string, reputation: number }> }
      expect(validators.find((v) => v.name === 'node4')!.reputation).toBeLessThan(1)
      for (const h of HONEST) expect(validators.find((v) => v.name === h)!.reputation).toBe(1)
      await waitFor(async () => {
        const { peers } = await cluster!.get(n, '/v1/peers') as { peers: Array<{ peerId: string, gossipScore: number | null }> }
        const score = peers.find((p) => p.peerId === liar.peerId)?.gossipScore
        return score !== null && score !== undefined && score < 0
      }, `${n} scores the liar below 0`)
    }
    const views = await Promise.all(HONEST.map(async (n) => await cluster!.waitDecided(n, jobId)))
    expect(new Set(views.map((v) => JSON.stringify([v.status, v.values]))).size).toBe(1)
  })

  it('with two of four lying the job is disputed, not final', async () => {
    cluster = Cluster.init(4)
    await cluster.startAll({ node3: { kind: 'liar' }, node4: { kind: 'liar' } })
    await cluster.waitConnected()
    const jobId = await cluster.submitFrames('node1', [testPng(48, 48)], [testPng(48, 48)], { deadlineMs: 8000 })
    for (const n of ['node1', 'node2']) {
      const view = await cluster.waitDecided(n, jobId)
      expect(view.status).toBe('disputed')
      expect(view.final).toBe(false)
      const cert = await cluster.raw(n, `/v1/jobs/${jobId}/certificate`)
      expect(cert.status).toBe(404)
    }
  })

  it('an equivocating node is caught and the evidence reaches every node', async () => {
    cluster = Cluster.init(4)
    await cluster.startAll({ node4: { kind: 'equivocate' } })
    await cluster.waitConnected()
    const offender = cluster.entry('node4').publicKey
    const jobId = await cluster.submitFrames('node1', [testPng(48, 48)], [degradedPng(48, 48, 3)])
    for (const n of ['node1', 'node2', 'node3', 'node4']) {
      await waitFor(async () => {
        const { validators } = await cluster!.get(n, '/v1/reputation') as { validators: Array<{ publicKey: string, equivocated: boolean, trust: number }> }
        const v = validators.find((x) => x.publicKey === offender)!
        return v.equivocated && v.trust === 0
      }, `${n} holds evidence against node4`)
    }
    // The job's own record names the offender too, also where the evidence arrived before the job.
    for (const n of HONEST) {
      const view = await cluster.waitDecided(n, jobId)
      expect(view.final).toBe(true)
      expect(view.equivocators).toContain(offender)
    }
  })
})

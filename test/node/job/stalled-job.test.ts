/**
 * Votes missed on gossip are learnt from the peers before the deadline: four
 * job engines (each with its own LevelDB store and audit trail, one blob
 * folder, the measurement worker) joined by an in-memory gossip that never
 * delivers the others' votes to one of them, as when its mesh lost
 * them. Without catch-up that engine would hold its own vote only,
 * below the quorum of three, until the deadline, and decide there on fewer votes
 * than its peers counted. A seeded job whose vote count stands still asks
 * its peers for the job's votes, and finalizes on the quorum like the
 * others.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { encodePng, scene } from '../measure/fixtures.ts'
import { EngineHarness, gossipingEngines, testNetwork, untilFinal } from './engine-harness.ts'

describe('votes missed on gossip', () => {
  const cleanups: Array<() => Promise<void>> = []
  afterEach(async () => {
    for (const fn of cleanups.splice(0).reverse()) await fn()
  })

  /** Runs one job; polls until every engine is final, or (`othersOnly`) until engines 0–2 are and then 2 s more. */
  async function run (stalledJobFetchMs: number, othersOnly = false): Promise<{ views: Array<{ final: boolean, status: string, reason: string | null }>, withheld: number, asked: number }> {
    const h = await EngineHarness.create('trust-engine-stalled-')
    cleanups.push(async () => { await h.close() })
    const { keys, network } = testNetwork('stalled-test', 4)
    let withheld = 0
    let asked = 0
    const engines = await gossipingEngines(h, network, keys, {
      // No vote reaches engine 3.
      drop: (_from, to, topic) => {
        const drop = topic === 'votes' && to === 3
        if (drop) withheld++
        return drop
      },
      onAsk: (i, what) => { if (i === 3 && what === 'votes') asked++ },
      options: { stalledJobFetchMs }
    })
    const png = await h.blobs.put(encodePng(scene(32, 32)))
    const { jobId } = await engines[0]!.submit({ kind: 'frames', reference: [png], candidate: [png], deadlineMs: network.deadlines.maxVoteMs })
    // Hang guard only (bounded polls), not a time limit on the protocol: the deadline is far beyond it.
    await untilFinal(othersOnly ? engines.slice(0, 3) : engines, jobId)
    if (othersOnly) await new Promise((r) => setTimeout(r, 2_000))
    const views = await Promise.all(engines.map(async (e) => (await e.view(jobId))!))
    return { views, withheld, asked }
  }

  it('are fetched from the peers once the job stands still, and the job finalizes on the quorum there too', async () => {
    const { views, withheld, asked } = await run(300)
    // At least two of the other three voted (the quorum is three of four).
    expect(withheld).toBeGreaterThanOrEqual(2)
    expect(asked).toBeGreaterThan(0)
    for (const view of views) expect([view.final, view.status, view.reason]).toEqual([true, 'validated', 'quorum'])
  })

  it('leave the job pending below the quorum while no catch-up comes (the case above needs it)', async () => {
    const { views, asked } = await run(3_600_000, true)
    expect(asked).toBe(0)
    expect(views.slice(0, 3).map((v) => v.status)).toEqual(['validated', 'validated', 'validated'])
    expect([views[3]!.final, views[3]!.status]).toEqual([false, 'pending'])
  })
})

/**
 * Work that cannot run away: an honest job submitted while a large in-limit
 * job is being measured is measured beside it (the pool's second worker), not
 * behind it, and is decided while the large job's measurement still runs.
 * The node runs on a manual clock that stands still, so no deadline passes:
 * the order of events is asserted, never a duration.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { generateKeyFile } from '../../../node/keys.ts'
import { createNode, type TrustEngineNode } from '../../../node/node.ts'
import { ManualClock } from '../../../node/optimizer/economy/clock.ts'
import type { JobView } from '../../../node/types.ts'
import { parseNetwork } from '../../../protocol/network.ts'
import { goodCandidatePng, referencePng } from '../api/fixtures.ts'
import { encodePng, makeImage } from '../measure/fixtures.ts'

describe('an honest job beside a large one', () => {
  const cleanups: Array<() => Promise<void>> = []
  afterEach(async () => {
    for (const fn of cleanups.splice(0).reverse()) await fn()
  })

  it('is measured and validated while the large job\'s measurement still runs', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'trust-engine-heavy-'))
    cleanups.push(async () => { await rm(dir, { recursive: true, force: true }) })
    const key = generateKeyFile(join(dir, 'key.json'))
    const network = parseNetwork({ networkId: 'heavy-test', protocolVersion: 1, validators: [{ name: 'node1', publicKey: key.publicKey, weight: 1 }] })
    const clock = new ManualClock(Date.parse('2026-01-07T10:00:00Z'))
    const node: TrustEngineNode = await createNode({ dataDir: dir, network, logLevel: 'silent', clock })
    cleanups.push(async () => { await node.stop() })
    const finals = new Map<string, JobView>()
    node.on('job:final', (view) => { finals.set(view.jobId, view) })
    const final = async (jobId: string): Promise<JobView> => await new Promise<JobView>((resolve) => {
      const seen = finals.get(jobId)
      if (seen !== undefined) { resolve(seen); return }
      const off = node.on('job:final', (view) => { if (view.jobId === jobId) { off(); resolve(view) } })
    })

    // A 2048 × 2048 pair (8 million pixels, far under the network's 2^26): seconds of decoding and SSIM in a worker, whatever the content.
    const flat = await node.putBlob(encodePng(makeImage(2048, 2048, () => [90, 120, 150, 255])))
    const large = await node.submitJob({ kind: 'frames', reference: [flat], candidate: [flat] })
    const honest = await node.submitJob({ kind: 'frames', reference: [await node.putBlob(referencePng())], candidate: [await node.putBlob(goodCandidatePng())] })

    const honestView = await final(honest.jobId)
    expect([honestView.status, honestView.votes.length]).toEqual(['validated', 1])
    // Measured beside the large job: the large one has no measurement yet (behind it, it would have been measured first).
    const largeNow = await node.getJob(large.jobId)
    expect([largeNow?.status, largeNow?.ownMeasurement]).toEqual(['pending', null])
  }, 120_000)
})

/**
 * An announcement no honest node can measure, gossiped by a validator that
 * skipped its own API's checks, is closed by every honest node as soon as
 * the blobs are in, with the code the API answers and no vote: a job engine
 * (its own LevelDB store and audit trail, the real blob folder and worker)
 * wired with the node's input check receives signed announcements of another
 * validator. The engine's clock stands still, so no deadline ever passes: a
 * job closed at all was closed by the rule, not by its deadline.
 */
import { Document } from '@gltf-transform/core'
import { afterEach, describe, expect, it } from 'vitest'
import { REASON_UNMEASURABLE } from '../../../node/job/decider.ts'
import { ERR_JOB_OVER_LIMITS, ERR_JOB_UNMEASURABLE } from '../../../node/job/errors.ts'
import type { EngineTopic } from '../../../node/job/ports.ts'
import { ManualClock } from '../../../node/optimizer/economy/clock.ts'
import type { JobView } from '../../../node/types.ts'
import { inputCheckPort } from '../../../node/wiring/work-limits.ts'
import { canonicalEncode } from '../../../protocol/canonical.ts'
import { jobIdOf, newJob, signJob } from '../../../protocol/job.ts'
import { parseNetwork } from '../../../protocol/network.ts'
import { generateKeyPair } from '../../../protocol/signing.ts'
import { encodePng, scene } from '../measure/fixtures.ts'
import { addPrimitive, cubeArrays, newDocument, toGlb } from '../render/fixtures.ts'
import { EngineHarness, NO_NETWORK } from './engine-harness.ts'

describe('an unmeasurable announcement', () => {
  const cleanups: Array<() => Promise<void>> = []
  afterEach(async () => {
    for (const fn of cleanups.splice(0).reverse()) await fn()
  })

  it('is closed at once by an honest node, with the API\'s code, and gets no vote from it', async () => {
    const h = await EngineHarness.create('trust-engine-unmeasurable-')
    cleanups.push(async () => { await h.close() })
    const [submitter, honest] = [generateKeyPair(), generateKeyPair()]
    const network = parseNetwork({
      networkId: 'unmeasurable-test',
      protocolVersion: 1,
      validators: [submitter, honest].map((k, i) => ({ name: `node${i + 1}`, publicKey: k.publicKey, weight: 1 })),
      limits: { maxJobPixels: 20_000 }
    })
    const clock = new ManualClock(Date.parse('2026-01-07T10:00:00Z'))
    const published: EngineTopic[] = []
    const finals = new Map<string, JobView>()
    const waiting = new Map<string, (view: JobView) => void>()
    const { engine } = await h.engine('honest', network, honest, {
      clock: clock.now,
      // The node's own port: a scene's check in the work pool, a frames job's inline.
      check: inputCheckPort(network, h.pool.check),
      net: { ...NO_NETWORK, publish: async (topic) => { published.push(topic); return 1 } },
      onFinal: (view) => { finals.set(view.jobId, view); waiting.get(view.jobId)?.(view) }
    })
    await h.start(engine)
    const final = async (jobId: string): Promise<JobView> => finals.get(jobId) ?? await new Promise<JobView>((resolve) => { waiting.set(jobId, resolve) })

    const announce = async (kind: 'frames' | 'scene', reference: Uint8Array[], candidate: Uint8Array[]): Promise<string> => {
      const job = signJob(newJob(network, {
        kind,
        submitter: submitter.publicKey,
        createdAt: clock.now(),
        reference: await Promise.all(reference.map(async (b) => await h.blobs.put(b))),
        candidate: await Promise.all(candidate.map(async (b) => await h.blobs.put(b))),
        nonce: 'ab'.repeat(16)
      }), submitter.privateKey)
      await engine.onJobMessage(canonicalEncode(job))
      return jobIdOf(job)
    }
    const emptyDoc = new Document()
    emptyDoc.getRoot().setDefaultScene(emptyDoc.createScene('empty'))
    const { doc, add } = newDocument()
    const c = cubeArrays()
    add(doc.createNode().setMesh(doc.createMesh().addPrimitive(addPrimitive(doc, { positions: c.positions, indices: c.indices }))))

    const jobs = [
      { jobId: await announce('scene', [await toGlb(emptyDoc)], [await toGlb(doc)]), code: ERR_JOB_UNMEASURABLE },
      { jobId: await announce('frames', [encodePng(scene(64, 48))], [encodePng(scene(48, 64))]), code: ERR_JOB_UNMEASURABLE },
      { jobId: await announce('frames', [encodePng(scene(128, 128))], [encodePng(scene(128, 128))]), code: ERR_JOB_OVER_LIMITS },
      // An unreadable header: the API answers its own code (ERR_PNG_SIGNATURE); a node closes the job as unmeasurable.
      { jobId: await announce('frames', [new TextEncoder().encode('not a png')], [encodePng(scene(64, 48))]), code: ERR_JOB_UNMEASURABLE }
    ]
    for (const { jobId, code } of jobs) {
      const view = await final(jobId)
      expect([view.status, view.reason, view.error?.code, view.ownMeasurement]).toEqual(['disputed', REASON_UNMEASURABLE, code, null])
    }
    expect(published.filter((t) => t === 'votes')).toEqual([])
    expect(engine.openJobs).toBe(0)
  }, 120_000)

  it('is closed from its blobs\' sizes when they hold more bytes than the network allows, before any input check reads them back', async () => {
    const h = await EngineHarness.create('trust-engine-job-bytes-')
    cleanups.push(async () => { await h.close() })
    const [submitter, honest] = [generateKeyPair(), generateKeyPair()]
    const reference = encodePng(scene(64, 48))
    const candidate = encodePng(scene(64, 48, 1))
    // Few pixels (the pixel limit is far), but the two frames hold more bytes than the network's limit.
    const network = parseNetwork({
      networkId: 'job-bytes-test',
      protocolVersion: 1,
      validators: [submitter, honest].map((k, i) => ({ name: `node${i + 1}`, publicKey: k.publicKey, weight: 1 })),
      limits: { maxJobBytes: reference.length + candidate.length - 1 }
    })
    const clock = new ManualClock(Date.parse('2026-01-07T10:00:00Z'))
    const published: EngineTopic[] = []
    let checked = 0
    let resolveFinal: (view: JobView) => void = () => {}
    const final = new Promise<JobView>((resolve) => { resolveFinal = resolve })
    const { engine } = await h.engine('honest', network, honest, {
      clock: clock.now,
      // The input check (headers, pixels) is never reached: the byte bound comes first, from the stored sizes.
      check: async () => { checked++ },
      net: { ...NO_NETWORK, publish: async (topic) => { published.push(topic); return 1 } },
      onFinal: (view) => { resolveFinal(view) }
    })
    await h.start(engine)
    const job = signJob(newJob(network, {
      kind: 'frames',
      submitter: submitter.publicKey,
      createdAt: clock.now(),
      reference: [await h.blobs.put(reference)],
      candidate: [await h.blobs.put(candidate)],
      nonce: 'cd'.repeat(16)
    }), submitter.privateKey)
    await engine.onJobMessage(canonicalEncode(job))
    const view = await final
    expect([view.jobId, view.status, view.reason, view.error?.code, view.ownMeasurement]).toEqual([jobIdOf(job), 'disputed', REASON_UNMEASURABLE, ERR_JOB_OVER_LIMITS, null])
    expect(checked).toBe(0)
    expect(published.filter((t) => t === 'votes')).toEqual([])
  }, 120_000)
})

/**
 * Jobs no node can measure are refused from their headers: frames of
 * different sizes or too small, a reference scene with nothing to draw. The
 * submitter's API answers 422 `ERR_JOB_UNMEASURABLE` and announces nothing; a
 * job that passes the headers but fails to measure for a reason its bytes
 * alone cause is closed at once (disputed, reason `unmeasurable`), not at its
 * deadline.
 */
import { Document } from '@gltf-transform/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { REASON_UNMEASURABLE } from '../../../node/job/decider.ts'
import type { JobView } from '../../../node/types.ts'
import { ERR_JOB_UNMEASURABLE, checkMeasurable } from '../../../node/wiring/measurability.ts'
import { isTrustEngineError } from '../../../protocol/errors.ts'
import { addPrimitive, cubeArrays, newDocument, toGlb } from '../render/fixtures.ts'
import { encodePng, scene } from '../measure/fixtures.ts'
import { json, uploadBlob, startTestNode, type TestNode } from '../api/fixtures.ts'

/** GLB of a one-node scene with one primitive of `mode` (4: triangles, 0: points) over a unit cube's corners; `positions` maps them. */
async function glb (mode: number, positions: (p: number[]) => number[] = (p) => p): Promise<Uint8Array> {
  const { doc, add } = newDocument()
  const c = cubeArrays()
  const prim = addPrimitive(doc, { positions: positions(c.positions), indices: c.indices }).setMode(mode as 4)
  add(doc.createNode().setMesh(doc.createMesh().addPrimitive(prim)))
  return await toGlb(doc)
}

/** GLB of a document with a default scene and no node at all. */
async function emptyGlb (): Promise<Uint8Array> {
  const doc = new Document()
  doc.getRoot().setDefaultScene(doc.createScene('empty'))
  return await toGlb(doc)
}

/** The `details.cause` of the `ERR_JOB_UNMEASURABLE` `fn` throws, or what it threw instead. */
function causeOf (fn: () => void): unknown {
  try {
    fn()
  } catch (err) {
    return isTrustEngineError(err, ERR_JOB_UNMEASURABLE) ? err.details?.cause : err
  }
  return 'measurable'
}

describe('measurability from headers', () => {
  it('frames: of one size and at least 11 × 11 pass; different sizes or smaller frames do not', () => {
    const a = encodePng(scene(64, 48))
    const b = encodePng(scene(48, 64))
    const tiny = encodePng(scene(10, 40))
    expect(causeOf(() => { checkMeasurable('frames', { reference: [a, a], candidate: [a, a] }) })).toBe('measurable')
    expect(causeOf(() => { checkMeasurable('frames', { reference: [a, a], candidate: [a, b] }) })).toBe('ERR_PNG_SIZE_MISMATCH')
    expect(causeOf(() => { checkMeasurable('frames', { reference: [tiny], candidate: [tiny] }) })).toBe('ERR_IMAGE_TOO_SMALL')
  })

  it('scenes: a reference with triangles passes (an empty candidate too); no node, or only points, does not', async () => {
    const cube = await glb(4)
    const strip = await glb(5)
    const points = await glb(0)
    const empty = await emptyGlb()
    expect(causeOf(() => { checkMeasurable('scene', { reference: [cube], candidate: [empty] }) })).toBe('measurable')
    expect(causeOf(() => { checkMeasurable('scene', { reference: [strip], candidate: [cube] }) })).toBe('measurable')
    expect(causeOf(() => { checkMeasurable('scene', { reference: [empty], candidate: [cube] }) })).toBe('ERR_RENDER_EMPTY_SCENE')
    expect(causeOf(() => { checkMeasurable('scene', { reference: [points], candidate: [cube] }) })).toBe('ERR_RENDER_EMPTY_SCENE')
  })
})

describe('on a real node', () => {
  let t: TestNode
  beforeAll(async () => { t = await startTestNode() })
  afterAll(async () => { await t.close() })

  const upload = async (bytes: Uint8Array): Promise<string> => await uploadBlob(t, bytes)

  async function submit (body: unknown): Promise<{ status: number, code: string | undefined, jobId: string | undefined }> {
    const r = await fetch(`${t.url}/v1/jobs`, json(body))
    const b = await r.json() as { jobId?: string, error?: { code: string } }
    return { status: r.status, code: b.error?.code, jobId: b.jobId }
  }

  it('the API refuses frames of different sizes and an empty reference scene (for the network to optimize or not) with 422 ERR_JOB_UNMEASURABLE, and announces nothing', async () => {
    const wide = await upload(encodePng(scene(64, 48)))
    const tall = await upload(encodePng(scene(48, 64)))
    expect(await submit({ kind: 'frames', reference: [wide], candidate: [tall] })).toMatchObject({ status: 422, code: ERR_JOB_UNMEASURABLE })
    const empty = await upload(await emptyGlb())
    const cube = await upload(await glb(4))
    expect(await submit({ kind: 'scene', reference: [empty], candidate: [cube] })).toMatchObject({ status: 422, code: ERR_JOB_UNMEASURABLE })
    expect(await submit({ kind: 'scene', reference: [empty], candidate: [] })).toMatchObject({ status: 422, code: ERR_JOB_UNMEASURABLE })
    expect((await t.node.listJobs()).length).toBe(0)
  })

  it('a scene whose headers pass but whose every position is NaN is closed as unmeasurable when its measurement fails, not at its deadline', async () => {
    const nan = await upload(await glb(4, (p) => p.map(() => NaN)))
    const submitted = await submit({ kind: 'scene', reference: [nan], candidate: [nan] })
    expect(submitted.status).toBe(201)
    const jobId = submitted.jobId!
    const final = await new Promise<JobView>((resolve) => {
      const off = t.node.on('job:final', (view) => { if (view.jobId === jobId) { off(); resolve(view) } })
      void t.node.getJob(jobId).then((view) => { if (view !== null && view.status !== 'pending') { off(); resolve(view) } })
    })
    expect([final.status, final.reason, final.error?.code, final.votes.length]).toEqual(['disputed', REASON_UNMEASURABLE, ERR_JOB_UNMEASURABLE, 0])
  })
})

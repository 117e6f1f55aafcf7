/**
 * Jobs no node can measure are refused from their headers: frames of
 * different sizes or too small, a reference scene with nothing to draw. The
 * submitter's API answers 422 `ERR_JOB_UNMEASURABLE` and announces nothing; a
 * job that passes the headers but fails to measure for a reason its bytes
 * alone cause is closed at once (disputed, reason `unmeasurable`), not at its
 * deadline.
 */
import { Document } from '@gltf-transform/core'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { REASON_UNMEASURABLE } from '../../../node/job/decider.ts'
import type { JobView } from '../../../node/types.ts'
import { ERR_JOB_UNMEASURABLE, checkMeasurable } from '../../../node/wiring/measurability.ts'
import { isTrustEngineError } from '../../../protocol/errors.ts'
import { loadRenderScene } from '../../../node/render/load.ts'
import { worldPositions } from '../../../node/render/bounds.ts'
import { addPrimitive, cubeArrays, newDocument, toGlb } from '../render/fixtures.ts'
import { cubeScene, gltfpack, hierarchyScene, instancedScene, quantizedCubeScene, sphereScene, spinningCubeScene } from '../render/scenes.ts'
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

  it('scenes: walks a node of 200k children (more than a call takes as arguments), its last the one with a triangle', () => {
    const children = Array.from({ length: 200_000 }, (_, i) => i + 1)
    const nodes: Array<{ children?: number[], mesh?: number }> = [{ children }, ...children.map((i) => (i === children.length ? { mesh: 0 } : {}))]
    const gltf = (withMesh: boolean) => new TextEncoder().encode(JSON.stringify({
      asset: { version: '2.0' },
      scenes: [{ nodes: [0] }],
      nodes: withMesh ? nodes : nodes.map(({ mesh: _, ...n }) => n),
      meshes: [{ primitives: [{ attributes: { POSITION: 0 } }] }],
      accessors: [{ componentType: 5126, count: 3, type: 'VEC3' }]
    }))
    expect(causeOf(() => { checkMeasurable('scene', { reference: [gltf(true)], candidate: [] }) })).toBe('measurable')
    expect(causeOf(() => { checkMeasurable('scene', { reference: [gltf(false)], candidate: [] }) })).toBe('ERR_RENDER_EMPTY_SCENE')
  })
})

describe('the scene rule agrees with the renderer', () => {
  /** Whether the renderer draws a triangle of `bytes`' default scene (its own loader and preparation). */
  async function rendererDraws (bytes: Uint8Array): Promise<boolean> {
    return worldPositions(await loadRenderScene(bytes, { maxTexturePixels: 4096 * 4096 })).triangles > 0
  }
  function headerDraws (bytes: Uint8Array): boolean {
    return causeOf(() => { checkMeasurable('scene', { reference: [bytes], candidate: [bytes] }) }) === 'measurable'
  }

  it('passes the renderer\'s test scenes (hierarchy, instancing, quantized, animated) and a gltfpack output', async () => {
    const scenes = [cubeScene(), hierarchyScene(), instancedScene(), await quantizedCubeScene(), spinningCubeScene(), sphereScene(8, 8)]
    const packed = await gltfpack(await toGlb(sphereScene(16, 16)), ['-cc', '-si', '0.5'])
    for (const bytes of [...await Promise.all(scenes.map(async (d) => await toGlb(d))), packed]) {
      expect([headerDraws(bytes), await rendererDraws(bytes)]).toEqual([true, true])
    }
  })

  it('refuses exactly the documents the renderer draws nothing of (random node trees, primitive modes and counts, scenes)', async () => {
    const primitive = fc.record({ mode: fc.constantFrom(0, 1, 3, 4, 5, 6), count: fc.integer({ min: 1, max: 7 }), indexed: fc.boolean() })
    const node = fc.record({ primitives: fc.array(primitive, { maxLength: 2 }), parent: fc.integer({ min: -1, max: 3 }) })
    const document = fc.record({ nodes: fc.array(node, { maxLength: 4 }), roots: fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 3 }), withScene: fc.boolean() })
    await fc.assert(fc.asyncProperty(document, async (spec) => {
      const doc = new Document()
      // A buffer only when some accessor needs one (an empty buffer is no valid glTF).
      let buffer: ReturnType<Document['createBuffer']> | null = null
      const bufferOf = (): ReturnType<Document['createBuffer']> => (buffer ??= doc.createBuffer())
      const nodes = spec.nodes.map((n) => {
        const out = doc.createNode()
        if (n.primitives.length === 0) return out
        const mesh = doc.createMesh()
        for (const p of n.primitives) {
          const positions = Array.from({ length: p.count * 3 }, (_, i) => (i * 7) % 5 - 2)
          const prim = doc.createPrimitive().setMode(p.mode as 4)
            .setAttribute('POSITION', doc.createAccessor().setType('VEC3').setArray(new Float32Array(positions)).setBuffer(bufferOf()))
          if (p.indexed) prim.setIndices(doc.createAccessor().setType('SCALAR').setArray(new Uint32Array(Array.from({ length: p.count }, (_, i) => i))).setBuffer(bufferOf()))
          mesh.addPrimitive(prim)
        }
        return out.setMesh(mesh)
      })
      // A node below an earlier one (no cycles), or a root candidate.
      for (const [i, n] of spec.nodes.entries()) if (n.parent >= 0 && n.parent < i) nodes[n.parent]!.addChild(nodes[i]!)
      if (spec.withScene) {
        const scene = doc.createScene()
        for (const r of new Set(spec.roots)) if (nodes[r] !== undefined && nodes[r]!.getParentNode() === null) scene.addChild(nodes[r]!)
        doc.getRoot().setDefaultScene(scene)
      }
      const bytes = await toGlb(doc)
      expect(headerDraws(bytes)).toBe(await rendererDraws(bytes))
    }), { numRuns: 60 })
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

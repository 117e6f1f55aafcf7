/**
 * Vertex values the optimizer cannot process get typed errors, not a crash
 * of meshoptimizer's encoder nor a message about the output: NaN and
 * infinities (invalid glTF), positions spread beyond what a float32 holds,
 * and settings that simplify every triangle away. A primitive simplified to
 * nothing in a scene that keeps others is removed, not written empty.
 */
import { Document } from '@gltf-transform/core'
import { describe, expect, it } from 'vitest'
import { createSceneIO, loadSceneSafely, resolveSceneLimits } from '../../../node/scene/load-scene.ts'
import { optimizeScene } from '../../../node/optimizer/optimize.ts'
import { addGrid } from '../../../sim/scenes.ts'

/** Awaits `p`, expecting it to reject with a TrustEngineError of `code` whose message matches `message`. */
async function expectCode (p: Promise<unknown>, code: string, message: RegExp): Promise<void> {
  const err = await p.then(() => undefined, (e: unknown) => e as { code?: string, message?: string })
  expect(err?.code).toBe(code)
  expect(err?.message).toMatch(message)
}

/** A scene of one 8 × 8 grid per entry, `edit` changing that grid's POSITION and NORMAL arrays first. */
async function gridScene (edits: Array<(pos: Float32Array, nor: Float32Array) => void>): Promise<Uint8Array> {
  const doc = new Document()
  doc.createBuffer()
  const scene = doc.createScene()
  edits.forEach((edit, i) => {
    // A material each, so that no route joins the grids into one primitive.
    const mesh = addGrid(doc, 8, doc.createMaterial(`m${i}`).setBaseColorFactor([1, i / 4, 0, 1])).setName(`grid${i}`)
    const prim = mesh.listPrimitives()[0]!
    const pos = prim.getAttribute('POSITION')!.getArray() as Float32Array<ArrayBuffer>
    const nor = prim.getAttribute('NORMAL')!.getArray() as Float32Array<ArrayBuffer>
    edit(pos, nor)
    prim.getAttribute('POSITION')!.setArray(pos)
    scene.addChild(doc.createNode(`n${i}`).setMesh(mesh).setTranslation([i * 2, 0, 0]))
  })
  return await createSceneIO().writeBinary(doc)
}

const keep = (): void => {}

describe('vertex values the optimizer refuses', () => {
  it('refuses NaN and infinities in any float vertex attribute, naming it (ERR_SCENE_VERTEX_VALUES)', async () => {
    const nan = await gridScene([keep, (pos) => { pos[7] = NaN }])
    await expectCode(optimizeScene(nan, { profile: 'realtime' }), 'ERR_SCENE_VERTEX_VALUES', /mesh 1 \("grid1"\) primitive 0 attribute POSITION holds a non-finite value \(NaN\) at element 2/)
    const inf = await gridScene([(_pos, nor) => { nor[4] = -Infinity }])
    for (const profile of ['balanced', 'realtime'] as const) {
      await expectCode(optimizeScene(inf, { profile }), 'ERR_SCENE_VERTEX_VALUES', /attribute NORMAL holds a non-finite value \(-Infinity\) at element 1/)
    }
  })

  it('refuses positions spread over more than a float32 holds on one axis', async () => {
    const spread = await gridScene([(pos) => { pos[0] = -3e38; pos[3] = 3e38 }])
    await expectCode(optimizeScene(spread, { profile: 'gaming' }), 'ERR_SCENE_VERTEX_VALUES', /attribute POSITION spans [0-9.]+e\+38 on axis x, more than a float32 holds/)
    // Within the float32 range (about 3.4e38 end to end) the scene is optimized.
    const wide = await gridScene([(pos) => { pos[0] = -1e38; pos[3] = 1e38 }])
    await expect(optimizeScene(wide, { profile: 'balanced' })).resolves.toBeDefined()
  })
})

describe('simplification that leaves nothing', () => {
  // One vertex far out: the simplifier's error is relative to the primitive's extent, so within 1 % of it every
  // triangle of that grid collapses or is pruned.
  const outlier = (pos: Float32Array): void => { pos[0] = 1e30 }

  it('refuses to write a scene whose every triangle was simplified away (ERR_OPTIMIZER_NOTHING_LEFT)', async () => {
    const bytes = await gridScene([outlier])
    await expectCode(optimizeScene(bytes, { profile: 'realtime' }), 'ERR_OPTIMIZER_NOTHING_LEFT', /removed all 128 triangles/)
  })

  it('removes a primitive simplified to nothing, and its mesh, where other geometry is left', async () => {
    const bytes = await gridScene([keep, outlier])
    for (const meshopt of [false, true]) {
      const out = await optimizeScene(bytes, { profile: 'realtime', meshopt })
      const loaded = await loadSceneSafely(out.bytes, resolveSceneLimits())
      const meshes = loaded.document.getRoot().listMeshes()
      expect(meshes.map((m) => m.getName())).toEqual(['grid0'])
      expect(loaded.document.getRoot().listNodes().find((n) => n.getName() === 'n1')?.getMesh() ?? null).toBe(null)
      expect(out.report.after.triangles).toBeGreaterThan(0)
    }
  })
})

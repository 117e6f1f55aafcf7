import { Document, Logger, Primitive } from '@gltf-transform/core'
import { reorder } from '@gltf-transform/functions'
import fc from 'fast-check'
import { MeshoptEncoder } from 'meshoptimizer/encoder'
import { describe, expect, it } from 'vitest'
import { reorderVertices } from '../../../node/optimizer/reorder-pass.ts'
import { createSceneIO } from '../../../node/scene/load-scene.ts'

interface Prim {
  /** Triangle corners (TRIANGLES), or an index list (POINTS), or no indices. */
  indices: number[] | null
  mode: 'triangles' | 'points'
  /** Reuse the previous primitive's indices, or its attributes. */
  shareIndices: boolean
  shareAttributes: boolean
  target: boolean
  quantizedNormal: boolean
}

const VERTICES = 30

function build (prims: Prim[], seed: number): Document {
  const doc = new Document().setLogger(new Logger(Logger.Verbosity.SILENT))
  doc.createBuffer()
  const mesh = doc.createMesh('m')
  let previous: Primitive | null = null
  for (const [k, p] of prims.entries()) {
    const prim = doc.createPrimitive().setMode(p.mode === 'triangles' ? Primitive.Mode.TRIANGLES! : Primitive.Mode.POINTS!)
    if (p.shareAttributes && previous !== null) {
      for (const semantic of previous.listSemantics()) prim.setAttribute(semantic, previous.getAttribute(semantic))
    } else {
      const position = new Float32Array(VERTICES * 3).map((_, i) => ((i * 7919 + seed + k) % 211) / 100)
      prim.setAttribute('POSITION', doc.createAccessor().setType('VEC3').setArray(position))
      const normal = p.quantizedNormal
        ? new Int8Array(VERTICES * 3).map((_, i) => ((i * 31 + seed) % 255) - 127)
        : new Float32Array(VERTICES * 3).map((_, i) => ((i * 13 + seed) % 200) / 100 - 1)
      prim.setAttribute('NORMAL', doc.createAccessor().setType('VEC3').setArray(normal).setNormalized(p.quantizedNormal))
    }
    if (p.target) prim.addTarget(doc.createPrimitiveTarget().setAttribute('POSITION', doc.createAccessor().setType('VEC3').setArray(new Float32Array(VERTICES * 3).fill(seed / 7))))
    if (p.shareIndices && previous?.getIndices() != null) prim.setIndices(previous.getIndices())
    else if (p.indices !== null) prim.setIndices(doc.createAccessor().setArray(new Uint16Array(p.indices)))
    mesh.addPrimitive(prim)
    previous = prim
  }
  doc.createScene().addChild(doc.createNode('n').setMesh(mesh))
  return doc
}

const arbPrim: fc.Arbitrary<Prim> = fc.record({
  mode: fc.constantFrom('triangles' as const, 'points' as const),
  indices: fc.option(fc.array(fc.tuple(fc.nat(VERTICES - 1), fc.nat(VERTICES - 1), fc.nat(VERTICES - 1)), { minLength: 1, maxLength: 40 }).map((t) => t.flat()), { nil: null }),
  shareIndices: fc.boolean(),
  shareAttributes: fc.boolean(),
  target: fc.boolean(),
  quantizedNormal: fc.boolean()
})

describe('reorderVertices', () => {
  it('writes the same document as glTF-Transform\'s reorder, for both targets', async () => {
    await MeshoptEncoder.ready
    const io = createSceneIO()
    await fc.assert(fc.asyncProperty(fc.array(arbPrim, { minLength: 1, maxLength: 4 }), fc.nat(1000), fc.constantFrom('size' as const, 'performance' as const), async (prims, seed, target) => {
      const ours = build(prims, seed)
      const theirs = build(prims, seed)
      await ours.transform(reorderVertices({ encoder: MeshoptEncoder, target }))
      await theirs.transform(reorder({ encoder: MeshoptEncoder, target }))
      expect(await io.writeBinary(ours)).toEqual(await io.writeBinary(theirs))
    }), { numRuns: 200 })
  })
})

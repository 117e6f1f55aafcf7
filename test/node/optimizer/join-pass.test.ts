import { Document, Logger, type Node, Primitive } from '@gltf-transform/core'
import { join } from '@gltf-transform/functions'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { joinScene } from '../../../node/optimizer/join-pass.ts'
import { createSceneIO } from '../../../node/scene/load-scene.ts'

interface NodeCase {
  /** Index of the mesh this node draws (meshes are shared when two nodes pick the same), or null. */
  mesh: number | null
  /** Index of an earlier node to parent this one to, or null for the scene. */
  parent: number | null
  named: boolean
  translation: [number, number, number]
  scale: number
}

interface MeshCase {
  prims: Array<{ material: number, indexed: boolean, quantized: boolean, strip: boolean, normal: boolean, vertices: number }>
  named: boolean
}

function build (meshes: MeshCase[], nodes: NodeCase[], seed: number): Document {
  const doc = new Document().setLogger(new Logger(Logger.Verbosity.SILENT))
  doc.createBuffer()
  const materials = [doc.createMaterial('a'), doc.createMaterial('b')]
  const built = meshes.map((m, k) => {
    const mesh = doc.createMesh(m.named ? `mesh${k}` : '')
    for (const [j, p] of m.prims.entries()) {
      const prim = doc.createPrimitive().setMaterial(materials[p.material]!).setMode(p.strip ? Primitive.Mode.TRIANGLE_STRIP! : Primitive.Mode.TRIANGLES!)
      const n = p.vertices * 3
      const position = p.quantized
        ? new Int16Array(n).map((_, i) => ((i * 7919 + seed + j) % 65535) - 32767)
        : new Float32Array(n).map((_, i) => ((i * 7919 + seed + j) % 1000) / 100)
      prim.setAttribute('POSITION', doc.createAccessor().setType('VEC3').setArray(position).setNormalized(p.quantized))
      if (p.normal) prim.setAttribute('NORMAL', doc.createAccessor().setType('VEC3').setArray(new Float32Array(n).map((_, i) => ((i * 31 + seed) % 200) / 100 - 1)))
      if (p.indexed) prim.setIndices(doc.createAccessor().setArray(new Uint16Array(p.vertices * 2).map((_, i) => (i * 5 + seed) % p.vertices)))
      mesh.addPrimitive(prim)
    }
    return mesh
  })
  const scene = doc.createScene()
  const made: Node[] = []
  for (const [k, c] of nodes.entries()) {
    const node = doc.createNode(c.named ? `node${k}` : '').setTranslation(c.translation).setScale([c.scale, c.scale, c.scale])
    if (c.mesh !== null) node.setMesh(built[c.mesh % built.length]!)
    const parent = c.parent === null ? undefined : made[c.parent % Math.max(1, made.length)]
    if (parent === undefined) scene.addChild(node)
    else parent.addChild(node)
    made.push(node)
  }
  return doc
}

const arbMesh: fc.Arbitrary<MeshCase> = fc.record({
  prims: fc.array(fc.record({
    material: fc.integer({ min: 0, max: 1 }),
    indexed: fc.boolean(),
    quantized: fc.boolean(),
    strip: fc.boolean(),
    normal: fc.boolean(),
    vertices: fc.integer({ min: 3, max: 30 })
  }), { minLength: 1, maxLength: 3 }),
  named: fc.boolean()
})

const arbNode: fc.Arbitrary<NodeCase> = fc.record({
  mesh: fc.option(fc.nat(5), { nil: null }),
  parent: fc.option(fc.nat(7), { nil: null }),
  named: fc.boolean(),
  translation: fc.tuple(fc.integer({ min: -3, max: 3 }), fc.integer({ min: -3, max: 3 }), fc.integer({ min: -3, max: 3 })),
  scale: fc.constantFrom(1, 0.5, 2)
})

/** Join only nodes whose mesh no other node uses (the optimizer's filter). */
const notShared = (node: Node): boolean => {
  const mesh = node.getMesh()
  return mesh === null || mesh.listParents().filter((p) => p.propertyType === 'Node').length <= 1
}

describe('joinScene', () => {
  it('writes the same document as glTF-Transform\'s join', async () => {
    const io = createSceneIO()
    await fc.assert(fc.asyncProperty(
      fc.array(arbMesh, { minLength: 1, maxLength: 4 }), fc.array(arbNode, { minLength: 1, maxLength: 8 }), fc.nat(1000), fc.boolean(), fc.boolean(),
      async (meshes, nodes, seed, keepNamed, filtered) => {
        const options = { keepNamed, filter: filtered ? notShared : () => true }
        const ours = build(meshes, nodes, seed)
        const theirs = build(meshes, nodes, seed)
        await ours.transform(joinScene(options))
        await theirs.transform(join(options))
        expect(await io.writeBinary(ours)).toEqual(await io.writeBinary(theirs))
      }), { numRuns: 200 })
  })
})

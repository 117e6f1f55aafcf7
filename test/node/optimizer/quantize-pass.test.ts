import { Document, Logger } from '@gltf-transform/core'
import { quantize } from '@gltf-transform/functions'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { quantizeVertices, type QuantizeOptions } from '../../../node/optimizer/quantize-pass.ts'
import { createSceneIO } from '../../../node/scene/load-scene.ts'

interface MeshCase {
  vertices: number
  indexed: boolean
  /** Use only the first third of the vertices (quantize compacts such primitives first). */
  sparseUse: boolean
  normal: boolean
  texcoord: 'none' | 'unit' | 'outside'
  color: boolean
  custom: boolean
  skinWeights: boolean
  /** Nodes drawing the mesh: 0 plain, 1 with a child, 2 animated translation, 3 animated weights. */
  nodes: Array<0 | 1 | 2 | 3>
  seed: number
}

/** Deterministic values in [lo, hi). */
function values (n: number, seed: number, lo: number, hi: number): Float32Array<ArrayBuffer> {
  const out = new Float32Array(n)
  for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * ((Math.imul(i + 1, 2654435761) ^ seed) >>> 0) / 2 ** 32
  return out
}

function build (meshes: MeshCase[]): Document {
  const doc = new Document().setLogger(new Logger(Logger.Verbosity.SILENT))
  doc.createBuffer()
  const scene = doc.createScene()
  const animation = doc.createAnimation('a')
  for (const [k, m] of meshes.entries()) {
    const prim = doc.createPrimitive()
    prim.setAttribute('POSITION', doc.createAccessor().setType('VEC3').setArray(values(m.vertices * 3, m.seed, -5 - k, 3 + k)))
    if (m.normal) prim.setAttribute('NORMAL', doc.createAccessor().setType('VEC3').setArray(values(m.vertices * 3, m.seed + 1, -1, 1)))
    if (m.texcoord !== 'none') prim.setAttribute('TEXCOORD_0', doc.createAccessor().setType('VEC2').setArray(values(m.vertices * 2, m.seed + 2, m.texcoord === 'unit' ? 0 : -0.5, 1)))
    if (m.color) prim.setAttribute('COLOR_0', doc.createAccessor().setType('VEC4').setArray(values(m.vertices * 4, m.seed + 3, 0, 1)))
    if (m.custom) prim.setAttribute('_CUSTOM', doc.createAccessor().setType('SCALAR').setArray(values(m.vertices, m.seed + 4, -1, 1)))
    if (m.skinWeights) {
      prim.setAttribute('WEIGHTS_0', doc.createAccessor().setType('VEC4').setArray(values(m.vertices * 4, m.seed + 5, 0, 0.5)))
      prim.setAttribute('JOINTS_0', doc.createAccessor().setType('VEC4').setArray(new Float32Array(m.vertices * 4).map((_, i) => i % 3)))
    }
    const used = m.sparseUse ? Math.max(1, Math.floor(m.vertices / 3)) : m.vertices
    if (m.indexed) prim.setIndices(doc.createAccessor().setArray(new Uint32Array(used * 3).map((_, i) => (i * 7 + m.seed) % used)))
    const mesh = doc.createMesh(`m${k}`).addPrimitive(prim)
    for (const [j, kind] of m.nodes.entries()) {
      const node = doc.createNode(`n${k}.${j}`).setMesh(mesh).setTranslation([k, j, 1]).setScale([1, 2, 1])
      scene.addChild(node)
      if (kind === 1) node.addChild(doc.createNode('child'))
      if (kind >= 2) {
        const input = doc.createAccessor().setType('SCALAR').setArray(new Float32Array([0, 1]))
        const output = kind === 2
          ? doc.createAccessor().setType('VEC3').setArray(new Float32Array([0, 0, 0, 1, 1, 1]))
          : doc.createAccessor().setType('SCALAR').setArray(new Float32Array([0, 1]))
        const sampler = doc.createAnimationSampler().setInput(input).setOutput(output)
        animation.addSampler(sampler).addChannel(doc.createAnimationChannel().setTargetNode(node).setTargetPath(kind === 2 ? 'translation' : 'weights').setSampler(sampler))
      }
    }
  }
  return doc
}

const arbMesh: fc.Arbitrary<MeshCase> = fc.record({
  vertices: fc.integer({ min: 3, max: 60 }),
  indexed: fc.boolean(),
  sparseUse: fc.boolean(),
  normal: fc.boolean(),
  texcoord: fc.constantFrom('none' as const, 'unit' as const, 'outside' as const),
  color: fc.boolean(),
  custom: fc.boolean(),
  skinWeights: fc.boolean(),
  nodes: fc.array(fc.constantFrom(0 as const, 1 as const, 2 as const, 3 as const), { maxLength: 3 }),
  seed: fc.nat(1 << 20)
})

const arbOptions: fc.Arbitrary<QuantizeOptions> = fc.record({
  quantizePosition: fc.integer({ min: 8, max: 16 }),
  quantizeNormal: fc.integer({ min: 8, max: 16 }),
  quantizeTexcoord: fc.integer({ min: 8, max: 16 }),
  meshopt: fc.boolean()
}).map(({ meshopt, ...bits }) => (meshopt ? { ...bits, pattern: /^(?!(NORMAL|TANGENT)$)/, patternTargets: /.*/ } : bits))

describe('quantizeVertices', () => {
  it('writes the same document as glTF-Transform\'s quantize', async () => {
    const io = createSceneIO()
    await fc.assert(fc.asyncProperty(fc.array(arbMesh, { minLength: 1, maxLength: 3 }), arbOptions, async (meshes, options) => {
      const ours = build(meshes)
      const theirs = build(meshes)
      await ours.transform(quantizeVertices(options))
      await theirs.transform(quantize(options))
      expect(await io.writeBinary(ours)).toEqual(await io.writeBinary(theirs))
    }), { numRuns: 150 })
  })
})

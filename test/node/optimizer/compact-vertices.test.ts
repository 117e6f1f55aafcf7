import { Document, Logger, type Primitive, type TypedArray } from '@gltf-transform/core'
import { compactPrimitive as theirCompactPrimitive } from '@gltf-transform/functions'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { compactPlan, compactPrimitive, compactToIndices, firstSources, gatherElements } from '../../../node/optimizer/compact-vertices.ts'
import { createSceneIO } from '../../../node/scene/load-scene.ts'

/** Attribute layouts covering every word width the gather picks: 12-byte (32-bit words), 6-byte (16-bit), 3-byte (8-bit), 4-byte elements. */
const LAYOUTS = [
  { semantic: 'POSITION', type: 'VEC3', Ctor: Float32Array, size: 3 },
  { semantic: 'NORMAL', type: 'VEC3', Ctor: Int16Array, size: 3 },
  { semantic: 'TANGENT', type: 'VEC4', Ctor: Int8Array, size: 4 },
  { semantic: 'COLOR_0', type: 'VEC3', Ctor: Uint8Array, size: 3 },
  { semantic: 'TEXCOORD_0', type: 'VEC2', Ctor: Uint16Array, size: 2 },
  { semantic: 'JOINTS_0', type: 'VEC4', Ctor: Uint8Array, size: 4 }
] as const

interface Case {
  vertices: number
  /** Bytes of padding before each array in its buffer (views at odd offsets must gather the same). */
  offset: number
  indices: number[] | null
  /** Extra semantics beside POSITION, as indices into LAYOUTS. */
  extra: number[]
  target: boolean
  /** A second primitive sharing the accessors (they must then survive). */
  shared: boolean
  remap: { map: number[], count: number } | null
  seed: number
}

/** A view at `offset` elements into a larger buffer, filled with deterministic bytes. */
function array (Ctor: (typeof LAYOUTS)[number]['Ctor'], length: number, offset: number, seed: number): TypedArray {
  const pad = offset * Ctor.BYTES_PER_ELEMENT
  const bytes = new Uint8Array(pad + length * Ctor.BYTES_PER_ELEMENT + 8)
  for (let i = 0; i < bytes.length; i++) bytes[i] = (Math.imul(i + seed, 2654435761) >>> 13) & 0xff
  if (Ctor === Float32Array) {
    // Finite floats only: a signalling NaN may be quieted by a copy through a float register.
    const floats = new Float32Array(bytes.buffer, pad, length)
    for (let i = 0; i < length; i++) floats[i] = ((i * 7919 + seed) % 2001) / 1000 - 1
  }
  return new Ctor(bytes.buffer, pad, length)
}

function build (c: Case): { doc: Document, prim: Primitive } {
  const doc = new Document().setLogger(new Logger(Logger.Verbosity.SILENT))
  doc.createBuffer()
  const prim = doc.createPrimitive()
  for (const [k, layoutIndex] of [0, ...c.extra].entries()) {
    const l = LAYOUTS[layoutIndex]!
    if (prim.getAttribute(l.semantic) !== null) continue
    prim.setAttribute(l.semantic, doc.createAccessor(l.semantic).setType(l.type).setArray(array(l.Ctor, c.vertices * l.size, c.offset, c.seed + k)))
  }
  if (c.target) {
    prim.addTarget(doc.createPrimitiveTarget().setAttribute('POSITION', doc.createAccessor('delta').setType('VEC3').setArray(array(Float32Array, c.vertices * 3, c.offset, c.seed + 99))))
  }
  if (c.indices !== null) prim.setIndices(doc.createAccessor('indices').setArray(new Uint32Array(c.indices)))
  const mesh = doc.createMesh('m').addPrimitive(prim)
  if (c.shared) mesh.addPrimitive(prim.clone())
  doc.createScene().addChild(doc.createNode('n').setMesh(mesh))
  return { doc, prim }
}

const arbCase: fc.Arbitrary<Case> = fc.integer({ min: 1, max: 40 }).chain((vertices) => fc.record({
  vertices: fc.constant(vertices),
  offset: fc.integer({ min: 0, max: 3 }),
  indices: fc.option(fc.array(fc.nat(vertices - 1), { minLength: 1, maxLength: 90 }), { nil: null }),
  extra: fc.array(fc.integer({ min: 1, max: LAYOUTS.length - 1 }), { maxLength: 4 }),
  target: fc.boolean(),
  shared: fc.boolean(),
  remap: fc.option(fc.integer({ min: 1, max: vertices }).chain((count) => fc.record({
    map: fc.array(fc.nat(count - 1), { minLength: vertices, maxLength: vertices }),
    count: fc.constant(count)
  })), { nil: null }),
  seed: fc.nat(1000)
}))

describe('compactPrimitive', () => {
  it('writes the same document as glTF-Transform\'s, with or without a remap', async () => {
    const io = createSceneIO()
    await fc.assert(fc.asyncProperty(arbCase, async (c) => {
      const ours = build(c)
      const theirs = build(c)
      const remap = c.remap === null ? undefined : Uint32Array.from(c.remap.map)
      compactPrimitive(ours.prim, remap, c.remap?.count)
      theirCompactPrimitive(theirs.prim, remap, c.remap?.count as number)
      expect(await io.writeBinary(ours.doc)).toEqual(await io.writeBinary(theirs.doc))
    }), { numRuns: 300 })
  })

  it('compactToIndices writes what a clone of the indices holding the new ones, then glTF-Transform\'s compactPrimitive, write', async () => {
    const io = createSceneIO()
    await fc.assert(fc.asyncProperty(arbCase, fc.array(fc.nat(39), { maxLength: 60 }), async (c, next) => {
      const indexed = { ...c, indices: c.indices ?? [0], remap: null }
      const indices = Uint32Array.from(next.filter((v) => v < c.vertices))
      const ours = build(indexed)
      const theirs = build(indexed)
      compactToIndices(ours.prim, indices)
      const old = theirs.prim.getIndices()!
      theirs.prim.setIndices(old.clone().setArray(new Uint32Array(indices)))
      if (old.listParents().length === 1) old.dispose()
      theirCompactPrimitive(theirs.prim)
      expect(await io.writeBinary(ours.doc)).toEqual(await io.writeBinary(theirs.doc))
    }), { numRuns: 200 })
  })

  it('numbers vertices by first use, and leaves output vertices nothing is sent to at zero', () => {
    const { prim } = build({ vertices: 4, offset: 0, indices: [2, 2, 0, 3], extra: [], target: false, shared: false, remap: null, seed: 1 })
    const [remap, count] = compactPlan(prim)
    expect([...remap]).toEqual([1, 0xffffffff, 0, 2])
    expect(count).toBe(3)
    const source = firstSources(new Uint16Array([0, 1, 1]), 3, [1, 1], 3)
    expect([...source]).toEqual([0xffffffff, 0, 0xffffffff])
    expect([...gatherElements(new Float32Array([5, 6, 7, 8]), 2, source)]).toEqual([0, 0, 5, 6, 0, 0])
  })
})

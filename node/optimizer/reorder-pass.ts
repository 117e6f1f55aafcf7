/**
 * Vertex cache and fetch reordering: glTF-Transform's `reorder` transform,
 * step for step (meshoptimizer's reorderMesh on each index list, the same
 * accessors cloned and swapped in the same order, the same cleanup), with
 * the vertices gathered by compact-vertices.ts instead of its per-attribute
 * walk of the index list. The output is the same document.
 *
 * Derived from glTF-Transform's `reorder` (MIT License, Copyright (c) 2024 Don McCurdy; the notice is in NOTICE).
 */
import { type Accessor, type Document, Primitive, PropertyType, type Transform, type TypedArray } from '@gltf-transform/core'
import { createTransform, prune } from '@gltf-transform/functions'
import type { MeshoptEncoder } from 'meshoptimizer/encoder'
import { firstSources, gatherElements, shallowClone } from './compact-vertices.ts'

/** Options of {@link reorderVertices}: glTF-Transform's reorder options without `cleanup` (always on). */
export interface ReorderOptions {
  encoder: typeof MeshoptEncoder
  /** `size`: meshoptimizer's compression-friendly order; `performance`: its vertex cache order. */
  target: 'size' | 'performance'
}

/** Each index accessor with its mode, primitives and their vertex attributes (targets' too), in document order. */
interface LayoutPlan {
  modes: Map<Accessor, number>
  primitives: Map<Accessor, Set<Primitive>>
  attributes: Map<Accessor, Set<Accessor>>
}

function layoutPlan (document: Document): LayoutPlan {
  const plan: LayoutPlan = { modes: new Map(), primitives: new Map(), attributes: new Map() }
  for (const mesh of document.getRoot().listMeshes()) {
    for (const prim of mesh.listPrimitives()) {
      const indices = prim.getIndices()
      if (indices === null) continue
      plan.modes.set(indices, prim.getMode())
      if (!plan.primitives.has(indices)) plan.primitives.set(indices, new Set())
      plan.primitives.get(indices)!.add(prim)
      if (!plan.attributes.has(indices)) plan.attributes.set(indices, new Set())
      const attributes = plan.attributes.get(indices)!
      for (const a of prim.listAttributes()) attributes.add(a)
      for (const target of prim.listTargets()) for (const a of target.listAttributes()) attributes.add(a)
    }
  }
  return plan
}

/** The largest value of `indices`, or -1 when empty. */
function maxIndex (indices: ArrayLike<number>): number {
  let max = -1
  for (let i = 0; i < indices.length; i++) if (indices[i]! > max) max = indices[i]!
  return max
}

/**
 * glTF-Transform's `compactAttribute`, element by element, for attributes some
 * index lies beyond: their missing elements read as undefined, written as NaN
 * or 0 by the array type, which only this literal copy reproduces.
 */
function compactByIndices (array: TypedArray, size: number, indices: TypedArray, remap: Uint32Array, unique: number): TypedArray {
  const dst = new (array.constructor as new (length: number) => TypedArray)(unique * size)
  const done = new Uint8Array(unique)
  for (let i = 0; i < indices.length; i++) {
    const s = indices[i]!
    const d = remap[s]!
    if (done[d] === 1) continue
    for (let j = 0; j < size; j++) dst[d * size + j] = array[s * size + j] as number
    done[d] = 1
  }
  return dst
}

/**
 * Reorders every indexed primitive's triangles and vertices with
 * meshoptimizer, writing what glTF-Transform's `reorder(options)` writes (see
 * the module comment). Attributes some index lies beyond (invalid glTF) are
 * copied as glTF-Transform's `compactAttribute` copies them.
 */
export function reorderVertices (options: ReorderOptions): Transform {
  const { encoder } = options
  return createTransform('reorder', async (document: Document): Promise<void> => {
    await encoder.ready
    const plan = layoutPlan(document)
    for (const [srcIndices, attributes] of plan.attributes) {
      const srcArray = srcIndices.getArray()!
      const indicesArray = srcArray instanceof Uint32Array ? srcArray.slice() : new Uint32Array(srcArray)
      const [remap, unique] = encoder.reorderMesh(indicesArray, plan.modes.get(srcIndices) === Primitive.Mode.TRIANGLES, options.target === 'size')
      const dstIndices = shallowClone(document, srcIndices)
      dstIndices.setArray(unique <= 65534 ? new Uint16Array(indicesArray) : indicesArray)
      const source = firstSources(srcArray, srcIndices.getCount(), remap, unique)
      const max = maxIndex(srcArray)
      for (const srcAttribute of attributes) {
        const dstAttribute = shallowClone(document, srcAttribute)
        const array = srcAttribute.getArray()!
        const size = srcAttribute.getElementSize()
        dstAttribute.setArray(max < srcAttribute.getCount() ? gatherElements(array, size, source) : compactByIndices(array, size, srcArray, remap, unique))
        for (const prim of plan.primitives.get(srcIndices)!) {
          if (prim.getIndices() === srcIndices) prim.swap(srcIndices, dstIndices)
          prim.swap(srcAttribute, dstAttribute)
          for (const target of prim.listTargets()) target.swap(srcAttribute, dstAttribute)
        }
      }
    }
    // Accessors left unused by the cloning.
    await document.transform(prune({ propertyTypes: [PropertyType.ACCESSOR], keepAttributes: true, keepIndices: true }))
  })
}

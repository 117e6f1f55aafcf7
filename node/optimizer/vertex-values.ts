/**
 * The optimizer's check of vertex values, before any pass: every float
 * vertex attribute (morph targets' too) holds finite numbers, and each
 * primitive's positions span no more than a float32 can hold on any axis.
 *
 * NaN and infinities are invalid glTF (the Khronos validator's
 * ACCESSOR_INVALID_FLOAT); positions spanning more than about 3.4e38 make the
 * quantization volume's scale, written as a float32, infinite. Both used to
 * reach meshoptimizer's encoder, which stopped the process with a bare
 * assertion, or made the output fail the loader with a message about the
 * output. Refused here with `ERR_SCENE_VERTEX_VALUES`, naming the mesh,
 * primitive and attribute. One pass over the float data (about 2 ms for
 * 300,000 vertices).
 */
import { Accessor, type Document } from '@gltf-transform/core'
import { ERR_SCENE_VERTEX_VALUES, fail } from '../scene/errors.ts'

/** The largest finite float32. */
const FLOAT32_MAX = 3.4028234663852886e38

/** Throws `ERR_SCENE_VERTEX_VALUES` at the first float vertex attribute with a non-finite value or an unrepresentable position span. */
export function checkVertexValues (document: Document): void {
  const meshes = document.getRoot().listMeshes()
  for (let m = 0; m < meshes.length; m++) {
    const primitives = meshes[m]!.listPrimitives()
    for (let p = 0; p < primitives.length; p++) {
      const prim = primitives[p]!
      const where = (semantic: string, target: number | null): string =>
        `mesh ${m} (${JSON.stringify(meshes[m]!.getName())}) primitive ${p} ${target === null ? '' : `morph target ${target} `}attribute ${semantic}`
      for (const semantic of prim.listSemantics()) checkAccessor(prim.getAttribute(semantic)!, semantic, where(semantic, null))
      prim.listTargets().forEach((target, t) => {
        for (const semantic of target.listSemantics()) checkAccessor(target.getAttribute(semantic)!, semantic, where(semantic, t))
      })
    }
  }
}

function checkAccessor (accessor: Accessor, semantic: string, where: string): void {
  if (accessor.getComponentType() !== Accessor.ComponentType.FLOAT) return
  const array = accessor.getArray()
  if (array === null) return
  const size = accessor.getElementSize()
  const position = semantic === 'POSITION'
  const min = [Infinity, Infinity, Infinity]
  const max = [-Infinity, -Infinity, -Infinity]
  for (let i = 0; i < array.length; i++) {
    const v = array[i]!
    // NaN fails both comparisons; an infinity fails the first.
    if (!(v - v === 0)) fail(ERR_SCENE_VERTEX_VALUES, `${where} holds a non-finite value (${v}) at element ${Math.floor(i / size)}`, { value: String(v) })
    if (position && size === 3) {
      const axis = i % 3
      if (v < min[axis]!) min[axis] = v
      if (v > max[axis]!) max[axis] = v
    }
  }
  if (position) {
    for (let axis = 0; axis < 3; axis++) {
      if (max[axis]! - min[axis]! > FLOAT32_MAX) fail(ERR_SCENE_VERTEX_VALUES, `${where} spans ${max[axis]! - min[axis]!} on axis ${'xyz'[axis]}, more than a float32 holds`)
    }
  }
}

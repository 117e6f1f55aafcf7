/**
 * Integer positions, gltfpack's layout. glTF-Transform's quantization stores
 * a B-bit position as a normalized 16-bit integer, its B-1 magnitude bits
 * shifted to the top of the short and repeated into the low bits; meshopt's
 * vertex codec sees every delta multiplied by 2^(16-B) and compresses the
 * positions about 8 % worse than the plain B-bit integers gltfpack writes.
 * This pass rewrites such positions as the plain integers (SHORT, not
 * normalized, allowed by KHR_mesh_quantization) and moves the factor
 * 1 / (2^(B-1) - 1) into the scale of every node that draws the mesh, where
 * that is exact: the node has no children (they would be scaled too), no
 * animated scale, no skin and no GPU instancing, and the mesh has no morph
 * targets. The dequantized positions differ from the normalized ones by less
 * than a quarter of one quantization step (a fifth at 14 bits, none at 16). Deterministic (integer arithmetic,
 * document order).
 */
import type { Accessor, Document, Mesh, Node } from '@gltf-transform/core'

/** Whether `node` can take a uniform scale of its mesh without changing anything else it draws. */
function scalable (node: Node): boolean {
  if (node.listChildren().length > 0 || node.getSkin() !== null || node.getExtension('EXT_mesh_gpu_instancing') !== null) return false
  return !node.listParents().some((p) => p.propertyType === 'AnimationChannel')
}

/** The mesh's POSITION accessors when every one is a normalized SHORT used by this mesh only, or null. */
function positionAccessors (mesh: Mesh): Accessor[] | null {
  const out: Accessor[] = []
  for (const prim of mesh.listPrimitives()) {
    if (prim.listTargets().length > 0) return null
    const position = prim.getAttribute('POSITION')
    if (position === null || !(position.getArray() instanceof Int16Array) || !position.getNormalized()) return null
    const users = position.listParents().filter((p) => p.propertyType === 'Primitive')
    if (users.some((p) => !mesh.listPrimitives().includes(p as never))) return null
    if (!out.includes(position)) out.push(position)
  }
  return out.length > 0 ? out : null
}

/**
 * Rewrites the `bits`-bit normalized SHORT positions written by
 * glTF-Transform's quantize as plain SHORT integers where it is exact (see
 * the file comment). Returns the meshes rewritten.
 */
export function integerPositions (doc: Document, bits: number): number {
  if (bits < 9 || bits > 16) return 0
  const shift = 16 - bits
  const factor = 1 / ((1 << (bits - 1)) - 1)
  let rewritten = 0
  for (const mesh of doc.getRoot().listMeshes()) {
    const nodes = mesh.listParents().filter((p): p is Node => p.propertyType === 'Node')
    if (nodes.length === 0 || !nodes.every(scalable)) continue
    const accessors = positionAccessors(mesh)
    if (accessors === null) continue
    for (const accessor of accessors) {
      const src = accessor.getArray() as Int16Array
      const dst = new Int16Array(src.length)
      // glTF-Transform wrote sign x (q << shift | q >> (2·bits - 17)); the low part is below 2^shift, so q = |v| >> shift.
      for (let i = 0; i < src.length; i++) dst[i] = src[i]! < 0 ? -(-src[i]! >> shift) : src[i]! >> shift
      accessor.setArray(dst).setNormalized(false)
    }
    for (const node of nodes) {
      const [x, y, z] = node.getScale()
      node.setScale([x * factor, y * factor, z * factor])
    }
    rewritten++
  }
  return rewritten
}

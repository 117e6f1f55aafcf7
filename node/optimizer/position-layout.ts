/**
 * Integer positions, gltfpack's layout. glTF-Transform's quantization stores
 * a B-bit position as a normalized 16-bit integer, its B-1 magnitude bits
 * shifted to the top of the short and repeated into the low bits; meshopt's
 * vertex codec sees every delta multiplied by 2^(16-B) and compresses the
 * positions about 8 % worse than the plain B-bit integers gltfpack writes.
 * For EXT_meshopt_compression output, this pass rewrites such positions as the plain integers (SHORT, not
 * normalized, allowed by KHR_mesh_quantization) and moves the factor
 * 1 / (2^(B-1) - 1) into the scale of every node that draws the mesh, where
 * that is exact: the node has no children (they would be scaled too), no
 * animated scale, no skin and no GPU instancing, and the mesh has no morph
 * targets. The dequantized positions differ from the normalized ones by less
 * than a quarter of one quantization step (a fifth at 14 bits, none at 16). Deterministic (integer arithmetic,
 * document order).
 */
import type { Accessor, Document, Mesh, Node } from '@gltf-transform/core'

/**
 * Meshes rewritten need at least this many vertices per node that draws
 * them: each node's scale becomes a long number in the JSON (about 40 bytes),
 * while compressed positions shrink by about half a byte per vertex (dense
 * scene: 14 KB on 25,000 vertices); on the shapes scene (40 small meshes, 120
 * nodes) rewriting every mesh made the output 7 % larger.
 */
const MIN_VERTICES_PER_NODE = 80

/** Whether `node` can take a uniform scale of its mesh without changing anything else it draws. */
function scalable (node: Node): boolean {
  if (node.listChildren().length > 0 || node.getSkin() !== null || node.getExtension('EXT_mesh_gpu_instancing') !== null) return false
  return !node.listParents().some((p) => p.propertyType === 'AnimationChannel')
}

/** The mesh's POSITION accessors when every one is a normalized SHORT, or null. */
function positionAccessors (mesh: Mesh): Accessor[] | null {
  const out: Accessor[] = []
  for (const prim of mesh.listPrimitives()) {
    if (prim.listTargets().length > 0) return null
    const position = prim.getAttribute('POSITION')
    if (position === null || !(position.getArray() instanceof Int16Array) || !position.getNormalized()) return null
    if (!out.includes(position)) out.push(position)
  }
  return out.length > 0 ? out : null
}

/** The meshes that use `accessor` (through any primitive). */
const meshesOf = (accessor: Accessor): Mesh[] => accessor.listParents()
  .filter((p) => p.propertyType === 'Primitive')
  .flatMap((p) => p.listParents().filter((m): m is Mesh => m.propertyType === 'Mesh'))

/**
 * Rewrites the `bits`-bit normalized SHORT positions written by
 * glTF-Transform's quantize as plain SHORT integers where it is exact (see
 * the file comment). An accessor shared by several meshes (dedup merges
 * equal ones) is rewritten only when every mesh using it can be. Returns the
 * meshes rewritten.
 */
export function integerPositions (doc: Document, bits: number): number {
  if (bits < 9 || bits > 16) return 0
  const shift = 16 - bits
  const factor = 1 / ((1 << (bits - 1)) - 1)
  const candidates = new Map<Mesh, Accessor[]>()
  for (const mesh of doc.getRoot().listMeshes()) {
    const nodes = mesh.listParents().filter((p): p is Node => p.propertyType === 'Node')
    const accessors = positionAccessors(mesh)
    if (nodes.length === 0 || !nodes.every(scalable) || accessors === null) continue
    const vertices = accessors.reduce((n, a) => n + a.getCount(), 0)
    if (vertices >= MIN_VERTICES_PER_NODE * nodes.length) candidates.set(mesh, accessors)
  }
  // Drop meshes sharing a position accessor with a mesh that cannot be rewritten, until none is left to drop.
  for (let changed = true; changed;) {
    changed = false
    for (const [mesh, accessors] of candidates) {
      if (accessors.some((a) => meshesOf(a).some((m) => !candidates.has(m)))) { candidates.delete(mesh); changed = true }
    }
  }
  const done = new Set<Accessor>()
  for (const [mesh, accessors] of candidates) {
    for (const accessor of accessors) {
      if (done.has(accessor)) continue
      done.add(accessor)
      const src = accessor.getArray() as Int16Array
      const dst = new Int16Array(src.length)
      // glTF-Transform wrote sign x (q << shift | q >> (2·bits - 17)); the low part is below 2^shift, so q = |v| >> shift.
      for (let i = 0; i < src.length; i++) dst[i] = src[i]! < 0 ? -(-src[i]! >> shift) : src[i]! >> shift
      accessor.setArray(dst).setNormalized(false)
    }
    for (const node of mesh.listParents().filter((p): p is Node => p.propertyType === 'Node')) {
      // Nine significant digits (float32 needs at most nine): the JSON holds one scale per node, and a double's
      // seventeen digits made the 120-node shapes scene 6 KB larger.
      const [x, y, z] = node.getScale().map((v) => Number((v * factor).toPrecision(9)))
      node.setScale([x!, y!, z!])
    }
  }
  return candidates.size
}

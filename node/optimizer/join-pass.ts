/**
 * Joining of compatible primitives: glTF-Transform's `join` transform, step
 * for step (each scene level scanned in order, every candidate primitive
 * compacted and its transformable attributes made float first, groups keyed
 * alike, shared meshes cloned, primitives moved into the first node's space
 * with the same matrix arithmetic, joined by its `joinPrimitives`, the same
 * cleanup). Two steps are done faster: compaction by compact-vertices.ts, and
 * float attributes copied whole instead of element by element (the dense
 * scene's single 300,000-vertex primitive, which no other joins, cost about
 * 40 ms in those two steps alone). The output is the same document.
 *
 * Derived from glTF-Transform's `join` (MIT License, Copyright (c) 2024 Don McCurdy; the notice is in NOTICE).
 */
import { type Accessor, AnimationChannel, Document, MathUtils, type Mesh, type Node, Primitive, PropertyType, type Scene, type Transform } from '@gltf-transform/core'
import { createTransform, joinPrimitives, prune, transformPrimitive } from '@gltf-transform/functions'
import { compactPrimitive } from './compact-vertices.ts'
import { invert, type Mat4, multiply } from './mat4.ts'

/** Options of {@link joinScene}: glTF-Transform's join options the optimizer sets. */
export interface JoinOptions {
  /** Keep primitives of named meshes or nodes apart. */
  keepNamed: boolean
  /** Nodes whose primitives may be joined. */
  filter: (node: Node) => boolean
}

/** Draw-call mode of each glTF mode once strips, loops and fans are unrolled. */
const BASIC_MODE: Record<number, number> = { 0: 0, 1: 1, 2: 1, 3: 1, 4: 4, 5: 4, 6: 4 }

/** glTF-Transform's createPrimGroupKey for a primitive without morph targets: material, mode, indexing and attribute layout. */
function groupKey (document: Document, prim: Primitive): string {
  const materialIndex = document.getRoot().listMaterials().indexOf(prim.getMaterial()!)
  const attributes = prim.listSemantics().sort().map((semantic) => {
    const a = prim.getAttribute(semantic)!
    return `${semantic}:${a.getElementSize()}:${a.getComponentType()}`
  }).join('+')
  return `${materialIndex}|${BASIC_MODE[prim.getMode()]}|${prim.getIndices() !== null}|${attributes}|`
}

/** glTF-Transform's dequantizeAttribute: the values as float32, not normalized (float arrays copied whole). */
function dequantize (attribute: Accessor): void {
  const src = attribute.getArray()
  if (src === null) return
  let dst: Float32Array<ArrayBuffer>
  if (src instanceof Float32Array) {
    dst = src.slice() as Float32Array<ArrayBuffer>
  } else {
    dst = new Float32Array(src.length)
    const normalized = attribute.getNormalized()
    const componentType = attribute.getComponentType()
    for (let i = 0; i < src.length; i++) dst[i] = normalized ? MathUtils.decodeNormalizedInt(src[i]!, componentType) : src[i]!
  }
  attribute.setArray(dst).setNormalized(false)
}

/** Whether `prop` is referenced by anything but the root. */
const isUsed = (prop: Primitive): boolean => prop.listParents().some((p) => p.propertyType !== PropertyType.ROOT)

/** A copy of a compacted primitive with copies of its attributes and indices. */
function deepClone (src: Primitive): Primitive {
  const dst = src.clone()
  for (const semantic of dst.listSemantics()) dst.setAttribute(semantic, dst.getAttribute(semantic)!.clone())
  const indices = dst.getIndices()
  if (indices !== null) dst.setIndices(indices.clone())
  return dst
}

interface Group { prims: Primitive[], primNodes: Node[], primMeshes: Mesh[], dstNode: Node, dstMesh: Mesh | null }

/** glTF-Transform's _joinLevel: joins the compatible primitives of the children of `parent`. */
function joinLevel (document: Document, parent: Scene | Node, options: JoinOptions): void {
  const groups = new Map<string, Group>()
  const children = parent.listChildren()
  for (let nodeIndex = 0; nodeIndex < children.length; nodeIndex++) {
    const node = children[nodeIndex]!
    if (!options.filter(node)) continue
    if (node.listParents().some((p) => p instanceof AnimationChannel)) continue
    const mesh = node.getMesh()
    if (mesh === null) continue
    if (node.getExtension('EXT_mesh_gpu_instancing') !== null) continue
    if (node.getSkin() !== null) continue
    for (const prim of mesh.listPrimitives()) {
      if (prim.listTargets().length > 0) continue
      const material = prim.getMaterial()
      if (material !== null && material.getExtension('KHR_materials_volume') !== null) continue
      compactPrimitive(prim)
      for (const semantic of ['POSITION', 'NORMAL', 'TANGENT']) {
        const attribute = prim.getAttribute(semantic)
        if (attribute !== null) dequantize(attribute)
      }
      let key = groupKey(document, prim)
      if (options.keepNamed && (mesh.getName() !== '' || node.getName() !== '')) key += `|${nodeIndex}`
      if (!groups.has(key)) groups.set(key, { prims: [], primMeshes: [], primNodes: [], dstNode: node, dstMesh: null })
      const group = groups.get(key)!
      group.prims.push(prim)
      group.primNodes.push(node)
    }
  }
  const joinGroups = [...groups.values()].filter(({ prims }) => prims.length > 1)
  // Unlink all affected meshes at this level before modifying primitives.
  for (const node of new Set(joinGroups.flatMap((group) => group.primNodes))) {
    const mesh = node.getMesh()!
    if (mesh.listParents().some((p) => p.propertyType !== PropertyType.ROOT && node !== p)) node.setMesh(mesh.clone())
  }
  for (const group of joinGroups) {
    group.dstMesh = group.dstNode.getMesh()
    group.primMeshes = group.primNodes.map((node) => node.getMesh()!)
  }
  const matrix: Mat4 = new Array<number>(16).fill(0)
  for (const group of joinGroups) {
    const { prims, primNodes, primMeshes, dstNode, dstMesh } = group
    const dstMatrix = dstNode.getMatrix() as unknown as Mat4
    for (let i = 0; i < prims.length; i++) {
      const primNode = primNodes[i]!
      primMeshes[i]!.removePrimitive(prims[i]!)
      // Compacted above, so whole vertex streams are used and no accessor is shared.
      if (isUsed(prims[i]!)) prims[i] = deepClone(prims[i]!)
      if (primNode !== dstNode) {
        multiply(matrix, invert(matrix, dstMatrix)!, primNode.getMatrix() as unknown as Mat4)
        transformPrimitive(prims[i]!, matrix as unknown as Parameters<typeof transformPrimitive>[1])
      }
    }
    dstMesh!.addPrimitive(joinPrimitives(prims))
  }
}

/**
 * Joins compatible primitives level by level, writing what glTF-Transform's
 * `join({ keepNamed, filter })` writes (see the module comment).
 */
export function joinScene (options: JoinOptions): Transform {
  return createTransform('join', async (document: Document): Promise<void> => {
    for (const scene of document.getRoot().listScenes()) {
      joinLevel(document, scene, options)
      scene.traverse((node) => joinLevel(document, node, options))
    }
    await document.transform(prune({ propertyTypes: [PropertyType.NODE, PropertyType.MESH, PropertyType.PRIMITIVE, PropertyType.ACCESSOR], keepAttributes: true, keepIndices: true, keepLeaves: false }))
  })
}

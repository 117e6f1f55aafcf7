/**
 * Vertex quantization (KHR_mesh_quantization): glTF-Transform's `quantize`
 * transform, step for step (per-mesh quantization volume, node transforms
 * compensating it, the same accessors cloned in the same order, indices
 * narrowed, the same cleanup), with its per-element work done in plain loops
 * over the float arrays instead of `Accessor.getElement`/`setElement` calls
 * (run once per process, that generic code never gets fast: quantization
 * cost about 50 ms on the shapes scene of 40 small meshes). The arithmetic
 * is theirs, operation for operation (mat4.ts), so the output is the same
 * document.
 *
 * Documents outside the path copied here go to glTF-Transform's own
 * transform: skinned or GPU-instanced meshes, morph targets, volumetric
 * materials, vertex attributes that are not plain float32 (their
 * elements would be read through normalization), and meshes it refuses.
 *
 * Derived from glTF-Transform's `quantize` (MIT License, Copyright (c) 2024 Don McCurdy; the notice is in NOTICE).
 */
import { type Accessor, AnimationChannel, type Document, type Mesh, Node, Primitive, PropertyType, type Transform } from '@gltf-transform/core'
import { KHRMeshQuantization } from '@gltf-transform/extensions'
import { createTransform, dedup, prune, quantize, sortPrimitiveWeights } from '@gltf-transform/functions'
import { compactPrimitive } from './compact-vertices.ts'
import { fromTRS } from '../render/mat4.ts'
import { invert, type Mat4, multiply } from './mat4.ts'

/** Options of {@link quantizeVertices}: those of glTF-Transform's quantize the optimizer sets. */
export interface QuantizeOptions {
  quantizePosition: number
  quantizeNormal: number
  quantizeTexcoord: number
  /** Attributes to quantize; all when unset. */
  pattern?: RegExp
  /** Morph target attributes to quantize; `pattern` when unset. */
  patternTargets?: RegExp
}

/** glTF-Transform's defaults for the options the optimizer leaves unset. */
const DEFAULTS = { quantizeColor: 8, quantizeWeight: 8, quantizeGeneric: 12 }
const NAME = 'quantize'

interface Resolved { pattern: RegExp, quantizePosition: number, quantizeNormal: number, quantizeTexcoord: number, quantizeColor: number, quantizeWeight: number, quantizeGeneric: number }
interface NodeTransform { offset: number[], scale: number }
type IntArrayCtor = Int8ArrayConstructor | Int16ArrayConstructor | Uint8ArrayConstructor | Uint16ArrayConstructor

/** Whether the copied path gives glTF-Transform's result on `document` (see the module comment). */
function copiedPathApplies (document: Document): boolean {
  const root = document.getRoot()
  if (root.listMaterials().some((m) => m.getExtension('KHR_materials_volume') !== null)) return false
  for (const mesh of root.listMeshes()) {
    // glTF-Transform throws on a mesh without primitives and on a primitive without POSITION.
    if (mesh.listPrimitives().length === 0 || mesh.listPrimitives().some((p) => p.getAttribute('POSITION')?.getType() !== 'VEC3')) return false
    for (const parent of mesh.listParents()) {
      if (parent instanceof Node && (parent.getSkin() !== null || parent.getExtension('EXT_mesh_gpu_instancing') !== null)) return false
    }
    for (const prim of mesh.listPrimitives()) {
      if (prim.listTargets().length > 0) return false
      for (const a of prim.listAttributes()) if (!(a.getArray() instanceof Float32Array) || a.getNormalized()) return false
    }
  }
  return true
}

/** Per-component minimum and maximum of finite values (Accessor.getMin and getMax of a float32 accessor). */
function bounds (accessor: Accessor): { min: number[], max: number[] } {
  const array = accessor.getArray() as Float32Array
  const size = accessor.getElementSize()
  const min = new Array<number>(size).fill(Infinity)
  const max = new Array<number>(size).fill(-Infinity)
  const n = accessor.getCount() * size
  for (let j = 0; j < size; j++) {
    let lo = Infinity
    let hi = -Infinity
    for (let i = j; i < n; i += size) {
      const value = array[i]!
      if (Number.isFinite(value)) { lo = Math.min(lo, value); hi = Math.max(hi, value) }
    }
    min[j] = lo
    max[j] = hi
  }
  return { min, max }
}

/** glTF-Transform's per-mesh quantization volume: the bounds of its primitives' positions, folded as flatBounds folds them. */
function nodeTransformOf (mesh: Mesh): NodeTransform {
  const min = [Infinity, Infinity, Infinity]
  const max = [-Infinity, -Infinity, -Infinity]
  for (const prim of mesh.listPrimitives()) {
    const position = prim.getAttribute('POSITION')
    if (position === null) continue
    const b = bounds(position)
    for (let i = 0; i < 3; i++) { min[i] = Math.min(min[i]!, b.min[i]!); max[i] = Math.max(max[i]!, b.max[i]!) }
  }
  const [x0, y0, z0] = min as [number, number, number]
  const [x1, y1, z1] = max as [number, number, number]
  const scale = Math.max((x1 - x0) / 2, (y1 - y0) / 2, (z1 - z0) / 2)
  return { offset: [x0 + (x1 - x0) / 2, y0 + (y1 - y0) / 2, z0 + (z1 - z0) / 2], scale }
}

// The same products as gl-matrix's mat4.fromRotationTranslationScale, which glTF-Transform's quantize calls.
const fromTransform = (t: NodeTransform): Mat4 => Array.from(fromTRS(t.offset, [0, 0, 0, 1], [t.scale, t.scale, t.scale]))
const TRS_CHANNELS = ['translation', 'rotation', 'scale']

/** Scales and offsets each node drawing `mesh` by its quantization transform, in a new child node where the node has children or animated TRS. */
function transformMeshParents (document: Document, mesh: Mesh, nodeTransform: NodeTransform): void {
  const transformMatrix = fromTransform(nodeTransform)
  for (const parent of mesh.listParents()) {
    if (!(parent instanceof Node)) continue
    const animChannels = parent.listParents().filter((p): p is AnimationChannel => p instanceof AnimationChannel)
    const isAnimated = animChannels.some((channel) => TRS_CHANNELS.includes(channel.getTargetPath()!))
    let targetNode: Node = parent
    if (parent.listChildren().length > 0 || isAnimated) {
      targetNode = document.createNode('').setMesh(mesh)
      parent.addChild(targetNode).setMesh(null)
      for (const channel of animChannels) if (channel.getTargetPath() === 'weights') channel.setTargetNode(targetNode)
    }
    const nodeMatrix = targetNode.getMatrix() as unknown as Mat4
    multiply(nodeMatrix, nodeMatrix, transformMatrix)
    targetNode.setMatrix(nodeMatrix as unknown as Parameters<Node['setMatrix']>[0])
  }
}

/** glTF-Transform's getQuantizationSettings for a float32 attribute: bits and integer type, or none to leave it. */
function settingsOf (semantic: string, attribute: Accessor, o: Resolved, document: Document): { bits: number, ctor: IntArrayCtor | null } {
  const { min, max } = bounds(attribute)
  const skip = (range: string): { bits: number, ctor: null } => {
    document.getLogger().warn(`${NAME}: Skipping ${semantic}; out of ${range} range.`)
    return { bits: -1, ctor: null }
  }
  if (semantic === 'POSITION') return { bits: o.quantizePosition, ctor: o.quantizePosition <= 8 ? Int8Array : Int16Array }
  if (semantic === 'NORMAL' || semantic === 'TANGENT') return { bits: o.quantizeNormal, ctor: o.quantizeNormal <= 8 ? Int8Array : Int16Array }
  if (semantic.startsWith('COLOR_')) return { bits: o.quantizeColor, ctor: o.quantizeColor <= 8 ? Uint8Array : Uint16Array }
  if (semantic.startsWith('TEXCOORD_')) {
    if (min.some((v) => v < 0) || max.some((v) => v > 1)) return skip('[0,1]')
    return { bits: o.quantizeTexcoord, ctor: o.quantizeTexcoord <= 8 ? Uint8Array : Uint16Array }
  }
  if (semantic.startsWith('JOINTS_')) {
    const ctor = Math.max(...max) <= 255 ? Uint8Array : Uint16Array
    attribute.setArray(new ctor(attribute.getArray()!))
    return { bits: -1, ctor: null }
  }
  if (semantic.startsWith('WEIGHTS_')) {
    if (min.some((v) => v < 0) || max.some((v) => v > 1)) return skip('[0,1]')
    return { bits: o.quantizeWeight, ctor: o.quantizeWeight <= 8 ? Uint8Array : Uint16Array }
  }
  if (semantic.startsWith('_')) {
    if (min.some((v) => v < -1) || max.some((v) => v > 1)) return skip('[-1,1]')
    const signed = min.some((v) => v < 0)
    return { bits: o.quantizeGeneric, ctor: signed ? (o.quantizeGeneric <= 8 ? Int8Array : Int16Array) : (o.quantizeGeneric <= 8 ? Uint8Array : Uint16Array) }
  }
  throw new Error(`${NAME}: Unexpected semantic, "${semantic}".`)
}

/** Positions mapped through `m` in place (gl-matrix transformMat4 per element, stored as float32). */
function transformPositions (array: Float32Array, m: Mat4): void {
  for (let i = 0; i < array.length; i += 3) {
    const x = array[i]!; const y = array[i + 1]!; const z = array[i + 2]!
    let w = m[3]! * x + m[7]! * y + m[11]! * z + m[15]!
    w = w || 1.0
    array[i] = (m[0]! * x + m[4]! * y + m[8]! * z + m[12]!) / w
    array[i + 1] = (m[1]! * x + m[5]! * y + m[9]! * z + m[13]!) / w
    array[i + 2] = (m[2]! * x + m[6]! * y + m[10]! * z + m[14]!) / w
  }
}

/** glTF-Transform's quantizeAttribute on a float32 array: `bits` of each value in a normalized `ctor`, the top bits repeated into the low ones. */
function quantizeArray (attribute: Accessor, ctor: IntArrayCtor, bits: number): void {
  const src = attribute.getArray() as Float32Array
  const dst = new ctor(src.length)
  const signBits = ctor === Int8Array || ctor === Int16Array ? 1 : 0
  const quantBits = bits - signBits
  const storageBits = ctor.BYTES_PER_ELEMENT * 8 - signBits
  const scale = Math.pow(2, quantBits) - 1
  const lo = storageBits - quantBits
  const hi = 2 * quantBits - storageBits
  const low = signBits > 0 ? -1 : 0
  for (let i = 0; i < src.length; i++) {
    const v = src[i]!
    let value = Math.min(Math.max(v, low), 1)
    value = Math.round(Math.abs(value) * scale)
    value = value << lo | value >> hi
    dst[i] = value * Math.sign(v)
  }
  attribute.setArray(dst).setNormalized(true).setSparse(false)
}

function quantizePrimitive (document: Document, prim: Primitive, nodeTransform: NodeTransform, o: Resolved): void {
  for (const semantic of prim.listSemantics()) {
    if (!o.pattern.test(semantic)) continue
    const srcAttribute = prim.getAttribute(semantic)!
    const { bits, ctor } = settingsOf(semantic, srcAttribute, o, document)
    if (ctor === null) continue
    if (bits < 8 || bits > 16) throw new Error(`${NAME}: Requires bits = 8–16.`)
    if (srcAttribute.getComponentSize() <= bits / 8) continue
    const dstAttribute = srcAttribute.clone()
    if (semantic === 'POSITION') {
      const transform: Mat4 = []
      invert(transform, fromTransform(nodeTransform))
      transformPositions(dstAttribute.getArray() as Float32Array, transform)
    }
    quantizeArray(dstAttribute, ctor, bits)
    prim.setAttribute(semantic, dstAttribute)
  }
  if (prim.getAttribute('WEIGHTS_0') !== null) sortPrimitiveWeights(prim, Infinity)
  const indices = prim.getIndices()
  if (indices !== null && prim.listAttributes().length > 0 && prim.listAttributes()[0]!.getCount() < 65535) indices.setArray(new Uint16Array(indices.getArray()!))
}

/** glTF-Transform's isQuantizedPrimitive as it reads (every semantic tested against POSITION's accessor). */
function isQuantized (prim: Primitive): boolean {
  const position = prim.getAttribute('POSITION')
  return prim.listSemantics().length > 0 && position !== null && position.getComponentSize() < 4
}

/**
 * Quantizes vertex attributes, writing what glTF-Transform's
 * `quantize(options)` writes (see the module comment).
 */
export function quantizeVertices (options: QuantizeOptions): Transform {
  const o: Resolved = { ...DEFAULTS, pattern: /.*/, ...options }
  return createTransform(NAME, async (document: Document): Promise<void> => {
    if (!copiedPathApplies(document)) {
      await document.transform(quantize(options))
      return
    }
    const root = document.getRoot()
    for (const mesh of root.listMeshes()) {
      const nodeTransform = nodeTransformOf(mesh)
      if (o.pattern.test('POSITION')) transformMeshParents(document, mesh, nodeTransform)
      for (const prim of mesh.listPrimitives()) {
        const renderCount = prim.getIndices()?.getCount() ?? prim.getAttribute('POSITION')!.getCount()
        if (renderCount < prim.getAttribute('POSITION')!.getCount() / 2) compactPrimitive(prim)
        quantizePrimitive(document, prim, nodeTransform, o)
      }
    }
    if (root.listMeshes().flatMap((mesh) => mesh.listPrimitives()).some(isQuantized)) document.createExtension(KHRMeshQuantization).setRequired(true)
    await document.transform(
      prune({ propertyTypes: [PropertyType.ACCESSOR, PropertyType.SKIN, PropertyType.MATERIAL], keepAttributes: true, keepIndices: true, keepLeaves: true, keepSolidTextures: true }),
      dedup({ propertyTypes: [PropertyType.ACCESSOR, PropertyType.MATERIAL, PropertyType.SKIN], keepUniqueNames: true })
    )
  })
}

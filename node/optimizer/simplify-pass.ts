/**
 * Geometry passes built on meshoptimizer's simplifier, with the options
 * gltfpack uses: vertices welded at the output's normal precision before
 * simplification (so copies of a vertex that differ only in the last bits of
 * their normal, as exporters that accumulate normals per face write them, are
 * one vertex and not a seam the simplifier cannot cross); attribute-aware
 * simplification (normals and vertex colours weigh in the error); the border
 * locked or disconnected parts pruned; and a sloppy fallback where the
 * profile allows it. Deterministic: the simplifier is WebAssembly and every
 * loop runs over document-ordered primitives and index order.
 */
import { type Accessor, type Document, Node, Primitive } from '@gltf-transform/core'
import { convertPrimitiveToTriangles } from '@gltf-transform/functions'
import { MeshoptSimplifier } from 'meshoptimizer/simplifier'
import { compactPrimitive, compactToIndices } from './compact-vertices.ts'

/** Options of {@link weldScene}. */
export interface WeldOptions {
  /** Bits at which NORMAL and TANGENT are compared (the output's quantization), or null to compare them exactly. */
  normalBits: number | null
}

/** Options of {@link simplifyScene}. */
export interface SimplifyOptions {
  /** Share of triangles to keep, in (0, 1). */
  ratio: number
  /** Error bound, a fraction of each mesh's extent (meshoptimizer's relative error). */
  error: number
  /** Keep open borders in place (meshoptimizer's LockBorder); otherwise parts smaller than the error may be removed (Prune). */
  lockBorder: boolean
  /** Weigh normals and vertex colours in the error (simplifyWithAttributes), as gltfpack does by default. */
  attributes: boolean
  /** When the error bound stops a primitive above its target, fall back to the sloppy simplifier within this error; null never does. */
  sloppyError: number | null
}

/** Default simplification options: gltfpack's defaults (attribute-aware, pruning, no sloppy fallback). */
export const DEFAULT_SIMPLIFY_OPTIONS: Readonly<SimplifyOptions> = Object.freeze({
  // Half the triangles, within 1 % of the mesh's extent: gltfpack's -si 0.5 -se 0.01.
  ratio: 0.5,
  error: 0.01,
  // gltfpack's default (its -slb locks borders).
  lockBorder: false,
  // gltfpack's default (its -svd turns it off); normals weigh 0.5 per component, colours 1.
  attributes: true,
  // gltfpack's -sa falls back to sloppy at 0.1; off unless a profile allows it.
  sloppyError: null
})

/** Weights of the attribute-aware error, per component: gltfpack's (normal 0.5, premultiplied colour 1). */
const NORMAL_WEIGHT = 0.5
const COLOR_WEIGHT = 1

/** What {@link simplifyScene} did. */
export interface SimplifyResult {
  /** Triangles of the simplified primitives before and after. */
  trianglesBefore: number
  trianglesAfter: number
  /** Primitives on which the sloppy fallback ran. */
  sloppy: number
}

const isTriangles = (prim: Primitive): boolean => {
  const mode = prim.getMode()
  return mode === Primitive.Mode.TRIANGLES || mode === Primitive.Mode.TRIANGLE_STRIP || mode === Primitive.Mode.TRIANGLE_FAN
}

/** The accessor's elements as float32 (normalized integers are read as their value). */
function floats (accessor: Accessor): Float32Array {
  const array = accessor.getArray()
  if (array instanceof Float32Array) return array
  const size = accessor.getElementSize()
  const out = new Float32Array(accessor.getCount() * size)
  const el: number[] = []
  for (let i = 0; i < accessor.getCount(); i++) out.set(accessor.getElement(i, el), i * size)
  return out
}

/** FNV-1a's prime, mixing one 32-bit word into a vertex's hash. */
const FNV_PRIME = 0x01000193

/**
 * 32-bit words of every vertex attribute (targets included), NORMAL and
 * TANGENT quantized to `bits` when set, one row of `width` words per vertex;
 * and a hash of each row. Built attribute by attribute, each a sequential
 * pass over its array and the hashes (the hash mixes words column by column).
 */
function vertexWords (prim: Primitive, bits: number | null): { words: Uint32Array, width: number, hashes: Uint32Array } {
  const attributes: Array<{ accessor: Accessor, quantize: boolean }> = []
  for (const semantic of prim.listSemantics()) {
    attributes.push({ accessor: prim.getAttribute(semantic)!, quantize: bits !== null && (semantic === 'NORMAL' || semantic === 'TANGENT') })
  }
  for (const target of prim.listTargets()) for (const a of target.listAttributes()) attributes.push({ accessor: a, quantize: false })
  const count = prim.getAttribute('POSITION')!.getCount()
  const width = attributes.reduce((w, a) => w + a.accessor.getElementSize(), 0)
  const words = new Uint32Array(count * width)
  const hashes = new Uint32Array(count).fill(0x811c9dc5)
  const scale = bits === null ? 0 : (1 << (bits - 1)) - 1
  let column = 0
  for (const { accessor, quantize } of attributes) {
    const size = accessor.getElementSize()
    const array = accessor.getArray()!
    if (quantize && array instanceof Float32Array) quantizedColumn(words, hashes, width, column, array, size, scale)
    // Float32 compared by its bits (as a bitwise weld does), integers by value.
    else if (array instanceof Float32Array) wordColumn(words, hashes, width, column, new Uint32Array(array.buffer, array.byteOffset, array.length), size)
    else wordColumn(words, hashes, width, column, array, size)
    column += size
  }
  return { words, width, hashes }
}

/** Writes `size` columns of `words` from `values` (one element of `size` per vertex) as 32-bit integers, mixing them into `hashes`. */
function wordColumn (words: Uint32Array, hashes: Uint32Array, width: number, column: number, values: ArrayLike<number>, size: number): void {
  for (let v = 0, i = 0; v < hashes.length; v++) {
    const row = v * width + column
    let h = hashes[v]!
    for (let c = 0; c < size; c++, i++) {
      const w = values[i]! | 0
      words[row + c] = w
      h = Math.imul(h ^ w, FNV_PRIME)
    }
    hashes[v] = h
  }
}

/** {@link wordColumn} of unit floats rounded to signed integers of `scale` (2^(bits-1) - 1), as the output quantizes them. */
function quantizedColumn (words: Uint32Array, hashes: Uint32Array, width: number, column: number, values: Float32Array, size: number, scale: number): void {
  for (let v = 0, i = 0; v < hashes.length; v++) {
    const row = v * width + column
    let h = hashes[v]!
    for (let c = 0; c < size; c++, i++) {
      const w = Math.round(Math.max(-1, Math.min(1, values[i]!)) * scale) | 0
      words[row + c] = w
      h = Math.imul(h ^ w, FNV_PRIME)
    }
    hashes[v] = h
  }
}

/** Merges the vertices of `prim` whose attributes are equal (NORMAL and TANGENT at `bits`); indexes unindexed primitives. Returns the vertices removed. */
function weldPrimitive (prim: Primitive, bits: number | null): number {
  const position = prim.getAttribute('POSITION')
  if (position === null || prim.getMode() === Primitive.Mode.POINTS) return 0
  const count = position.getCount()
  const { words, width, hashes } = vertexWords(prim, bits)
  const indices = prim.getIndices()?.getArray() ?? null
  const n = indices === null ? count : indices.length
  let size = 1
  while (size < count * 1.25) size *= 2
  // Open addressing; each slot holds a vertex and its hash side by side (one cache line per probe), -1 when empty.
  const table = new Int32Array(size * 2).fill(-1)
  const remap = new Uint32Array(count).fill(0xffffffff)
  let unique = 0
  for (let i = 0; i < n; i++) {
    const v = indices === null ? i : indices[i]!
    if (remap[v] !== 0xffffffff) continue
    const h = hashes[v]! | 0
    let slot = h & (size - 1)
    for (;;) {
      const other = table[slot * 2]!
      if (other === -1) { table[slot * 2] = v; table[slot * 2 + 1] = h; remap[v] = unique++; break }
      if (table[slot * 2 + 1] === h && sameRow(words, width, v, other)) { remap[v] = remap[other]!; break }
      slot = (slot + 1) & (size - 1)
    }
  }
  if (indices !== null && unique === count) return 0
  compactPrimitive(prim, remap, unique)
  return count - unique
}

/** Whether rows `a` and `b` of `words` are equal. */
function sameRow (words: Uint32Array, width: number, a: number, b: number): boolean {
  for (let c = 0, x = a * width, y = b * width; c < width; c++) if (words[x + c] !== words[y + c]) return false
  return true
}

/**
 * Welds every primitive of `doc`: vertices with equal attributes become one,
 * NORMAL and TANGENT compared at `normalBits` (the precision the output keeps
 * them at, so nothing the output could show is lost). Unindexed triangle
 * primitives get indices. Returns the vertices removed.
 */
export function weldScene (doc: Document, options: WeldOptions): number {
  let removed = 0
  for (const mesh of doc.getRoot().listMeshes()) {
    for (const prim of mesh.listPrimitives()) removed += weldPrimitive(prim, options.normalBits)
  }
  return removed
}

/** Attribute stream for simplifyWithAttributes: normals (weight 0.5) and premultiplied RGB colour (weight 1), or null when neither exists. */
function attributeStream (prim: Primitive): { data: Float32Array, stride: number, weights: number[] } | null {
  const normal = prim.getAttribute('NORMAL')
  const color = prim.getAttribute('COLOR_0')
  if (normal === null && color === null) return null
  const count = prim.getAttribute('POSITION')!.getCount()
  const stride = (normal !== null ? 3 : 0) + (color !== null ? 3 : 0)
  const data = new Float32Array(count * stride)
  const weights: number[] = []
  let column = 0
  if (normal !== null) {
    const n = floats(normal)
    for (let v = 0; v < count; v++) for (let c = 0; c < 3; c++) data[v * stride + c] = n[v * 3 + c]!
    weights.push(NORMAL_WEIGHT, NORMAL_WEIGHT, NORMAL_WEIGHT)
    column = 3
  }
  if (color !== null) {
    const k = color.getElementSize()
    const rgba = floats(color)
    for (let v = 0; v < count; v++) {
      const a = k === 4 ? rgba[v * 4 + 3]! : 1
      for (let c = 0; c < 3; c++) data[v * stride + column + c] = rgba[v * k + c]! * a
    }
    weights.push(COLOR_WEIGHT, COLOR_WEIGHT, COLOR_WEIGHT)
  }
  return { data, stride, weights }
}

/** Simplifies one triangle primitive in place; returns its triangles before and after and whether the sloppy fallback ran. */
function simplifyPrimitive (prim: Primitive, o: SimplifyOptions): { before: number, after: number, sloppy: boolean } {
  if (prim.getMode() !== Primitive.Mode.TRIANGLES) convertPrimitiveToTriangles(prim)
  const indicesAccessor = prim.getIndices()
  const position = prim.getAttribute('POSITION')
  if (indicesAccessor === null || position === null) return { before: 0, after: 0, sloppy: false }
  const src = indicesAccessor.getArray()!
  const indices = src instanceof Uint32Array ? src : new Uint32Array(src)
  const before = indices.length / 3
  const target = Math.floor(o.ratio * before) * 3
  const positions = floats(position)
  const flags: Array<'LockBorder' | 'Prune' | 'Regularize'> = [o.lockBorder ? 'LockBorder' : 'Prune']
  // Skinned and morphed meshes deform: a more regular triangulation deforms better (gltfpack does the same).
  if (prim.listTargets().length > 0 || prim.getAttribute('WEIGHTS_0') !== null) flags.push('Regularize')
  const attrs = o.attributes ? attributeStream(prim) : null
  let [out] = attrs === null
    ? MeshoptSimplifier.simplify(indices, positions, 3, target, o.error, flags)
    : MeshoptSimplifier.simplifyWithAttributes(indices, positions, 3, attrs.data, attrs.stride, attrs.weights, null, target, o.error, flags)
  let sloppy = false
  if (o.sloppyError !== null && out.length > target) {
    const [loose] = MeshoptSimplifier.simplifySloppy(out, positions, 3, null, target, o.sloppyError)
    if (loose.length < out.length) { out = loose; sloppy = true }
  }
  if (out.length === indices.length) return { before, after: before, sloppy: false }
  // Nothing left (every part pruned as smaller than the error, or collapsed): no primitive rather than an empty
  // one, whose accessors (count 0) are invalid glTF and which meshoptimizer's encoder cannot take.
  if (out.length === 0) { prim.dispose(); return { before, after: 0, sloppy } }
  // The new triangles, and only the vertices they use, in order of first use (vertex fetch order).
  compactToIndices(prim, out)
  return { before, after: out.length / 3, sloppy }
}

/**
 * Simplifies every triangle primitive of `doc` towards `ratio` of its
 * triangles within `error` (see {@link SimplifyOptions}). Primitives of
 * meshes used by several nodes are simplified once. Call after
 * `MeshoptSimplifier.ready`.
 */
export function simplifyScene (doc: Document, options: SimplifyOptions): SimplifyResult {
  const result: SimplifyResult = { trianglesBefore: 0, trianglesAfter: 0, sloppy: 0 }
  for (const mesh of doc.getRoot().listMeshes()) {
    for (const prim of [...mesh.listPrimitives()]) {
      if (!isTriangles(prim)) continue
      const r = simplifyPrimitive(prim, options)
      result.trianglesBefore += r.before
      result.trianglesAfter += r.after
      if (r.sloppy) result.sloppy++
    }
    // A mesh left without primitives is invalid glTF: its nodes lose it (and their GPU instancing with it).
    if (mesh.listPrimitives().length === 0) {
      for (const parent of mesh.listParents()) {
        if (!(parent instanceof Node)) continue
        parent.setMesh(null)
        parent.setExtension('EXT_mesh_gpu_instancing', null)
      }
      mesh.dispose()
    }
  }
  return result
}

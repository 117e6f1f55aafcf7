/**
 * Vertex stage: morph targets, skinning and the model-view transform of one
 * draw item, producing camera-space positions and normals in float64.
 */
import { det3, type Mat4, multiply, normalMatrix } from './mat4.ts'
import type { DrawItem } from './pose.ts'

/** Camera-space vertex data of one draw item. */
export interface CameraSpaceVertices {
  /** x, y, z per vertex (camera looks along −z). */
  positions: Float64Array
  /** Unit-less normals per vertex (renormalized per pixel), or null when the primitive has none. */
  normals: Float64Array | null
  /** Tangents (xyz by the model-view's upper 3×3, w copied) per vertex, or null. */
  tangents: Float64Array | null
  /** The transform mirrors geometry (negative determinant): front faces are clockwise. */
  mirrored: boolean
}

/** Allocates a Float64Array of n elements; the vertex stage writes every element. */
export type VertexAllocator = (n: number) => Float64Array

const fresh: VertexAllocator = (n) => new Float64Array(n)

/**
 * Storage for the camera-space vertices of one render, reused by the next
 * render in the same thread (renders in a thread run one at a time): taking
 * slices of one buffer instead of allocating and zeroing three arrays per
 * draw item spares the allocation and the garbage collection it caused.
 * `reset` when a render ends; its slices must not be used afterwards.
 */
export class VertexPool {
  private buffer = new Float64Array(0)
  private used = 0

  /** Largest buffer kept for reuse: 2^23 values (64 MB, about 800k vertices with normals and tangents); larger needs allocate. */
  static readonly MAX_POOLED = 1 << 23

  /** A slice of n values (contents undefined until written). */
  readonly take: VertexAllocator = (n) => {
    if (this.used + n > this.buffer.length) {
      const size = Math.max(this.buffer.length * 2, this.used + n, 1 << 16)
      if (size > VertexPool.MAX_POOLED) return new Float64Array(n)
      // slices taken before stay valid: they keep the previous buffer
      this.buffer = new Float64Array(size)
      this.used = 0
    }
    const a = this.buffer.subarray(this.used, this.used + n)
    this.used += n
    return a
  }

  /** Makes the whole buffer available again. */
  reset (): void {
    this.used = 0
  }
}

/** Applies morph targets (weights × deltas, in target order) to a base attribute. */
function morph (base: Float64Array, deltas: Array<Float64Array | null>, weights: number[]): Float64Array {
  let out = base
  for (let k = 0; k < deltas.length; k++) {
    const d = deltas[k]
    const w = weights[k] ?? 0
    if (d === null || d === undefined || w === 0) continue
    if (out === base) out = Float64Array.from(base)
    const n = Math.min(out.length, d.length)
    for (let i = 0; i < n; i++) out[i] = out[i]! + w * d[i]!
  }
  return out
}

/** Transforms a draw item's vertices into camera space with the world → camera matrix `view`, into arrays from `alloc`. */
export function transformVertices (item: DrawItem, view: Mat4, alloc: VertexAllocator = fresh): CameraSpaceVertices {
  const p = item.primitive
  const n = p.vertexCount
  const hasTargets = p.targets.length > 0 && item.morphWeights.length > 0
  const pos = hasTargets ? morph(p.positions, p.targets.map((t) => t.positions), item.morphWeights) : p.positions
  const nrmSrc = p.normals === null ? null : (hasTargets ? morph(p.normals, p.targets.map((t) => t.normals), item.morphWeights) : p.normals)
  const outP = alloc(n * 3)
  const outN = nrmSrc === null ? null : alloc(n * 3)
  const tanSrc = p.tangents
  const outT = tanSrc === null ? null : alloc(n * 4)

  if (item.jointMatrices !== null && p.joints !== null && p.weights !== null) {
    const J = item.jointMatrices
    const s = new Float64Array(16)
    for (let v = 0; v < n; v++) {
      s.fill(0)
      for (let k = 0; k < 4; k++) {
        const w = p.weights[v * 4 + k] ?? 0
        if (w === 0) continue
        const m = J[p.joints[v * 4 + k]!]
        if (m === undefined) continue
        for (let e = 0; e < 16; e++) s[e] = s[e]! + w * m[e]!
      }
      const mv = multiply(view, s)
      const x = pos[v * 3]!; const y = pos[v * 3 + 1]!; const z = pos[v * 3 + 2]!
      outP[v * 3] = mv[0]! * x + mv[4]! * y + mv[8]! * z + mv[12]!
      outP[v * 3 + 1] = mv[1]! * x + mv[5]! * y + mv[9]! * z + mv[13]!
      outP[v * 3 + 2] = mv[2]! * x + mv[6]! * y + mv[10]! * z + mv[14]!
      if (outN !== null && nrmSrc !== null) {
        const nm = normalMatrix(mv)
        const a = nrmSrc[v * 3]!; const b = nrmSrc[v * 3 + 1]!; const c = nrmSrc[v * 3 + 2]!
        outN[v * 3] = nm[0]! * a + nm[1]! * b + nm[2]! * c
        outN[v * 3 + 1] = nm[3]! * a + nm[4]! * b + nm[5]! * c
        outN[v * 3 + 2] = nm[6]! * a + nm[7]! * b + nm[8]! * c
      }
      if (outT !== null && tanSrc !== null) tangentTo(mv, tanSrc, v, outT)
    }
    return { positions: outP, normals: outN, tangents: outT, mirrored: false }
  }

  const mv = multiply(view, item.world)
  transformPoints(mv, pos, n, outP)
  if (outN !== null && nrmSrc !== null) transformNormals(normalMatrix(mv), nrmSrc, n, outN)
  if (outT !== null && tanSrc !== null) for (let v = 0; v < n; v++) tangentTo(mv, tanSrc, v, outT)
  return { positions: outP, normals: outN, tangents: outT, mirrored: det3(mv) < 0 }
}

// The loops of the unskinned path are functions of their own: inside one large function the optimizing
// compiler entered each loop on the stack and left it again at the next untried path, at every call.

/** Points 0..n−1 of `pos` by the affine 4 × 4 matrix `mv` into `out`. */
function transformPoints (mv: Mat4, pos: Float64Array, n: number, out: Float64Array): void {
  const m0 = mv[0]!; const m1 = mv[1]!; const m2 = mv[2]!; const m4 = mv[4]!; const m5 = mv[5]!; const m6 = mv[6]!
  const m8 = mv[8]!; const m9 = mv[9]!; const m10 = mv[10]!; const m12 = mv[12]!; const m13 = mv[13]!; const m14 = mv[14]!
  for (let v = 0; v < n; v++) {
    const x = pos[v * 3]!; const y = pos[v * 3 + 1]!; const z = pos[v * 3 + 2]!
    out[v * 3] = m0 * x + m4 * y + m8 * z + m12
    out[v * 3 + 1] = m1 * x + m5 * y + m9 * z + m13
    out[v * 3 + 2] = m2 * x + m6 * y + m10 * z + m14
  }
}

/** Normals 0..n−1 of `src` by the 3 × 3 row-major normal matrix `nm` into `out`. */
function transformNormals (nm: ArrayLike<number>, src: Float64Array, n: number, out: Float64Array): void {
  for (let v = 0; v < n; v++) {
    const a = src[v * 3]!; const b = src[v * 3 + 1]!; const c = src[v * 3 + 2]!
    out[v * 3] = nm[0]! * a + nm[1]! * b + nm[2]! * c
    out[v * 3 + 1] = nm[3]! * a + nm[4]! * b + nm[5]! * c
    out[v * 3 + 2] = nm[6]! * a + nm[7]! * b + nm[8]! * c
  }
}

/** Transforms tangent `v` (xyzw) by the upper 3×3 of `mv`, copying w. */
function tangentTo (mv: Mat4, src: Float64Array, v: number, out: Float64Array): void {
  const x = src[v * 4]!; const y = src[v * 4 + 1]!; const z = src[v * 4 + 2]!
  out[v * 4] = mv[0]! * x + mv[4]! * y + mv[8]! * z
  out[v * 4 + 1] = mv[1]! * x + mv[5]! * y + mv[9]! * z
  out[v * 4 + 2] = mv[2]! * x + mv[6]! * y + mv[10]! * z
  out[v * 4 + 3] = src[v * 4 + 3]!
}

/**
 * Tangent frames for normal mapping. The glTF specification asks for
 * MikkTSpace tangents when a normal-mapped primitive has none; they are
 * generated here with the reference algorithm (the `mikktspace` package:
 * Mikkelsen's code compiled to WebAssembly, whose float32 arithmetic is
 * IEEE-exact, so every node gets the same bits).
 *
 * MikkTSpace works on unwelded triangles, so such a primitive is expanded to
 * three vertices per triangle (every attribute copied by index) before the
 * tangents are attached. MikkTSpace's bitangent follows +v; glTF's texture
 * space has v pointing down the image, so the handedness w is negated (as
 * glTF-Transform's tangents() does).
 *
 * When a primitive has no normals, the glTF specification requires flat
 * normals and says tangents in the file must be ignored: the shader then
 * builds a per-triangle frame from the UV derivatives instead.
 */
import { generateTangents } from 'mikktspace'
import type { PreparedPrimitive } from './scene-reader.ts'

/** Expands an attribute with `size` components per vertex to one copy per triangle corner (NaN for out-of-range indices). */
function expand (src: Float64Array, size: number, indices: Uint32Array, vertexCount: number): Float64Array {
  const out = new Float64Array(indices.length * size)
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k]!
    for (let c = 0; c < size; c++) out[k * size + c] = i < vertexCount ? src[i * size + c]! : NaN
  }
  return out
}

/** A float32 copy with non-finite values replaced by 0 (MikkTSpace sorts by value and must never see NaN). */
function finite32 (a: Float64Array): Float32Array {
  const out = new Float32Array(a.length)
  for (let i = 0; i < a.length; i++) { const v = a[i]!; out[i] = Number.isFinite(v) ? v : 0 }
  return out
}

/**
 * Returns the primitive with a tangent frame when its material has a normal
 * map: tangents from the file when it has normals and TANGENT; generated
 * (MikkTSpace, unwelded) when it has normals and UVs but no TANGENT; none
 * (per-triangle frame in the shader) when it has no normals or no UVs.
 */
export function withTangents (p: PreparedPrimitive): PreparedPrimitive {
  if (p.normals === null) return p.tangents === null ? p : { ...p, tangents: null }
  const nt = p.material.normalTexture
  if (nt === null || p.tangents !== null) return p
  const uv = nt.texCoord === 1 && p.uv1 !== null ? p.uv1 : p.uv0
  if (uv === null) return p
  const idx = p.indices
  const n = p.vertexCount
  const pos = expand(p.positions, 3, idx, n)
  const nrm = expand(p.normals, 3, idx, n)
  const tex = expand(uv, 2, idx, n)
  let tangents: Float64Array
  try {
    const t = generateTangents(finite32(pos), finite32(nrm), finite32(tex))
    tangents = new Float64Array(t.length)
    for (let i = 0; i < t.length; i++) tangents[i] = (i & 3) === 3 ? -t[i]! : t[i]!
  } catch {
    return p // the generator refused the input (deterministically): per-triangle frames instead
  }
  const seq = new Uint32Array(idx.length)
  for (let i = 0; i < seq.length; i++) seq[i] = i
  return {
    ...p,
    vertexCount: idx.length,
    positions: pos,
    normals: nrm,
    tangents,
    uv0: p.uv0 === null ? null : expand(p.uv0, 2, idx, n),
    uv1: p.uv1 === null ? null : expand(p.uv1, 2, idx, n),
    colors: p.colors === null ? null : expand(p.colors, 4, idx, n),
    joints: p.joints === null ? null : Uint32Array.from(expand(Float64Array.from(p.joints), 4, idx, n), (v) => (Number.isFinite(v) ? v : 0)),
    weights: p.weights === null ? null : expand(p.weights, 4, idx, n),
    targets: p.targets.map((t) => ({
      positions: t.positions === null ? null : expand(t.positions, 3, idx, n),
      normals: t.normals === null ? null : expand(t.normals, 3, idx, n)
    })),
    indices: seq
  }
}

/**
 * Texture coordinates of a binding: the TEXCOORD set it names (1 when
 * present, else 0), interpolated and passed through its KHR_texture_transform
 * matrix. Shared by both shading models so they address textures alike.
 */
import type { PreparedPrimitive, TextureBinding } from './scene-reader.ts'

/** Barycentrics handed to {@link interpolateUvAt} by the argument form (float64, so the numbers are the same). */
const BARY = new Float64Array(3)

/** UV of binding `b` at barycentrics (b0, b1, b2) of triangle (i0, i1, i2) into out[0..1] (0, 0 without UVs). */
export function interpolateUv (prim: PreparedPrimitive, b: TextureBinding, i0: number, i1: number, i2: number, b0: number, b1: number, b2: number, out: Float64Array): void {
  BARY[0] = b0; BARY[1] = b1; BARY[2] = b2
  interpolateUvAt(prim, b, i0, i1, i2, BARY, out)
}

/** UV of binding `b` at vertex `i` into out[0..1]. */
export function vertexUv (prim: PreparedPrimitive, b: TextureBinding, i: number, out: Float64Array): void {
  interpolateUv(prim, b, i, i, i, 1, 0, 0, out)
}

/** {@link interpolateUv} with the barycentrics in bary[0..2] (so that they are not boxed as arguments). */
export function interpolateUvAt (prim: PreparedPrimitive, b: TextureBinding, i0: number, i1: number, i2: number, bary: Float64Array, out: Float64Array): void {
  const b0 = bary[0]!; const b1 = bary[1]!; const b2 = bary[2]!
  const set = b.texCoord === 1 && prim.uv1 !== null ? prim.uv1 : prim.uv0
  let u = 0; let v = 0
  if (set !== null) {
    u = set[i0 * 2]! * b0 + set[i1 * 2]! * b1 + set[i2 * 2]! * b2
    v = set[i0 * 2 + 1]! * b0 + set[i1 * 2 + 1]! * b1 + set[i2 * 2 + 1]! * b2
  }
  const t = b.transform
  if (t !== null) { const tu = t[0]! * u + t[1]! * v + t[2]!; v = t[3]! * u + t[4]! * v + t[5]!; u = tu }
  out[0] = u; out[1] = v
}

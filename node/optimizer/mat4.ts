/**
 * The 4×4 matrix functions glTF-Transform's quantize uses, copied from the
 * gl-matrix build bundled into @gltf-transform/functions, operation for
 * operation (the same products summed in the same order), so that a pass
 * computing with them gets the same doubles as glTF-Transform does.
 * Column-major, as gl-matrix and glTF.
 *
 * Derived from gl-matrix (MIT License, Copyright (c) 2015-2021 Brandon Jones, Colin MacKenzie IV; the notice is in NOTICE).
 */

/** A 4×4 matrix, column-major. */
export type Mat4 = number[]

/** out = a · b (gl-matrix mat4.multiply). */
export function multiply (out: Mat4, a: Mat4, b: Mat4): Mat4 {
  const [a00, a01, a02, a03, a10, a11, a12, a13, a20, a21, a22, a23, a30, a31, a32, a33] = a as [number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number]
  for (let col = 0; col < 16; col += 4) {
    const b0 = b[col]!; const b1 = b[col + 1]!; const b2 = b[col + 2]!; const b3 = b[col + 3]!
    out[col] = b0 * a00 + b1 * a10 + b2 * a20 + b3 * a30
    out[col + 1] = b0 * a01 + b1 * a11 + b2 * a21 + b3 * a31
    out[col + 2] = b0 * a02 + b1 * a12 + b2 * a22 + b3 * a32
    out[col + 3] = b0 * a03 + b1 * a13 + b2 * a23 + b3 * a33
  }
  return out
}

/** out = a⁻¹, or null (out untouched) when a is singular (gl-matrix mat4.invert). */
export function invert (out: Mat4, a: Mat4): Mat4 | null {
  const [a00, a01, a02, a03, a10, a11, a12, a13, a20, a21, a22, a23, a30, a31, a32, a33] = a as [number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number]
  const b00 = a00 * a11 - a01 * a10
  const b01 = a00 * a12 - a02 * a10
  const b02 = a00 * a13 - a03 * a10
  const b03 = a01 * a12 - a02 * a11
  const b04 = a01 * a13 - a03 * a11
  const b05 = a02 * a13 - a03 * a12
  const b06 = a20 * a31 - a21 * a30
  const b07 = a20 * a32 - a22 * a30
  const b08 = a20 * a33 - a23 * a30
  const b09 = a21 * a32 - a22 * a31
  const b10 = a21 * a33 - a23 * a31
  const b11 = a22 * a33 - a23 * a32
  let det = b00 * b11 - b01 * b10 + b02 * b09 + b03 * b08 - b04 * b07 + b05 * b06
  if (!det) return null
  det = 1.0 / det
  out[0] = (a11 * b11 - a12 * b10 + a13 * b09) * det
  out[1] = (a02 * b10 - a01 * b11 - a03 * b09) * det
  out[2] = (a31 * b05 - a32 * b04 + a33 * b03) * det
  out[3] = (a22 * b04 - a21 * b05 - a23 * b03) * det
  out[4] = (a12 * b08 - a10 * b11 - a13 * b07) * det
  out[5] = (a00 * b11 - a02 * b08 + a03 * b07) * det
  out[6] = (a32 * b02 - a30 * b05 - a33 * b01) * det
  out[7] = (a20 * b05 - a22 * b02 + a23 * b01) * det
  out[8] = (a10 * b10 - a11 * b08 + a13 * b06) * det
  out[9] = (a01 * b08 - a00 * b10 - a03 * b06) * det
  out[10] = (a30 * b04 - a31 * b02 + a33 * b00) * det
  out[11] = (a21 * b02 - a20 * b04 - a23 * b00) * det
  out[12] = (a11 * b07 - a10 * b09 - a12 * b06) * det
  out[13] = (a00 * b09 - a01 * b07 + a02 * b06) * det
  out[14] = (a31 * b01 - a30 * b03 - a32 * b00) * det
  out[15] = (a20 * b03 - a21 * b01 + a22 * b00) * det
  return out
}

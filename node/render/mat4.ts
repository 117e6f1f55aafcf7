/**
 * Minimal column-major 4×4 matrix arithmetic in float64 (glTF's layout:
 * element (row r, column c) is at index c·4 + r). Every operation is a fixed
 * sequence of +, −, ×, ÷ so results are bit-identical everywhere.
 */

/** A column-major 4×4 matrix. */
export type Mat4 = Float64Array

/** The identity matrix. */
export function identity (): Mat4 {
  const m = new Float64Array(16)
  m[0] = 1; m[5] = 1; m[10] = 1; m[15] = 1
  return m
}

/** a × b (apply b first, then a). */
export function multiply (a: Mat4, b: Mat4): Mat4 {
  const out = new Float64Array(16)
  for (let c = 0; c < 4; c++) {
    const b0 = b[c * 4]!; const b1 = b[c * 4 + 1]!; const b2 = b[c * 4 + 2]!; const b3 = b[c * 4 + 3]!
    for (let r = 0; r < 4; r++) {
      out[c * 4 + r] = a[r]! * b0 + a[4 + r]! * b1 + a[8 + r]! * b2 + a[12 + r]! * b3
    }
  }
  return out
}

/** Matrix from translation, rotation quaternion (x, y, z, w) and scale, as glTF defines T·R·S. */
export function fromTRS (t: ArrayLike<number>, q: ArrayLike<number>, s: ArrayLike<number>): Mat4 {
  const x = q[0]!; const y = q[1]!; const z = q[2]!; const w = q[3]!
  const x2 = x + x; const y2 = y + y; const z2 = z + z
  const xx = x * x2; const xy = x * y2; const xz = x * z2
  const yy = y * y2; const yz = y * z2; const zz = z * z2
  const wx = w * x2; const wy = w * y2; const wz = w * z2
  const sx = s[0]!; const sy = s[1]!; const sz = s[2]!
  const m = new Float64Array(16)
  m[0] = (1 - (yy + zz)) * sx; m[1] = (xy + wz) * sx; m[2] = (xz - wy) * sx
  m[4] = (xy - wz) * sy; m[5] = (1 - (xx + zz)) * sy; m[6] = (yz + wx) * sy
  m[8] = (xz + wy) * sz; m[9] = (yz - wx) * sz; m[10] = (1 - (xx + yy)) * sz
  m[12] = t[0]!; m[13] = t[1]!; m[14] = t[2]!; m[15] = 1
  return m
}

/** Determinant of the upper-left 3×3 block (its sign tells whether the transform mirrors). */
export function det3 (m: Mat4): number {
  return m[0]! * (m[5]! * m[10]! - m[9]! * m[6]!) -
    m[4]! * (m[1]! * m[10]! - m[9]! * m[2]!) +
    m[8]! * (m[1]! * m[6]! - m[5]! * m[2]!)
}

/**
 * The normal matrix: inverse transpose of the upper-left 3×3 block, returned
 * row-major as 9 numbers, scaled by the determinant's magnitude being
 * irrelevant (normals are renormalized after interpolation). Uses the adjugate,
 * so a singular matrix gives zeros rather than infinities.
 */
export function normalMatrix (m: Mat4): Float64Array {
  const a = m[0]!; const b = m[4]!; const c = m[8]!
  const d = m[1]!; const e = m[5]!; const f = m[9]!
  const g = m[2]!; const h = m[6]!; const i = m[10]!
  // cofactor matrix of [[a b c][d e f][g h i]] = inverse transpose × det
  const n = new Float64Array(9)
  n[0] = e * i - f * h; n[1] = -(d * i - f * g); n[2] = d * h - e * g
  n[3] = -(b * i - c * h); n[4] = a * i - c * g; n[5] = -(a * h - b * g)
  n[6] = b * f - c * e; n[7] = -(a * f - c * d); n[8] = a * e - b * d
  const det = a * n[0]! + b * n[1]! + c * n[2]!
  if (det < 0) for (let k = 0; k < 9; k++) n[k] = -n[k]!
  return n
}

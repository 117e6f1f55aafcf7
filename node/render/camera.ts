/**
 * Perspective pinhole camera. The field of view is given by its focal length
 * `focal` = cot(fovY / 2) (a plain number, so no tangent is ever evaluated);
 * the view basis is built from cross products and square roots only.
 */
import { ERR_RENDER_OPTIONS, renderError } from './errors.ts'

/** A camera looking from `eye` at `target`. */
export interface Camera {
  eye: [number, number, number]
  target: [number, number, number]
  /** Approximate up direction; replaced by another axis when parallel to the view direction. */
  up: [number, number, number]
  /** cot(fovY / 2); 2 gives a vertical field of view of about 53°. */
  focal: number
  /** Distance of the near clipping plane (> 0). Geometry closer than this is clipped away. */
  near: number
}

/** Default focal length: cot(fovY/2) = 2, a vertical field of view of 2·atan(1/2) ≈ 53.1°, close to common viewer defaults (45°–60°). */
export const DEFAULT_FOCAL = 2

/** Camera-space basis: rows of the view rotation and the eye. */
export interface ViewBasis {
  right: [number, number, number]
  up: [number, number, number]
  /** Unit vector from the target towards the eye (camera looks along −back). */
  back: [number, number, number]
  eye: [number, number, number]
}

function norm3 (v: [number, number, number]): [number, number, number] | null {
  const l = Math.sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2])
  if (!(l > 0) || !Number.isFinite(l)) return null
  return [v[0] / l, v[1] / l, v[2] / l]
}

function cross (a: [number, number, number], b: [number, number, number]): [number, number, number] {
  return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]]
}

/** Builds the orthonormal view basis; throws `ERR_RENDER_OPTIONS` for a degenerate camera. */
export function viewBasis (cam: Camera): ViewBasis {
  const values = [...cam.eye, ...cam.target, ...cam.up, cam.focal, cam.near]
  if (!values.every(Number.isFinite) || !(cam.focal > 0) || !(cam.near > 0)) {
    throw renderError(ERR_RENDER_OPTIONS, 'camera values must be finite, with focal > 0 and near > 0')
  }
  const back = norm3([cam.eye[0] - cam.target[0], cam.eye[1] - cam.target[1], cam.eye[2] - cam.target[2]])
  if (back === null) throw renderError(ERR_RENDER_OPTIONS, 'camera eye and target coincide')
  let right = norm3(cross(cam.up, back))
  if (right === null) right = norm3(cross([0, 0, 1], back)) ?? norm3(cross([1, 0, 0], back))!
  const up = cross(back, right)
  return { right, up, back, eye: [cam.eye[0], cam.eye[1], cam.eye[2]] }
}

/** World → camera matrix (column-major), camera looking along −z with y up. */
export function viewMatrix (b: ViewBasis): Float64Array {
  const m = new Float64Array(16)
  m[0] = b.right[0]; m[4] = b.right[1]; m[8] = b.right[2]
  m[1] = b.up[0]; m[5] = b.up[1]; m[9] = b.up[2]
  m[2] = b.back[0]; m[6] = b.back[1]; m[10] = b.back[2]
  m[12] = -(b.right[0] * b.eye[0] + b.right[1] * b.eye[1] + b.right[2] * b.eye[2])
  m[13] = -(b.up[0] * b.eye[0] + b.up[1] * b.eye[1] + b.up[2] * b.eye[2])
  m[14] = -(b.back[0] * b.eye[0] + b.back[1] * b.eye[1] + b.back[2] * b.eye[2])
  m[15] = 1
  return m
}

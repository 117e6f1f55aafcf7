/**
 * Seeded camera views around a scene's bounding sphere. Both sides of a
 * comparison use the views drawn for the ORIGINAL scene, so the candidate is
 * seen from exactly the same cameras.
 *
 * Construction (deterministic, square roots only):
 * - PRNG: protocol/sampling's SeededPrng over deriveSeed('trust-engine/scene-views/v1', seed).
 * - Direction: a point drawn uniformly in the cube [−1, 1]³, redrawn until it
 *   lies inside the unit ball (and not within 10⁻³ of the centre), then
 *   normalized — a uniform direction on the sphere.
 * - Distance: radius · √(1 + focal²) · margin, so the whole bounding sphere
 *   fits in the vertical and horizontal field of view (square images) with
 *   `margin` to spare; the camera looks at the sphere's centre with world +y
 *   as up (another axis when looking straight up or down).
 * - Near plane: distance · nearFraction; geometry closer to the camera is
 *   clipped (only a candidate that grows far beyond the original can reach it).
 * - Framing: when the scene's vertices are given, each camera then keeps its
 *   direction and moves so the vertices fill the image (framing.ts); without
 *   them it circles the bounding sphere as above.
 * - Time: for an animated scene, uniform in [0, duration − temporalStep]; the
 *   temporal sample of a view compares it with time + temporalStep. A static
 *   scene uses time 0 for every view.
 */
import { deriveSeed, SeededPrng } from '../../protocol/sampling/prng.ts'
import type { BoundingSphere } from './bounds.ts'
import { frameOnExtent } from './framing.ts'
import { type Camera, DEFAULT_FOCAL } from './camera.ts'
import { ERR_RENDER_OPTIONS, renderError } from './errors.ts'

/** Options of {@link drawViews}. */
export interface ViewOptions {
  /** Focal length cot(fovY/2) of every view. */
  focal: number
  /** Extra distance factor beyond the fitting distance. */
  margin: number
  /** Near plane as a fraction of the camera distance. */
  nearFraction: number
  /** Time between the two renders of a temporal sample, seconds. */
  temporalStep: number
}

/** Defaults of {@link drawViews}. */
export const DEFAULT_VIEW_OPTIONS: ViewOptions = {
  /** cot(fovY/2) = 2: about 53° vertical field of view, as camera.ts's DEFAULT_FOCAL. */
  focal: DEFAULT_FOCAL,
  /** 1.1: a 10% border around the bounding sphere, so silhouettes never touch the image edge. */
  margin: 1.1,
  /** 1%: well inside the gap between camera and bounding sphere (the sphere starts at ≈ 55% of the distance). */
  nearFraction: 0.01,
  /** 1/30 s: one frame at 30 fps, the usual playback rate (and gltfpack's default animation resampling rate). */
  temporalStep: 1 / 30
}

/** One view: a camera and the animation time it sees. */
export interface SceneView {
  camera: Camera
  /** Animation time of the view, seconds. */
  time: number
}

/**
 * Draws `count` views of a scene with the given bounding sphere and animation
 * duration (0 = static), framed on `points` (the scene's world-space vertex
 * positions, bounds.ts's `worldPositions`) when given.
 */
export function drawViews (seed: string, count: number, sphere: BoundingSphere, duration: number, options: ViewOptions = DEFAULT_VIEW_OPTIONS, points?: readonly Float64Array[]): SceneView[] {
  if (!Number.isSafeInteger(count) || count < 1 || count > 10_000) throw renderError(ERR_RENDER_OPTIONS, 'view count must be an integer in [1, 10000]')
  if (!(options.focal > 0) || !(options.margin >= 1) || !(options.nearFraction > 0 && options.nearFraction < 1) || !(options.temporalStep > 0)) {
    throw renderError(ERR_RENDER_OPTIONS, 'invalid view options')
  }
  const prng = new SeededPrng(deriveSeed('trust-engine/scene-views/v1', seed))
  const distance = sphere.radius * Math.sqrt(1 + options.focal * options.focal) * options.margin
  const span = duration - options.temporalStep
  const views: SceneView[] = []
  for (let i = 0; i < count; i++) {
    let x = 0; let y = 0; let z = 0; let r2 = 0
    do {
      x = 2 * prng.nextFloat() - 1
      y = 2 * prng.nextFloat() - 1
      z = 2 * prng.nextFloat() - 1
      r2 = x * x + y * y + z * z
    } while (!(r2 <= 1 && r2 > 1e-6))
    const r = Math.sqrt(r2)
    const c = sphere.center
    const eye: [number, number, number] = [c[0] + distance * x / r, c[1] + distance * y / r, c[2] + distance * z / r]
    const time = duration > 0 ? (span > 0 ? prng.nextFloat() * span : 0) : 0
    const view: SceneView = { camera: { eye, target: [c[0], c[1], c[2]], up: [0, 1, 0], focal: options.focal, near: distance * options.nearFraction }, time }
    views.push(points === undefined ? view : frameOnExtent(view, points, sphere, options))
  }
  return views
}

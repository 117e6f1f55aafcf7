/**
 * Framing a view on the scene's projected extent, not only its bounding
 * sphere.
 *
 * A camera around the bounding sphere sees a long, thin scene as a sliver:
 * from most directions it fills 5–8% of the image, and a missing object or a
 * damaged face covers a handful of pixels. Framing keeps each view's
 * direction (drawn as before, views.ts) and moves the camera so the scene's
 * vertices fill the image:
 *
 * 1. In the view's basis (right, up, back from camera.ts's `viewBasis`, with
 *    the sphere's centre c as origin) every finite vertex p has coordinates
 *    x = (p − c)·right, y = (p − c)·up, z = (p − c)·back.
 * 2. The target moves to the middle of the x and y extents:
 *    t = c + tx·right + ty·up, tx = (xmin + xmax)/2, ty = (ymin + ymax)/2.
 * 3. The distance D along `back` is the smallest that keeps every vertex
 *    inside the image with the margin: a vertex at depth D − z projects to
 *    focal·(x − tx)/(D − z), so D = max over vertices of
 *    z + focal·margin·max(|x − tx|, |y − ty|).
 * 4. The nearest vertex must stay beyond the near plane: D is at least
 *    (zmax + 0.02·radius)/(1 − nearFraction), and the near plane is
 *    D·nearFraction as before. When D would exceed the sphere's fitting
 *    distance (only for odd vertex sets), the sphere view is kept.
 *
 * Every step is a dot product, a comparison or one division in a fixed
 * vertex order, so every process frames the same views to the last bit.
 * Candidates are rendered from the ORIGINAL's framed views, so a candidate
 * that grows beyond the original is cut at the image border (and measures
 * badly, as it should).
 */
import type { BoundingSphere } from './bounds.ts'
import { viewBasis } from './camera.ts'
import type { SceneView, ViewOptions } from './views.ts'

/** Reframes `view` (drawn around `sphere`) on the vertices `points` (x, y, z triples); returns a new view. */
export function frameOnExtent (view: SceneView, points: readonly Float64Array[], sphere: BoundingSphere, options: ViewOptions): SceneView {
  const b = viewBasis(view.camera)
  const c = sphere.center
  let xmin = Infinity; let xmax = -Infinity; let ymin = Infinity; let ymax = -Infinity; let zmax = -Infinity
  forEachProjected(points, c, b, (x, y, z) => {
    if (x < xmin) xmin = x
    if (x > xmax) xmax = x
    if (y < ymin) ymin = y
    if (y > ymax) ymax = y
    if (z > zmax) zmax = z
  })
  if (!(xmin <= xmax)) return view
  const tx = (xmin + xmax) / 2
  const ty = (ymin + ymax) / 2
  const fm = options.focal * options.margin
  let distance = (zmax + 0.02 * sphere.radius) / (1 - options.nearFraction)
  forEachProjected(points, c, b, (x, y, z) => {
    const ax = x - tx < 0 ? tx - x : x - tx
    const ay = y - ty < 0 ? ty - y : y - ty
    const need = z + fm * (ax > ay ? ax : ay)
    if (need > distance) distance = need
  })
  const sphereDistance = sphere.radius * Math.sqrt(1 + options.focal * options.focal) * options.margin
  // never past the sphere's distance: there the sphere framing is the safe one
  if (distance > sphereDistance) return view
  const target: [number, number, number] = [
    c[0] + tx * b.right[0] + ty * b.up[0],
    c[1] + tx * b.right[1] + ty * b.up[1],
    c[2] + tx * b.right[2] + ty * b.up[2]
  ]
  const eye: [number, number, number] = [target[0] + distance * b.back[0], target[1] + distance * b.back[1], target[2] + distance * b.back[2]]
  // the basis is kept: up is the view's up vector, so the reframed camera has exactly the same orientation
  return { camera: { eye, target, up: [b.up[0], b.up[1], b.up[2]], focal: view.camera.focal, near: distance * options.nearFraction }, time: view.time }
}

/** Calls `visit` with each finite vertex of `points` in camera coordinates (right, up, back) about `c`, in order. */
function forEachProjected (points: readonly Float64Array[], c: readonly number[], b: ReturnType<typeof viewBasis>, visit: (x: number, y: number, z: number) => void): void {
  for (const p of points) {
    for (let i = 0; i < p.length; i += 3) {
      const dx = p[i]! - c[0]!; const dy = p[i + 1]! - c[1]!; const dz = p[i + 2]! - c[2]!
      const x = dx * b.right[0] + dy * b.right[1] + dz * b.right[2]
      const y = dx * b.up[0] + dy * b.up[1] + dz * b.up[2]
      const z = dx * b.back[0] + dy * b.back[1] + dz * b.back[2]
      if (!Number.isFinite(x) || !Number.isFinite(y) || !Number.isFinite(z)) continue
      visit(x, y, z)
    }
  }
}

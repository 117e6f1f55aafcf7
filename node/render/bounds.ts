/**
 * World-space bounds of a posed scene: the axis-aligned box of every finite
 * vertex position drawn, and the sphere around the box centre through the
 * farthest vertex. Non-finite positions are skipped (their triangles are not
 * drawn either).
 */
import { ERR_RENDER_BAD_BOUNDS, ERR_RENDER_EMPTY_SCENE, renderError } from './errors.ts'
import { identity } from './mat4.ts'
import { poseScene } from './pose.ts'
import type { PreparedScene } from './scene-reader.ts'
import { transformVertices } from './vertex-stage.ts'

/** A bounding sphere. */
export interface BoundingSphere {
  center: [number, number, number]
  radius: number
}

/** World-space vertex positions (x, y, z triples) of every drawn primitive of the scene posed at `time`, and its triangle count. */
export function worldPositions (scene: PreparedScene, time = 0): { positions: Float64Array[], triangles: number } {
  const id = identity()
  const positions: Float64Array[] = []
  let triangles = 0
  for (const item of poseScene(scene, time)) {
    triangles += item.primitive.indices.length / 3
    positions.push(transformVertices(item, id).positions)
  }
  return { positions, triangles }
}

/** Bounding sphere of the scene posed at `time`; throws for an empty scene or unusable bounds. */
export function sceneBounds (scene: PreparedScene, time = 0): BoundingSphere {
  return boundsOf(worldPositions(scene, time))
}

/** Bounding sphere of {@link worldPositions}' result; throws for an empty scene or unusable bounds. */
export function boundsOf ({ positions: world, triangles }: { positions: Float64Array[], triangles: number }): BoundingSphere {
  const min = [Infinity, Infinity, Infinity]; const max = [-Infinity, -Infinity, -Infinity]
  for (const p of world) {
    for (let i = 0; i < p.length; i += 3) {
      const x = p[i]!; const y = p[i + 1]!; const z = p[i + 2]!
      if (!Number.isFinite(x) || !Number.isFinite(y) || !Number.isFinite(z)) continue
      if (x < min[0]!) min[0] = x
      if (y < min[1]!) min[1] = y
      if (z < min[2]!) min[2] = z
      if (x > max[0]!) max[0] = x
      if (y > max[1]!) max[1] = y
      if (z > max[2]!) max[2] = z
    }
  }
  if (triangles === 0) throw renderError(ERR_RENDER_EMPTY_SCENE, 'the scene has no triangles to render')
  if (!(min[0]! <= max[0]!)) throw renderError(ERR_RENDER_BAD_BOUNDS, 'the scene has no finite vertex position')
  const center: [number, number, number] = [(min[0]! + max[0]!) / 2, (min[1]! + max[1]!) / 2, (min[2]! + max[2]!) / 2]
  let r2 = 0
  for (const p of world) {
    for (let i = 0; i < p.length; i += 3) {
      const dx = p[i]! - center[0]; const dy = p[i + 1]! - center[1]; const dz = p[i + 2]! - center[2]
      const d = dx * dx + dy * dy + dz * dz
      if (d > r2) r2 = d
    }
  }
  const radius = Math.sqrt(r2)
  if (!Number.isFinite(radius) || !center.every(Number.isFinite)) throw renderError(ERR_RENDER_BAD_BOUNDS, 'the scene bounds overflow')
  // a single point or a flat line still gets a non-zero sphere so a camera can be placed
  return { center, radius: radius > 0 ? radius : 1 }
}

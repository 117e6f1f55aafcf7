/**
 * Renders a prepared scene from a camera: poses it at the requested time,
 * draws opaque and masked primitives in traversal order with depth writes,
 * then blended primitives in traversal order over them (depth-tested against
 * the opaque surfaces, without depth writes, "over" compositing in linear
 * light; no sorting — see docs/renderer.md), and encodes the result to RGBA8.
 */
import { type Camera, viewBasis, viewMatrix } from './camera.ts'
import { ERR_RENDER_OPTIONS, renderError } from './errors.ts'
import { Framebuffer, type RgbaPixels } from './framebuffer.ts'
import { poseScene } from './pose.ts'
import { emptyStats, type RasterStats, rasterizePrimitive } from './rasterizer.ts'
import { ALPHA_BLEND, type PreparedScene } from './scene-reader.ts'
import { DEFAULT_LIGHTING_OPTIONS, type LightingOptions, PrimitiveShader } from './shading.ts'
import { transformVertices } from './vertex-stage.ts'

/** Options of one render. */
export interface RenderOptions {
  /** Size of the full image the camera projects onto. */
  width: number
  height: number
  /** Render only this window of the full image (a crop at full resolution); default the whole image. */
  window?: { x: number, y: number, width: number, height: number }
  /** Animation time in seconds (default 0). */
  time?: number
  lighting?: LightingOptions
}

/** Largest side of a render: 16384 px, the largest texture size of current GPUs, far above any verification view. */
export const MAX_RENDER_SIDE = 16384

/** A rendered image and its counters. */
export interface RenderResult {
  image: RgbaPixels
  stats: RasterStats
}

/** Renders `scene` seen by `camera`; bit-identical output for identical inputs on every machine. */
export function renderScene (scene: PreparedScene, camera: Camera, options: RenderOptions): RenderResult {
  const { width, height } = options
  const win = options.window ?? { x: 0, y: 0, width, height }
  const ints = [width, height, win.x, win.y, win.width, win.height]
  if (!ints.every(Number.isSafeInteger) || width < 1 || height < 1 || width > MAX_RENDER_SIDE || height > MAX_RENDER_SIDE ||
    win.width < 1 || win.height < 1 || win.x < 0 || win.y < 0 || win.x + win.width > width || win.y + win.height > height) {
    throw renderError(ERR_RENDER_OPTIONS, 'render size and window must be positive integers, the window inside the image')
  }
  const time = options.time ?? 0
  if (!Number.isFinite(time)) throw renderError(ERR_RENDER_OPTIONS, 'animation time must be finite')
  const lighting = options.lighting ?? DEFAULT_LIGHTING_OPTIONS
  const view = viewMatrix(viewBasis(camera))
  const fb = new Framebuffer(width, height, win)
  const stats = emptyStats()
  const items = poseScene(scene, time)
  const target = { fb, focal: camera.focal, near: camera.near }
  for (const pass of [false, true]) {
    for (const item of items) {
      if ((item.primitive.material.alphaMode === ALPHA_BLEND) !== pass) continue
      const v = transformVertices(item, view)
      const shader = new PrimitiveShader(item.primitive, v.normals, lighting)
      rasterizePrimitive(target, item.primitive.indices, v.positions, item.primitive.vertexCount, v.mirrored, shader, stats)
    }
  }
  return { image: fb.toRgba8(), stats }
}

/**
 * Renders a prepared scene from a camera: poses it at the requested time,
 * draws opaque and masked primitives in traversal order with depth writes,
 * then blended (BLEND or transmissive) primitives in traversal order over
 * them (depth-tested against the opaque surfaces, without depth writes,
 * composited in linear light; no sorting — see docs/renderer.md), at
 * `supersample` × `supersample` samples per pixel; then tone-maps each
 * sample (Khronos PBR Neutral), averages the samples of a pixel and encodes
 * the result to RGBA8 sRGB.
 */
import { type Camera, viewBasis, viewMatrix } from './camera.ts'
import { ERR_RENDER_BUDGET, ERR_RENDER_OPTIONS, renderError } from './errors.ts'
import { type DeferredItem, resolveDeferred, resolveToRgba8 } from './deferred.ts'
import { Framebuffer, MAX_POOLED_SAMPLES, type RgbaPixels } from './framebuffer.ts'
import { type CameraLight, keyLightsToCamera, lightToCamera } from './lights.ts'
import { multiply } from './mat4.ts'
import { poseSceneWithLights } from './pose.ts'
import { emptyStats, type PixelShader, type RasterStats, rasterizePrimitive } from './rasterizer.ts'
import { ALPHA_MASK, type PreparedScene } from './scene-reader.ts'
import { DEFAULT_PBR_LIGHTING, type PbrLightingOptions } from './pbr-lighting.ts'
import { PbrShader } from './shading.ts'
import { WasmPbrShader } from './shading-wasm.ts'
import { KernelMemoryError, pbrKernel } from './pbr-kernel.ts'
import { resolveToRgba8Wasm } from './deferred-wasm.ts'
import { DEFAULT_LIGHTING_OPTIONS, LambertShader, type LightingOptions } from './shading-lambert.ts'
import { transformVertices, VertexPool } from './vertex-stage.ts'

/** Shading models: the glTF metallic-roughness model, or the earlier Lambert model (kept as a baseline). */
export type ShadingModel = 'pbr' | 'lambert'

/** Options of one render. */
export interface RenderOptions {
  /** Size of the full image the camera projects onto. */
  width: number
  height: number
  /** Render only this window of the full image (a crop at full resolution); default the whole image. */
  window?: { x: number, y: number, width: number, height: number }
  /** Animation time in seconds (default 0). */
  time?: number
  /** Shading model (default 'pbr'). */
  shading?: ShadingModel
  /** Samples per pixel along each axis (1–4; default {@link DEFAULT_SUPERSAMPLE}). */
  supersample?: number
  /** Lighting of the 'pbr' model (default {@link DEFAULT_PBR_LIGHTING}). */
  lighting?: PbrLightingOptions
  /** Lighting of the 'lambert' model. */
  lambertLighting?: LightingOptions
  /**
   * Where the 'pbr' model's shade and resolve run: 'wasm' (the default), the
   * WebAssembly kernel (pbr-kernel.ts), or 'js', the JavaScript they were
   * transcribed from, kept as the reference. Both give the same bits.
   */
  kernel?: 'wasm' | 'js'
}

/**
 * Default supersampling: 2 × 2 samples per pixel on a regular grid, averaged
 * after tone mapping (what a GPU's 4× multisampling resolves to on edges,
 * and also anti-aliasing inside surfaces, e.g. sharp highlights).
 */
export const DEFAULT_SUPERSAMPLE = 2

/** Largest side of a render: 16384 px, the largest texture size of current GPUs, far above any verification view. */
export const MAX_RENDER_SIDE = 16384

/**
 * Most samples (window pixels × supersample²) of one render: 4096², the
 * budget's largest view at one sample; each sample holds 64 bytes of buffers,
 * so a render never takes more than about 1 GB (`ERR_RENDER_BUDGET` beyond).
 */
export const MAX_RENDER_SAMPLES = 4096 * 4096

/** A rendered image and its counters. */
export interface RenderResult {
  image: RgbaPixels
  stats: RasterStats
}

/** Camera-space vertices of the render in progress (one render at a time per thread). */
const vertexPool = new VertexPool()

/** Renders `scene` seen by `camera`; bit-identical output for identical inputs on every machine. */
export function renderScene (scene: PreparedScene, camera: Camera, options: RenderOptions): RenderResult {
  if ((options.kernel ?? 'wasm') === 'js') return render(scene, camera, options)
  try {
    return render(scene, camera, options)
  } catch (e) {
    // the WebAssembly kernel's memory (at most 4 GiB) could not hold the render: the JavaScript gives the same bits
    if (e instanceof KernelMemoryError) return render(scene, camera, { ...options, kernel: 'js' })
    throw e
  }
}

function render (scene: PreparedScene, camera: Camera, options: RenderOptions): RenderResult {
  const { width, height } = options
  const win = options.window ?? { x: 0, y: 0, width, height }
  const ss = options.supersample ?? DEFAULT_SUPERSAMPLE
  const ints = [width, height, win.x, win.y, win.width, win.height, ss]
  if (!ints.every(Number.isSafeInteger) || width < 1 || height < 1 || width * ss > MAX_RENDER_SIDE || height * ss > MAX_RENDER_SIDE ||
    win.width < 1 || win.height < 1 || win.x < 0 || win.y < 0 || win.x + win.width > width || win.y + win.height > height || ss < 1 || ss > 4) {
    throw renderError(ERR_RENDER_OPTIONS, 'render size and window must be positive integers, the window inside the image, supersampling 1 to 4')
  }
  if (win.width * win.height * ss * ss > MAX_RENDER_SAMPLES) {
    throw renderError(ERR_RENDER_BUDGET, `a render of ${win.width}×${win.height} at ${ss}×${ss} samples exceeds ${MAX_RENDER_SAMPLES} samples`, { samples: win.width * win.height * ss * ss, maxSamples: MAX_RENDER_SAMPLES })
  }
  const time = options.time ?? 0
  if (!Number.isFinite(time)) throw renderError(ERR_RENDER_OPTIONS, 'animation time must be finite')
  const model = options.shading ?? 'pbr'
  const useWasm = (options.kernel ?? 'wasm') === 'wasm'
  const view = viewMatrix(viewBasis(camera))
  const posed = poseSceneWithLights(scene, time)
  // without blended primitives the PBR resolve encodes the image directly (resolveToRgba8); the colour
  // planes are then filled with the background only when masked primitives are shaded into them
  const blended = posed.items.some((i) => i.primitive.material.blended)
  const masked = posed.items.some((i) => i.primitive.material.alphaMode === ALPHA_MASK)
  // the WebAssembly kernel resolves a PBR render without colour planes in its own memory (which never
  // shrinks, so not for renders larger than the framebuffer pool keeps; those take the JavaScript resolve)
  const fbWindow = { x: win.x * ss, y: win.y * ss, width: win.width * ss, height: win.height * ss }
  const wasmResolve = model === 'pbr' && useWasm && !blended && !masked && fbWindow.width * fbWindow.height <= MAX_POOLED_SAMPLES
  if (model === 'pbr' && useWasm) pbrKernel().beginRender() // before anything of this render is placed in the kernel's memory
  const kernelStorage = wasmResolve ? pbrKernel().framebufferStorage(fbWindow.width * fbWindow.height) : null
  const fb = new Framebuffer(width * ss, height * ss, fbWindow, model === 'pbr', blended || masked, kernelStorage)
  const stats = emptyStats()
  vertexPool.reset() // in case a render before this one threw
  const target = { fb, focal: camera.focal, near: camera.near }
  const pixelScale = camera.focal * height * ss / 2
  const pbr = options.lighting ?? DEFAULT_PBR_LIGHTING
  let lights: CameraLight[] = []
  if (model === 'pbr') {
    if (pbr.sceneLights && posed.lights.length > 0) {
      for (const l of posed.lights) { const c = lightToCamera(l.light, multiply(view, l.world)); if (c !== null) lights.push(c) }
    } else lights = keyLightsToCamera(pbr.keyLights)
  }
  const lambert = options.lambertLighting ?? DEFAULT_LIGHTING_OPTIONS
  // opaque and masked first (opaque PBR fragments deferred, then resolved), blended second
  const deferredItems: DeferredItem[] = []
  let image: RgbaPixels | null = null
  for (const pass of [false, true]) {
    if (pass && fb.deferred !== null) {
      if (!blended) { image = kernelStorage !== null ? resolveToRgba8Wasm(fb, kernelStorage, ss, deferredItems) : resolveToRgba8(fb, ss, deferredItems); break }
      resolveDeferred(fb, ss, deferredItems)
    }
    for (const item of posed.items) {
      if (item.primitive.material.blended !== pass) continue
      const v = transformVertices(item, view, vertexPool.take)
      const shader: PixelShader = model === 'pbr'
        ? useWasm ? new WasmPbrShader(item.primitive, v, lights, pbr, pixelScale) : new PbrShader(item.primitive, v, lights, pbr, pixelScale)
        : new LambertShader(item.primitive, v.positions, v.normals, lambert, pixelScale)
      const deferred = pass || fb.deferred === null ? undefined : { buffers: fb.deferred, item: deferredItems.length }
      if (deferred !== undefined) deferredItems.push({ shader, positions: v.positions, indices: item.primitive.indices, mirrored: v.mirrored })
      rasterizePrimitive(deferred === undefined ? target : { ...target, deferred }, item.primitive.indices, v.positions, item.primitive.vertexCount, v.mirrored, shader, stats)
    }
  }
  image ??= fb.toRgba8(ss)
  fb.release()
  vertexPool.reset()
  return { image, stats }
}

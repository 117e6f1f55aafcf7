/**
 * Scene bytes → a scene ready to render: EXT_meshopt_compression unpacked
 * (meshopt-unpack.ts), then the bounded, validated loader shared with the
 * optimizer (node/optimizer/load-scene.ts), then the renderer's preparation
 * (scene-reader.ts).
 */
import { readSceneSafely, resolveSceneLimits, type SceneLimits } from '../scene/load-scene.ts'
import { unpackMeshopt } from './meshopt-unpack.ts'
import { prepareScene, type PreparedScene } from './scene-reader.ts'

/** Options of {@link loadRenderScene}. */
export interface LoadRenderSceneOptions {
  /** Loader limits (merged over the loader's defaults). */
  limits?: Partial<SceneLimits>
  /** Largest texture decoded, width × height. */
  maxTexturePixels: number
  /** Most triangles per render (`ERR_RENDER_BUDGET` beyond); default no limit. */
  maxTriangles?: number
}

/** Loads untrusted .glb/.gltf bytes into a prepared scene; throws `ERR_SCENE_*` or `ERR_RENDER_*` typed errors. */
export async function loadRenderScene (bytes: Uint8Array, options: LoadRenderSceneOptions): Promise<PreparedScene> {
  const limits = resolveSceneLimits(options.limits)
  const plain = await unpackMeshopt(bytes, limits)
  const doc = await readSceneSafely(plain, limits)
  return prepareScene(doc, { maxTexturePixels: options.maxTexturePixels, ...(options.maxTriangles === undefined ? {} : { maxTriangles: options.maxTriangles }) })
}

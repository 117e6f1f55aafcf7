/**
 * The bounded, validated scene loader: `readSceneSafely(bytes, limits)` turns
 * untrusted glTF 2.0 bytes (.glb or self-contained .gltf) into a
 * glTF-Transform `Document`, or throws a `TrustEngineError` with a stable code.
 *
 * Three steps, as for every untrusted input of the node: size check, parse,
 * schema; then byte ranges, image headers and references are checked by
 * `preflightScene` before glTF-Transform allocates anything. External URIs are
 * never fetched. Meshopt- and Draco-compressed files are decoded first
 * (decompress-scene.ts) into plain GLB bytes that go through the same checks. The optimizer and the renderer both load scenes through here.
 */
import { Document, Logger, NodeIO, type JSONDocument } from '@gltf-transform/core'
import { ALL_EXTENSIONS } from '@gltf-transform/extensions'
import { TrustEngineError } from '../../protocol/errors.ts'
import { ERR_OPTIMIZER_OPTIONS_INVALID, ERR_SCENE_INVALID, fail } from './errors.ts'
import { decompressScene } from './decompress-scene.ts'
import { preflightScene, type PreflightedScene } from './preflight-scene.ts'
import { DEFAULT_SCENE_LIMITS, SUPPORTED_EXTENSIONS, type SceneLimits } from './scene-limits.ts'

export { DEFAULT_SCENE_LIMITS, SUPPORTED_EXTENSIONS, type SceneLimits } from './scene-limits.ts'
export type { ImageHeader } from './scene-image.ts'
export type { PreflightedScene } from './preflight-scene.ts'
export {
  ERR_SCENE_EXTERNAL_URI, ERR_SCENE_GLB_MALFORMED, ERR_SCENE_GRAPH_INVALID, ERR_SCENE_IMAGE_INVALID, ERR_SCENE_IMAGE_UNSUPPORTED,
  ERR_SCENE_INVALID, ERR_SCENE_JSON_INVALID, ERR_SCENE_MEMORY_LIMIT, ERR_SCENE_NOT_GLTF,
  ERR_SCENE_OUT_OF_RANGE, ERR_SCENE_TOO_LARGE, ERR_SCENE_UNSUPPORTED_EXTENSION, ERR_SCENE_DRACO_INVALID, ERR_SCENE_MESHOPT_INVALID
} from './errors.ts'
export { decompressScene, DECODED_EXTENSIONS } from './decompress-scene.ts'

/** The glTF-Transform extensions registered for reading and writing: exactly the supported set. */
const EXTENSIONS = ALL_EXTENSIONS.filter((e) => SUPPORTED_EXTENSIONS.includes(e.EXTENSION_NAME))

/**
 * A `NodeIO` with the supported extensions registered and logging silenced.
 * Use it only on documents (writing) or on bytes that passed `preflightScene`.
 */
export function createSceneIO (): NodeIO {
  return new NodeIO().setLogger(new Logger(Logger.Verbosity.SILENT)).registerExtensions(EXTENSIONS).setAllowNetwork(false)
}

/** A loaded scene together with what the pre-flight learned about it. */
export interface LoadedScene {
  document: Document
  format: PreflightedScene['format']
  /** Header (format, width, height) of each image, in the file's `images` order. */
  images: PreflightedScene['images']
}

/** Merges caller limits over the defaults, refusing non-positive or non-integer values. */
export function resolveSceneLimits (limits: Partial<SceneLimits> = {}): SceneLimits {
  const merged = { ...DEFAULT_SCENE_LIMITS, ...limits }
  for (const [key, value] of Object.entries(merged)) {
    if (!Number.isSafeInteger(value) || value <= 0) fail(ERR_OPTIMIZER_OPTIONS_INVALID, `scene limit ${key} must be a positive integer`)
  }
  return merged
}

/** Like {@link readSceneSafely}, also returning the format and image headers found by the pre-flight. */
export async function loadSceneSafely (bytes: Uint8Array, limits: Partial<SceneLimits> = {}): Promise<LoadedScene> {
  const resolved = resolveSceneLimits(limits)
  const pre = preflightScene(await decompressScene(bytes, resolved), resolved)
  const jsonDoc = { json: pre.json, resources: pre.resources } as unknown as JSONDocument
  let document: Document
  try {
    document = await createSceneIO().readJSON(jsonDoc)
  } catch (err) {
    if (err instanceof TrustEngineError) throw err
    return fail(ERR_SCENE_INVALID, `scene rejected by the glTF reader: ${err instanceof Error ? err.message : String(err)}`, undefined, err)
  }
  return { document, format: pre.format, images: pre.images }
}

/**
 * Reads untrusted glTF 2.0 bytes (GLB or JSON with only `data:` URIs) into a
 * glTF-Transform `Document`, after checking them against `limits` (merged over
 * {@link DEFAULT_SCENE_LIMITS}). Throws a `TrustEngineError` with one of the
 * `ERR_SCENE_*` codes for anything malformed, oversized or external.
 *
 * @example
 * const doc = await readSceneSafely(await readFile('scene.glb'))
 */
export async function readSceneSafely (bytes: Uint8Array, limits: Partial<SceneLimits> = {}): Promise<Document> {
  return (await loadSceneSafely(bytes, limits)).document
}

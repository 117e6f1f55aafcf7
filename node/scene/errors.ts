/**
 * Stable error codes of scene loading (`node/scene/`): the bounded glTF/GLB
 * loader, its image headers and decompression. Codes are part of the public
 * interface (the optimizer, the renderer, the CLI and the HTTP API answer
 * them), so a code is never renamed or reused.
 */
import { TrustEngineError, declareCode } from '../../protocol/errors.ts'

/** The bytes are neither a GLB container nor glTF 2.0 JSON. */
export const ERR_SCENE_NOT_GLTF = declareCode('ERR_SCENE_NOT_GLTF', { status: 400 })
/** The GLB container is malformed: bad header, truncated or misaligned chunk, length mismatch. */
export const ERR_SCENE_GLB_MALFORMED = declareCode('ERR_SCENE_GLB_MALFORMED', { status: 400 })
/** The glTF JSON does not parse or does not match the schema of the subset we rely on. */
export const ERR_SCENE_JSON_INVALID = declareCode('ERR_SCENE_JSON_INVALID', { status: 400 })
/** The file, its JSON or BIN chunk, or one of its arrays is larger than the loader's limits. */
export const ERR_SCENE_TOO_LARGE = declareCode('ERR_SCENE_TOO_LARGE', { status: 413 })
/** A buffer view, accessor or image points outside the bytes it refers to, or an index is out of range. */
export const ERR_SCENE_OUT_OF_RANGE = declareCode('ERR_SCENE_OUT_OF_RANGE', { status: 400 })
/** A vertex attribute holds NaN or an infinity (invalid glTF), or positions spanning more than a float32 holds: the optimizer refuses them. */
export const ERR_SCENE_VERTEX_VALUES = declareCode('ERR_SCENE_VERTEX_VALUES', { status: 400 })
/** Decoding the scene would allocate more than the limits allow (accessor elements, image pixels). */
export const ERR_SCENE_MEMORY_LIMIT = declareCode('ERR_SCENE_MEMORY_LIMIT', { status: 400 })
/** The node hierarchy is not a forest: a cycle, a node with two parents, or too deep. */
export const ERR_SCENE_GRAPH_INVALID = declareCode('ERR_SCENE_GRAPH_INVALID', { status: 400 })
/** An image is not a readable PNG or JPEG. */
export const ERR_SCENE_IMAGE_INVALID = declareCode('ERR_SCENE_IMAGE_INVALID', { status: 400 })
/** An image is in a format recognised by its signature (WebP, KTX2, AVIF, GIF, BMP) that the loader does not decode. */
export const ERR_SCENE_IMAGE_UNSUPPORTED = declareCode('ERR_SCENE_IMAGE_UNSUPPORTED', { status: 400 })
/** A buffer or image refers to an external URI; scenes must be self-contained and nothing is fetched. */
export const ERR_SCENE_EXTERNAL_URI = declareCode('ERR_SCENE_EXTERNAL_URI', { status: 400 })
/** `extensionsRequired` names an extension this loader does not support. */
export const ERR_SCENE_UNSUPPORTED_EXTENSION = declareCode('ERR_SCENE_UNSUPPORTED_EXTENSION', { status: 400 })
/** A KHR_draco_mesh_compression stream is corrupt, or does not match the accessors that describe it. */
export const ERR_SCENE_DRACO_INVALID = declareCode('ERR_SCENE_DRACO_INVALID', { status: 400 })
/** An EXT_meshopt_compression view is malformed or its stream is refused by the decoder. */
export const ERR_SCENE_MESHOPT_INVALID = declareCode('ERR_SCENE_MESHOPT_INVALID', { status: 400 })
/** glTF-Transform refused the scene after the loader's own checks passed. */
export const ERR_SCENE_INVALID = declareCode('ERR_SCENE_INVALID', { status: 400 })
/** Options given to analysis or optimization are invalid. */
export const ERR_OPTIMIZER_OPTIONS_INVALID = declareCode('ERR_OPTIMIZER_OPTIONS_INVALID', { status: 400 })
/** Throws a {@link TrustEngineError} with the given code (shorthand used by scene loading and the optimizer). */
export function fail (code: string, message: string, details?: Record<string, unknown>, cause?: unknown): never {
  throw new TrustEngineError(code, message, { details, cause })
}

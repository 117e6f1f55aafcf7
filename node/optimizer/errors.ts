/**
 * Stable error codes of the optimizer (scene loading, analysis, optimization,
 * economy scheduling). Codes are part of the public interface: tests, the CLI
 * and the HTTP API rely on them, so a code is never renamed or reused.
 */
import { TrustEngineError } from '../../protocol/errors.ts'

/** The bytes are neither a GLB container nor glTF 2.0 JSON. */
export const ERR_SCENE_NOT_GLTF = 'ERR_SCENE_NOT_GLTF'
/** The GLB container is malformed: bad header, truncated or misaligned chunk, length mismatch. */
export const ERR_SCENE_GLB_MALFORMED = 'ERR_SCENE_GLB_MALFORMED'
/** The glTF JSON does not parse or does not match the schema of the subset we rely on. */
export const ERR_SCENE_JSON_INVALID = 'ERR_SCENE_JSON_INVALID'
/** The file, its JSON or BIN chunk, or one of its arrays is larger than the loader's limits. */
export const ERR_SCENE_TOO_LARGE = 'ERR_SCENE_TOO_LARGE'
/** A buffer view, accessor or image points outside the bytes it refers to, or an index is out of range. */
export const ERR_SCENE_OUT_OF_RANGE = 'ERR_SCENE_OUT_OF_RANGE'
/** Decoding the scene would allocate more than the limits allow (accessor elements, image pixels). */
export const ERR_SCENE_MEMORY_LIMIT = 'ERR_SCENE_MEMORY_LIMIT'
/** The node hierarchy is not a forest: a cycle, a node with two parents, or too deep. */
export const ERR_SCENE_GRAPH_INVALID = 'ERR_SCENE_GRAPH_INVALID'
/** An image is not a readable PNG or JPEG. */
export const ERR_SCENE_IMAGE_INVALID = 'ERR_SCENE_IMAGE_INVALID'
/** An image is in a format recognised by its signature (WebP, KTX2, AVIF, GIF, BMP) that the loader does not decode. */
export const ERR_SCENE_IMAGE_UNSUPPORTED = 'ERR_SCENE_IMAGE_UNSUPPORTED'
/** A buffer or image refers to an external URI; scenes must be self-contained and nothing is fetched. */
export const ERR_SCENE_EXTERNAL_URI = 'ERR_SCENE_EXTERNAL_URI'
/** `extensionsRequired` names an extension this loader does not support. */
export const ERR_SCENE_UNSUPPORTED_EXTENSION = 'ERR_SCENE_UNSUPPORTED_EXTENSION'
/** A KHR_draco_mesh_compression stream is corrupt, or does not match the accessors that describe it. */
export const ERR_SCENE_DRACO_INVALID = 'ERR_SCENE_DRACO_INVALID'
/** An EXT_meshopt_compression view is malformed or its stream is refused by the decoder. */
export const ERR_SCENE_MESHOPT_INVALID = 'ERR_SCENE_MESHOPT_INVALID'
/** glTF-Transform refused the scene after the loader's own checks passed. */
export const ERR_SCENE_INVALID = 'ERR_SCENE_INVALID'
/** Options given to analysis or optimization are invalid. */
export const ERR_OPTIMIZER_OPTIONS_INVALID = 'ERR_OPTIMIZER_OPTIONS_INVALID'
/** Scheduling input is invalid (hours, deadline, time zone, calendar, resource). */
export const ERR_SCHEDULE_INVALID = 'ERR_SCHEDULE_INVALID'
/** The job cannot finish before its deadline even if it starts now. */
export const ERR_SCHEDULE_DEADLINE_UNREACHABLE = 'ERR_SCHEDULE_DEADLINE_UNREACHABLE'
/** Every feasible slot before the deadline costs more than the job's budget. */
export const ERR_SCHEDULE_OVER_BUDGET = 'ERR_SCHEDULE_OVER_BUDGET'

/** Throws a {@link TrustEngineError} with the given code (shorthand used by the optimizer). */
export function fail (code: string, message: string, details?: Record<string, unknown>, cause?: unknown): never {
  throw new TrustEngineError(code, message, { details, cause })
}
/** The output file could not be written (nothing is left behind). */
export const ERR_OUTPUT_WRITE_FAILED = 'ERR_OUTPUT_WRITE_FAILED'

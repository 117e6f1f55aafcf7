/**
 * Whether a job can be measured at all, decided from its inputs alone (the
 * blobs' bytes, which their hashes fix), so that every honest node decides
 * it alike and the submitter's node refuses it at its API:
 *
 * - frames: the checks the measurement makes on the PNG headers before any
 *   pixel is decoded (node/measure/measure-frames.ts `checkFrameHeaders`:
 *   frame counts, every frame of one size), and frames at least
 *   `MIN_MEASURABLE_SIZE` on a side (the sampling plan's rule);
 * - scenes: the reference's default scene declares at least one triangle to
 *   draw (a primitive with positions, in a triangle mode, instantiated by a
 *   node reachable from the scene's roots), read from the glTF JSON with the
 *   loader's container checks. The rule only refuses what the renderer
 *   surely cannot draw (`ERR_RENDER_EMPTY_SCENE` there); anything it is
 *   unsure of (a Draco-compressed primitive, a scene index the loader will
 *   refuse anyway) passes, and its measurement decides.
 *
 * A refusal is `ERR_JOB_UNMEASURABLE` with the rule's own code in
 * `details.cause`. Measurement failures that the job's bytes alone cause
 * (decoder, loader and renderer codes, {@link INPUT_FAILURE_CODES}) are
 * deterministic, so {@link asUnmeasurable} gives them the same code: a node
 * closes such a job at once instead of waiting out its deadline.
 */
import { TrustEngineError } from '../../protocol/errors.ts'
import { MIN_MEASURABLE_SIZE } from '../../protocol/sampling/plan.ts'
import { ERR_JOB_UNMEASURABLE } from '../job/errors.ts'
import { ERR_FRAME_COUNT, ERR_IMAGE_TOO_SMALL, ERR_PNG_DECODE, ERR_PNG_SIGNATURE, ERR_PNG_SIZE_MISMATCH, ERR_PNG_TOO_LARGE } from '../measure/errors.ts'
import { checkFrameHeaders } from '../measure/measure-frames.ts'
import {
  ERR_RENDER_BAD_BOUNDS, ERR_RENDER_BUDGET, ERR_RENDER_EMPTY_SCENE, ERR_RENDER_TEXTURE, ERR_RENDER_UNSUPPORTED
} from '../render/errors.ts'
import {
  ERR_SCENE_DRACO_INVALID, ERR_SCENE_EXTERNAL_URI, ERR_SCENE_GLB_MALFORMED, ERR_SCENE_GRAPH_INVALID, ERR_SCENE_IMAGE_INVALID,
  ERR_SCENE_IMAGE_UNSUPPORTED, ERR_SCENE_INVALID, ERR_SCENE_JSON_INVALID, ERR_SCENE_MEMORY_LIMIT, ERR_SCENE_MESHOPT_INVALID,
  ERR_SCENE_NOT_GLTF, ERR_SCENE_OUT_OF_RANGE, ERR_SCENE_TOO_LARGE, ERR_SCENE_UNSUPPORTED_EXTENSION
} from '../scene/errors.ts'
import type { GltfJson } from '../scene/gltf-schema.ts'
import { type SceneJsonReader, readSceneJson } from './work-estimate.ts'

export { ERR_JOB_UNMEASURABLE }

/**
 * Codes of measurement failures caused by a job's bytes alone, the same in
 * every honest node (measurement is deterministic and its limits are the
 * engine's, pinned by `measurement.engine` in the network file). Local
 * failures (a worker lost, the round over, a blob not fetched, anything
 * uncoded such as memory exhaustion) are not among them.
 */
export const INPUT_FAILURE_CODES: ReadonlySet<string> = new Set([
  ERR_FRAME_COUNT, ERR_IMAGE_TOO_SMALL, ERR_PNG_DECODE, ERR_PNG_SIGNATURE, ERR_PNG_SIZE_MISMATCH, ERR_PNG_TOO_LARGE,
  ERR_RENDER_BAD_BOUNDS, ERR_RENDER_BUDGET, ERR_RENDER_EMPTY_SCENE, ERR_RENDER_TEXTURE, ERR_RENDER_UNSUPPORTED,
  ERR_SCENE_DRACO_INVALID, ERR_SCENE_EXTERNAL_URI, ERR_SCENE_GLB_MALFORMED, ERR_SCENE_GRAPH_INVALID, ERR_SCENE_IMAGE_INVALID,
  ERR_SCENE_IMAGE_UNSUPPORTED, ERR_SCENE_INVALID, ERR_SCENE_JSON_INVALID, ERR_SCENE_MEMORY_LIMIT, ERR_SCENE_MESHOPT_INVALID,
  ERR_SCENE_NOT_GLTF, ERR_SCENE_OUT_OF_RANGE, ERR_SCENE_TOO_LARGE, ERR_SCENE_UNSUPPORTED_EXTENSION
])

/** `err` as `ERR_JOB_UNMEASURABLE` (its code in `details.cause`) when its code is one of {@link INPUT_FAILURE_CODES}; `err` itself otherwise. */
export function asUnmeasurable (err: unknown): unknown {
  const code = (err as { code?: unknown } | null)?.code
  if (typeof code !== 'string' || !INPUT_FAILURE_CODES.has(code)) return err
  const message = err instanceof Error ? err.message : code
  return new TrustEngineError(ERR_JOB_UNMEASURABLE, `the job cannot be measured (${code}: ${message})`, { details: { cause: code }, cause: err })
}

/** Throws `ERR_JOB_UNMEASURABLE` when no node can measure a job with these blobs (see the module comment); `readScene` reads a scene's JSON. */
export function checkMeasurable (kind: 'frames' | 'scene', blobs: { reference: readonly Uint8Array[], candidate: readonly Uint8Array[] }, readScene: SceneJsonReader = readSceneJson): void {
  try {
    if (kind === 'frames') {
      const { width, height } = checkFrameHeaders(blobs.reference, blobs.candidate)
      if (width < MIN_MEASURABLE_SIZE || height < MIN_MEASURABLE_SIZE) {
        throw new TrustEngineError(ERR_IMAGE_TOO_SMALL, `frames must be at least ${MIN_MEASURABLE_SIZE}×${MIN_MEASURABLE_SIZE}, these are ${width}×${height}`)
      }
      return
    }
    const reference = blobs.reference[0]
    if (reference !== undefined && !drawsTriangles(readScene(reference))) {
      throw new TrustEngineError(ERR_RENDER_EMPTY_SCENE, 'the reference scene declares no triangle to draw in its default scene')
    }
  } catch (err) {
    throw asUnmeasurable(err)
  }
}

/** Whether the default scene of `gltf` may draw a triangle: false only when it surely draws none (see the module comment). */
function drawsTriangles (gltf: GltfJson): boolean {
  const scenes = gltf.scenes ?? []
  if (gltf.scene !== undefined && scenes[gltf.scene] === undefined) return true // the loader refuses it with its own code
  const scene = scenes[gltf.scene ?? 0]
  if (scene === undefined) return false
  const accessors = gltf.accessors ?? []
  const nodes = gltf.nodes ?? []
  const seen = new Set<number>()
  const stack = [...(scene.nodes ?? [])]
  while (stack.length > 0) {
    const index = stack.pop()!
    const node = nodes[index]
    if (node === undefined || seen.has(index)) continue
    seen.add(index)
    // One at a time: spreading a node's children into push() runs out of stack for some 100k children.
    for (const child of node.children ?? []) stack.push(child)
    const mesh = node.mesh === undefined ? undefined : gltf.meshes?.[node.mesh]
    for (const p of mesh?.primitives ?? []) {
      const position = p.attributes.POSITION
      if (position === undefined) continue
      if ((p as { extensions?: Record<string, unknown> }).extensions?.KHR_draco_mesh_compression !== undefined) return true
      const count = accessors[p.indices ?? position]?.count
      if (count === undefined) return true
      const mode = p.mode ?? 4
      const triangles = mode === 4 ? Math.floor(count / 3) : mode === 5 || mode === 6 ? count - 2 : 0
      if (triangles > 0) return true
    }
  }
  return false
}

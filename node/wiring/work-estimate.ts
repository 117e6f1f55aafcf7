/**
 * What measuring a job would cost, read from headers only, before any pixel
 * is decoded or any triangle rendered, and the network-wide limits it must
 * stay under (`limits` in the network file, so every honest node refuses the
 * same jobs, and the submitter's node refuses them at its API).
 *
 * - Frames: width × height of every frame's PNG header, each distinct frame
 *   of a side counted once when the frames are named (by their hashes: a
 *   frame named twice is decoded and measured once, see
 *   node/measure/measure-frames.ts), each occurrence otherwise.
 * - Every job: the bytes of its distinct blobs (`maxJobBytes`, node/job/job-bytes.ts).
 * - Scenes: triangles and vertices the glTF JSON declares (accessor counts of
 *   each primitive, once per node that instantiates its mesh), the JSON read
 *   with the scene loader's container checks, so a file that is no scene gets
 *   the loader's code (`ERR_SCENE_NOT_GLTF`, `ERR_SCENE_GLB_MALFORMED`, ...).
 */
import { TrustEngineError } from '../../protocol/errors.ts'
import { ERR_JOB_OVER_LIMITS } from '../job/errors.ts'
import { checkJobBytes } from '../job/job-bytes.ts'
import type { NetworkConfig } from '../../protocol/network.ts'
import { readPngHeader } from '../measure/png.ts'
import type { GltfJson } from '../scene/gltf-schema.ts'
import { readContainer } from '../scene/preflight-scene.ts'
import { DEFAULT_SCENE_LIMITS } from '../scene/scene-limits.ts'

export { ERR_JOB_OVER_LIMITS }

/** Declared work of a job. */
export interface WorkEstimate {
  pixels: number
  triangles: number
  vertices: number
  /** Bytes of the job's distinct blobs (each named blob counted once over both sides; each occurrence when unnamed). */
  bytes: number
}

/**
 * Reads the checked glTF JSON of a scene blob (the loader's container checks
 * and codes). {@link readSceneJson} reads it each time; a check that reads
 * the same blob several times passes one that remembers it
 * ({@link sceneJsonReader}).
 */
export type SceneJsonReader = (bytes: Uint8Array) => GltfJson

/** The checked glTF JSON of a scene blob, read with the scene loader's container checks (`ERR_SCENE_NOT_GLTF`, ...). */
export function readSceneJson (bytes: Uint8Array): GltfJson {
  return readContainer(bytes, DEFAULT_SCENE_LIMITS).gltf
}

/**
 * A {@link SceneJsonReader} that reads each blob (by identity) once: a job's
 * checks read its reference for the work estimate and again for
 * measurability, and a network-optimized job counts its reference twice;
 * parsing and checking a large scene's JSON is the costly part of them.
 */
export function sceneJsonReader (): SceneJsonReader {
  const read = new Map<Uint8Array, GltfJson>()
  return (bytes) => {
    let gltf = read.get(bytes)
    if (gltf === undefined) read.set(bytes, gltf = readSceneJson(bytes))
    return gltf
  }
}

/**
 * The declared work of a job's blobs (reference then candidate, in the job's
 * order); `names` (the job's hashes, in the same order) count a frame named
 * several times on one side once. `readScene` reads a scene's JSON.
 */
export function estimateWork (kind: 'frames' | 'scene', blobs: { reference: readonly Uint8Array[], candidate: readonly Uint8Array[] }, names?: { reference: readonly string[], candidate: readonly string[] }, readScene: SceneJsonReader = readSceneJson): WorkEstimate {
  const bytes = blobBytes(blobs, names)
  if (kind === 'frames') {
    let pixels = 0
    for (const side of ['reference', 'candidate'] as const) {
      const seen = new Set<string>()
      for (const [i, bytes] of blobs[side].entries()) {
        const name = names?.[side][i]
        if (name !== undefined && seen.has(name)) continue
        if (name !== undefined) seen.add(name)
        const h = readPngHeader(bytes)
        pixels += h.width * h.height
      }
    }
    return { pixels, triangles: 0, vertices: 0, bytes }
  }
  const all = [...blobs.reference, ...blobs.candidate]
  const out = { pixels: 0, triangles: 0, vertices: 0, bytes }
  for (const bytes of all) {
    const s = sceneWork(readScene(bytes))
    out.triangles += s.triangles
    out.vertices += s.vertices
  }
  return out
}

/** Bytes of a job's blobs, a blob named more than once (on either side) counted once. */
function blobBytes (blobs: { reference: readonly Uint8Array[], candidate: readonly Uint8Array[] }, names?: { reference: readonly string[], candidate: readonly string[] }): number {
  const seen = new Set<string>()
  let total = 0
  for (const side of ['reference', 'candidate'] as const) {
    for (const [i, bytes] of blobs[side].entries()) {
      const name = names?.[side][i]
      if (name !== undefined && seen.has(name)) continue
      if (name !== undefined) seen.add(name)
      total += bytes.byteLength
    }
  }
  return total
}

/** Throws `ERR_JOB_OVER_LIMITS` when `estimate` exceeds the network's limits. */
export function checkWorkLimits (estimate: WorkEstimate, network: Pick<NetworkConfig, 'limits'>): void {
  checkJobBytes(estimate.bytes, network)
  const { maxJobPixels, maxJobTriangles, maxJobVertices } = network.limits
  const over = estimate.pixels > maxJobPixels
    ? `${estimate.pixels} pixels exceed the network's ${maxJobPixels}`
    : estimate.triangles > maxJobTriangles
      ? `${estimate.triangles} triangles exceed the network's ${maxJobTriangles}`
      : estimate.vertices > maxJobVertices ? `${estimate.vertices} vertices exceed the network's ${maxJobVertices}` : null
  if (over !== null) throw new TrustEngineError(ERR_JOB_OVER_LIMITS, `job refused: ${over}`, { details: { ...estimate } })
}

/** Declared triangles and vertices of one glTF scene's checked JSON. */
function sceneWork (gltf: GltfJson): { triangles: number, vertices: number } {
  const accessors = gltf.accessors ?? []
  const countOf = (index: number | undefined): number => index === undefined ? 0 : accessors[index]?.count ?? 0
  const perMesh = (gltf.meshes ?? []).map((mesh) => {
    let triangles = 0
    let vertices = 0
    for (const p of mesh.primitives) {
      const positions = countOf(p.attributes.POSITION)
      const elements = p.indices === undefined ? positions : countOf(p.indices)
      const mode = p.mode ?? 4
      vertices += positions
      triangles += mode === 4 ? Math.floor(elements / 3) : mode === 5 || mode === 6 ? Math.max(0, elements - 2) : 0
    }
    return { triangles, vertices }
  })
  const instances = (gltf.nodes ?? []).flatMap((n) => n.mesh === undefined || perMesh[n.mesh] === undefined ? [] : [perMesh[n.mesh]!])
  const counted = instances.length > 0 ? instances : perMesh
  return counted.reduce((a, m) => ({ triangles: a.triangles + m.triangles, vertices: a.vertices + m.vertices }), { triangles: 0, vertices: 0 })
}

/**
 * What measuring a job would cost, read from headers only, before any pixel
 * is decoded or any triangle rendered, and the network-wide limits it must
 * stay under (`limits` in the network file, so every honest node refuses the
 * same jobs, and the submitter's node refuses them at its API).
 *
 * - Frames: width × height of every frame's PNG header (reference and
 *   candidate), each occurrence counted (a frame named twice is measured twice).
 * - Scenes: triangles and vertices the glTF JSON declares (accessor counts of
 *   each primitive, once per node that instantiates its mesh).
 */
import { TrustEngineError, declareCode } from '../../protocol/errors.ts'
import type { NetworkConfig } from '../../protocol/network.ts'
import { readPngHeader } from '../measure/png.ts'

/** A job whose declared work is over the network's limits (`limits` in the network file). */
export const ERR_JOB_OVER_LIMITS = declareCode('ERR_JOB_OVER_LIMITS', { status: 422 })
/** A scene whose glTF header cannot be read well enough to count its work. */
export const ERR_JOB_HEADERS = declareCode('ERR_JOB_HEADERS', { status: 400 })

/** Largest glTF JSON read to count a scene's work: 16 MiB, far above any real scene's JSON (its bulk is in the binary chunk). */
export const MAX_SCENE_JSON_BYTES = 16 * 1024 * 1024

/** Declared work of a job. */
export interface WorkEstimate {
  pixels: number
  triangles: number
  vertices: number
}

/** The declared work of a job's blobs (reference then candidate, in the job's order). */
export function estimateWork (kind: 'frames' | 'scene', blobs: { reference: readonly Uint8Array[], candidate: readonly Uint8Array[] }): WorkEstimate {
  const all = [...blobs.reference, ...blobs.candidate]
  if (kind === 'frames') {
    let pixels = 0
    for (const bytes of all) {
      const h = readPngHeader(bytes)
      pixels += h.width * h.height
    }
    return { pixels, triangles: 0, vertices: 0 }
  }
  const out = { pixels: 0, triangles: 0, vertices: 0 }
  for (const bytes of all) {
    const s = sceneWork(bytes)
    out.triangles += s.triangles
    out.vertices += s.vertices
  }
  return out
}

/** Throws `ERR_JOB_OVER_LIMITS` when `estimate` exceeds the network's limits. */
export function checkWorkLimits (estimate: WorkEstimate, network: NetworkConfig): void {
  const { maxJobPixels, maxJobTriangles, maxJobVertices } = network.limits
  const over = estimate.pixels > maxJobPixels
    ? `${estimate.pixels} pixels exceed the network's ${maxJobPixels}`
    : estimate.triangles > maxJobTriangles
      ? `${estimate.triangles} triangles exceed the network's ${maxJobTriangles}`
      : estimate.vertices > maxJobVertices ? `${estimate.vertices} vertices exceed the network's ${maxJobVertices}` : null
  if (over !== null) throw new TrustEngineError(ERR_JOB_OVER_LIMITS, `job refused: ${over}`, { details: { ...estimate } })
}

interface GltfHeader {
  accessors?: Array<{ count?: unknown }>
  meshes?: Array<{ primitives?: Array<{ attributes?: { POSITION?: unknown }, indices?: unknown, mode?: unknown }> }>
  nodes?: Array<{ mesh?: unknown }>
}

/** Declared triangles and vertices of one glTF scene (GLB or JSON). */
function sceneWork (bytes: Uint8Array): { triangles: number, vertices: number } {
  const json = parseJson(gltfJson(bytes))
  const accessors = Array.isArray(json.accessors) ? json.accessors : []
  const meshes = Array.isArray(json.meshes) ? json.meshes : []
  const countOf = (index: unknown): number => {
    if (typeof index !== 'number') return 0
    const count = accessors[index]?.count
    return typeof count === 'number' && Number.isFinite(count) && count > 0 ? count : 0
  }
  const perMesh = meshes.map((mesh) => {
    let triangles = 0
    let vertices = 0
    for (const p of Array.isArray(mesh?.primitives) ? mesh.primitives : []) {
      const positions = countOf(p?.attributes?.POSITION)
      const elements = p?.indices === undefined ? positions : countOf(p.indices)
      const mode = typeof p?.mode === 'number' ? p.mode : 4
      vertices += positions
      triangles += mode === 4 ? Math.floor(elements / 3) : mode === 5 || mode === 6 ? Math.max(0, elements - 2) : 0
    }
    return { triangles, vertices }
  })
  const nodes = Array.isArray(json.nodes) ? json.nodes : []
  const instances = nodes.filter((n) => typeof n?.mesh === 'number' && perMesh[n.mesh] !== undefined).map((n) => perMesh[n.mesh as number]!)
  const counted = instances.length > 0 ? instances : perMesh
  return counted.reduce((a, m) => ({ triangles: a.triangles + m.triangles, vertices: a.vertices + m.vertices }), { triangles: 0, vertices: 0 })
}

/** The JSON text of a glTF: the first chunk of a GLB, or the whole file. */
function gltfJson (bytes: Uint8Array): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (bytes.byteLength >= 20 && view.getUint32(0, true) === 0x46546c67) {
    const length = view.getUint32(12, true)
    if (view.getUint32(16, true) !== 0x4e4f534a || length > bytes.byteLength - 20) throw new TrustEngineError(ERR_JOB_HEADERS, 'GLB without a readable JSON chunk')
    if (length > MAX_SCENE_JSON_BYTES) throw new TrustEngineError(ERR_JOB_OVER_LIMITS, `glTF JSON of ${length} bytes exceeds ${MAX_SCENE_JSON_BYTES}`)
    return bytes.subarray(20, 20 + length)
  }
  if (bytes.byteLength > MAX_SCENE_JSON_BYTES) throw new TrustEngineError(ERR_JOB_OVER_LIMITS, `glTF JSON of ${bytes.byteLength} bytes exceeds ${MAX_SCENE_JSON_BYTES}`)
  return bytes
}

function parseJson (text: Uint8Array): GltfHeader {
  try {
    const value: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(text))
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('not an object')
    return value as GltfHeader
  } catch (err) {
    throw new TrustEngineError(ERR_JOB_HEADERS, 'glTF JSON does not parse', { cause: err })
  }
}

/**
 * KHR_draco_mesh_compression decoding with Google's reference decoder built to
 * WebAssembly (`draco3dgltf`, the glTF flavour of draco3d). Integer and
 * float outputs are the decoder's own, so every node gets the same bytes.
 *
 * The WebAssembly module is loaded on first use only (a scene without Draco
 * never pays for it) and discarded after any failure: an Emscripten module that
 * aborted mid-decode is not safe to call again.
 */
import type { Attribute, DecoderModule, Decoder, Mesh } from 'draco3dgltf'
import { isTrustEngineError } from '../../protocol/errors.ts'
import { ERR_SCENE_DRACO_INVALID, fail } from './errors.ts'

/** One decoded Draco mesh: its face and point counts and readers for its indices and attributes. */
export interface DracoMesh {
  numPoints: number
  numFaces: number
  /** Triangle indices, `numFaces * 3` of them. */
  indices: () => Uint32Array
  /** The attribute with Draco unique id `id`, as `numPoints * components` values of the glTF component type. */
  attribute: (id: number, componentType: number, components: number) => Uint8Array
}

let modulePromise: Promise<DecoderModule> | null = null

async function decoderModule (): Promise<DecoderModule> {
  if (modulePromise === null) {
    modulePromise = import('draco3dgltf').then(async (m) => await m.default.createDecoderModule({}))
  }
  return await modulePromise
}

const BYTES: Readonly<Record<number, number>> = { 5120: 1, 5121: 1, 5122: 2, 5123: 2, 5125: 4, 5126: 4 }

/**
 * Decodes one Draco stream and hands the mesh to `use`; the WebAssembly
 * objects are freed afterwards. Throws `ERR_SCENE_DRACO_INVALID` when the
 * stream is not a triangle mesh the decoder accepts, when `maxPoints` or
 * `maxFaces` is exceeded, or when an attribute cannot be read as asked.
 */
export async function withDracoMesh<T> (data: Uint8Array, maxPoints: number, maxFaces: number, use: (mesh: DracoMesh) => T): Promise<T> {
  const m = await decoderModule()
  const buffer = new m.DecoderBuffer()
  const decoder = new m.Decoder()
  const mesh = new m.Mesh()
  try {
    buffer.Init(new Int8Array(data.buffer, data.byteOffset, data.byteLength), data.byteLength)
    if (decoder.GetEncodedGeometryType(buffer) !== m.TRIANGULAR_MESH) fail(ERR_SCENE_DRACO_INVALID, 'Draco stream is not a triangle mesh')
    const status = decoder.DecodeBufferToMesh(buffer, mesh)
    if (!status.ok() || (mesh as unknown as { ptr: number }).ptr === 0) fail(ERR_SCENE_DRACO_INVALID, `Draco stream rejected by the decoder: ${status.error_msg()}`)
    const numPoints = mesh.num_points()
    const numFaces = mesh.num_faces()
    if (numPoints > maxPoints || numFaces > maxFaces) fail(ERR_SCENE_DRACO_INVALID, `Draco mesh of ${numPoints} points and ${numFaces} faces exceeds what its accessors declare`)
    return use({
      numPoints,
      numFaces,
      indices: () => copyOut(m, numFaces * 12, (ptr) => decoder.GetTrianglesUInt32Array(mesh, numFaces * 12, ptr), (bytes) => new Uint32Array(bytes.buffer, bytes.byteOffset, numFaces * 3)),
      attribute: (id, componentType, components) => readAttribute(m, decoder, mesh, id, componentType, components, numPoints)
    })
  } catch (err) {
    if (isTrustEngineError(err)) throw err
    // A WebAssembly trap leaves the module unusable: start from a fresh one next time.
    modulePromise = null
    return fail(ERR_SCENE_DRACO_INVALID, `Draco stream could not be decoded: ${err instanceof Error ? err.message : String(err)}`, undefined, err)
  } finally {
    m.destroy(mesh); m.destroy(decoder); m.destroy(buffer)
  }
}

function readAttribute (m: DecoderModule, decoder: Decoder, mesh: Mesh, id: number, componentType: number, components: number, numPoints: number): Uint8Array {
  const attribute: Attribute = decoder.GetAttributeByUniqueId(mesh, id)
  if ((attribute as unknown as { ptr: number }).ptr === 0) fail(ERR_SCENE_DRACO_INVALID, `Draco stream has no attribute with id ${id}`)
  if (attribute.num_components() !== components) fail(ERR_SCENE_DRACO_INVALID, `Draco attribute ${id} has ${attribute.num_components()} components, its accessor ${components}`)
  const dataType = {
    5120: m.DT_INT8, 5121: m.DT_UINT8, 5122: m.DT_INT16, 5123: m.DT_UINT16, 5125: m.DT_UINT32, 5126: m.DT_FLOAT32
  }[componentType]
  if (dataType === undefined) fail(ERR_SCENE_DRACO_INVALID, `accessor component type ${componentType} cannot hold a Draco attribute`)
  const byteLength = numPoints * components * BYTES[componentType]!
  return copyOut(m, byteLength, (ptr) => decoder.GetAttributeDataArrayForAllPoints(mesh, attribute, dataType, byteLength, ptr), (bytes) => bytes)
}

/** Allocates `byteLength` bytes in the module's heap, lets `fill` write them, and returns a copy outside the heap. */
function copyOut<T> (m: DecoderModule, byteLength: number, fill: (ptr: number) => void, wrap: (bytes: Uint8Array) => T): T {
  const ptr = m._malloc(Math.max(4, byteLength))
  if (ptr === 0) fail(ERR_SCENE_DRACO_INVALID, `Draco decoder could not allocate ${byteLength} bytes`)
  try {
    fill(ptr)
    const heap = (m as unknown as { HEAPU8: Uint8Array }).HEAPU8
    return wrap(heap.slice(ptr, ptr + byteLength))
  } finally {
    m._free(ptr)
  }
}

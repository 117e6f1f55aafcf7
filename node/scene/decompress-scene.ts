/**
 * Compressed scene input: a GLB or self-contained .gltf that uses
 * EXT_meshopt_compression or KHR_draco_mesh_compression becomes a plain GLB
 * (every compressed view and every Draco primitive decoded into ordinary
 * buffer views, the extensions removed), which the bounded loader then checks
 * like any other file. Runs before the pre-flight, on the raw bytes, so every
 * reader of scenes (analysis, optimizer, renderer, economy, the node) accepts
 * what Blender, gltfpack and glTF-Transform write.
 *
 * Bounds come first: file size, the JSON through the loader's schema, every
 * source range, the decoded size of every meshopt view (count × stride) and of
 * every accessor (count × element size) against the loader's accessor limits,
 * and each Draco mesh's point and face counts against the accessors that
 * describe it. Decoders are meshoptimizer's and Google's Draco reference
 * decoder, both WebAssembly with integer outputs, so every node decodes the
 * same bytes. Failures are `ERR_SCENE_MESHOPT_INVALID` or
 * `ERR_SCENE_DRACO_INVALID`; nothing partial is ever returned.
 */
import { z } from 'zod'
import { withDracoMesh } from './draco-decode.ts'
import { ERR_SCENE_DRACO_INVALID, ERR_SCENE_MEMORY_LIMIT, ERR_SCENE_MESHOPT_INVALID, ERR_SCENE_OUT_OF_RANGE, ERR_SCENE_TOO_LARGE, fail } from './errors.ts'
import { TYPE_COMPONENTS, gltfSchema, type GltfJson } from './gltf-schema.ts'
import { decodeDataUri, elementSize, readContainer } from './preflight-scene.ts'
import type { SceneLimits } from './scene-limits.ts'

/** The meshopt extension, decoded here. */
export const MESHOPT_COMPRESSION = 'EXT_meshopt_compression'
/** The Draco extension, decoded here. */
export const DRACO_COMPRESSION = 'KHR_draco_mesh_compression'
/** Compression extensions a scene may use or require: decoded before the loader's checks. */
export const DECODED_EXTENSIONS: readonly string[] = Object.freeze([MESHOPT_COMPRESSION, DRACO_COMPRESSION])

const GLB_MAGIC = 0x46546c67
const index = z.number().int().nonnegative()
const meshoptViewSchema = z.object({
  buffer: index,
  byteOffset: index.optional(),
  byteLength: z.number().int().min(1),
  // The extension allows strides up to 256 bytes, multiples of 4 for attributes.
  byteStride: z.number().int().min(1).max(256),
  count: z.number().int().min(1),
  mode: z.enum(['ATTRIBUTES', 'TRIANGLES', 'INDICES']),
  filter: z.enum(['NONE', 'OCTAHEDRAL', 'QUATERNION', 'EXPONENTIAL']).optional()
}).loose()
const dracoPrimitiveSchema = z.object({ bufferView: index, attributes: z.record(z.string(), index) }).loose()

type Json = Record<string, unknown>
type View = NonNullable<GltfJson['bufferViews']>[number] & { extensions?: Json }

/** True when the JSON of `bytes` mentions a compression extension (a cheap byte search, no parse). */
export function mentionsCompression (bytes: Uint8Array): boolean {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  let json = buf
  if (bytes.byteLength >= 20 && buf.readUInt32LE(0) === GLB_MAGIC) json = buf.subarray(20, Math.min(bytes.byteLength, 20 + buf.readUInt32LE(12)))
  return DECODED_EXTENSIONS.some((name) => json.includes(name))
}

/**
 * Returns `bytes` unchanged when they use no compression extension, else a
 * plain GLB with the same JSON except that compressed data is decoded. Throws
 * `ERR_SCENE_*` codes (see the module comment); never returns partial output.
 */
export async function decompressScene (bytes: Uint8Array, limits: SceneLimits): Promise<Uint8Array> {
  if (bytes.byteLength > limits.maxFileBytes) fail(ERR_SCENE_TOO_LARGE, `file of ${bytes.byteLength} bytes exceeds ${limits.maxFileBytes}`)
  if (!mentionsCompression(bytes)) return bytes
  const { gltf, bin } = readContainer(bytes, limits)
  const used = new Set([...(gltf.extensionsUsed ?? []), ...(gltf.extensionsRequired ?? [])])
  if (!DECODED_EXTENSIONS.some((e) => used.has(e))) return bytes

  checkDeclaredSizes(gltf, limits)
  const buffers = sourceBuffers(gltf, bin)
  const views = await decodeViews(gltf, buffers, limits)
  const extra = await decodeDracoPrimitives(gltf, views)
  return writeGlb(rewriteJson(gltf, views, extra), [...views.map((v) => v.data), ...extra])
}

/** Every accessor's decoded size, summed, against the loader's limits, before any decoder runs. */
function checkDeclaredSizes (gltf: GltfJson, limits: SceneLimits): void {
  let total = 0
  for (const [i, a] of (gltf.accessors ?? []).entries()) {
    if (a.count > limits.maxAccessorElements) fail(ERR_SCENE_MEMORY_LIMIT, `accessor ${i} has ${a.count} elements, limit ${limits.maxAccessorElements}`, { count: a.count })
    total += a.count * elementSize(a)
    if (total > limits.maxAccessorBytes) fail(ERR_SCENE_MEMORY_LIMIT, `accessors decode to more than ${limits.maxAccessorBytes} bytes`)
  }
}

/** The bytes of each buffer; `null` for meshopt fallback buffers, whose data is never fetched or used. */
function sourceBuffers (gltf: GltfJson, bin: Uint8Array | undefined): Array<Uint8Array | null> {
  return (gltf.buffers ?? []).map((buffer, i) => {
    const ext = (buffer as { extensions?: Record<string, { fallback?: unknown }> }).extensions?.[MESHOPT_COMPRESSION]
    if (ext?.fallback === true) return null
    let data: Uint8Array
    if (buffer.uri === undefined) {
      if (i !== 0 || bin === undefined) fail(ERR_SCENE_OUT_OF_RANGE, `buffer ${i} has no URI and there is no GLB BIN chunk for it`)
      data = bin
    } else {
      data = decodeDataUri(buffer.uri, `buffer ${i}`).bytes
    }
    if (buffer.byteLength > data.byteLength) fail(ERR_SCENE_OUT_OF_RANGE, `buffer ${i} declares ${buffer.byteLength} bytes but has ${data.byteLength}`)
    return data.subarray(0, buffer.byteLength)
  })
}

function slice (buffers: Array<Uint8Array | null>, buffer: number, byteOffset: number, byteLength: number, what: string): Uint8Array {
  const source = buffers[buffer]
  if (source === undefined) fail(ERR_SCENE_OUT_OF_RANGE, `${what} refers to missing buffer ${buffer}`)
  if (source === null) fail(ERR_SCENE_MESHOPT_INVALID, `${what} reads a meshopt fallback buffer, which holds no data`)
  if (byteOffset + byteLength > source.byteLength) fail(ERR_SCENE_OUT_OF_RANGE, `${what} ends at byte ${byteOffset + byteLength}, buffer ${buffer} has ${source.byteLength}`)
  return source.subarray(byteOffset, byteOffset + byteLength)
}

interface DecodedView { json: View, data: Uint8Array }

/** Every buffer view's plain bytes: meshopt views decoded, others sliced from their buffer. */
async function decodeViews (gltf: GltfJson, buffers: Array<Uint8Array | null>, limits: SceneLimits): Promise<DecodedView[]> {
  const views = (gltf.bufferViews ?? []) as View[]
  let decoded = 0
  const plans = views.map((bv, i) => {
    const ext = bv.extensions?.[MESHOPT_COMPRESSION]
    if (ext === undefined) return { bv, source: slice(buffers, bv.buffer, bv.byteOffset ?? 0, bv.byteLength, `bufferView ${i}`), meshopt: null }
    const m = meshoptViewSchema.safeParse(ext)
    if (!m.success) fail(ERR_SCENE_MESHOPT_INVALID, `bufferView ${i} has an invalid ${MESHOPT_COMPRESSION} description`)
    const e = m.data
    if ((e.mode === 'ATTRIBUTES' && e.byteStride % 4 !== 0) || (e.mode !== 'ATTRIBUTES' && e.byteStride !== 2 && e.byteStride !== 4) ||
      (e.mode === 'TRIANGLES' && e.count % 3 !== 0) || e.count * e.byteStride !== bv.byteLength) {
      fail(ERR_SCENE_MESHOPT_INVALID, `bufferView ${i}: ${MESHOPT_COMPRESSION} stride, count and mode do not agree with the view`)
    }
    decoded += e.count * e.byteStride
    if (decoded > limits.maxAccessorBytes) fail(ERR_SCENE_MEMORY_LIMIT, `meshopt data decodes to more than ${limits.maxAccessorBytes} bytes`)
    return { bv, source: slice(buffers, e.buffer, e.byteOffset ?? 0, e.byteLength, `bufferView ${i} (meshopt)`), meshopt: e }
  })
  const decoder = plans.some((p) => p.meshopt !== null) ? await meshoptDecoder() : null
  return plans.map(({ bv, source, meshopt }, i) => {
    const json: View = { ...bv }
    if (meshopt === null || decoder === null) return { json, data: source }
    const data = new Uint8Array(meshopt.count * meshopt.byteStride)
    try {
      decoder.decodeGltfBuffer(data, meshopt.count, meshopt.byteStride, source, meshopt.mode, meshopt.filter ?? 'NONE')
    } catch (err) {
      fail(ERR_SCENE_MESHOPT_INVALID, `bufferView ${i}: meshopt stream rejected by the decoder`, undefined, err)
    }
    const extensions = { ...bv.extensions }
    delete extensions[MESHOPT_COMPRESSION]
    if (Object.keys(extensions).length > 0) json.extensions = extensions
    else delete json.extensions
    return { json, data }
  })
}

/** meshoptimizer's decoder, imported and compiled on first use. */
async function meshoptDecoder (): Promise<typeof import('meshoptimizer/decoder').MeshoptDecoder> {
  const { MeshoptDecoder } = await import('meshoptimizer/decoder')
  await MeshoptDecoder.ready
  return MeshoptDecoder
}

/**
 * Decodes every Draco primitive whose accessors have no uncompressed fallback:
 * each decoded attribute and index list becomes a new view (returned, in
 * order, to be appended after the existing views), and its accessor points at it.
 */
async function decodeDracoPrimitives (gltf: GltfJson, views: DecodedView[]): Promise<Uint8Array[]> {
  const extra: Uint8Array[] = []
  const accessors = gltf.accessors ?? []
  const filled = new Set<number>()
  const firstNew = views.length
  const assign = (accessorIndex: number, data: Uint8Array): void => {
    const a = accessors[accessorIndex]!
    a.bufferView = firstNew + extra.length
    delete a.byteOffset
    filled.add(accessorIndex)
    extra.push(data)
  }
  for (const [mi, mesh] of (gltf.meshes ?? []).entries()) {
    for (const prim of mesh.primitives) {
      const ext = (prim.extensions as Json | undefined)?.[DRACO_COMPRESSION]
      if (ext === undefined) continue
      const d = dracoPrimitiveSchema.safeParse(ext)
      if (!d.success) fail(ERR_SCENE_DRACO_INVALID, `mesh ${mi} has an invalid ${DRACO_COMPRESSION} description`)
      const { bufferView, attributes } = d.data
      if (bufferView >= views.length) fail(ERR_SCENE_OUT_OF_RANGE, `mesh ${mi} Draco data refers to missing bufferView ${bufferView}`)
      const wanted = Object.entries(attributes).filter(([semantic]) => prim.attributes[semantic] !== undefined)
        .map(([semantic, id]) => ({ accessor: prim.attributes[semantic]!, id }))
      for (const w of wanted) if (w.accessor >= accessors.length) fail(ERR_SCENE_OUT_OF_RANGE, `mesh ${mi} refers to missing accessor ${w.accessor}`)
      if (prim.indices !== undefined && prim.indices >= accessors.length) fail(ERR_SCENE_OUT_OF_RANGE, `mesh ${mi} refers to missing accessor ${prim.indices}`)
      const needs = (i: number): boolean => !filled.has(i) && accessors[i]!.bufferView === undefined
      const todo = wanted.filter((w) => needs(w.accessor))
      const indices = prim.indices !== undefined && needs(prim.indices) ? accessors[prim.indices]! : null
      if (todo.length === 0 && indices === null) continue
      for (const w of todo) {
        const a = accessors[w.accessor]!
        if (a.sparse !== undefined) fail(ERR_SCENE_DRACO_INVALID, `mesh ${mi}: Draco accessor ${w.accessor} is sparse`)
      }
      if (indices !== null && (indices.type !== 'SCALAR' || indices.componentType === 5126 || indices.componentType < 5121 || indices.componentType === 5122)) {
        fail(ERR_SCENE_DRACO_INVALID, `mesh ${mi}: Draco index accessor has an unsigned integer scalar type`)
      }
      const maxPoints = Math.max(0, ...wanted.map((w) => accessors[w.accessor]!.count))
      const maxFaces = indices !== null ? indices.count / 3 : Number.MAX_SAFE_INTEGER
      await withDracoMesh(views[bufferView]!.data, maxPoints, maxFaces, (mesh) => {
        for (const w of todo) {
          const a = accessors[w.accessor]!
          if (a.count !== mesh.numPoints) fail(ERR_SCENE_DRACO_INVALID, `mesh ${mi}: Draco mesh has ${mesh.numPoints} points, accessor ${w.accessor} declares ${a.count}`)
          assign(w.accessor, mesh.attribute(w.id, a.componentType, TYPE_COMPONENTS[a.type]!))
        }
        if (indices !== null) {
          if (indices.count !== mesh.numFaces * 3) fail(ERR_SCENE_DRACO_INVALID, `mesh ${mi}: Draco mesh has ${mesh.numFaces * 3} indices, its accessor declares ${indices.count}`)
          assign(prim.indices!, narrowIndices(mesh.indices(), indices.componentType, mi))
        }
      })
    }
  }
  return extra
}

/** Index values in the accessor's component type; refuses values the type cannot hold. */
function narrowIndices (values: Uint32Array, componentType: number, mesh: number): Uint8Array {
  if (componentType === 5125) return new Uint8Array(values.buffer, values.byteOffset, values.byteLength)
  const max = componentType === 5121 ? 0xff : 0xffff
  const out = componentType === 5121 ? new Uint8Array(values.length) : new Uint16Array(values.length)
  for (let i = 0; i < values.length; i++) {
    if (values[i]! > max) fail(ERR_SCENE_DRACO_INVALID, `mesh ${mesh}: Draco index ${values[i]} does not fit its accessor's component type`)
    out[i] = values[i]!
  }
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength)
}

/** The JSON with one buffer (the new BIN chunk), each view laid out in order, and the decoded extensions removed. */
function rewriteJson (gltf: GltfJson, views: DecodedView[], extra: Uint8Array[]): Json {
  let offset = 0
  const place = (byteLength: number): number => {
    offset += (4 - (offset % 4)) % 4
    const at = offset
    offset += byteLength
    return at
  }
  const bufferViews: Json[] = views.map(({ json, data }) => ({ ...json, buffer: 0, byteOffset: place(data.byteLength), byteLength: data.byteLength }))
  for (const data of extra) bufferViews.push({ buffer: 0, byteOffset: place(data.byteLength), byteLength: data.byteLength })
  for (const mesh of gltf.meshes ?? []) {
    for (const prim of mesh.primitives) {
      const exts = prim.extensions as Json | undefined
      if (exts?.[DRACO_COMPRESSION] === undefined) continue
      delete exts[DRACO_COMPRESSION]
      if (Object.keys(exts).length === 0) delete prim.extensions
    }
  }
  const out: Json = { ...gltf, buffers: offset > 0 ? [{ byteLength: offset }] : undefined, bufferViews: bufferViews.length > 0 ? bufferViews : undefined }
  const keep = (list: string[] | undefined): string[] | undefined => {
    const rest = (list ?? []).filter((e) => !DECODED_EXTENSIONS.includes(e))
    return rest.length > 0 ? rest : undefined
  }
  out.extensionsUsed = keep(gltf.extensionsUsed)
  out.extensionsRequired = keep(gltf.extensionsRequired)
  return JSON.parse(JSON.stringify(out)) as Json // drops the undefined fields
}

/** A GLB 2.0 container of `json` and the views' bytes laid out as {@link rewriteJson} placed them. */
function writeGlb (json: Json, parts: Uint8Array[]): Uint8Array {
  const text = Buffer.from(JSON.stringify(json), 'utf8')
  const jsonLength = text.byteLength + ((4 - (text.byteLength % 4)) % 4)
  const binLength = ((json.buffers as Array<{ byteLength: number }> | undefined)?.[0]?.byteLength ?? 0)
  const binPadded = binLength + ((4 - (binLength % 4)) % 4)
  const total = 12 + 8 + jsonLength + (binPadded > 0 ? 8 + binPadded : 0)
  const out = Buffer.alloc(total)
  out.writeUInt32LE(GLB_MAGIC, 0); out.writeUInt32LE(2, 4); out.writeUInt32LE(total, 8)
  out.writeUInt32LE(jsonLength, 12); out.writeUInt32LE(0x4e4f534a, 16)
  text.copy(out, 20)
  out.fill(0x20, 20 + text.byteLength, 20 + jsonLength)
  if (binPadded > 0) {
    const binStart = 20 + jsonLength + 8
    out.writeUInt32LE(binPadded, binStart - 8); out.writeUInt32LE(0x004e4942, binStart - 4)
    const views = json.bufferViews as Array<{ byteOffset: number }>
    parts.forEach((data, i) => out.set(data, binStart + views[i]!.byteOffset))
  }
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength)
}

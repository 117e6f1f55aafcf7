/**
 * Pre-flight checks of an untrusted glTF/GLB file, done on the raw bytes and
 * JSON before glTF-Transform sees them: size check, parse, schema, then every
 * byte range and index reference, so that decoding cannot read out of range
 * or allocate more than the limits allow. Nothing external is ever fetched.
 */
import { GLB_BUFFER } from '@gltf-transform/core'
import {
  ERR_SCENE_EXTERNAL_URI, ERR_SCENE_GLB_MALFORMED, ERR_SCENE_GRAPH_INVALID, ERR_SCENE_IMAGE_INVALID, ERR_SCENE_JSON_INVALID,
  ERR_SCENE_MEMORY_LIMIT, ERR_SCENE_NOT_GLTF, ERR_SCENE_OUT_OF_RANGE, ERR_SCENE_TOO_LARGE,
  ERR_SCENE_UNSUPPORTED_EXTENSION, fail
} from './errors.ts'
import { COMPONENT_SIZES, TYPE_COMPONENTS, gltfSchema, type GltfAccessor, type GltfJson } from './gltf-schema.ts'
import { type ImageHeader, readSceneImageHeader } from './scene-image.ts'
import { SUPPORTED_EXTENSIONS, type SceneLimits } from './scene-limits.ts'

const GLB_MAGIC = 0x46546c67 // "glTF"
const CHUNK_JSON = 0x4e4f534a
const CHUNK_BIN = 0x004e4942

/** A scene whose bytes passed every pre-flight check, ready for glTF-Transform's reader. */
export interface PreflightedScene {
  format: 'glb' | 'gltf'
  /** The parsed JSON, with data URIs replaced by deterministic resource names. */
  json: Record<string, unknown>
  /** Binary resources by name: the GLB BIN chunk and decoded data URIs. */
  resources: Record<string, Uint8Array>
  /** Header of every image, in `images` order. */
  images: ImageHeader[]
}

/** Runs every pre-flight check on `bytes`; throws a typed error at the first failure. */
export function preflightScene (bytes: Uint8Array, limits: SceneLimits): PreflightedScene {
  const { isGlb, gltf, bin } = readContainer(bytes, limits)
  checkArrayLengths(gltf, limits)
  checkExtensions(gltf)
  const resources: Record<string, Uint8Array> = {}
  const bufferBytes = resolveBuffers(gltf, bin, resources)
  checkBufferViews(gltf, bufferBytes)
  checkAccessors(gltf, limits)
  const images = resolveImages(gltf, bufferBytes, resources, limits)
  checkReferences(gltf, images)
  checkNodeGraph(gltf, limits)
  return { format: isGlb ? 'glb' : 'gltf', json: gltf as Record<string, unknown>, resources, images }
}

/** The checked JSON of a GLB or .gltf file and its BIN chunk: size check, container framing, parse, schema. */
export function readContainer (bytes: Uint8Array, limits: SceneLimits): { isGlb: boolean, gltf: GltfJson, bin: Uint8Array | undefined } {
  if (bytes.byteLength > limits.maxFileBytes) fail(ERR_SCENE_TOO_LARGE, `file of ${bytes.byteLength} bytes exceeds ${limits.maxFileBytes}`)
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const isGlb = bytes.byteLength >= 4 && view.getUint32(0, true) === GLB_MAGIC
  const { jsonBytes, bin } = isGlb ? readGlbChunks(view, limits) : { jsonBytes: bytes, bin: undefined }
  if (jsonBytes.byteLength > limits.maxJsonBytes) fail(ERR_SCENE_TOO_LARGE, `JSON of ${jsonBytes.byteLength} bytes exceeds ${limits.maxJsonBytes}`)
  const depth = jsonNestingDepth(jsonBytes, limits.maxJsonDepth)
  if (depth > limits.maxJsonDepth) fail(ERR_SCENE_JSON_INVALID, `glTF JSON nests arrays and objects deeper than ${limits.maxJsonDepth} levels`)

  let raw: unknown
  try {
    raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(jsonBytes))
  } catch (err) {
    fail(isGlb ? ERR_SCENE_JSON_INVALID : ERR_SCENE_NOT_GLTF, isGlb ? 'GLB JSON chunk is not valid UTF-8 JSON' : 'neither a GLB container nor glTF JSON', undefined, err)
  }
  if (!isGlb && (typeof raw !== 'object' || raw === null || !('asset' in raw))) fail(ERR_SCENE_NOT_GLTF, 'JSON without a glTF asset object')
  const parsed = gltfSchema.safeParse(raw)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    fail(ERR_SCENE_JSON_INVALID, `glTF JSON invalid at ${issue?.path.join('.') ?? '?'}: ${issue?.message ?? ''}`)
  }
  return { isGlb, gltf: parsed.data, bin }
}

/**
 * The deepest nesting of `[` and `{` in JSON text, outside strings, stopping
 * once it passes `stopAbove`. Read from the bytes, without recursion, so a
 * hostile file's depth is known before anything recursive walks its parse.
 */
export function jsonNestingDepth (bytes: Uint8Array, stopAbove: number): number {
  let depth = 0
  let max = 0
  let inString = false
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!
    if (inString) {
      if (b === 0x5c) i++ // backslash: skip the escaped byte
      else if (b === 0x22) inString = false
    } else if (b === 0x22) {
      inString = true
    } else if (b === 0x5b || b === 0x7b) {
      if (++depth > max) {
        max = depth
        if (max > stopAbove) return max
      }
    } else if (b === 0x5d || b === 0x7d) {
      depth--
    }
  }
  return max
}

function readGlbChunks (view: DataView, limits: SceneLimits): { jsonBytes: Uint8Array, bin: Uint8Array | undefined } {
  const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength)
  if (view.byteLength < 20) fail(ERR_SCENE_GLB_MALFORMED, 'GLB shorter than its header and first chunk header')
  if (view.getUint32(4, true) !== 2) fail(ERR_SCENE_GLB_MALFORMED, `GLB container version ${view.getUint32(4, true)} is not 2`)
  const declared = view.getUint32(8, true)
  if (declared !== view.byteLength) fail(ERR_SCENE_GLB_MALFORMED, `GLB header declares ${declared} bytes, file has ${view.byteLength}`)
  let jsonBytes: Uint8Array | undefined
  let bin: Uint8Array | undefined
  let pos = 12
  let chunkIndex = 0
  while (pos < view.byteLength) {
    if (pos + 8 > view.byteLength) fail(ERR_SCENE_GLB_MALFORMED, 'truncated GLB chunk header')
    const length = view.getUint32(pos, true)
    const type = view.getUint32(pos + 4, true)
    if (length % 4 !== 0) fail(ERR_SCENE_GLB_MALFORMED, `GLB chunk ${chunkIndex} length ${length} is not 4-byte aligned`)
    if (pos + 8 + length > view.byteLength) fail(ERR_SCENE_GLB_MALFORMED, `GLB chunk ${chunkIndex} of ${length} bytes runs past the end of the file`)
    const data = bytes.subarray(pos + 8, pos + 8 + length)
    if (chunkIndex === 0) {
      if (type !== CHUNK_JSON) fail(ERR_SCENE_GLB_MALFORMED, 'first GLB chunk is not JSON')
      if (length > limits.maxJsonBytes) fail(ERR_SCENE_TOO_LARGE, `JSON chunk of ${length} bytes exceeds ${limits.maxJsonBytes}`)
      jsonBytes = data
    } else if (chunkIndex === 1 && type === CHUNK_BIN) {
      bin = data
    } else if (type === CHUNK_JSON || type === CHUNK_BIN) {
      fail(ERR_SCENE_GLB_MALFORMED, `unexpected ${type === CHUNK_JSON ? 'JSON' : 'BIN'} chunk at position ${chunkIndex}`)
    } // other chunk types are ignored, as the specification requires
    pos += 8 + length
    chunkIndex++
  }
  if (jsonBytes === undefined) fail(ERR_SCENE_GLB_MALFORMED, 'GLB without a JSON chunk')
  // JSON chunks are padded with spaces, which JSON.parse accepts.
  return { jsonBytes, bin }
}

function checkArrayLengths (gltf: GltfJson, limits: SceneLimits): void {
  for (const [key, value] of Object.entries(gltf)) {
    if (Array.isArray(value) && value.length > limits.maxArrayLength) fail(ERR_SCENE_TOO_LARGE, `${key} has ${value.length} entries, limit ${limits.maxArrayLength}`)
  }
}

function checkExtensions (gltf: GltfJson): void {
  for (const name of gltf.extensionsRequired ?? []) {
    if (!SUPPORTED_EXTENSIONS.includes(name)) fail(ERR_SCENE_UNSUPPORTED_EXTENSION, `required extension ${name} is not supported`, { extension: name })
  }
}

/** Decodes a `data:` URI (base64 or percent-encoded); refuses every other URI. */
export function decodeDataUri (uri: string, what: string): { bytes: Uint8Array, mimeType: string } {
  const match = /^data:([^;,]*)((?:;[^;,]*)*?)(;base64)?,(.*)$/s.exec(uri)
  if (match === null) fail(ERR_SCENE_EXTERNAL_URI, `${what} refers to an external URI; scenes must be self-contained`)
  const payload = match[4]!
  let bytes: Buffer
  try {
    bytes = match[3] !== undefined ? Buffer.from(payload, 'base64') : Buffer.from(decodeURIComponent(payload), 'latin1')
  } catch (err) {
    return fail(ERR_SCENE_JSON_INVALID, `${what} has a malformed data URI`, undefined, err)
  }
  return { bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), mimeType: match[1]! }
}

function resolveBuffers (gltf: GltfJson, bin: Uint8Array | undefined, resources: Record<string, Uint8Array>): Uint8Array[] {
  return (gltf.buffers ?? []).map((buffer, i) => {
    let data: Uint8Array
    if (buffer.uri === undefined) {
      if (i !== 0 || bin === undefined) fail(ERR_SCENE_OUT_OF_RANGE, `buffer ${i} has no URI and there is no GLB BIN chunk for it`)
      data = bin
      resources[GLB_BUFFER] = bin
    } else {
      data = decodeDataUri(buffer.uri, `buffer ${i}`).bytes
      const name = `__buffer${i}.bin`
      resources[name] = data
      buffer.uri = name
    }
    // A GLB BIN chunk may carry up to 3 bytes of padding beyond byteLength.
    if (buffer.byteLength > data.byteLength) fail(ERR_SCENE_OUT_OF_RANGE, `buffer ${i} declares ${buffer.byteLength} bytes but has ${data.byteLength}`)
    return data.subarray(0, buffer.byteLength)
  })
}

function checkBufferViews (gltf: GltfJson, buffers: Uint8Array[]): void {
  for (const [i, bv] of (gltf.bufferViews ?? []).entries()) {
    const buffer = buffers[bv.buffer]
    if (buffer === undefined) fail(ERR_SCENE_OUT_OF_RANGE, `bufferView ${i} refers to missing buffer ${bv.buffer}`)
    const end = (bv.byteOffset ?? 0) + bv.byteLength
    if (end > buffer.byteLength) fail(ERR_SCENE_OUT_OF_RANGE, `bufferView ${i} ends at byte ${end}, buffer ${bv.buffer} has ${buffer.byteLength}`)
  }
}

/** Bytes of one element of an accessor, with the column padding of small matrices. */
export function elementSize (accessor: Pick<GltfAccessor, 'componentType' | 'type'>): number {
  const c = COMPONENT_SIZES[accessor.componentType]!
  if (accessor.type === 'MAT2' && c === 1) return 8
  if (accessor.type === 'MAT3' && c === 1) return 12
  if (accessor.type === 'MAT3' && c === 2) return 24
  return c * TYPE_COMPONENTS[accessor.type]!
}

function checkAccessors (gltf: GltfJson, limits: SceneLimits): void {
  const views = gltf.bufferViews ?? []
  let total = 0
  const checkRange = (what: string, viewIndex: number, byteOffset: number, stride: number, count: number, size: number): void => {
    const bv = views[viewIndex]
    if (bv === undefined) fail(ERR_SCENE_OUT_OF_RANGE, `${what} refers to missing bufferView ${viewIndex}`)
    const end = byteOffset + stride * (count - 1) + size
    if (end > bv.byteLength) fail(ERR_SCENE_OUT_OF_RANGE, `${what} needs ${end} bytes of bufferView ${viewIndex}, which has ${bv.byteLength}`, { needed: end, available: bv.byteLength })
  }
  for (const [i, a] of (gltf.accessors ?? []).entries()) {
    if (a.count > limits.maxAccessorElements) fail(ERR_SCENE_MEMORY_LIMIT, `accessor ${i} has ${a.count} elements, limit ${limits.maxAccessorElements}`, { count: a.count })
    const size = elementSize(a)
    total += a.count * size
    if (total > limits.maxAccessorBytes) fail(ERR_SCENE_MEMORY_LIMIT, `accessors decode to more than ${limits.maxAccessorBytes} bytes`)
    if (a.bufferView !== undefined) {
      const stride = views[a.bufferView]?.byteStride ?? size
      if (stride < size && (views[a.bufferView]?.byteStride !== undefined)) fail(ERR_SCENE_OUT_OF_RANGE, `accessor ${i} elements of ${size} bytes overlap with stride ${stride}`)
      checkRange(`accessor ${i}`, a.bufferView, a.byteOffset ?? 0, stride, a.count, size)
    }
    if (a.sparse !== undefined) {
      if (a.sparse.count > a.count) fail(ERR_SCENE_OUT_OF_RANGE, `accessor ${i} has more sparse entries than elements`)
      const indexSize = COMPONENT_SIZES[a.sparse.indices.componentType]!
      checkRange(`accessor ${i} sparse indices`, a.sparse.indices.bufferView, a.sparse.indices.byteOffset ?? 0, indexSize, a.sparse.count, indexSize)
      checkRange(`accessor ${i} sparse values`, a.sparse.values.bufferView, a.sparse.values.byteOffset ?? 0, size, a.sparse.count, size)
    }
  }
}

function resolveImages (gltf: GltfJson, buffers: Uint8Array[], resources: Record<string, Uint8Array>, limits: SceneLimits): ImageHeader[] {
  let totalPixels = 0
  return (gltf.images ?? []).map((image, i) => {
    let data: Uint8Array
    if (image.bufferView !== undefined) {
      const bv = gltf.bufferViews?.[image.bufferView]
      if (bv === undefined) fail(ERR_SCENE_OUT_OF_RANGE, `image ${i} refers to missing bufferView ${image.bufferView}`)
      const offset = bv.byteOffset ?? 0
      data = buffers[bv.buffer]!.subarray(offset, offset + bv.byteLength)
    } else if (image.uri !== undefined) {
      data = decodeDataUri(image.uri, `image ${i}`).bytes
      const name = `__image${i}`
      resources[name] = data
      image.uri = name
    } else {
      return fail(ERR_SCENE_OUT_OF_RANGE, `image ${i} has neither a URI nor a bufferView`)
    }
    // Above the image limits: ERR_SCENE_MEMORY_LIMIT, from the header alone.
    const header = readSceneImageHeader(data, { maxDimension: limits.maxImageDimension, maxPixels: limits.maxImagePixels })
    totalPixels += header.width * header.height
    if (totalPixels > limits.maxTotalImagePixels) fail(ERR_SCENE_MEMORY_LIMIT, `images total more than ${limits.maxTotalImagePixels} pixels`)
    return header
  })
}

function checkReferences (gltf: GltfJson, images: readonly ImageHeader[]): void {
  const n = (key: keyof GltfJson): number => (Array.isArray(gltf[key]) ? (gltf[key] as unknown[]).length : 0)
  const ref = (what: string, value: number | undefined, key: keyof GltfJson): void => {
    if (value !== undefined && value >= n(key)) fail(ERR_SCENE_OUT_OF_RANGE, `${what} refers to missing ${String(key)} ${value}`)
  }
  const lights = (gltf.extensions?.KHR_lights_punctual as { lights?: unknown[] } | undefined)?.lights?.length ?? 0
  for (const [i, t] of (gltf.textures ?? []).entries()) {
    ref(`texture ${i}`, t.source, 'images'); ref(`texture ${i}`, t.sampler, 'samplers')
    // EXT_texture_webp names its WebP image in the extension; the image must be a WebP (its header was read above).
    const webp = (t as { extensions?: Record<string, unknown> }).extensions?.EXT_texture_webp
    if (webp !== undefined) {
      const source = (webp as { source?: unknown } | null)?.source
      if (typeof source !== 'number' || !Number.isInteger(source) || source < 0 || source >= n('images')) fail(ERR_SCENE_OUT_OF_RANGE, `texture ${i} EXT_texture_webp refers to missing image ${String(source)}`)
      if (images[source]!.mimeType !== 'image/webp') fail(ERR_SCENE_IMAGE_INVALID, `texture ${i} EXT_texture_webp image ${source} is not a WebP`)
    }
  }
  for (const [i, m] of (gltf.materials ?? []).entries()) {
    walkTextureInfos(m, (index) => ref(`material ${i}`, index, 'textures'))
  }
  for (const [i, mesh] of (gltf.meshes ?? []).entries()) {
    for (const p of mesh.primitives) {
      for (const a of Object.values(p.attributes)) ref(`mesh ${i}`, a, 'accessors')
      for (const t of p.targets ?? []) for (const a of Object.values(t)) ref(`mesh ${i} target`, a, 'accessors')
      ref(`mesh ${i}`, p.indices, 'accessors')
      ref(`mesh ${i}`, p.material, 'materials')
    }
  }
  for (const [i, node] of (gltf.nodes ?? []).entries()) {
    ref(`node ${i}`, node.mesh, 'meshes'); ref(`node ${i}`, node.skin, 'skins'); ref(`node ${i}`, node.camera, 'cameras')
    for (const c of node.children ?? []) ref(`node ${i} child`, c, 'nodes')
    const light = (node.extensions?.KHR_lights_punctual as { light?: unknown } | undefined)?.light
    if (light !== undefined && (typeof light !== 'number' || !Number.isInteger(light) || light < 0 || light >= lights)) fail(ERR_SCENE_OUT_OF_RANGE, `node ${i} refers to missing light ${String(light)}`)
    const instancing = (node.extensions?.EXT_mesh_gpu_instancing as { attributes?: Record<string, unknown> } | undefined)?.attributes
    for (const a of Object.values(instancing ?? {})) {
      if (typeof a !== 'number' || !Number.isInteger(a) || a < 0 || a >= n('accessors')) fail(ERR_SCENE_OUT_OF_RANGE, `node ${i} instancing refers to missing accessor ${String(a)}`)
    }
  }
  for (const [i, skin] of (gltf.skins ?? []).entries()) {
    for (const j of skin.joints) ref(`skin ${i} joint`, j, 'nodes')
    ref(`skin ${i}`, skin.inverseBindMatrices, 'accessors'); ref(`skin ${i}`, skin.skeleton, 'nodes')
  }
  for (const [i, anim] of (gltf.animations ?? []).entries()) {
    for (const s of anim.samplers) { ref(`animation ${i}`, s.input, 'accessors'); ref(`animation ${i}`, s.output, 'accessors') }
    for (const c of anim.channels) {
      if (c.sampler >= anim.samplers.length) fail(ERR_SCENE_OUT_OF_RANGE, `animation ${i} channel refers to missing sampler ${c.sampler}`)
      ref(`animation ${i} channel`, c.target.node, 'nodes')
    }
  }
  for (const [i, scene] of (gltf.scenes ?? []).entries()) for (const r of scene.nodes ?? []) ref(`scene ${i}`, r, 'nodes')
  ref('document', gltf.scene, 'scenes')
}

/** Calls `visit` with the `index` of every texture reference (`...Texture: { index }`) inside a material, extensions included. */
function walkTextureInfos (value: unknown, visit: (index: number) => void, depth = 0): void {
  if (depth > 8 || typeof value !== 'object' || value === null) return
  for (const [key, child] of Object.entries(value)) {
    if (key.endsWith('Texture') && typeof child === 'object' && child !== null && 'index' in child) {
      const index = (child as { index: unknown }).index
      if (typeof index !== 'number' || !Number.isInteger(index) || index < 0) fail(ERR_SCENE_JSON_INVALID, `texture reference ${key} has a bad index`)
      visit(index)
    }
    walkTextureInfos(child, visit, depth + 1)
  }
}

function checkNodeGraph (gltf: GltfJson, limits: SceneLimits): void {
  const nodes = gltf.nodes ?? []
  const parent = new Int32Array(nodes.length).fill(-1)
  for (const [i, node] of nodes.entries()) {
    for (const c of node.children ?? []) {
      if (c === i) fail(ERR_SCENE_GRAPH_INVALID, `node ${i} is its own child`)
      if (parent[c] !== -1) fail(ERR_SCENE_GRAPH_INVALID, `node ${c} has two parents`)
      parent[c] = i
    }
  }
  // Walking up from every node: a cycle or an over-deep chain shows up as a walk longer than the limit.
  const depth = new Int32Array(nodes.length).fill(-1)
  for (let i = 0; i < nodes.length; i++) {
    const path: number[] = []
    let at = i
    while (at !== -1 && depth[at] === -1) {
      path.push(at)
      if (path.length > limits.maxNodeDepth + 1) fail(ERR_SCENE_GRAPH_INVALID, `node hierarchy has a cycle or is deeper than ${limits.maxNodeDepth}`)
      at = parent[at]!
    }
    let d = at === -1 ? -1 : depth[at]!
    for (let k = path.length - 1; k >= 0; k--) {
      d++
      if (d > limits.maxNodeDepth) fail(ERR_SCENE_GRAPH_INVALID, `node hierarchy is deeper than ${limits.maxNodeDepth}`)
      depth[path[k]!] = d
    }
  }
}

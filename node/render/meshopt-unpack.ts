/**
 * Unpacks EXT_meshopt_compression in a GLB: every compressed buffer view is
 * decoded with meshoptimizer's decoder (the reference WebAssembly build,
 * integer decoding, so the same bytes everywhere) into a new BIN chunk, and
 * the extension is removed. The result is a plain GLB that the bounded scene
 * loader (node/optimizer/load-scene.ts) validates like any other file.
 *
 * Bounds are checked before anything is decoded: the file size, and the
 * decoded size of every view (count × byteStride, declared in the JSON) summed
 * against the loader's accessor byte limit.
 */
import { MeshoptDecoder } from 'meshoptimizer/decoder'
import { ERR_RENDER_MESHOPT, ERR_RENDER_UNSUPPORTED, renderError } from './errors.ts'

/** The extension this module removes. */
export const MESHOPT_EXTENSION = 'EXT_meshopt_compression'

export { ERR_RENDER_MESHOPT }

const GLB_MAGIC = 0x46546c67
const CHUNK_JSON = 0x4e4f534a
const CHUNK_BIN = 0x004e4942

interface MeshoptView { buffer: number, byteOffset?: number, byteLength: number, byteStride: number, count: number, mode: string, filter?: string }
interface JsonBufferView { buffer: number, byteOffset?: number, byteLength: number, byteStride?: number, extensions?: Record<string, unknown> }
interface JsonGltf { extensionsUsed?: string[], extensionsRequired?: string[], buffers?: Array<Record<string, unknown>>, bufferViews?: JsonBufferView[] }

/** Limits of the unpacking (the loader's own limits, so an unpacked file is never larger than the loader accepts). */
export interface MeshoptUnpackLimits {
  maxFileBytes: number
  maxAccessorBytes: number
}

/** True when `bytes` is a GLB whose JSON lists EXT_meshopt_compression. */
export function usesMeshopt (bytes: Uint8Array): boolean {
  const glb = splitGlb(bytes)
  return glb !== null && (glb.json.extensionsUsed ?? []).includes(MESHOPT_EXTENSION)
}

function splitGlb (bytes: Uint8Array): { json: JsonGltf, bin: Uint8Array | null } | null {
  if (bytes.byteLength < 20) return null
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (dv.getUint32(0, true) !== GLB_MAGIC || dv.getUint32(8, true) !== bytes.byteLength) return null
  const jsonLen = dv.getUint32(12, true)
  if (dv.getUint32(16, true) !== CHUNK_JSON || 20 + jsonLen > bytes.byteLength) return null
  let json: JsonGltf
  try {
    const parsed: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(20, 20 + jsonLen)))
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return null
    json = parsed as JsonGltf
  } catch {
    return null
  }
  let bin: Uint8Array | null = null
  const p = 20 + jsonLen
  if (p + 8 <= bytes.byteLength && dv.getUint32(p + 4, true) === CHUNK_BIN) {
    const len = dv.getUint32(p, true)
    if (p + 8 + len <= bytes.byteLength) bin = bytes.subarray(p + 8, p + 8 + len)
  }
  return { json, bin }
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0

/**
 * Returns `bytes` unchanged when they do not use EXT_meshopt_compression;
 * otherwise a plain GLB with every compressed view decoded. Throws
 * `ERR_RENDER_MESHOPT` for malformed data, and `ERR_RENDER_UNSUPPORTED` for
 * files or decoded data above the limits and for layouts other than a single
 * GLB BIN buffer plus meshopt fallback buffers.
 */
export async function unpackMeshopt (bytes: Uint8Array, limits: MeshoptUnpackLimits): Promise<Uint8Array> {
  if (bytes.byteLength > limits.maxFileBytes) throw renderError(ERR_RENDER_UNSUPPORTED, `file of ${bytes.byteLength} bytes exceeds ${limits.maxFileBytes}`)
  const glb = splitGlb(bytes)
  if (glb === null || !(glb.json.extensionsUsed ?? []).includes(MESHOPT_EXTENSION)) return bytes
  const { json, bin } = glb
  const buffers = json.buffers ?? []
  const views = json.bufferViews ?? []
  // Only buffer 0 (the BIN chunk) may hold data; others must be meshopt fallback buffers without data.
  for (const [i, b] of buffers.entries()) {
    const fallback = (b.extensions as Record<string, { fallback?: boolean }> | undefined)?.[MESHOPT_EXTENSION]?.fallback === true
    if (i === 0 && b.uri === undefined && bin !== null) continue
    if (fallback && b.uri === undefined) continue
    throw renderError(ERR_RENDER_UNSUPPORTED, 'meshopt-compressed scenes must keep their data in the GLB BIN chunk')
  }
  const binBytes = bin ?? new Uint8Array(0)
  let decodedTotal = 0
  const plans = views.map((bv, i) => {
    const ext = bv.extensions?.[MESHOPT_EXTENSION] as MeshoptView | undefined
    if (ext === undefined) {
      if (bv.buffer !== 0 || !isCount(bv.byteLength) || ((bv.byteOffset ?? 0) + bv.byteLength > binBytes.byteLength)) {
        throw renderError(ERR_RENDER_MESHOPT, `bufferView ${i} lies outside the BIN chunk`)
      }
      return null
    }
    const { byteLength, byteStride, count, mode } = ext
    const byteOffset = ext.byteOffset ?? 0
    const filter = ext.filter ?? 'NONE'
    if (ext.buffer !== 0 || !isCount(byteOffset) || !isCount(byteLength) || !isCount(byteStride) || !isCount(count) ||
      byteStride < 1 || byteStride > 256 || byteOffset + byteLength > binBytes.byteLength ||
      !['ATTRIBUTES', 'TRIANGLES', 'INDICES'].includes(mode) || !['NONE', 'OCTAHEDRAL', 'QUATERNION', 'EXPONENTIAL'].includes(filter)) {
      throw renderError(ERR_RENDER_MESHOPT, `bufferView ${i} has an invalid ${MESHOPT_EXTENSION} description`)
    }
    decodedTotal += count * byteStride
    if (decodedTotal > limits.maxAccessorBytes) throw renderError(ERR_RENDER_UNSUPPORTED, `meshopt data decodes to more than ${limits.maxAccessorBytes} bytes`)
    return { byteOffset, byteLength, byteStride, count, mode, filter }
  })

  await MeshoptDecoder.ready
  const parts: Uint8Array[] = []
  let offset = 0
  const newViews = views.map((bv, i) => {
    const plan = plans[i]
    let data: Uint8Array
    const out: JsonBufferView = { ...bv, buffer: 0 }
    if (plan === null || plan === undefined) {
      data = binBytes.subarray(bv.byteOffset ?? 0, (bv.byteOffset ?? 0) + bv.byteLength)
    } else {
      data = new Uint8Array(plan.count * plan.byteStride)
      try {
        MeshoptDecoder.decodeGltfBuffer(data, plan.count, plan.byteStride, binBytes.subarray(plan.byteOffset, plan.byteOffset + plan.byteLength), plan.mode, plan.filter)
      } catch (err) {
        throw renderError(ERR_RENDER_MESHOPT, `bufferView ${i}: meshopt stream rejected by the decoder (${(err as Error).message})`)
      }
      const extensions = { ...bv.extensions }
      delete extensions[MESHOPT_EXTENSION]
      if (Object.keys(extensions).length > 0) out.extensions = extensions
      else delete out.extensions
      if (plan.mode === 'ATTRIBUTES' && bv.byteStride !== undefined) out.byteStride = plan.byteStride
    }
    const pad = (4 - (offset % 4)) % 4
    if (pad > 0) { parts.push(new Uint8Array(pad)); offset += pad }
    out.byteOffset = offset
    out.byteLength = data.byteLength
    parts.push(data)
    offset += data.byteLength
    return out
  })
  const newBin = new Uint8Array(offset + ((4 - (offset % 4)) % 4))
  let p = 0
  for (const part of parts) { newBin.set(part, p); p += part.byteLength }

  const outJson: JsonGltf & Record<string, unknown> = { ...json, bufferViews: newViews, buffers: [{ byteLength: offset }] }
  outJson.extensionsUsed = (json.extensionsUsed ?? []).filter((e) => e !== MESHOPT_EXTENSION)
  const required = (json.extensionsRequired ?? []).filter((e) => e !== MESHOPT_EXTENSION)
  if (required.length > 0) outJson.extensionsRequired = required
  else delete outJson.extensionsRequired
  if (outJson.extensionsUsed.length === 0) delete outJson.extensionsUsed
  return writeGlb(outJson, newBin)
}

/** Serializes JSON + BIN as a GLB 2.0 container (JSON padded with spaces, BIN with zeros). */
function writeGlb (json: unknown, bin: Uint8Array): Uint8Array {
  const text = new TextEncoder().encode(JSON.stringify(json))
  const jsonLen = text.byteLength + ((4 - (text.byteLength % 4)) % 4)
  const total = 12 + 8 + jsonLen + 8 + bin.byteLength
  const out = new Uint8Array(total)
  const dv = new DataView(out.buffer)
  dv.setUint32(0, GLB_MAGIC, true); dv.setUint32(4, 2, true); dv.setUint32(8, total, true)
  dv.setUint32(12, jsonLen, true); dv.setUint32(16, CHUNK_JSON, true)
  out.set(text, 20)
  out.fill(0x20, 20 + text.byteLength, 20 + jsonLen)
  dv.setUint32(20 + jsonLen, bin.byteLength, true); dv.setUint32(24 + jsonLen, CHUNK_BIN, true)
  out.set(bin, 28 + jsonLen)
  return out
}

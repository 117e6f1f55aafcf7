import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { TrustEngineError } from '../../../protocol/errors.ts'
import {
  ERR_SCENE_EXTERNAL_URI, ERR_SCENE_GLB_MALFORMED, ERR_SCENE_GRAPH_INVALID, ERR_SCENE_IMAGE_INVALID, ERR_SCENE_IMAGE_UNSUPPORTED, ERR_SCENE_JSON_INVALID,
  ERR_SCENE_MEMORY_LIMIT, ERR_SCENE_NOT_GLTF, ERR_SCENE_OUT_OF_RANGE, ERR_SCENE_TOO_LARGE, ERR_SCENE_UNSUPPORTED_EXTENSION,
  loadSceneSafely, readSceneSafely
} from '../../../node/scene/load-scene.ts'
import { SceneAnalyzer } from '../../../node/optimizer/analyze.ts'
import { makeGlb, makeGltfJson } from '../../../sim/scenes.ts'

/** Splits a GLB into its JSON and BIN chunk. */
function splitGlb (glb: Uint8Array): { json: any, bin: Uint8Array } {
  const view = new DataView(glb.buffer, glb.byteOffset, glb.byteLength)
  const jsonLength = view.getUint32(12, true)
  const json = JSON.parse(new TextDecoder().decode(glb.subarray(20, 20 + jsonLength)))
  const binLength = view.getUint32(20 + jsonLength, true)
  return { json, bin: glb.subarray(28 + jsonLength, 28 + jsonLength + binLength) }
}

/** Builds a well-formed GLB container around `json` and `bin`. */
function joinGlb (json: unknown, bin: Uint8Array): Uint8Array {
  const text = new TextEncoder().encode(JSON.stringify(json))
  const jsonLength = Math.ceil(text.length / 4) * 4
  const binLength = Math.ceil(bin.length / 4) * 4
  const out = new Uint8Array(12 + 8 + jsonLength + 8 + binLength)
  const view = new DataView(out.buffer)
  view.setUint32(0, 0x46546c67, true); view.setUint32(4, 2, true); view.setUint32(8, out.length, true)
  view.setUint32(12, jsonLength, true); view.setUint32(16, 0x4e4f534a, true)
  out.fill(0x20, 20, 20 + jsonLength); out.set(text, 20)
  view.setUint32(20 + jsonLength, binLength, true); view.setUint32(24 + jsonLength, 0x004e4942, true)
  out.set(bin, 28 + jsonLength)
  return out
}

const glb = await makeGlb({ grids: [4], texture: [16, 16], lights: 1 })
const edit = (fn: (json: any) => void): Uint8Array => {
  const { json, bin } = splitGlb(glb)
  fn(json)
  return joinGlb(json, bin)
}
const code = async (bytes: Uint8Array, limits = {}): Promise<string> => {
  try {
    await readSceneSafely(bytes, limits)
    return 'loaded'
  } catch (err) {
    return (err as { code?: string }).code ?? `untyped: ${String(err)}`
  }
}
/** A PNG header declaring the given size (no pixel data: the loader must refuse it from the header alone). */
const pngHeader = (w: number, h: number): Buffer => {
  const b = Buffer.alloc(33)
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(b, 0)
  b.writeUInt32BE(13, 8); b.write('IHDR', 12, 'latin1'); b.writeUInt32BE(w, 16); b.writeUInt32BE(h, 20); b[24] = 8; b[25] = 6
  return b
}

describe('readSceneSafely accepts self-contained scenes', () => {
  it('loads a GLB and a .gltf with data URIs', async () => {
    const a = await loadSceneSafely(glb)
    expect(a.format).toBe('glb')
    expect(a.images).toEqual([{ mimeType: 'image/png', width: 16, height: 16 }])
    expect(a.document.getRoot().listMeshes()).toHaveLength(1)
    const b = await loadSceneSafely(await makeGltfJson({ grids: [4], texture: [8, 4] }))
    expect(b.format).toBe('gltf')
    expect(b.images).toEqual([{ mimeType: 'image/png', width: 8, height: 4 }])
    expect(b.document.getRoot().listAccessors().length).toBeGreaterThan(0)
  })
  it('round-trips our own GLB rebuild unchanged (the helpers below make only the intended change)', async () => {
    expect(await code(edit(() => {}))).toBe('loaded')
  })
})

describe('readSceneSafely rejects bad input with a stable code', () => {
  it.each([
    ['plain text', () => new TextEncoder().encode('hello, not a scene'), ERR_SCENE_NOT_GLTF],
    ['JSON that is not glTF', () => new TextEncoder().encode('{"a":1}'), ERR_SCENE_NOT_GLTF],
    ['a PNG file', () => pngHeader(4, 4), ERR_SCENE_NOT_GLTF],
    ['glTF 1.0 JSON', () => new TextEncoder().encode('{"asset":{"version":"1.0"}}'), ERR_SCENE_JSON_INVALID],
    ['GLB container version 1', () => { const b = glb.slice(); new DataView(b.buffer).setUint32(4, 1, true); return b }, ERR_SCENE_GLB_MALFORMED],
    ['truncated GLB', () => glb.slice(0, glb.length - 100), ERR_SCENE_GLB_MALFORMED],
    ['GLB chunk running past the end', () => { const b = glb.slice(); new DataView(b.buffer).setUint32(12, glb.length, true); return b }, ERR_SCENE_GLB_MALFORMED],
    ['GLB shorter than its header', () => glb.slice(0, 16), ERR_SCENE_GLB_MALFORMED],
    ['GLB JSON chunk that is not JSON', () => { const b = glb.slice(); b[20] = 0x7b; b[21] = 0x7b; return b }, ERR_SCENE_JSON_INVALID],
    ['accessor count of the wrong type', () => edit((j) => { j.accessors[0].count = 'many' }), ERR_SCENE_JSON_INVALID],
    ['bufferView beyond its buffer', () => edit((j) => { j.bufferViews[0].byteLength = 10_000_000 }), ERR_SCENE_OUT_OF_RANGE],
    ['buffer longer than the BIN chunk', () => edit((j) => { j.buffers[0].byteLength += 4096 }), ERR_SCENE_OUT_OF_RANGE],
    ['absurd accessor count within limits but beyond its bufferView', () => edit((j) => { j.accessors[0].count = 10_000_000 }), ERR_SCENE_OUT_OF_RANGE],
    ['accessor count beyond the element limit (memory bomb)', () => edit((j) => { delete j.accessors[0].bufferView; j.accessors[0].count = 2_000_000_000 }), ERR_SCENE_MEMORY_LIMIT],
    ['mesh reference out of range', () => edit((j) => { j.nodes[0].mesh = 99 }), ERR_SCENE_OUT_OF_RANGE],
    ['material texture reference out of range', () => edit((j) => { j.materials[0].pbrMetallicRoughness.baseColorTexture.index = 7 }), ERR_SCENE_OUT_OF_RANGE],
    ['light reference out of range', () => edit((j) => { j.nodes.find((n: any) => n.extensions?.KHR_lights_punctual).extensions.KHR_lights_punctual.light = 3 }), ERR_SCENE_OUT_OF_RANGE],
    ['node that is its own ancestor', () => edit((j) => { j.nodes[0].children = [1]; j.nodes[1].children = [0] }), ERR_SCENE_GRAPH_INVALID],
    ['external buffer URI', () => edit((j) => { j.buffers.push({ byteLength: 4, uri: 'http://127.0.0.1:9/x.bin' }) }), ERR_SCENE_EXTERNAL_URI],
    ['external image URI', () => edit((j) => { j.images[0] = { uri: 'texture.png' } }), ERR_SCENE_EXTERNAL_URI],
    ['unknown required extension', () => edit((j) => { j.extensionsUsed = ['EXT_lights_image_based']; j.extensionsRequired = ['EXT_lights_image_based'] }), ERR_SCENE_UNSUPPORTED_EXTENSION],
    ['malformed percent-encoded data URI', () => edit((j) => { j.images[0] = { uri: 'data:image/png,%E0%A4%A' } }), ERR_SCENE_JSON_INVALID],
    ['image that is neither PNG nor JPEG', () => edit((j) => { j.images[0] = { uri: 'data:image/png;base64,' + Buffer.from('not an image').toString('base64') } }), ERR_SCENE_IMAGE_INVALID],
    ['GIF image (recognised, not supported)', () => edit((j) => { j.images[0] = { uri: 'data:image/png;base64,' + Buffer.from('GIF89a....').toString('base64') } }), ERR_SCENE_IMAGE_UNSUPPORTED],
    ['PNG declaring 100000 x 100000 pixels (memory bomb)', () => edit((j) => { j.images[0] = { uri: 'data:image/png;base64,' + pngHeader(100_000, 100_000).toString('base64') } }), ERR_SCENE_MEMORY_LIMIT]
  ])('%s', async (_name, make, expected) => {
    expect(await code(make())).toBe(expected)
  })

  it('refuses a file over the size limit before parsing it', async () => {
    expect(await code(glb, { maxFileBytes: 1000 })).toBe(ERR_SCENE_TOO_LARGE)
  })
  it('refuses a too deep hierarchy', async () => {
    const deep = edit((j) => {
      const first = j.nodes.length
      for (let i = 0; i < 20; i++) j.nodes.push(i < 19 ? { children: [first + i + 1] } : {})
      j.scenes[0].nodes.push(first)
    })
    expect(await code(deep)).toBe('loaded')
    expect(await code(deep, { maxNodeDepth: 10 })).toBe(ERR_SCENE_GRAPH_INVALID)
  })
  it('refuses JSON nested deeper than the limit, which recursive code could not copy or write (a stack overflow, not a typed error)', async () => {
    /** The test GLB with `"extras":[[[…]]]` of `depth` levels, spliced in as text (JSON.stringify itself overflows on such depths). */
    const nested = (depth: number): Uint8Array => {
      const { json, bin } = splitGlb(glb)
      json.extras = 'DEEP'
      const text = JSON.stringify(json).replace('"DEEP"', '['.repeat(depth) + ']'.repeat(depth))
      const withDeep = joinGlb({}, bin)
      const head = new TextEncoder().encode(text)
      const jsonLength = Math.ceil(head.length / 4) * 4
      const out = new Uint8Array(withDeep.length - 4 + jsonLength) // joinGlb({}) has a 4-byte JSON chunk: '{}' and padding
      const view = new DataView(out.buffer)
      view.setUint32(0, 0x46546c67, true); view.setUint32(4, 2, true); view.setUint32(8, out.length, true)
      view.setUint32(12, jsonLength, true); view.setUint32(16, 0x4e4f534a, true)
      out.fill(0x20, 20, 20 + jsonLength); out.set(head, 20)
      out.set(withDeep.subarray(24), 20 + jsonLength)
      return out
    }
    expect(await code(nested(100))).toBe('loaded')
    expect(await code(nested(1000))).toBe(ERR_SCENE_JSON_INVALID)
    expect(await code(nested(200_000))).toBe(ERR_SCENE_JSON_INVALID)
    expect(await code(nested(10), { maxJsonDepth: 8 })).toBe(ERR_SCENE_JSON_INVALID)
    // Brackets inside strings are text, not nesting, escaped quotes included.
    expect(await code(edit((j) => { j.extras = { text: '\\"' + '['.repeat(5000) } }))).toBe('loaded')
  })
  it('optimizes a scene with JSON nested as deep as the limit allows', async () => {
    const { json, bin } = splitGlb(glb)
    let value: unknown = []
    for (let i = 1; i < 250; i++) value = [value]
    json.extras = { deep: value }
    const { optimizeScene } = await import('../../../node/optimizer/optimize.ts')
    const result = await optimizeScene(joinGlb(json, bin))
    expect(result.bytes.byteLength).toBeGreaterThan(0)
  })
  it('refuses a JPEG whose frame header declares too many pixels', async () => {
    // SOI, then SOF0 with height 60000 and width 60000.
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xc0, 0x00, 0x11, 0x08, 0xea, 0x60, 0xea, 0x60, 0x03, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1])
    expect(await code(edit((j) => { j.images[0] = { uri: 'data:image/jpeg;base64,' + jpeg.toString('base64') } }))).toBe(ERR_SCENE_MEMORY_LIMIT)
  })
})

describe('readSceneSafely on corrupted bytes (property)', () => {
  it('either loads or throws a TrustEngineError, whatever bytes are changed or cut', async () => {
    await fc.assert(fc.asyncProperty(
      fc.array(fc.tuple(fc.nat(glb.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
      fc.option(fc.nat(glb.length), { nil: undefined }),
      async (changes, cut) => {
        const bytes = glb.slice(0, cut ?? glb.length)
        for (const [at, value] of changes) if (at < bytes.length) bytes[at] = value
        try {
          await readSceneSafely(bytes)
          return true
        } catch (err) {
          return err instanceof TrustEngineError && err.code.startsWith('ERR_SCENE_')
        }
      }), { numRuns: 300 })
  })
})

describe('readSceneSafely on corrupted JSON numbers (property)', () => {
  /** Paths of every number in the scene's JSON. */
  const numberPaths: Array<Array<string | number>> = []
  const walk = (v: unknown, path: Array<string | number>): void => {
    if (typeof v === 'number') numberPaths.push(path)
    else if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, i]))
    else if (typeof v === 'object' && v !== null) for (const [k, x] of Object.entries(v)) walk(x, [...path, k])
  }
  walk(splitGlb(glb).json, [])

  it('either loads or throws a TrustEngineError when any numbers are set to hostile values', async () => {
    const hostile = fc.constantFrom(-1, 0, 1, 3, 4, 7, 255, 65535, 2 ** 31, 2 ** 32 + 1, 1e9, 1e15, 0.5, -0.5)
    await fc.assert(fc.asyncProperty(
      fc.array(fc.tuple(fc.nat(numberPaths.length - 1), hostile), { minLength: 1, maxLength: 4 }),
      async (changes) => {
        const bytes = edit((json) => {
          for (const [i, value] of changes) {
            const path = numberPaths[i]!
            let at = json
            for (const key of path.slice(0, -1)) at = at[key]
            at[path[path.length - 1]!] = value
          }
        })
        try {
          // Whatever loads must also measure: analysis walks every accessor, texture and node.
          await new SceneAnalyzer({ cacheSize: 1 }).analyze(bytes)
          return true
        } catch (err) {
          return err instanceof TrustEngineError && err.code.startsWith('ERR_SCENE_')
        }
      }), { numRuns: 300 })
  })
})

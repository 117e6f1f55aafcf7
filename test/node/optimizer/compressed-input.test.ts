/**
 * Compressed inputs: a Draco file and a meshopt file generated here with
 * glTF-Transform and the reference encoders load, analyze and optimize like
 * the plain original (same triangles, positions within the encoders'
 * quantization); corrupt streams fail with their codes and no output.
 */
import { NodeIO, type Document } from '@gltf-transform/core'
import { EXTMeshoptCompression, KHRDracoMeshCompression, KHRMeshQuantization } from '@gltf-transform/extensions'
import { readFile } from 'node:fs/promises'
import draco3d from 'draco3dgltf'
import { MeshoptEncoder } from 'meshoptimizer'
import { describe, expect, it } from 'vitest'
import { analyzeScene } from '../../../node/optimizer/analyze.ts'
import { ERR_SCENE_DRACO_INVALID, ERR_SCENE_MESHOPT_INVALID } from '../../../node/optimizer/errors.ts'
import { loadSceneSafely, readSceneSafely } from '../../../node/scene/load-scene.ts'
import { optimizeScene } from '../../../node/optimizer/optimize.ts'
import { loadRenderScene } from '../../../node/render/load.ts'
import { makeGlb } from '../../../sim/scenes.ts'
import { codeOfAsync } from '../../helpers/codes.ts'

const plain = await makeGlb({ grids: [12, 6], texture: [32, 32], copies: 2 })

async function encode (kind: 'draco' | 'meshopt', asGltf = false): Promise<Uint8Array> {
  const io = new NodeIO().registerExtensions([KHRDracoMeshCompression, EXTMeshoptCompression, KHRMeshQuantization]).registerDependencies({
    'draco3d.encoder': await draco3d.createEncoderModule({}),
    'meshopt.encoder': MeshoptEncoder
  })
  await MeshoptEncoder.ready
  const doc = await io.readBinary(plain)
  if (kind === 'draco') {
    doc.createExtension(KHRDracoMeshCompression).setRequired(true).setEncoderOptions({ method: KHRDracoMeshCompression.EncoderMethod.EDGEBREAKER })
  } else {
    doc.createExtension(EXTMeshoptCompression).setRequired(true).setEncoderOptions({ method: EXTMeshoptCompression.EncoderMethod.FILTER })
  }
  if (!asGltf) return await io.writeBinary(doc)
  const { json, resources } = await io.writeJSON(doc, { format: 0 as never })
  for (const b of json.buffers ?? []) {
    if (b.uri !== undefined) b.uri = `data:application/octet-stream;base64,${Buffer.from(resources[b.uri]!).toString('base64')}`
  }
  for (const im of json.images ?? []) {
    if (im.uri !== undefined) im.uri = `data:${im.mimeType};base64,${Buffer.from(resources[im.uri]!).toString('base64')}`
  }
  return new TextEncoder().encode(JSON.stringify(json))
}

const jsonOf = (glb: Uint8Array): any => JSON.parse(new TextDecoder().decode(glb.subarray(20, 20 + new DataView(glb.buffer, glb.byteOffset).getUint32(12, true))))

function positions (doc: Document): number[][] {
  return doc.getRoot().listMeshes().map((m) => {
    const acc = m.listPrimitives()[0]!.getAttribute('POSITION')!
    const out: number[] = []
    for (let i = 0; i < acc.getCount(); i++) out.push(...acc.getElement(i, [0, 0, 0]))
    return out.sort((a, b) => a - b)
  })
}

const draco = await encode('draco')
const meshopt = await encode('meshopt')

describe('compressed inputs load everywhere a scene is read', () => {
  it('the generated files really are compressed and required', () => {
    expect(jsonOf(draco).extensionsRequired).toContain('KHR_draco_mesh_compression')
    expect(jsonOf(meshopt).extensionsRequired).toContain('EXT_meshopt_compression')
  })

  for (const [name, bytes] of [['draco', draco], ['meshopt', meshopt]] as const) {
    it(`${name}: same triangles and positions as the original (within quantization)`, async () => {
      const original = await readSceneSafely(plain)
      const loaded = await loadSceneSafely(bytes)
      expect(loaded.document.getRoot().listExtensionsUsed().map((e) => e.extensionName)).not.toContain('KHR_draco_mesh_compression')
      const a = positions(original)
      const b = positions(loaded.document)
      expect(b.length).toBe(a.length)
      for (let m = 0; m < a.length; m++) {
        expect(b[m]!.length).toBe(a[m]!.length)
        const span = a[m]![a[m]!.length - 1]! - a[m]![0]!
        for (let i = 0; i < a[m]!.length; i++) expect(Math.abs(b[m]![i]! - a[m]![i]!)).toBeLessThan(span * 1e-3)
      }
      const [ra, rb] = [await analyzeScene(plain), await analyzeScene(bytes)]
      expect(rb.stats.triangles).toBe(ra.stats.triangles)
      const render = await loadRenderScene(bytes, { maxTexturePixels: 1 << 20 })
      const renderPlain = await loadRenderScene(plain, { maxTexturePixels: 1 << 20 })
      expect(render.triangleCount).toBe(renderPlain.triangleCount)
      const out = await optimizeScene(bytes, { profile: 'quality' })
      expect(out.report.before.triangles).toBe(ra.stats.triangles)
      expect(jsonOf(out.bytes).extensionsUsed ?? []).not.toContain('KHR_draco_mesh_compression')
    })
  }

  it('gltfpack -cc output (quantized, meshopt with filters) analyzes and optimizes', async () => {
    const packed = new Uint8Array(await readFile(new URL('../../fixtures/scenes/still-life.packed.glb', import.meta.url)))
    expect(jsonOf(packed).extensionsUsed).toContain('EXT_meshopt_compression')
    const analysis = await analyzeScene(packed)
    expect(analysis.stats.triangles).toBeGreaterThan(0)
    const out = await optimizeScene(packed, { profile: 'balanced' })
    expect(out.report.before.triangles).toBe(analysis.stats.triangles)
  })

  it('a Draco .gltf with data URIs loads too', async () => {
    const gltf = await encode('draco', true)
    const doc = await readSceneSafely(gltf)
    expect(positions(doc).map((p) => p.length)).toEqual(positions(await readSceneSafely(plain)).map((p) => p.length))
  })

  it('the same compressed bytes decode to the same plain bytes every time', async () => {
    const io = new NodeIO()
    const once = await io.writeBinary((await loadSceneSafely(draco)).document)
    const twice = await io.writeBinary((await loadSceneSafely(draco)).document)
    expect(Buffer.compare(Buffer.from(once), Buffer.from(twice))).toBe(0)
  })
})

/** The byte range of the first compressed stream in a GLB's BIN chunk. */
function streamRange (glb: Uint8Array, kind: 'draco' | 'meshopt'): [number, number] {
  const json = jsonOf(glb)
  const jsonLength = new DataView(glb.buffer, glb.byteOffset).getUint32(12, true)
  const binStart = 20 + jsonLength + 8
  if (kind === 'draco') {
    const view = json.bufferViews[json.meshes[0].primitives[0].extensions.KHR_draco_mesh_compression.bufferView]
    return [binStart + (view.byteOffset ?? 0), view.byteLength]
  }
  const ext = json.bufferViews.find((v: any) => v.extensions?.EXT_meshopt_compression !== undefined).extensions.EXT_meshopt_compression
  return [binStart + (ext.byteOffset ?? 0), ext.byteLength]
}

describe('corrupt compressed streams fail with their codes and no output', () => {
  for (const [kind, bytes, code] of [['draco', draco, ERR_SCENE_DRACO_INVALID], ['meshopt', meshopt, ERR_SCENE_MESHOPT_INVALID]] as const) {
    it(`${kind}: a garbled stream`, async () => {
      const [start, length] = streamRange(bytes, kind)
      const bad = bytes.slice()
      for (let i = start + 2; i < start + length; i++) bad[i] = (bad[i]! * 31 + i) & 0xff
      expect(await codeOfAsync(() => readSceneSafely(bad))).toBe(code)
      expect(await codeOfAsync(() => optimizeScene(bad, { profile: 'balanced' }))).toBe(code)
      expect(await codeOfAsync(() => analyzeScene(bad))).toBe(code)
    })
    it(`${kind}: a truncated stream`, async () => {
      const [start, length] = streamRange(bytes, kind)
      const bad = bytes.slice()
      bad.fill(0, start + Math.floor(length / 3), start + length)
      expect(await codeOfAsync(() => readSceneSafely(bad))).toBe(code)
    })
  }

  it('draco: accessors that declare fewer points than the stream holds', async () => {
    const json = jsonOf(draco)
    const acc = json.meshes[0].primitives[0].attributes.POSITION
    json.accessors[acc].count = 3
    const text = Buffer.from(JSON.stringify(json))
    const jsonLength = new DataView(draco.buffer, draco.byteOffset).getUint32(12, true)
    const padded = Buffer.concat([text, Buffer.alloc((4 - (text.length % 4)) % 4, 0x20)])
    const rest = draco.subarray(20 + jsonLength)
    const out = Buffer.concat([Buffer.alloc(20), padded, rest])
    out.writeUInt32LE(0x46546c67, 0); out.writeUInt32LE(2, 4); out.writeUInt32LE(out.length, 8); out.writeUInt32LE(padded.length, 12); out.writeUInt32LE(0x4e4f534a, 16)
    expect(await codeOfAsync(() => readSceneSafely(out))).toBe(ERR_SCENE_DRACO_INVALID)
  })

  it('a corrupt stream leaves the decoder usable for the next good file', async () => {
    const [start, length] = streamRange(draco, 'draco')
    const bad = draco.slice()
    bad.fill(0xff, start, start + length)
    expect(await codeOfAsync(() => readSceneSafely(bad))).toBe(ERR_SCENE_DRACO_INVALID)
    expect((await readSceneSafely(draco)).getRoot().listMeshes().length).toBeGreaterThan(0)
  })
})

/**
 * WebP output (EXT_texture_webp) and channel packing on generated scenes:
 * the web profiles write WebP where it is smallest, the output is
 * validator-clean, byte-identical across processes, decoded by the loader and
 * measured by the network's renderer; WebP input is read everywhere and
 * converted back when WebP output is off; occlusion is packed into
 * metallic-roughness only when safe; corrupt and lying WebP textures get
 * their codes in the optimizer and the renderer.
 */
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Document } from '@gltf-transform/core'
import { EXTTextureWebP } from '@gltf-transform/extensions'
import validator from 'gltf-validator'
import { afterAll, describe, expect, it } from 'vitest'
import { decodeImage } from '../../../node/image/decode-image.ts'
import { TEXTURE_IMAGE_FORMATS, readImageHeader } from '../../../node/image/image-header.ts'
import { encodePng } from '../../../node/image/png-encode.ts'
import { encodeWebp } from '../../../node/image/webp-encode.ts'
import { ERR_SCENE_IMAGE_INVALID, ERR_SCENE_MEMORY_LIMIT } from '../../../node/optimizer/errors.ts'
import { optimizeScene } from '../../../node/optimizer/optimize.ts'
import { ERR_RENDER_TEXTURE } from '../../../node/render/errors.ts'
import { loadRenderScene } from '../../../node/render/load.ts'
import { measureScenes } from '../../../node/render/measure-scene.ts'
import { createSceneIO, loadSceneSafely } from '../../../node/scene/load-scene.ts'
import { buildScene } from '../../../sim/scenes.ts'
import { codeOfAsync } from '../../helpers/codes.ts'
import { gradientImage, withCanvasSize } from '../image/webp-fixtures.ts'

const dir = mkdtempSync(join(tmpdir(), 'trust-engine-webp-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex')

async function validatorErrors (bytes: Uint8Array): Promise<string[]> {
  const report = await validator.validateBytes(bytes)
  return report.issues.messages.filter((m) => m.severity === 0).map((m) => `${m.code} ${m.pointer ?? ''}`)
}

/** A textured grid scene; `edit` changes its document before it is written. */
async function scene (edit: (doc: Document) => void): Promise<Uint8Array> {
  const doc = buildScene({ grids: [16], texture: [8, 8] })
  edit(doc)
  return await createSceneIO().writeBinary(doc)
}

/** Base colour replaced by a photo-like image in `format`. */
const photoScene = async (format: 'png' | 'webp', image = gradientImage(192, 128, false)): Promise<Uint8Array> => await scene((doc) => {
  const tex = doc.getRoot().listTextures()[0]!
  if (format === 'png') tex.setImage(encodePng(image)).setMimeType('image/png')
  else { tex.setImage(encodeWebp(image, { lossless: false, quality: 90 })).setMimeType('image/webp'); doc.createExtension(EXTTextureWebP).setRequired(true) }
})

/** The JSON chunk of a GLB (read directly: meshopt output needs no decoding for this). */
const outputJson = async (bytes: Uint8Array): Promise<{ extensionsRequired?: string[], extensionsUsed?: string[] }> => {
  const length = Buffer.from(bytes).readUInt32LE(12)
  return JSON.parse(new TextDecoder().decode(bytes.subarray(20, 20 + length))) as never
}

describe('WebP output', () => {
  it('the web profiles write a photo-like texture as WebP, smaller than core formats, required, validator-clean and measured by the renderer', async () => {
    const input = await photoScene('png')
    const webp = await optimizeScene(input, { profile: 'gaming' })
    const core = await optimizeScene(input, { profile: 'gaming', textureFormat: 'core' })
    const loaded = await loadSceneSafely(webp.bytes)
    expect(loaded.images).toEqual([{ mimeType: 'image/webp', width: 192, height: 128 }])
    expect(readImageHeader(loaded.document.getRoot().listTextures()[0]!.getImage()!, { formats: TEXTURE_IMAGE_FORMATS })).toMatchObject({ lossless: false })
    expect((await loadSceneSafely(core.bytes)).images[0]!.mimeType).toBe('image/jpeg')
    expect(webp.report.after.fileBytes).toBeLessThan(core.report.after.fileBytes)
    const json = await outputJson(webp.bytes)
    expect(json.extensionsRequired).toContain('EXT_texture_webp')
    expect(await validatorErrors(webp.bytes)).toEqual([])
    // The candidate is measured like any scene job's: loaded, its WebP decoded, rendered, compared.
    const m = await measureScenes(input, webp.bytes, { seed: 'ab'.repeat(32), views: 4, width: 64, height: 64 })
    expect(m.metrics.ssim).toBeGreaterThan(0.9)
    expect(m.metrics.ssim).toBeLessThan(1) // the lossy texture is seen: the measurement decoded it
    const again = await measureScenes(input, webp.bytes, { seed: 'ab'.repeat(32), views: 4, width: 64, height: 64 })
    expect(again.metrics).toEqual(m.metrics)
  })

  it('is byte-identical in two runs and in another process', async () => {
    const input = await photoScene('png')
    const options = { profile: 'economy' as const, maxTextureSize: 96 }
    const a = await optimizeScene(input, options)
    expect((await loadSceneSafely(a.bytes)).images[0]!.mimeType).toBe('image/webp')
    expect(sha((await optimizeScene(Uint8Array.from(input), options)).bytes)).toBe(sha(a.bytes))
    const file = join(dir, 'photo.glb')
    writeFileSync(file, input)
    const child = fileURLToPath(new URL('./optimize-child.ts', import.meta.url))
    expect(execFileSync(process.execPath, [child, file, JSON.stringify(options)], { encoding: 'utf8' }).trim()).toBe(sha(a.bytes))
  })

  it('keeps alpha a material reads (lossless in the WebP), and writes lossless WebP for normal maps', async () => {
    const input = await scene((doc) => {
      const m = doc.getRoot().listMaterials()[0]!.setAlphaMode('MASK')
      m.getBaseColorTexture()!.setImage(encodePng(gradientImage(64, 64, true))).setMimeType('image/png')
      m.setNormalTexture(doc.createTexture('normal').setImage(encodePng(gradientImage(64, 64, false))).setMimeType('image/png'))
    })
    const out = await optimizeScene(input, { profile: 'gaming', textureQuality: 90 })
    const doc = (await loadSceneSafely(out.bytes)).document
    const m = doc.getRoot().listMaterials()[0]!
    const base = decodeImage(m.getBaseColorTexture()!.getImage()!, { formats: TEXTURE_IMAGE_FORMATS })
    expect(Array.from(base.data.filter((_, i) => i % 4 === 3))).toEqual(Array.from(gradientImage(64, 64, true).data.filter((_, i) => i % 4 === 3)))
    // Normal maps: JPEG at the role's quality, PNG or lossless WebP, never lossy WebP (4:2:0 chroma would mix their channels).
    const normal = readImageHeader(m.getNormalTexture()!.getImage()!, { formats: TEXTURE_IMAGE_FORMATS })
    expect(normal.mimeType === 'image/webp' ? normal.lossless : true).toBe(true)
    expect(await validatorErrors(out.bytes)).toEqual([])
  })

  it('reads WebP input everywhere, and converts it to PNG or JPEG when WebP output is off', async () => {
    const input = await photoScene('webp')
    expect((await loadSceneSafely(input)).images[0]!.mimeType).toBe('image/webp')
    await loadRenderScene(input, { maxTexturePixels: 1 << 20 })
    const core = await optimizeScene(input, { profile: 'balanced' })
    const json = await outputJson(core.bytes)
    expect(json.extensionsUsed ?? []).not.toContain('EXT_texture_webp')
    expect((await loadSceneSafely(core.bytes)).images[0]!.mimeType).toBe('image/jpeg')
    expect(await validatorErrors(core.bytes)).toEqual([])
  })
})

describe('bad WebP textures', () => {
  const good = encodeWebp(gradientImage(32, 32, true), { lossless: false, quality: 80 })
  const withWebp = async (bytes: Uint8Array): Promise<Uint8Array> => await scene((doc) => {
    doc.getRoot().listTextures()[0]!.setImage(bytes).setMimeType('image/webp')
    doc.createExtension(EXTTextureWebP).setRequired(true)
  })

  it('a canvas that lies about the bitstream size: refused by the loader', async () => {
    const input = await withWebp(withCanvasSize(good, 64, 64))
    expect(await codeOfAsync(() => optimizeScene(input, { profile: 'gaming' }))).toBe(ERR_SCENE_IMAGE_INVALID)
    expect(await codeOfAsync(() => loadRenderScene(input, { maxTexturePixels: 1 << 20 }))).toBe(ERR_SCENE_IMAGE_INVALID)
  })

  it('a canvas that claims 16k x 16k: refused before decoding', async () => {
    const input = await withWebp(withCanvasSize(good, 16384, 16384))
    expect(await codeOfAsync(() => optimizeScene(input, { profile: 'gaming' }))).toBe(ERR_SCENE_MEMORY_LIMIT)
    expect(await codeOfAsync(() => loadRenderScene(input, { maxTexturePixels: 1 << 20 }))).toBe(ERR_SCENE_MEMORY_LIMIT)
  })

  it('a corrupt bitstream behind a valid header: the optimizer and the renderer refuse it', async () => {
    const corrupt = encodeWebp(gradientImage(32, 32, false), { lossless: false, quality: 80 })
    for (let i = 40; i < corrupt.length; i++) corrupt[i] = 0xff
    const input = await withWebp(corrupt)
    expect(await codeOfAsync(() => optimizeScene(input, { profile: 'gaming' }))).toBe(ERR_SCENE_IMAGE_INVALID)
    expect(await codeOfAsync(() => loadRenderScene(input, { maxTexturePixels: 1 << 20 }))).toBe(ERR_RENDER_TEXTURE)
  })
})

describe('channel packing', () => {
  /** Occlusion (R = x ramp) and metallic-roughness (G = y ramp, B = 128) textures of the given sizes on the scene's material. */
  const ormScene = async (options: { oSize?: number, occlusionTexCoord?: number } = {}): Promise<Uint8Array> => await scene((doc) => {
    const n = 32; const o = options.oSize ?? n
    const ramp = (w: number, f: (x: number, y: number) => [number, number, number]): Uint8Array => {
      const data = new Uint8Array(w * w * 4)
      for (let y = 0; y < w; y++) for (let x = 0; x < w; x++) data.set([...f(x, y), 255], (y * w + x) * 4)
      return encodePng({ width: w, height: w, data })
    }
    const m = doc.getRoot().listMaterials()[0]!
    m.setOcclusionTexture(doc.createTexture('occlusion').setImage(ramp(o, (x) => [x * 7, 200, 10])).setMimeType('image/png'))
    m.setMetallicRoughnessTexture(doc.createTexture('mr').setImage(ramp(n, (_, y) => [90, y * 7, 128])).setMimeType('image/png'))
    if (options.occlusionTexCoord !== undefined) m.getOcclusionTextureInfo()!.setTexCoord(options.occlusionTexCoord)
  })

  it('packs occlusion into the R channel of metallic-roughness: one texture fewer, every channel a material reads unchanged', async () => {
    const out = await optimizeScene(await ormScene(), { profile: 'quality' })
    const doc = (await loadSceneSafely(out.bytes)).document
    expect(doc.getRoot().listTextures()).toHaveLength(2)
    const m = doc.getRoot().listMaterials()[0]!
    expect(m.getOcclusionTexture()).toBe(m.getMetallicRoughnessTexture())
    const px = decodeImage(m.getOcclusionTexture()!.getImage()!, { formats: TEXTURE_IMAGE_FORMATS }).data
    for (let y = 0; y < 32; y++) {
      for (let x = 0; x < 32; x++) {
        const i = (y * 32 + x) * 4
        expect([px[i], px[i + 1], px[i + 2]]).toEqual([x * 7, y * 7, 128])
      }
    }
    expect(out.report.operations.find((o) => o.name === 'textures')!.detail).toContain('1 occlusion packed')
    expect(await validatorErrors(out.bytes)).toEqual([])
  })

  it('does not pack when the texture coordinates or the sizes differ, and then clears only unread channels', async () => {
    for (const input of [await ormScene({ occlusionTexCoord: 1 }), await ormScene({ oSize: 16 })]) {
      const out = await optimizeScene(input, { profile: 'quality' })
      const doc = (await loadSceneSafely(out.bytes)).document
      const m = doc.getRoot().listMaterials()[0]!
      expect(doc.getRoot().listTextures()).toHaveLength(3)
      expect(m.getOcclusionTexture()).not.toBe(m.getMetallicRoughnessTexture())
      const mr = decodeImage(m.getMetallicRoughnessTexture()!.getImage()!, { formats: TEXTURE_IMAGE_FORMATS }).data
      // G and B exactly as authored; R (unread) is 90 or cleared to 0.
      for (let y = 0; y < 32; y++) expect([mr[(y * 32) * 4 + 1], mr[(y * 32) * 4 + 2]]).toEqual([y * 7, 128])
    }
  })
})

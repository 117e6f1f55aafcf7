/**
 * The texture pass on generated scenes: JPEG and PNG textures resized and
 * re-encoded per role, byte-identical across runs and processes; alpha kept
 * where a material reads it; lying, oversized and unsupported images refused
 * with their codes before anything is written, except a JPEG kept as it is,
 * which is not decoded (the renderer refuses it when the scene is measured).
 */
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import jpeg from 'jpeg-js'
import { PNG } from 'pngjs'
import { afterAll, describe, expect, it } from 'vitest'
import { ERR_SCENE_IMAGE_INVALID, ERR_SCENE_IMAGE_UNSUPPORTED, ERR_SCENE_MEMORY_LIMIT } from '../../../node/optimizer/errors.ts'
import { createSceneIO, loadSceneSafely } from '../../../node/scene/load-scene.ts'
import { optimizeScene } from '../../../node/optimizer/optimize.ts'
import { ERR_RENDER_TEXTURE } from '../../../node/render/errors.ts'
import { loadRenderScene } from '../../../node/render/load.ts'
import { makeGlb, makePng } from '../../../sim/scenes.ts'
import { codeOfAsync } from '../../helpers/codes.ts'

const dir = mkdtempSync(join(tmpdir(), 'trust-engine-textures-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex')

/** A JPEG (quality 95) of the generated PNG pattern. */
function makeJpeg (width: number, height: number): Uint8Array {
  const png = PNG.sync.read(Buffer.from(makePng(width, height)))
  return new Uint8Array(jpeg.encode({ width, height, data: png.data }, 95).data)
}

/** A photo-like PNG: smooth shading plus fine deterministic grain (which PNG compresses poorly and JPEG well). */
function makePhotoPng (width: number, height: number): Uint8Array {
  const png = new PNG({ width, height })
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const grain = ((Math.imul(x * 73856093 ^ y * 19349663, 83492791) >>> 0) % 24)
      const i = (y * width + x) * 4
      png.data[i] = Math.round(120 + 60 * Math.sin(x / 7) * Math.cos(y / 11)) + grain
      png.data[i + 1] = Math.round(110 + 50 * Math.sin((x + y) / 13)) + grain
      png.data[i + 2] = Math.round(90 + 40 * Math.cos(y / 5)) + grain
      png.data[i + 3] = 255
    }
  }
  return new Uint8Array(PNG.sync.write(png))
}

/** A scene whose textures are replaced by `image` (base colour, and as normal map when `normal`). */
async function withImage (image: Uint8Array, mimeType: string, options: { normal?: boolean, blend?: boolean } = {}): Promise<Uint8Array> {
  const io = createSceneIO()
  const doc = await io.readBinary(await makeGlb({ grids: [8], texture: [16, 16], blend: options.blend === true }))
  const tex = doc.getRoot().listTextures()[0]!
  tex.setImage(image).setMimeType(mimeType)
  if (options.normal === true) {
    const normal = doc.createTexture('normal').setImage(makeJpeg(64, 64)).setMimeType('image/jpeg')
    for (const m of doc.getRoot().listMaterials()) m.setNormalTexture(normal)
  }
  return await io.writeBinary(doc)
}

describe('the texture pass', () => {
  it('resizes and re-encodes JPEG textures to the profile limit (economy: smaller and at most the limit)', async () => {
    const scene = await withImage(makeJpeg(600, 400), 'image/jpeg', { normal: true })
    const { bytes, report } = await optimizeScene(scene, { profile: 'economy', maxTextureSize: 256, textureFormat: 'core' })
    const loaded = await loadSceneSafely(bytes)
    expect(loaded.images).toEqual(expect.arrayContaining([{ mimeType: 'image/jpeg', width: 256, height: 171 }]))
    const detail = report.operations.find((o) => o.name === 'textures')!.detail
    expect(detail).toContain('1 resized')
    expect(report.after.fileBytes).toBeLessThan(report.before.fileBytes / 2)
    // Lossless profile, no resize needed: the JPEGs are kept byte for byte.
    const kept = await optimizeScene(scene, { profile: 'quality' })
    const before = (await loadSceneSafely(scene)).document.getRoot().listTextures().map((t) => sha(t.getImage()!)).sort()
    const after = (await loadSceneSafely(kept.bytes)).document.getRoot().listTextures().map((t) => sha(t.getImage()!)).sort()
    expect(after).toEqual(before)
  })

  it('turns an opaque photo-like PNG into a smaller JPEG, keeps flat synthetic content PNG, and PNG with alpha where the material blends', async () => {
    const photo = await optimizeScene(await withImage(makePhotoPng(256, 256), 'image/png'), { profile: 'balanced' })
    expect((await loadSceneSafely(photo.bytes)).images).toEqual([{ mimeType: 'image/jpeg', width: 256, height: 256 }])
    expect(photo.report.after.fileBytes).toBeLessThan(photo.report.before.fileBytes / 2)
    const png = makePng(256, 256)
    const flat = await optimizeScene(await withImage(png, 'image/png'), { profile: 'balanced' })
    expect((await loadSceneSafely(flat.bytes)).images[0]!.mimeType).toBe('image/png')
    const blended = await optimizeScene(await withImage(png, 'image/png', { blend: true }), { profile: 'balanced' })
    expect((await loadSceneSafely(blended.bytes)).images[0]!.mimeType).toBe('image/png')
    const lossless = await optimizeScene(await withImage(png, 'image/png'), { profile: 'quality' })
    expect((await loadSceneSafely(lossless.bytes)).images[0]!.mimeType).toBe('image/png')
  })

  it('encodes no PNG of a large photo-like texture that the sampled estimate shows cannot beat the JPEG, and still keeps large flat content PNG', async () => {
    const photo = await optimizeScene(await withImage(makePhotoPng(1024, 1024), 'image/png'), { profile: 'gaming', textureFormat: 'core' })
    expect((await loadSceneSafely(photo.bytes)).images).toEqual([{ mimeType: 'image/jpeg', width: 1024, height: 1024 }])
    expect(photo.report.operations.find((o) => o.name === 'textures')!.detail).toContain('1 without a PNG candidate')
    // Flat synthetic content of the same size: the estimate is far below the JPEG, so PNG is encoded and wins.
    const flat = await optimizeScene(await withImage(makePng(1024, 1024), 'image/png'), { profile: 'gaming', textureFormat: 'core' })
    expect((await loadSceneSafely(flat.bytes)).images[0]!.mimeType).toBe('image/png')
    expect(flat.report.operations.find((o) => o.name === 'textures')!.detail).toContain('0 without a PNG candidate')
    // The same output in a separate process.
    const input = join(dir, 'photo.glb')
    writeFileSync(input, await withImage(makePhotoPng(1024, 1024), 'image/png'))
    const child = fileURLToPath(new URL('./optimize-child.ts', import.meta.url))
    expect(execFileSync(process.execPath, [child, input, JSON.stringify({ profile: 'gaming', textureFormat: 'core' })], { encoding: 'utf8' }).trim()).toBe(sha(photo.bytes))
  })

  it('gives byte-identical textures in two runs and in a separate process, with meshopt output too', async () => {
    const scene = await withImage(makeJpeg(300, 200), 'image/jpeg', { normal: true })
    const options = { profile: 'gaming' as const, maxTextureSize: 128 }
    const a = await optimizeScene(scene, options)
    const b = await optimizeScene(Uint8Array.from(scene), options)
    expect(sha(b.bytes)).toBe(sha(a.bytes))
    const input = join(dir, 'jpeg.glb')
    writeFileSync(input, scene)
    const child = fileURLToPath(new URL('./optimize-child.ts', import.meta.url))
    expect(execFileSync(process.execPath, [child, input, JSON.stringify(options)], { encoding: 'utf8' }).trim()).toBe(sha(a.bytes))
  })

  it('gives the pinned bytes of optimizer format 11 for JPEG textures (decoding and encoding changes must keep them; format 10 differed only in the generator string)', async () => {
    const scene = await withImage(makeJpeg(300, 200), 'image/jpeg', { normal: true })
    expect(sha(scene)).toBe('54ed3cb671215c2ecb892b3900e6577ab7078284d70c2439d5c0a5aaacf25931')
    const pinned: Array<[Parameters<typeof optimizeScene>[1], string]> = [
      [{ profile: 'gaming', textureFormat: 'core' }, '1723fd628313b4992cb7db8594529bd3e46d7c51b29c03fcffad3229589397e9'],
      [{ profile: 'gaming', textureFormat: 'webp' }, '399cf5016f8c42a91bdb62db72b53b86c30f15843152083dfe832f4d35d943da'],
      [{ profile: 'economy', maxTextureSize: 128, textureFormat: 'core' }, '8ec58e149dc852957e76df30510ed50e31fb2a1d3876ce7708445c5584dea451']
    ]
    for (const [options, hash] of pinned) expect(sha((await optimizeScene(scene, options)).bytes)).toBe(hash)
  })
})

describe('bad images are refused with their codes', () => {
  it('a JPEG whose header lies about its size', async () => {
    const real = makeJpeg(32, 32)
    const lying = real.slice()
    // Patch the SOF0 frame size (height at +5, width at +7) to 64 x 64.
    for (let p = 2; p < lying.length - 9;) {
      const marker = lying[p + 1]!
      const len = (lying[p + 2]! << 8) | lying[p + 3]!
      if (marker === 0xc0) { lying[p + 5] = 0; lying[p + 6] = 64; lying[p + 7] = 0; lying[p + 8] = 64; break }
      p += 2 + len
    }
    const scene = await withImage(lying, 'image/jpeg')
    expect(await codeOfAsync(() => optimizeScene(scene, { profile: 'balanced' }))).toBe(ERR_SCENE_IMAGE_INVALID)
  })

  it('a JPEG kept as it is is not decoded: a corrupt scan behind a valid header is copied where no candidate is encoded, refused where one is, and refused by the renderer', async () => {
    const corrupt = makeJpeg(32, 32)
    // Overwrite the entropy-coded data after the start-of-scan header with marker bytes, keeping the end-of-image marker.
    let sos = 2
    while (!(corrupt[sos] === 0xff && corrupt[sos + 1] === 0xda)) sos += 2 + ((corrupt[sos + 2]! << 8) | corrupt[sos + 3]!)
    const scan = sos + 2 + ((corrupt[sos + 2]! << 8) | corrupt[sos + 3]!)
    for (let i = scan; i < corrupt.length - 2; i++) corrupt[i] = 0xff
    const scene = await withImage(corrupt, 'image/jpeg')
    const kept = await optimizeScene(scene, { profile: 'gaming', textureQuality: false })
    expect((await loadSceneSafely(kept.bytes)).document.getRoot().listTextures().map((t) => sha(t.getImage()!))).toEqual([sha(corrupt)])
    expect(kept.report.operations.find((o) => o.name === 'textures')!.detail).toContain('1 unchanged')
    expect(await codeOfAsync(() => optimizeScene(scene, { profile: 'gaming' }))).toBe(ERR_SCENE_IMAGE_INVALID)
    expect(await codeOfAsync(() => optimizeScene(scene, { profile: 'gaming', textureQuality: false, maxTextureSize: 16 }))).toBe(ERR_SCENE_IMAGE_INVALID)
    expect(await codeOfAsync(() => loadRenderScene(kept.bytes, { maxTexturePixels: 1 << 20 }))).toBe(ERR_RENDER_TEXTURE)
  })

  it('a texture that claims 16k x 16k', async () => {
    const png = Buffer.from(makePng(4, 4))
    png.writeUInt32BE(16384, 16); png.writeUInt32BE(16384, 20)
    const scene = await withImage(new Uint8Array(png), 'image/png')
    expect(await codeOfAsync(() => optimizeScene(scene, { profile: 'balanced' }))).toBe(ERR_SCENE_MEMORY_LIMIT)
  })

  it('a corrupt WebP, and an unsupported texture format (KTX2)', async () => {
    const webp = Buffer.concat([Buffer.from('RIFF'), Buffer.from([26, 0, 0, 0]), Buffer.from('WEBPVP8 '), Buffer.alloc(18)])
    expect(await codeOfAsync(async () => optimizeScene(await withImage(new Uint8Array(webp), 'image/webp'), { profile: 'balanced' }))).toBe(ERR_SCENE_IMAGE_INVALID)
    const ktx2 = Buffer.concat([Buffer.from([0xab]), Buffer.from('KTX 20'), Buffer.from([0xbb, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64)])
    expect(await codeOfAsync(async () => optimizeScene(await withImage(new Uint8Array(ktx2), 'image/ktx2'), { profile: 'balanced' }))).toBe(ERR_SCENE_IMAGE_UNSUPPORTED)
  })
})

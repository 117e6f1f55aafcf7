import fc from 'fast-check'
import { PNG } from 'pngjs'
import { describe, expect, it } from 'vitest'
import { ERR_SCENE_IMAGE_INVALID } from '../../../node/optimizer/errors.ts'
import { readImageHeader } from '../../../node/optimizer/image-header.ts'
import { decodePng, encodePng, type RgbaImage } from '../../../node/optimizer/png-codec.ts'
import { fitWithin, resizeRgba } from '../../../node/optimizer/texture-resize.ts'
import { makePng } from '../../../sim/scenes.ts'

const solid = (w: number, h: number, rgba: number[]): RgbaImage => {
  const data = new Uint8Array(w * h * 4)
  for (let i = 0; i < w * h; i++) data.set(rgba, i * 4)
  return { width: w, height: h, data }
}

describe('PNG encoder', () => {
  it('round-trips pixels through pngjs, opaque (RGB) and translucent (RGBA)', () => {
    const opaque = decodePng(makePng(37, 21))
    const back = PNG.sync.read(Buffer.from(encodePng(opaque)))
    expect(new Uint8Array(back.data)).toEqual(opaque.data)
    const translucent = { ...opaque, data: opaque.data.map((v, i) => (i % 4 === 3 ? (i * 7) % 256 : v)) }
    expect(new Uint8Array(PNG.sync.read(Buffer.from(encodePng(translucent))).data)).toEqual(translucent.data)
  })
  it('round-trips arbitrary small images (property)', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 }), fc.uint8Array({ minLength: 324, maxLength: 324 }), (w, h, bytes) => {
      const image = { width: w, height: h, data: bytes.slice(0, w * h * 4) }
      return Buffer.from(PNG.sync.read(Buffer.from(encodePng(image))).data).equals(Buffer.from(image.data))
    }), { numRuns: 50 })
  })
  it('is deterministic', () => {
    const image = decodePng(makePng(64, 64))
    expect(Buffer.from(encodePng(image)).equals(Buffer.from(encodePng(image)))).toBe(true)
  })
  it('refuses bytes that do not decode', () => {
    const bad = makePng(8, 8).slice(0, 40)
    expect(() => decodePng(bad)).toThrow(expect.objectContaining({ code: ERR_SCENE_IMAGE_INVALID }))
  })
})

describe('area-filter resize', () => {
  it('averages 2 x 2 blocks exactly for a factor of 2', () => {
    const src: RgbaImage = { width: 2, height: 2, data: new Uint8Array([0, 0, 0, 255, 100, 0, 0, 255, 0, 200, 0, 255, 0, 0, 40, 255]) }
    expect(Array.from(resizeRgba(src, 1, 1).data)).toEqual([25, 50, 10, 255])
  })
  it('keeps a solid colour solid at any size', () => {
    const out = resizeRgba(solid(30, 17, [12, 34, 56, 255]), 7, 4)
    for (let i = 0; i < out.data.length; i += 4) expect(Array.from(out.data.subarray(i, i + 4))).toEqual([12, 34, 56, 255])
  })
  it('does not bleed the colour of transparent pixels (premultiplied)', () => {
    const src: RgbaImage = { width: 2, height: 1, data: new Uint8Array([255, 0, 0, 0, 0, 0, 255, 255]) }
    expect(Array.from(resizeRgba(src, 1, 1).data)).toEqual([0, 0, 255, 128])
  })
  it('fits sizes within a limit, keeping the aspect ratio and never upscaling', () => {
    expect(fitWithin(4096, 2048, 1024)).toEqual([1024, 512])
    expect(fitWithin(300, 200, 100)).toEqual([100, 67])
    expect(fitWithin(50, 20, 100)).toEqual([50, 20])
    expect(fitWithin(10000, 1, 100)).toEqual([100, 1])
  })
})

describe('image headers', () => {
  it('reads PNG and JPEG dimensions without decoding', () => {
    expect(readImageHeader(makePng(13, 7))).toEqual({ mimeType: 'image/png', width: 13, height: 7 })
    const jpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x04, 0, 0, 0xff, 0xc2, 0x00, 0x11, 0x08, 0x01, 0x2c, 0x02, 0x58, 0x03])
    expect(readImageHeader(jpeg)).toEqual({ mimeType: 'image/jpeg', width: 600, height: 300 })
  })
  it('refuses other formats and headers that end early', () => {
    for (const bytes of [new Uint8Array([1, 2, 3]), makePng(4, 4).slice(0, 20), new Uint8Array([0xff, 0xd8, 0xff, 0xd9])]) {
      expect(() => readImageHeader(bytes)).toThrow(expect.objectContaining({ code: ERR_SCENE_IMAGE_INVALID }))
    }
  })
})

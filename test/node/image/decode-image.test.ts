import fc from 'fast-check'
import jpeg from 'jpeg-js'
import { PNG } from 'pngjs'
import { describe, expect, it } from 'vitest'
import { decodeImage } from '../../../node/image/decode-image.ts'
import { ERR_IMAGE_DECODE, ERR_IMAGE_FORMAT, ERR_IMAGE_TOO_LARGE, ERR_IMAGE_UNSUPPORTED } from '../../../node/image/errors.ts'
import { readImageHeader } from '../../../node/image/image-header.ts'
import { encodeJpeg } from '../../../node/image/jpeg-encode.ts'
import { MAX_PNG_CHUNKS } from '../../../node/image/png-decode.ts'
import { encodePng } from '../../../node/image/png-encode.ts'
import { ERR_SCENE_IMAGE_INVALID, ERR_SCENE_IMAGE_UNSUPPORTED } from '../../../node/optimizer/errors.ts'
import { readSceneImageHeader } from '../../../node/scene/scene-image.ts'
import { makePng } from '../../../sim/scenes.ts'
import { buildPng, PNG_CHANNELS as CHANNELS, PNG_LAYOUTS as LAYOUTS, chunk, ihdr } from '../measure/fixtures.ts'
import { codeOf } from '../../helpers/codes.ts'



/** A PNG of the given layout whose samples are `noise` (filter 0 rows), with a full palette and tRNS for colour type 3. */
function rawPng (width: number, height: number, colorType: number, bitDepth: number, noise: Uint8Array): Uint8Array {
  const rowBytes = Math.ceil((width * CHANNELS[colorType]! * bitDepth) / 8)
  const rows = new Uint8Array(height * (rowBytes + 1))
  for (let y = 0, k = 0; y < height; y++) {
    for (let i = 0; i < rowBytes; i++) rows[y * (rowBytes + 1) + 1 + i] = noise[k++ % noise.length]!
  }
  const extra = colorType === 3
    ? [chunk('PLTE', Uint8Array.from({ length: 768 }, (_, i) => (i * 37 + noise[0]!) & 0xff)), chunk('tRNS', Uint8Array.from({ length: 256 }, (_, i) => (i * 91) & 0xff))]
    : []
  return buildPng(ihdr(width, height, bitDepth, colorType), rows, extra)
}

describe('decodeImage', () => {
  it('gives pngjs\'s own pixels for textures (straight alpha, rounded 16-bit) for every PNG layout (property)', () => {
    fc.assert(fc.property(
      fc.constantFrom(...LAYOUTS), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 12 }), fc.uint8Array({ minLength: 1, maxLength: 64 }),
      ([colorType, bitDepth], w, h, noise) => {
        const png = rawPng(w, h, colorType, bitDepth, noise)
        const ours = decodeImage(png)
        const theirs = PNG.sync.read(Buffer.from(png))
        expect(ours.width).toBe(w)
        expect(Buffer.from(ours.data).equals(Buffer.from(theirs.data.buffer, theirs.data.byteOffset, theirs.data.byteLength))).toBe(true)
      }), { numRuns: 200 })
  })
  it('composites onto black and keeps the high byte when asked (measured frames), which differs from the texture contract', () => {
    // One 16-bit RGBA pixel, every sample 0x40ff: rounded 16639 · 255 / 65535 = 64.74 → 65; high byte 64, then 64 · 64 / 255 over black.
    const png = buildPng(ihdr(1, 1, 16, 6), Uint8Array.of(0, 0x40, 0xff, 0x40, 0xff, 0x40, 0xff, 0x40, 0xff))
    expect(Array.from(decodeImage(png).data)).toEqual([65, 65, 65, 65])
    expect(Array.from(decodeImage(png, { alpha: 'over-black', sixteenBit: 'high-byte' }).data)).toEqual([16, 16, 16, 255])
  })
  it('decodes JPEG as an independent decoder (jpeg-js) does within rounding, and refuses a truncated JPEG', () => {
    const src = decodeImage(makePng(24, 16))
    const bytes = encodeJpeg(src, 80)
    const ours = decodeImage(bytes)
    expect(readImageHeader(bytes)).toMatchObject({ mimeType: 'image/jpeg', width: 24, height: 16 })
    const theirs = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true }).data
    expect(Math.max(...ours.data.map((v, i) => Math.abs(v - theirs[i]!)))).toBeLessThanOrEqual(8)
    expect(codeOf(() => decodeImage(bytes.slice(0, bytes.length >> 1)))).toBe(ERR_IMAGE_DECODE)
  })
  it('checks formats and limits from the header, before any pixel is decoded', () => {
    const png = makePng(40, 30)
    expect(codeOf(() => decodeImage(png, { formats: ['image/jpeg'] }))).toBe(ERR_IMAGE_FORMAT)
    expect(codeOf(() => decodeImage(png, { limits: { maxPixels: 40 * 30 - 1 } }))).toBe(ERR_IMAGE_TOO_LARGE)
    expect(codeOf(() => decodeImage(png, { limits: { maxDimension: 39 } }))).toBe(ERR_IMAGE_TOO_LARGE)
    expect(codeOf(() => decodeImage(png, { limits: { maxFileBytes: png.length - 1 } }))).toBe(ERR_IMAGE_TOO_LARGE)
    // A header declaring 60000×60000 is refused although its pixel data is absent.
    expect(codeOf(() => decodeImage(buildPng(ihdr(60000, 60000, 8, 6), new Uint8Array(1))))).toBe(ERR_IMAGE_TOO_LARGE)
    expect(codeOf(() => decodeImage(new TextEncoder().encode('GIF89a......')))).toBe(ERR_IMAGE_UNSUPPORTED)
    expect(codeOf(() => decodeImage(new Uint8Array([1, 2, 3])))).toBe(ERR_IMAGE_FORMAT)
  })
  it('refuses a PNG of more than MAX_PNG_CHUNKS chunks (empty IDATs: work per chunk, not per pixel) before decoding it', () => {
    // IHDR, the image's IDAT, IEND, and `extra` empty IDAT chunks in between.
    const withEmptyIdats = (extra: number): Uint8Array => {
      const png = buildPng(ihdr(4, 4, 8, 6), new Uint8Array(4 * 17))
      const emptyIdat = chunk('IDAT')
      const out = new Uint8Array(png.length + extra * emptyIdat.length)
      out.set(png.subarray(0, png.length - 12))
      for (let i = 0; i < extra; i++) out.set(emptyIdat, png.length - 12 + i * emptyIdat.length)
      out.set(png.subarray(png.length - 12), out.length - 12)
      return out
    }
    expect(decodeImage(withEmptyIdats(MAX_PNG_CHUNKS - 3)).width).toBe(4)
    expect(codeOf(() => decodeImage(withEmptyIdats(MAX_PNG_CHUNKS - 2)))).toBe(ERR_IMAGE_TOO_LARGE)
  })
})

describe('PNG encoder', () => {
  it('round-trips pixels through pngjs, opaque (RGB) and translucent (RGBA)', () => {
    const opaque = decodeImage(makePng(37, 21))
    const back = PNG.sync.read(Buffer.from(encodePng(opaque)))
    expect(new Uint8Array(back.data)).toEqual(opaque.data)
    const translucent = { ...opaque, data: opaque.data.map((v, i) => (i % 4 === 3 ? (i * 7) % 256 : v)) }
    expect(new Uint8Array(PNG.sync.read(Buffer.from(encodePng(translucent))).data)).toEqual(translucent.data)
  })
  it('round-trips arbitrary small images (property)', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 }), fc.uint8Array({ minLength: 324, maxLength: 324 }), (w, h, bytes) => {
      const image = { width: w, height: h, data: bytes.slice(0, w * h * 4) }
      return Buffer.from(decodeImage(encodePng(image)).data).equals(Buffer.from(image.data))
    }), { numRuns: 50 })
  })
  it('is deterministic', () => {
    const image = decodeImage(makePng(64, 64))
    expect(Buffer.from(encodePng(image)).equals(Buffer.from(encodePng(image)))).toBe(true)
  })
})

describe('image headers', () => {
  it('reads PNG and JPEG dimensions without decoding', () => {
    expect(readImageHeader(makePng(13, 7))).toMatchObject({ mimeType: 'image/png', width: 13, height: 7 })
    const jpegHeader = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x04, 0, 0, 0xff, 0xc2, 0x00, 0x11, 0x08, 0x01, 0x2c, 0x02, 0x58, 0x03])
    expect(readImageHeader(jpegHeader)).toEqual({ mimeType: 'image/jpeg', width: 600, height: 300 })
  })
  it('refuses other formats and headers that end early, under the optimizer\'s codes in the optimizer', () => {
    for (const bytes of [new Uint8Array([1, 2, 3]), makePng(4, 4).slice(0, 20), new Uint8Array([0xff, 0xd8, 0xff, 0xd9])]) {
      expect(codeOf(() => readSceneImageHeader(bytes))).toBe(ERR_SCENE_IMAGE_INVALID)
    }
    // WebP is a texture format now: a header that ends early is invalid; KTX2 stays unsupported.
    expect(codeOf(() => readSceneImageHeader(new TextEncoder().encode('RIFF\0\0\0\0WEBPVP8 ')))).toBe(ERR_SCENE_IMAGE_INVALID)
    expect(codeOf(() => readSceneImageHeader(Uint8Array.from([0xab, ...new TextEncoder().encode('KTX 20'), 0xbb, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0])))).toBe(ERR_SCENE_IMAGE_UNSUPPORTED)
    expect(codeOf(() => readSceneImageHeader(makePng(9000, 1)))).toBeUndefined()
  })
})

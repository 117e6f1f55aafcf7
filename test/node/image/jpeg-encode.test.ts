import fc from 'fast-check'
import jpeg from 'jpeg-js'
import { describe, expect, it } from 'vitest'
import { decodeImage } from '../../../node/image/decode-image.ts'
import { encodeJpeg } from '../../../node/image/jpeg-encode.ts'
import type { RgbaImage } from '../../../node/image/rgba-image.ts'

/** `w` x `h` pixels: `noise` over a gradient, with flat runs (long zero runs in the blocks) where the noise byte is even. */
function image (w: number, h: number, noise: Uint8Array): RgbaImage {
  const data = new Uint8Array(w * h * 4)
  for (let i = 0; i < w * h; i++) {
    const n = noise[i % noise.length]!
    const flat = (n & 1) === 0
    data[i * 4] = flat ? 200 : (i * 7 + n) & 0xff
    data[i * 4 + 1] = flat ? 40 : ((i % w) * 3 + (n >> 2)) & 0xff
    data[i * 4 + 2] = flat ? 255 : n
    data[i * 4 + 3] = n
  }
  return { width: w, height: h, data }
}

const theirs = (img: RgbaImage, quality: number): Buffer => Buffer.from(jpeg.encode({ width: img.width, height: img.height, data: img.data }, quality).data)

/**
 * Whether `ours` is jpeg-js's `jpegJs`: the same bytes, or (when the data end
 * on a byte boundary, where jpeg-js pads with a whole stuffed 0xFF byte that
 * libjpeg warns about) the same bytes without that `FF 00` before EOI.
 */
function sameAsJpegJs (ours: Uint8Array, jpegJs: Buffer): boolean {
  if (Buffer.from(ours).equals(jpegJs)) return true
  const tail = jpegJs.subarray(-4).toString('hex')
  return tail === 'ff00ffd9' && Buffer.from(ours).equals(Buffer.concat([jpegJs.subarray(0, -4), Buffer.of(0xff, 0xd9)]))
}

describe('encodeJpeg', () => {
  it('writes jpeg-js\'s bytes, less its padding byte: property over sizes (partial edge blocks), qualities and content', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 70 }), fc.integer({ min: 1, max: 70 }), fc.integer({ min: 1, max: 100 }), fc.uint8Array({ minLength: 1, maxLength: 61 }),
      (w, h, quality, noise) => {
        const img = image(w, h, noise)
        expect(sameAsJpegJs(encodeJpeg(img, quality), theirs(img, quality))).toBe(true)
      }), { numRuns: 40 })
  })

  it('writes jpeg-js\'s bytes for extreme content: black, white (0xFF bytes to stuff), full-range noise, and a 300 × 200 image', () => {
    const solid = (v: number): RgbaImage => ({ width: 17, height: 9, data: new Uint8Array(17 * 9 * 4).fill(v) })
    for (const img of [solid(0), solid(255)]) {
      for (const q of [1, 50, 100]) expect(sameAsJpegJs(encodeJpeg(img, q), theirs(img, q))).toBe(true)
    }
    const noise = new Uint8Array(251)
    for (let i = 0; i < noise.length; i++) noise[i] = (i * 97 + 13) & 0xff
    const big = image(300, 200, noise)
    for (const q of [85, 90, 100]) expect(sameAsJpegJs(encodeJpeg(big, q), theirs(big, q))).toBe(true)
  })

  it('writes no padding byte where jpeg-js writes one: the case libjpeg warns about ends FF D9 right after the data', () => {
    // The image whose data jpeg-js ends on a byte boundary (found by the decoder's property test).
    const data = new Uint8Array(7 * 14 * 4)
    const noise = Uint8Array.of(34, 221, 221, 206, 155, 4, 15, 235)
    for (let i = 0; i < 7 * 14; i++) {
      const n = noise[i % noise.length]!
      data[i * 4] = (i * 7 + n) & 0xff; data[i * 4 + 1] = (i % 7) * 3 + (n >> 2) & 0xff; data[i * 4 + 2] = n; data[i * 4 + 3] = 255
    }
    const img = { width: 7, height: 14, data }
    const jpegJs = theirs(img, 99)
    expect(jpegJs.subarray(-4).toString('hex')).toBe('ff00ffd9')
    const ours = encodeJpeg(img, 99)
    expect(ours.length).toBe(jpegJs.length - 2)
    expect(decodeImage(ours).width).toBe(7)
  })

  it('writes JPEGs the node\'s decoder takes whole: property over sizes, qualities and content', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 100 }), fc.uint8Array({ minLength: 1, maxLength: 61 }),
      (w, h, quality, noise) => {
        const back = decodeImage(encodeJpeg(image(w, h, noise), quality))
        expect([back.width, back.height]).toEqual([w, h])
      }), { numRuns: 100 })
  })

  it('writes a JPEG the node decodes to the image within JPEG\'s loss', () => {
    const img = image(64, 48, Uint8Array.of(1, 3, 5, 7))
    const back = decodeImage(encodeJpeg(img, 95))
    expect([back.width, back.height]).toEqual([64, 48])
  })
})

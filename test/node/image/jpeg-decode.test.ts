import fc from 'fast-check'
import jpeg from 'jpeg-js'
import { describe, expect, it } from 'vitest'
import { decodeImage } from '../../../node/image/decode-image.ts'
import { ERR_IMAGE_DECODE } from '../../../node/image/errors.ts'
import { jpegSlabBlocks } from '../../../node/image/jpeg-decode.ts'

/** A jpeg-js JPEG of `w` x `h` pixels of `noise` over a gradient, at `quality`. */
function makeJpeg (w: number, h: number, quality: number, noise: Uint8Array): Uint8Array {
  const data = new Uint8Array(w * h * 4)
  for (let i = 0; i < w * h; i++) {
    const n = noise[i % noise.length]!
    data[i * 4] = (i * 7 + n) & 0xff; data[i * 4 + 1] = (i % w) * 3 + (n >> 2) & 0xff; data[i * 4 + 2] = n; data[i * 4 + 3] = 255
  }
  return new Uint8Array(jpeg.encode({ width: w, height: h, data }, quality).data)
}

describe('decodeJpegPixels (block arrays from slabs)', () => {
  it('gives exactly jpeg-js\'s own pixels (property over sizes, qualities and content)', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 90 }), fc.integer({ min: 1, max: 90 }), fc.integer({ min: 1, max: 100 }), fc.uint8Array({ minLength: 1, maxLength: 97 }),
      (w, h, quality, noise) => {
        const bytes = makeJpeg(w, h, quality, noise)
        const ours = decodeImage(bytes)
        const theirs = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true })
        expect([ours.width, ours.height]).toEqual([w, h])
        expect(Buffer.from(ours.data).equals(Buffer.from(theirs.data))).toBe(true)
      }), { numRuns: 40 })
  })

  it('takes every coefficient block from a slab: one per 8 x 8 block of each of the three components, across slabs', () => {
    // 300 x 280: 38 x 35 blocks per component, 3,990 in all, more than one slab (1,024 blocks) holds.
    const bytes = makeJpeg(300, 280, 90, Uint8Array.of(3, 250, 17, 99))
    const before = jpegSlabBlocks()
    const ours = decodeImage(bytes)
    expect(jpegSlabBlocks() - before).toBeGreaterThanOrEqual(38 * 35 * 3)
    expect(Buffer.from(ours.data).equals(Buffer.from(jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true }).data))).toBe(true)
  })

  it('restores the global Int32Array after a decode, and after one that throws', () => {
    const native = Int32Array
    decodeImage(makeJpeg(16, 16, 80, Uint8Array.of(1)))
    expect(globalThis.Int32Array).toBe(native)
    const broken = makeJpeg(64, 64, 80, Uint8Array.of(5, 9)).slice(0, 400)
    let code: string | undefined
    try { decodeImage(broken) } catch (err) { code = (err as { code?: string }).code }
    expect(code).toBe(ERR_IMAGE_DECODE)
    expect(globalThis.Int32Array).toBe(native)
    expect(new Int32Array(64).buffer.byteLength).toBe(256)
  })
})

import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import fc from 'fast-check'
import jpeg from 'jpeg-js'
import { describe, expect, it } from 'vitest'
import { decodeImage } from '../../../node/image/decode-image.ts'
import { ERR_IMAGE_DECODE, ERR_IMAGE_TOO_LARGE } from '../../../node/image/errors.ts'
import { KEEP_MEMORY_BYTES, MAX_JPEG_SCANS, countJpegScans, jpegDecoderInstances } from '../../../node/image/jpeg-decode.ts'
import { GOLDEN_JPEG_PIXELS_SHA256, goldenJpeg, makeJpeg, progressiveJpeg, withExifOrientation, withRepeatedLastScan } from './jpeg-fixtures.ts'

function codeOf (fn: () => unknown): string | undefined {
  try { fn() } catch (err) { return (err as { code?: string }).code }
  return undefined
}

describe('decodeJpegPixels (libjpeg in WebAssembly)', () => {
  it('agrees with an independent decoder (jpeg-js) within JPEG\'s rounding: property over sizes, qualities and content', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 90 }), fc.integer({ min: 1, max: 90 }), fc.integer({ min: 1, max: 100 }), fc.uint8Array({ minLength: 1, maxLength: 97 }),
      (w, h, quality, noise) => {
        const bytes = makeJpeg(w, h, quality, noise)
        const ours = decodeImage(bytes)
        const theirs = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true })
        expect([ours.width, ours.height]).toEqual([w, h])
        let max = 0
        let sum = 0
        for (let i = 0; i < ours.data.length; i++) {
          const d = Math.abs(ours.data[i]! - theirs.data[i]!)
          max = Math.max(max, d)
          sum += d
        }
        // The two IDCTs round differently (libjpeg's scaled integer one, jpeg-js's own); alpha is 255 in both.
        expect(max).toBeLessThanOrEqual(8)
        expect(sum / ours.data.length).toBeLessThan(1.5)
      }), { numRuns: 40 })
  })

  it('gives the same pixels in this process, in a second decode and in a child process (golden hash)', () => {
    const bytes = goldenJpeg()
    const digest = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex')
    const first = decodeImage(bytes)
    expect(digest(first.data)).toBe(GOLDEN_JPEG_PIXELS_SHA256)
    expect(digest(decodeImage(bytes).data)).toBe(GOLDEN_JPEG_PIXELS_SHA256)
    const child = fileURLToPath(new URL('./jpeg-decode-child.ts', import.meta.url))
    expect(execFileSync(process.execPath, [child], { encoding: 'utf8' }).trim()).toBe(GOLDEN_JPEG_PIXELS_SHA256)
  })

  it('refuses a damaged JPEG with ERR_IMAGE_DECODE and the library\'s message, and decodes the next image with a fresh instance', () => {
    const whole = makeJpeg(64, 64, 80, Uint8Array.of(5, 9))
    const before = jpegDecoderInstances()
    for (let i = 0; i < 30; i++) {
      let message = ''
      try { decodeImage(whole.slice(0, 300 + i * 7)) } catch (err) { message = (err as Error).message; expect((err as { code?: string }).code).toBe(ERR_IMAGE_DECODE) }
      expect(message).toMatch(/^JPEG image does not decode/)
    }
    // Each failure dropped its instance: every next decode made a new one, and its pixels are right.
    const again = decodeImage(whole)
    expect(jpegDecoderInstances() - before).toBeGreaterThanOrEqual(30)
    expect(again.width).toBe(64)
    expect(Buffer.from(again.data).equals(Buffer.from(decodeImage(whole).data))).toBe(true)
  })

  it('frees a dropped instance at once, not when the current turn ends: four 4096² decodes in one turn hold one instance\'s memory', () => {
    const child = fileURLToPath(new URL('./wasm-release-child.ts', import.meta.url))
    const { grown, instances } = JSON.parse(execFileSync(process.execPath, ['--expose-gc', child], { encoding: 'utf8' })) as { grown: number, instances: number }
    expect(instances).toBe(5) // each decode grew its instance past KEEP_MEMORY_BYTES, so each was dropped
    // At most about two instances (69 to 136 MB measured); it was 545 MB while a reaction to each readiness promise held its instance.
    expect(grown).toBeLessThan(4 * KEEP_MEMORY_BYTES)
  })

  it('refuses data after which libjpeg would fill in grey (a warning is a refusal), and a JPEG whose size differs from its header', () => {
    const whole = makeJpeg(48, 40, 85, Uint8Array.of(200, 3, 77))
    // Corrupt bytes inside the entropy-coded data, ending with a valid EOI: libjpeg warns and goes on.
    const damaged = whole.slice()
    for (let i = damaged.length - 200; i < damaged.length - 100; i++) damaged[i] = 0xff
    expect(codeOf(() => decodeImage(damaged))).toBe(ERR_IMAGE_DECODE)
  })

  it('decodes a JPEG padded between its data and the end marker (jpeg-js writes one in eight so), and still refuses padding before a next scan', () => {
    // jpeg-js ends these data on a byte boundary and pads with a stuffed 0xFF byte: libjpeg warns of 2 extraneous bytes before 0xD9.
    const padded = makeJpeg(7, 14, 99, Uint8Array.of(34, 221, 221, 206, 155, 4, 15, 235))
    expect(Buffer.from(padded.subarray(-4)).toString('hex')).toBe('ff00ffd9')
    const unpadded = Uint8Array.from([...padded.subarray(0, -4), 0xff, 0xd9])
    const a = decodeImage(padded)
    expect([a.width, a.height]).toEqual([7, 14])
    expect(Buffer.from(a.data).equals(Buffer.from(decodeImage(unpadded).data))).toBe(true)
    // The same two bytes before the second scan of a progressive JPEG: the scans after them are not whole.
    const progressive = progressiveJpeg(40, 32)
    const sos: number[] = []
    for (let i = 2; i + 1 < progressive.length; i++) if (progressive[i] === 0xff && progressive[i + 1] === 0xda) sos.push(i)
    expect(sos.length).toBeGreaterThan(1)
    const early = Uint8Array.from([...progressive.subarray(0, sos[1]!), 0xff, 0x00, ...progressive.subarray(sos[1]!)])
    expect(codeOf(() => decodeImage(early))).toBe(ERR_IMAGE_DECODE)
  })

  it('ignores the EXIF orientation: the image is used as stored', () => {
    const plain = makeJpeg(40, 24, 90, Uint8Array.of(10, 20, 30))
    const rotated = withExifOrientation(plain, 6)
    const a = decodeImage(plain)
    const b = decodeImage(rotated)
    expect([b.width, b.height]).toEqual([40, 24])
    expect(Buffer.from(a.data).equals(Buffer.from(b.data))).toBe(true)
  })

  it('decodes progressive JPEGs, and refuses one with more than MAX_JPEG_SCANS scans before decoding any (ERR_IMAGE_TOO_LARGE)', () => {
    expect(countJpegScans(makeJpeg(40, 30, 80, Uint8Array.of(1)))).toBe(1)
    const progressive = progressiveJpeg(256, 192)
    const scans = countJpegScans(progressive)
    expect(scans).toBeGreaterThan(1)
    expect(decodeImage(progressive).width).toBe(256)
    // Repeating the last scan (a refinement pass libjpeg accepts again) up to the limit still decodes to the same size...
    const atLimit = withRepeatedLastScan(progressive, MAX_JPEG_SCANS - scans)
    expect(countJpegScans(atLimit)).toBe(MAX_JPEG_SCANS)
    expect(decodeImage(atLimit).height).toBe(192)
    // ...one more is refused: each scan is a pass over every block, so a file of near-empty scans could hold a decoder for long.
    const over = withRepeatedLastScan(progressive, MAX_JPEG_SCANS - scans + 1)
    expect(over.length - progressive.length).toBeLessThan(64 * 1024)
    expect(codeOf(() => decodeImage(over))).toBe(ERR_IMAGE_TOO_LARGE)
  })
})

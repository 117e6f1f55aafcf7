/**
 * WebP through the node's image decoder (libwebp in WebAssembly): headers of
 * the three forms read and bounded before decoding, lossless round trips,
 * byte-identical encoding across runs and processes, and every corrupt or
 * lying file refused with an `ERR_IMAGE_*` code (property test over mutations).
 */
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeImage } from '../../../node/image/decode-image.ts'
import { ERR_IMAGE_DECODE, ERR_IMAGE_TOO_LARGE, ERR_IMAGE_UNSUPPORTED } from '../../../node/image/errors.ts'
import { TEXTURE_IMAGE_FORMATS, readImageHeader } from '../../../node/image/image-header.ts'
import { webpDecoderInstances } from '../../../node/image/webp-codec.ts'
import { encodeWebp } from '../../../node/image/webp-encode.ts'
import { codeOf } from '../../helpers/codes.ts'
import { findChunk, gradientImage, withCanvasSize, withVp8Size } from './webp-fixtures.ts'

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex')
const opts = { formats: TEXTURE_IMAGE_FORMATS }
const opaque = gradientImage(40, 24, false)
const lossy = encodeWebp(opaque, { lossless: false, quality: 80 })
const lossless = encodeWebp(opaque, { lossless: true })
const withAlpha = encodeWebp(gradientImage(40, 24, true), { lossless: false, quality: 80 })

describe('WebP headers', () => {
  it('reads the simple lossy, simple lossless and extended forms', () => {
    expect(findChunk(lossy, 'VP8 ')).toBe(12)
    expect(findChunk(lossless, 'VP8L')).toBe(12)
    expect(findChunk(withAlpha, 'VP8X')).toBe(12)
    expect(readImageHeader(lossy, opts)).toEqual({ mimeType: 'image/webp', width: 40, height: 24, lossless: false })
    expect(readImageHeader(lossless, opts)).toEqual({ mimeType: 'image/webp', width: 40, height: 24, lossless: true })
    expect(readImageHeader(withAlpha, opts)).toEqual({ mimeType: 'image/webp', width: 40, height: 24, lossless: false })
  })

  it('stays unsupported where the caller does not accept WebP (measured frames)', () => {
    expect(codeOf(() => readImageHeader(lossy))).toBe(ERR_IMAGE_UNSUPPORTED)
    expect(codeOf(() => decodeImage(lossy))).toBe(ERR_IMAGE_UNSUPPORTED)
  })

  it('bounds the declared size before decoding: a VP8 frame or a VP8X canvas above the limits', () => {
    const limits = { maxFileBytes: 1 << 20, maxDimension: 8192, maxPixels: 8192 * 8192 }
    expect(codeOf(() => decodeImage(withVp8Size(lossy, 16383, 16383), { ...opts, limits }))).toBe(ERR_IMAGE_TOO_LARGE)
    expect(codeOf(() => decodeImage(withCanvasSize(withAlpha, 16384, 16384), { ...opts, limits }))).toBe(ERR_IMAGE_TOO_LARGE)
    expect(codeOf(() => decodeImage(lossy, { ...opts, limits: { ...limits, maxPixels: 40 * 24 - 1 } }))).toBe(ERR_IMAGE_TOO_LARGE)
  })

  it('refuses a file that lies about its size: a canvas unlike its bitstream, a frame header unlike its data', () => {
    expect(codeOf(() => readImageHeader(withCanvasSize(withAlpha, 20, 12), opts))).toBe(ERR_IMAGE_DECODE)
    expect(codeOf(() => decodeImage(withVp8Size(lossy, 80, 48), opts))).toBe(ERR_IMAGE_DECODE)
  })

  it('refuses animation, truncation and a RIFF size past the end', () => {
    const animated = withAlpha.slice()
    animated[20] = animated[20]! | 0x02
    expect(codeOf(() => readImageHeader(animated, opts))).toBe(ERR_IMAGE_UNSUPPORTED)
    expect(codeOf(() => readImageHeader(lossy.subarray(0, 24), opts))).toBe(ERR_IMAGE_DECODE)
    expect(codeOf(() => decodeImage(lossy.subarray(0, lossy.length - 40), opts))).toBe(ERR_IMAGE_DECODE)
    const long = lossy.slice()
    long[4] = 0xff; long[5] = 0xff
    expect(codeOf(() => readImageHeader(long, opts))).toBe(ERR_IMAGE_DECODE)
  })

  it('never throws anything but ERR_IMAGE_* for mutated files, and never decodes to another size (property)', () => {
    fc.assert(fc.property(
      fc.constantFrom(lossy, lossless, withAlpha),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
      (file, edits) => {
        const bytes = file.slice()
        for (const [at, v] of edits) bytes[at % bytes.length] = v
        try {
          const image = decodeImage(bytes, { ...opts, limits: { maxFileBytes: 1 << 20, maxDimension: 4096, maxPixels: 1 << 22 } })
          expect(image.data.length).toBe(image.width * image.height * 4)
          expect([image.width, image.height]).toEqual([readImageHeader(bytes, opts).width, readImageHeader(bytes, opts).height])
        } catch (err) {
          expect((err as { code?: string }).code).toMatch(/^ERR_IMAGE_(DECODE|TOO_LARGE|UNSUPPORTED|FORMAT)$/)
        }
      }
    ), { numRuns: 200 })
  })
})

describe('WebP encoding', () => {
  it('round-trips lossless exactly (alpha too) and lossy within a small error', () => {
    const rgba = gradientImage(33, 17, true)
    expect(Buffer.from(decodeImage(encodeWebp(rgba, { lossless: true }), opts).data).equals(Buffer.from(rgba.data))).toBe(true)
    const back = decodeImage(lossy, opts)
    let sq = 0
    for (let i = 0; i < back.data.length; i++) sq += (back.data[i]! - opaque.data[i]!) ** 2
    const psnr = 10 * Math.log10(255 * 255 / (sq / back.data.length))
    expect(psnr).toBeGreaterThan(30)
    expect(back.data.filter((_, i) => i % 4 === 3).every((a) => a === 255)).toBe(true)
  })

  it('gives byte-identical files in two runs and in another process', () => {
    const image = gradientImage(96, 64, false)
    const here = (): string => sha(Buffer.concat([encodeWebp(image, { lossless: false, quality: 80 }), encodeWebp(image, { lossless: true })]))
    const a = here()
    expect(here()).toBe(a)
    const child = fileURLToPath(new URL('./webp-encode-child.ts', import.meta.url))
    expect(execFileSync(process.execPath, [child, '96', '64'], { encoding: 'utf8' }).trim()).toBe(a)
  })
})

describe('WebP decoder instance', () => {
  it('is dropped after a failure and after a 4096² image (memory past KEEP_MEMORY_BYTES), and the next image decodes exactly', () => {
    const small = encodeWebp(gradientImage(33, 21, true), { lossless: true })
    const pixels = sha(decodeImage(small, opts).data)
    let before = webpDecoderInstances()
    decodeImage(small, opts)
    expect(webpDecoderInstances()).toBe(before) // a small image keeps its instance
    const broken = small.slice()
    broken.fill(0x55, 30)
    expect(codeOf(() => decodeImage(broken, opts))).toBe(ERR_IMAGE_DECODE)
    expect(sha(decodeImage(small, opts).data)).toBe(pixels)
    expect(webpDecoderInstances()).toBe(before + 1)
    const side = 4096
    const large = encodeWebp({ width: side, height: side, data: new Uint8Array(side * side * 4).fill(200) }, { lossless: true })
    before = webpDecoderInstances()
    expect(decodeImage(large, opts).data.every((v) => v === 200)).toBe(true)
    expect(sha(decodeImage(small, opts).data)).toBe(pixels)
    expect(webpDecoderInstances()).toBe(before + 1)
  })
})

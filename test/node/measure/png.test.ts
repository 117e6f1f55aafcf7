import { crc32, deflateSync } from 'node:zlib'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { isTrustEngineError } from '../../../protocol/errors.ts'
import { ERR_PNG_DECODE, ERR_PNG_SIGNATURE, ERR_PNG_TOO_LARGE } from '../../../node/measure/errors.ts'
import { decodePng, inflatedSize, readPngHeader } from '../../../node/measure/png.ts'
import {
  buildPng, chunk, encodePng, ihdr, makeImage, noise, PNG_SIGNATURE, rgbaScanlines, scene
} from './fixtures.ts'
import { codeOf } from '../../helpers/codes.ts'

const DECODER_CODES = [ERR_PNG_SIGNATURE, ERR_PNG_TOO_LARGE, ERR_PNG_DECODE]

/** Offsets and lengths of the chunks of a PNG file. */
function chunks (png: Uint8Array): Array<{ offset: number, length: number, type: string }> {
  const out = []
  const buf = Buffer.from(png)
  for (let o = 8; o + 12 <= buf.length;) {
    const length = buf.readUInt32BE(o)
    out.push({ offset: o, length, type: buf.toString('latin1', o + 4, o + 8) })
    o += 12 + length
  }
  return out
}

/** Copy of `png` with the data byte at `index` of chunk `c` replaced and the chunk's CRC fixed. */
function mutateChunkData (png: Uint8Array, c: { offset: number, length: number }, index: number, value: number): Uint8Array {
  const out = Buffer.from(png)
  out[c.offset + 8 + index] = value
  out.writeUInt32BE(crc32(out.subarray(c.offset + 4, c.offset + 8 + c.length)), c.offset + 8 + c.length)
  return out
}

describe('decodePng', () => {
  it('decodes 8-bit RGB, RGBA, grey and grey+alpha PNGs', () => {
    const img = scene(37, 23)
    expect(decodePng(encodePng(img)).data).toEqual(img.data)
    expect(decodePng(encodePng(img, { alpha: true })).data).toEqual(img.data)
    const grey = makeImage(20, 13, (x, y) => [x * 12, x * 12, x * 12])
    expect(decodePng(encodePng(grey, { colorType: 0 })).data).toEqual(grey.data)
    expect(decodePng(encodePng(grey, { colorType: 4 })).data).toEqual(grey.data)
  })

  it('keeps the high byte of 16-bit channels', () => {
    const img = noise(19, 17, '01')
    expect(decodePng(encodePng(img, { bitDepth: 16 })).data).toEqual(img.data)
    expect(decodePng(encodePng(img, { bitDepth: 16, colorType: 6 })).data).toEqual(img.data)
    // A hand-built 16-bit grey pixel 0x12ff decodes to 0x12, not the rounded 0x13.
    const png = buildPng(ihdr(1, 1, 16, 0), Uint8Array.of(0, 0x12, 0xff))
    expect(Array.from(decodePng(png).data)).toEqual([0x12, 0x12, 0x12, 255])
  })

  it('composites alpha onto black', () => {
    const img = makeImage(3, 1, (x) => [[200, 100, 50, 255], [200, 100, 50, 128], [200, 100, 50, 0]][x]!)
    const out = decodePng(encodePng(img, { alpha: true }))
    // round(200·128/255) = 100, round(100·128/255) = 50, round(50·128/255) = 25.
    expect(Array.from(out.data)).toEqual([200, 100, 50, 255, 100, 50, 25, 255, 0, 0, 0, 255])
  })

  it('expands palettes (with tRNS alpha) and scales low bit depths exactly', () => {
    const plte = chunk('PLTE', Uint8Array.of(255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30))
    const trns = chunk('tRNS', Uint8Array.of(255, 255, 0))
    // 2-bit palette indices 0 1 2 3 in one byte; filter byte 0.
    const pal = decodePng(buildPng(ihdr(4, 1, 2, 3), Uint8Array.of(0, 0b00011011), [plte, trns]))
    expect(Array.from(pal.data)).toEqual([255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 0, 255, 10, 20, 30, 255])
    // 1-bit grey 1 0 1 1 → 255 0 255 255; 4-bit grey 0x3 0xf → 51 255.
    const g1 = decodePng(buildPng(ihdr(4, 1, 1, 0), Uint8Array.of(0, 0b10110000)))
    expect(Array.from(g1.data).filter((_, i) => i % 4 === 0)).toEqual([255, 0, 255, 255])
    const g4 = decodePng(buildPng(ihdr(2, 1, 4, 0), Uint8Array.of(0, 0x3f)))
    expect(Array.from(g4.data)).toEqual([51, 51, 51, 255, 255, 255, 255, 255])
  })

  it('decodes Adam7-interlaced images to the same pixels', () => {
    const img = noise(13, 10, '02')
    const plain = buildPng(ihdr(13, 10, 8, 6), rgbaScanlines(img))
    const interlaced = buildPng(ihdr(13, 10, 8, 6, 1), rgbaScanlines(img, true))
    expect(readPngHeader(interlaced).interlaced).toBe(true)
    expect(decodePng(interlaced).data).toEqual(decodePng(plain).data)
    expect(decodePng(plain).data).toEqual(img.data)
  })

  it('computes the exact inflated size, interlaced or not', () => {
    expect(inflatedSize({ width: 13, height: 10, bitDepth: 8, colorType: 6, interlaced: false })).toBe(10 * (1 + 52))
    expect(inflatedSize({ width: 13, height: 10, bitDepth: 8, colorType: 6, interlaced: true })).toBe(rgbaScanlines(noise(13, 10, '03'), true).length)
    expect(inflatedSize({ width: 9, height: 2, bitDepth: 1, colorType: 0, interlaced: false })).toBe(2 * (1 + 2))
  })

  it('refuses bytes that are not a PNG', () => {
    expect(codeOf(() => decodePng(new Uint8Array(0)))).toBe(ERR_PNG_SIGNATURE)
    expect(codeOf(() => decodePng(new TextEncoder().encode('GIF89a definitely not a png')))).toBe(ERR_PNG_SIGNATURE)
    const jpegLike = Uint8Array.of(0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46)
    expect(codeOf(() => decodePng(jpegLike))).toBe(ERR_PNG_SIGNATURE)
  })

  it('refuses truncated files', () => {
    const png = encodePng(scene(40, 30))
    for (const cut of [8, 20, 33, 40, png.length - 20, png.length - 1]) {
      expect(codeOf(() => decodePng(png.subarray(0, cut))), `cut at ${cut}`).toBe(ERR_PNG_DECODE)
    }
  })

  it('refuses a header claiming 100000×100000 before allocating pixels', () => {
    // A real, CRC-correct header for 10^10 pixels and a tiny IDAT: only the header is read.
    const huge = buildPng(ihdr(100_000, 100_000, 8, 6), new Uint8Array(10))
    expect(codeOf(() => readPngHeader(huge))).toBe(ERR_PNG_TOO_LARGE)
    expect(codeOf(() => decodePng(huge))).toBe(ERR_PNG_TOO_LARGE)
    expect(codeOf(() => decodePng(buildPng(ihdr(9000, 10, 8, 2), new Uint8Array(10))))).toBe(ERR_PNG_TOO_LARGE)
    const png = encodePng(scene(40, 30))
    expect(codeOf(() => decodePng(png, { maxPixels: 40 * 30 - 1 }))).toBe(ERR_PNG_TOO_LARGE)
    expect(codeOf(() => decodePng(png, { maxDimension: 39 }))).toBe(ERR_PNG_TOO_LARGE)
    expect(codeOf(() => decodePng(png, { maxFileBytes: png.length - 1 }))).toBe(ERR_PNG_TOO_LARGE)
    expect(decodePng(png, { maxPixels: 40 * 30, maxDimension: 40, maxFileBytes: png.length }).width).toBe(40)
  })

  it('stops image data that inflates past the size the header implies (compression bomb)', () => {
    // 16×16 RGBA needs 16 · 65 = 1040 bytes; this stream inflates to 16 MiB of zeros from about 16 KiB.
    const bomb = Buffer.concat([PNG_SIGNATURE, chunk('IHDR', ihdr(16, 16, 8, 6)), chunk('IDAT', deflateSync(Buffer.alloc(16 * 1024 * 1024), { level: 9 })), chunk('IEND')])
    expect(bomb.length).toBeLessThan(64 * 1024)
    expect(codeOf(() => decodePng(bomb))).toBe(ERR_PNG_DECODE)
    // Too little data is refused as well.
    expect(codeOf(() => decodePng(buildPng(ihdr(16, 16, 8, 6), new Uint8Array(1039))))).toBe(ERR_PNG_DECODE)
  })

  it('refuses bad CRCs, bad header fields, missing IEND and unknown filters', () => {
    const png = encodePng(scene(20, 20))
    const idat = chunks(png).find((c) => c.type === 'IDAT')!
    const badCrc = Buffer.from(png)
    badCrc[idat.offset + 8 + idat.length] = badCrc[idat.offset + 8 + idat.length]! ^ 1
    expect(codeOf(() => decodePng(badCrc))).toBe(ERR_PNG_DECODE)
    expect(codeOf(() => decodePng(buildPng(ihdr(4, 4, 16, 3), new Uint8Array(4 * 9))))).toBe(ERR_PNG_DECODE)
    expect(codeOf(() => decodePng(buildPng(ihdr(4, 4, 8, 5), new Uint8Array(4 * 5))))).toBe(ERR_PNG_DECODE)
    expect(codeOf(() => decodePng(buildPng(ihdr(0, 4, 8, 2), new Uint8Array(4))))).toBe(ERR_PNG_DECODE)
    expect(codeOf(() => decodePng(buildPng(ihdr(4, 4, 8, 2, 2), new Uint8Array(4 * 13))))).toBe(ERR_PNG_DECODE)
    const noIend = Buffer.concat([PNG_SIGNATURE, chunk('IHDR', ihdr(2, 2, 8, 2)), chunk('IDAT', deflateSync(new Uint8Array(14)))])
    expect(codeOf(() => decodePng(noIend))).toBe(ERR_PNG_DECODE)
    // Filter type 9 does not exist.
    expect(codeOf(() => decodePng(buildPng(ihdr(2, 1, 8, 2), Uint8Array.of(9, 1, 2, 3, 4, 5, 6))))).toBe(ERR_PNG_DECODE)
    // Palette image without PLTE, and an index past the palette.
    expect(codeOf(() => decodePng(buildPng(ihdr(2, 1, 8, 3), Uint8Array.of(0, 0, 0))))).toBe(ERR_PNG_DECODE)
    expect(codeOf(() => decodePng(buildPng(ihdr(2, 1, 8, 3), Uint8Array.of(0, 0, 7), [chunk('PLTE', Uint8Array.of(1, 2, 3))])))).toBe(ERR_PNG_DECODE)
  })

  it('never fails with anything but its codes on random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), fc.boolean(), (bytes, withSignature) => {
      const input = withSignature ? Buffer.concat([PNG_SIGNATURE, bytes]) : bytes
      const code = codeOf(() => decodePng(input))
      expect(DECODER_CODES).toContain(code)
    }), { numRuns: 500 })
  })

  it('decodes or refuses with its codes any mutation of a valid PNG', () => {
    const valid = [encodePng(noise(12, 11, '04')), encodePng(scene(24, 16), { alpha: true }), buildPng(ihdr(13, 10, 8, 6, 1), rgbaScanlines(noise(13, 10, '05'), true))]
    const mutation = fc.oneof(
      // Flip a byte anywhere (CRCs usually catch it).
      fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
      // Change a byte inside a chunk's data and fix the CRC, so the decoder's later stages see it.
      fc.record({ kind: fc.constant('chunk' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
      // Cut the file short.
      fc.record({ kind: fc.constant('cut' as const), at: fc.nat(), value: fc.constant(0) })
    )
    fc.assert(fc.property(fc.integer({ min: 0, max: valid.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 4 }), (which, steps) => {
      let png: Uint8Array = valid[which]!
      for (const m of steps) {
        if (png.length === 0) break
        if (m.kind === 'flip') {
          const out = Buffer.from(png)
          out[m.at % out.length] = m.value
          png = out
        } else if (m.kind === 'cut') {
          png = png.subarray(0, m.at % png.length)
        } else {
          const cs = chunks(png).filter((c) => c.length > 0 && c.offset + 12 + c.length <= png.length)
          if (cs.length === 0) continue
          const c = cs[m.at % cs.length]!
          png = mutateChunkData(png, c, Math.floor(m.at / cs.length) % c.length, m.value)
        }
      }
      let code: string | undefined
      try {
        const img = decodePng(png)
        expect(img.data.length).toBe(img.width * img.height * 4)
      } catch (err) {
        code = isTrustEngineError(err) ? err.code : `not a TrustEngineError: ${String(err)}`
        expect(DECODER_CODES).toContain(code)
      }
    }), { numRuns: 1000 })
  })
})

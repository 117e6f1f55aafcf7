import fc from 'fast-check'
import { PNG } from 'pngjs'
import { deflateSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { decodeImage } from '../../../node/image/decode-image.ts'
import { ERR_IMAGE_DECODE } from '../../../node/image/errors.ts'
import { type PixelOptions, inflatedSize } from '../../../node/image/png-decode.ts'
import { ADAM7 } from '../../../node/image/png-unfilter.ts'
import { PNG_SIGNATURE, PNG_CHANNELS as CHANNELS, PNG_LAYOUTS as LAYOUTS, chunk, ihdr } from '../measure/fixtures.ts'
import { codeOf } from '../../helpers/codes.ts'

const OPTIONS: readonly PixelOptions[] = [
  { alpha: 'straight', sixteenBit: 'rounded' }, { alpha: 'straight', sixteenBit: 'high-byte' },
  { alpha: 'over-black', sixteenBit: 'rounded' }, { alpha: 'over-black', sixteenBit: 'high-byte' }
]

/**
 * The node's PNG decoding before it unfiltered PNGs itself, as the reference:
 * pngjs with `skipRescale: true`, then the conversion to RGBA8 of `pixels`
 * (the former toRgba8 of png-decode.ts, verbatim but for names).
 */
function reference (png: Uint8Array, pixels: PixelOptions): Uint8Array {
  const decoded = PNG.sync.read(Buffer.from(png), { skipRescale: true, checkCRC: true }) as unknown as { width: number, height: number, depth: number, colorType: number, data: Uint8Array | Uint16Array }
  const src = decoded.data
  const n = decoded.width * decoded.height * 4
  const overBlack = pixels.alpha === 'over-black'
  const composite = (out: Uint8Array): void => {
    for (let p = 0; p < out.length; p += 4) {
      const a = out[p + 3]!
      if (a === 255) continue
      for (let c = 0; c < 3; c++) out[p + c] = ((out[p + c]! * a + 127) / 255) | 0
      out[p + 3] = 255
    }
  }
  const out = new Uint8Array(n)
  if (decoded.colorType === 3 || decoded.depth === 8) {
    out.set(src)
    if (overBlack) composite(out)
    return out
  }
  if (decoded.depth === 16 && pixels.sixteenBit === 'rounded') {
    for (let i = 0; i < n; i++) out[i] = Math.floor((src[i]! * 255) / 65535 + 0.5)
    if (overBlack) composite(out)
    return out
  }
  const scale = decoded.depth >= 8 ? 1 : 255 / ((1 << decoded.depth) - 1)
  const shift = decoded.depth === 16 ? 8 : 0
  for (let p = 0; p < n; p += 4) {
    const a = (src[p + 3]! >> shift) * scale
    for (let c = 0; c < 3; c++) {
      const v = (src[p + c]! >> shift) * scale
      out[p + c] = !overBlack || a === 255 ? v : ((v * a + 127) / 255) | 0
    }
    out[p + 3] = overBlack ? 255 : a
  }
  return out
}

/** Our decode's outcome beside the reference's: the same bytes, or both refused (ours with ERR_IMAGE_DECODE). */
function expectSameOutcome (png: Uint8Array, pixels: PixelOptions): void {
  let theirs: Uint8Array | null = null
  try { theirs = reference(png, pixels) } catch { /* refused */ }
  if (theirs === null) {
    expect(codeOf(() => decodeImage(png, pixels))).toBe(ERR_IMAGE_DECODE)
    return
  }
  const ours = decodeImage(png, pixels).data
  expect(Buffer.from(ours).equals(Buffer.from(theirs))).toBe(true)
}

/** Filters one packed scanline (`raw`, unfiltered; `prev` the pass's row above or null) with filter `f`. */
function filterRow (raw: Uint8Array, prev: Uint8Array | null, f: number, bpp: number): Uint8Array {
  const out = new Uint8Array(raw.length + 1)
  out[0] = f
  for (let i = 0; i < raw.length; i++) {
    const a = i >= bpp ? raw[i - bpp]! : 0
    const b = prev === null ? 0 : prev[i]!
    const c = prev !== null && i >= bpp ? prev[i - bpp]! : 0
    const p = a + b - c
    const paeth = Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c
    const predictor = [0, a, b, (a + b) >> 1, paeth][f]!
    out[i + 1] = (raw[i]! - predictor) & 0xff
  }
  return out
}

/** A test image: layout, size, samples (one per channel per pixel, raw), filters per scanline. */
interface Sample { colorType: number, bitDepth: number, width: number, height: number, interlaced: boolean, samples: number[], filters: number[] }

/** The filtered scanlines of `s` (Adam7 passes when interlaced), samples packed most significant first. */
function scanlines (s: Sample): Uint8Array {
  const ch = CHANNELS[s.colorType]!
  const bpp = Math.max(1, (ch * s.bitDepth) >> 3)
  const rows: Uint8Array[] = []
  for (const [xs, ys, dx, dy] of s.interlaced ? ADAM7 : [[0, 0, 1, 1] as const]) {
    if (xs >= s.width || ys >= s.height) continue
    let prev: Uint8Array | null = null
    for (let y = ys; y < s.height; y += dy) {
      const values: number[] = []
      for (let x = xs; x < s.width; x += dx) for (let c = 0; c < ch; c++) values.push(s.samples[(y * s.width + x) * ch + c]!)
      const raw = new Uint8Array(Math.ceil((values.length * s.bitDepth) / 8))
      values.forEach((v, i) => {
        if (s.bitDepth === 16) { raw[2 * i] = v >> 8; raw[2 * i + 1] = v & 0xff } else if (s.bitDepth === 8) raw[i] = v
        else raw[(i * s.bitDepth) >> 3] = raw[(i * s.bitDepth) >> 3]! | (v << (8 - s.bitDepth - ((i * s.bitDepth) & 7)))
      })
      rows.push(filterRow(raw, prev, s.filters[rows.length % s.filters.length]!, bpp))
      prev = raw
    }
  }
  return Buffer.concat(rows)
}

/** Arbitrary images of every layout, with a palette (type 3) and often a tRNS matching some pixels. */
const images = fc.record({
  layout: fc.constantFrom(...LAYOUTS),
  width: fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 19 })),
  height: fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 19 })),
  interlaced: fc.boolean(),
  noise: fc.array(fc.integer({ min: 0, max: 65535 }), { minLength: 1, maxLength: 40 }),
  // Few distinct values make ties in the Paeth predictor and near-misses of the tRNS colour common.
  alphabet: fc.constantFrom(2, 3, 5, 65536),
  filters: fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 8 }),
  entries: fc.integer({ min: 1, max: 256 }),
  indexSlack: fc.integer({ min: 0, max: 1 }),
  trns: fc.option(fc.nat(), { freq: 2 }),
  idatParts: fc.integer({ min: 1, max: 3 })
}).map((r) => {
  const [colorType, bitDepth] = r.layout as readonly [number, number]
  const ch = CHANNELS[colorType]!
  const max = (2 ** bitDepth) - 1
  const count = r.width * r.height * ch
  // Samples cycle through the noise; palette indices mostly stay within the palette (indexSlack lets one past it through, refused).
  const limit = colorType === 3 ? Math.min(max + 1, r.entries + r.indexSlack) : Math.min(max + 1, r.alphabet)
  const samples = Array.from({ length: count }, (_, i) => (r.noise[i % r.noise.length]! + i * (r.noise[0]! | 1)) % limit)
  const sample: Sample = { colorType, bitDepth, width: r.width, height: r.height, interlaced: r.interlaced, samples, filters: r.filters }
  const extra: Uint8Array[] = []
  if (colorType === 3) {
    extra.push(chunk('PLTE', Uint8Array.from({ length: 3 * r.entries }, (_, i) => (i * 53 + r.noise[0]!) & 0xff)))
    if (r.trns !== null) extra.push(chunk('tRNS', Uint8Array.from({ length: r.trns % (r.entries + 1) }, (_, i) => (i * 91 + 7) & 0xff)))
  } else if ((colorType === 0 || colorType === 2) && r.trns !== null) {
    // The transparent colour of some pixel, so that several pixels match it.
    const p = r.trns % (r.width * r.height)
    const data = new Uint8Array(2 * ch)
    for (let c = 0; c < ch; c++) { data[2 * c] = samples[p * ch + c]! >> 8; data[2 * c + 1] = samples[p * ch + c]! & 0xff }
    extra.push(chunk('tRNS', data))
  }
  const z = deflateSync(scanlines(sample))
  const cut = Array.from({ length: r.idatParts + 1 }, (_, i) => Math.floor((i * z.length) / r.idatParts))
  const idats = cut.slice(1).map((end, i) => chunk('IDAT', z.subarray(cut[i], end)))
  const png = Buffer.concat([PNG_SIGNATURE, chunk('IHDR', ihdr(r.width, r.height, bitDepth, colorType, r.interlaced ? 1 : 0)), ...extra, ...idats, chunk('IEND')])
  return { png: new Uint8Array(png), sample }
})

describe('PNG unfiltering (our decode against pngjs)', () => {
  it('gives pngjs\'s bytes for every layout, size, interlacing, filter choice and pixel option, and refuses what pngjs refused (property)', () => {
    fc.assert(fc.property(images, fc.constantFrom(...OPTIONS), ({ png, sample }, pixels) => {
      expect(inflatedSize({ ...sample, interlaced: sample.interlaced })).toBe(scanlines(sample).length)
      expectSameOutcome(png, pixels)
      // The default options are pngjs's own rescaling: the same bytes as pngjs without skipRescale.
      if (pixels.alpha === 'straight' && pixels.sixteenBit === 'rounded' && codeOf(() => decodeImage(png)) === undefined) {
        expect(Buffer.from(decodeImage(png).data).equals(PNG.sync.read(Buffer.from(png)).data)).toBe(true)
      }
    }), { numRuns: 1500 })
  })

  it('reads the chunks around the image data as pngjs did: order, repeats, unknown chunks, bytes after IEND (property)', () => {
    const w = 5
    const h = 3
    const op = fc.oneof(
      fc.record({ kind: fc.constant('PLTE' as const), length: fc.integer({ min: 0, max: 25 }) }),
      fc.record({ kind: fc.constant('tRNS' as const), length: fc.integer({ min: 0, max: 8 }) }),
      fc.record({ kind: fc.constant('gAMA' as const), length: fc.integer({ min: 0, max: 6 }) }),
      fc.record({ kind: fc.constant('IHDR' as const), length: fc.constantFrom(8, 13, 14) }),
      fc.record({ kind: fc.constantFrom('tEXt' as const, 'ABCD' as const, 'aBCD' as const), length: fc.integer({ min: 0, max: 4 }) }),
      fc.record({ kind: fc.constant('IDAT' as const), length: fc.constant(0) })
    )
    fc.assert(fc.property(fc.constantFrom(...LAYOUTS), fc.array(op, { maxLength: 5 }), fc.array(op, { maxLength: 3 }), fc.constantFrom(0, 0, 1, 4), fc.constantFrom(...OPTIONS),
      ([colorType, bitDepth], before, after, trailing, pixels) => {
        const header = ihdr(w, h, bitDepth, colorType)
        const samples = Array.from({ length: w * h * CHANNELS[colorType]! }, (_, i) => (i * 5) % (colorType === 3 ? 3 : 2 ** bitDepth))
        const toChunk = (o: { kind: string, length: number }): Uint8Array => o.kind === 'IHDR'
          ? chunk('IHDR', Uint8Array.from({ length: o.length }, (_, i) => header[i] ?? 0))
          : chunk(o.kind, Uint8Array.from({ length: o.length }, (_, i) => (i * 37 + 3) & 0xff))
        const png = Buffer.concat([
          PNG_SIGNATURE, chunk('IHDR', header), ...before.map(toChunk),
          chunk('IDAT', deflateSync(scanlines({ colorType, bitDepth, width: w, height: h, interlaced: false, samples, filters: [0, 1, 2, 3, 4] }))),
          ...after.map(toChunk), chunk('IEND'), new Uint8Array(trailing)
        ])
        expectSameOutcome(new Uint8Array(png), pixels)
      }), { numRuns: 1500 })
  })

  it('refuses a second IHDR that changes the layout (pngjs decoded such a file by the second one, or refused it)', () => {
    const first = ihdr(2, 2, 8, 6)
    const idat = chunk('IDAT', deflateSync(new Uint8Array(2 * 9)))
    const png = (second: Uint8Array): Uint8Array => new Uint8Array(Buffer.concat([PNG_SIGNATURE, chunk('IHDR', first), chunk('IHDR', second), idat, chunk('IEND')]))
    expect(decodeImage(png(first)).width).toBe(2)
    expect(codeOf(() => decodeImage(png(ihdr(4, 2, 16, 4))))).toBe(ERR_IMAGE_DECODE)
  })
})

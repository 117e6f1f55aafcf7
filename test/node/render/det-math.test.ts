/**
 * The deterministic math and colour tables: close to the platform functions
 * they replace, and with the exact properties the encoder relies on.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { linearToSrgb8, SRGB8_TO_LINEAR } from '../../../node/render/color.ts'
import { detCos, detSin, srgbToLinear } from '../../../node/render/det-math.ts'

describe('deterministic sine and cosine', () => {
  it('agree with Math.sin/Math.cos to 1e-12 over ±100 rad', () => {
    fc.assert(fc.property(fc.double({ min: -100, max: 100, noNaN: true }), (x) => {
      expect(Math.abs(detSin(x) - Math.sin(x))).toBeLessThan(1e-12)
      expect(Math.abs(detCos(x) - Math.cos(x))).toBeLessThan(1e-12)
    }), { numRuns: 500 })
  })

  it('are NaN for non-finite input', () => {
    expect(detSin(Infinity)).toBeNaN()
    expect(detCos(NaN)).toBeNaN()
  })
})

describe('sRGB tables', () => {
  it('decode matches the IEC 61966-2-1 formula to 1e-12', () => {
    for (let i = 0; i < 256; i++) {
      const c = i / 255
      const ref = c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4)
      expect(Math.abs(srgbToLinear(c) - ref)).toBeLessThan(1e-12)
      expect(SRGB8_TO_LINEAR[i]).toBe(srgbToLinear(c))
    }
  })

  it('encoding inverts decoding for every code and is monotone', () => {
    for (let k = 0; k < 256; k++) expect(linearToSrgb8(SRGB8_TO_LINEAR[k]!)).toBe(k)
    fc.assert(fc.property(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (a, b) => {
      const [lo, hi] = a <= b ? [a, b] : [b, a]
      expect(linearToSrgb8(lo)).toBeLessThanOrEqual(linearToSrgb8(hi))
    }), { numRuns: 1000 })
  })

  it('encoding picks the nearest code in sRGB space and clamps out-of-range values', () => {
    fc.assert(fc.property(fc.double({ min: 0, max: 1, noNaN: true }), (v) => {
      const k = linearToSrgb8(v)
      const s = v <= 0.0031308 ? v * 12.92 : 1.055 * Math.pow(v, 1 / 2.4) - 0.055
      expect(Math.abs(k - s * 255)).toBeLessThanOrEqual(0.5 + 1e-9)
    }), { numRuns: 1000 })
    expect(linearToSrgb8(-1)).toBe(0)
    expect(linearToSrgb8(NaN)).toBe(0)
    expect(linearToSrgb8(2)).toBe(255)
  })
})

describe('deterministic exp2, log2 and pow', () => {
  it('agree with the platform functions to 1e-13 relative', async () => {
    const { detExp2, detLog2, detPow } = await import('../../../node/render/det-math.ts')
    fc.assert(fc.property(fc.double({ min: -60, max: 60, noNaN: true }), (x) => {
      expect(Math.abs(detExp2(x) - 2 ** x) / 2 ** x).toBeLessThan(1e-13)
    }), { numRuns: 500 })
    fc.assert(fc.property(fc.double({ min: 1e-300, max: 1e300, noNaN: true }), (x) => {
      expect(Math.abs(detLog2(x) - Math.log2(x))).toBeLessThan(1e-12 * Math.max(1, Math.abs(Math.log2(x))))
    }), { numRuns: 500 })
    fc.assert(fc.property(fc.double({ min: 0.001, max: 1000, noNaN: true }), fc.double({ min: -4, max: 4, noNaN: true }), (x, y) => {
      const ref = Math.pow(x, y)
      expect(Math.abs(detPow(x, y) - ref) / ref).toBeLessThan(1e-12)
    }), { numRuns: 500 })
  })

  it('lodLog2 agrees with the platform log2 to 3e-6 and is exact at powers of two', async () => {
    const { lodLog2, pow2Int } = await import('../../../node/render/det-math.ts')
    fc.assert(fc.property(fc.double({ min: 1e-300, max: 1e300, noNaN: true }), (x) => {
      expect(Math.abs(lodLog2(x) - Math.log2(x))).toBeLessThan(3e-6)
    }), { numRuns: 500 })
    for (let k = -1074; k <= 1023; k += 7) expect(lodLog2(pow2Int(k))).toBe(k)
    expect(lodLog2(0)).toBe(-Infinity)
    expect(lodLog2(-1)).toBeNaN()
    expect(lodLog2(NaN)).toBeNaN()
    expect(lodLog2(Infinity)).toBe(Infinity)
  })

  it('handle the edges: exact powers of two, zero, subnormals, non-finite input', async () => {
    const { detExp2, detLog2, pow2Int } = await import('../../../node/render/det-math.ts')
    for (let k = -1074; k <= 1023; k += 7) expect(detLog2(pow2Int(k))).toBe(k)
    expect(detExp2(0)).toBe(1)
    expect(detExp2(-2000)).toBe(0)
    expect(detExp2(2000)).toBe(Infinity)
    expect(detExp2(NaN)).toBeNaN()
    expect(detLog2(0)).toBe(-Infinity)
    expect(detLog2(-1)).toBeNaN()
    expect(detLog2(Infinity)).toBe(Infinity)
  })
})

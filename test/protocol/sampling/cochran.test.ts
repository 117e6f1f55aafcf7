import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { isTrustEngineError } from '../../../protocol/errors.ts'
import { cochranSampleSize, DEFAULT_COCHRAN_OPTIONS } from '../../../protocol/sampling/cochran.ts'
import { ERR_SAMPLING_INPUT } from '../../../protocol/sampling/errors.ts'
import { codeOf } from '../../helpers/codes.ts'

describe('cochranSampleSize', () => {
  it('follows the formula with the seed defaults', () => {
    // complexity 0: 1.96² · 0.25 / 0.1² = 96.04 → 97.
    expect(cochranSampleSize(0)).toBe(97)
    // complexity 0.01: e = 0.0995, 0.9604 / 0.0995² · 1.015 = 98.46 → 99.
    expect(cochranSampleSize(0.01)).toBe(99)
    // complexity 0.5: e = 0.075, 170.7 · 1.75 = 298.8 → clamped to 100.
    expect(cochranSampleSize(0.5)).toBe(100)
    expect(cochranSampleSize(1)).toBe(100)
  })

  it('clamps complexity to [0, 1]', () => {
    expect(cochranSampleSize(-5)).toBe(cochranSampleSize(0))
    expect(cochranSampleSize(7)).toBe(cochranSampleSize(1))
    expect(cochranSampleSize(-Infinity)).toBe(97)
  })

  it('clamps the size to [min, max] and never decreases with complexity', () => {
    fc.assert(fc.property(fc.double({ min: -2, max: 3, noNaN: true }), fc.double({ min: -2, max: 3, noNaN: true }), (a, b) => {
      const na = cochranSampleSize(a)
      expect(Number.isInteger(na) && na >= 10 && na <= 100).toBe(true)
      if (a <= b) expect(na).toBeLessThanOrEqual(cochranSampleSize(b))
    }))
  })

  it('uses its options: a looser margin gives fewer samples, down to the minimum', () => {
    // e = 0.3: 0.9604 / 0.09 = 10.67 → 11.
    expect(cochranSampleSize(0, { baseMargin: 0.3 })).toBe(11)
    expect(cochranSampleSize(0, { baseMargin: 0.9 })).toBe(DEFAULT_COCHRAN_OPTIONS.min)
    expect(cochranSampleSize(1, { max: 1000 })).toBe(961)
  })

  it('refuses NaN and nonsensical options with ERR_SAMPLING_INPUT', () => {
    expect(codeOf(() => cochranSampleSize(NaN))).toBe(ERR_SAMPLING_INPUT)
    expect(codeOf(() => cochranSampleSize(1, { baseMargin: 0.05 }))).toBe(ERR_SAMPLING_INPUT)
    expect(codeOf(() => cochranSampleSize(0, { min: 50, max: 10 }))).toBe(ERR_SAMPLING_INPUT)
    expect(codeOf(() => cochranSampleSize(0, { p: 1 }))).toBe(ERR_SAMPLING_INPUT)
    expect(codeOf(() => cochranSampleSize(0, { z: Infinity }))).toBe(ERR_SAMPLING_INPUT)
  })
})

import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { isTrustEngineError } from '../../../protocol/errors.ts'
import {
  ERR_STATS_INPUT, incompleteBeta, logGamma, meanInterval, studentTQuantile, studentTTwoSidedTail
} from '../../../protocol/stats/student-t.ts'
import { codeOf } from '../../helpers/codes.ts'

describe('studentTQuantile', () => {
  it('matches the two-sided 95% table', () => {
    // Standard t table values (to the digits printed in common tables).
    const table: Array<[number, number]> = [
      [1, 12.7062047], [2, 4.30265273], [3, 3.18244631], [5, 2.57058184], [10, 2.22813885],
      [30, 2.04227246], [100, 1.98397152], [Infinity, 1.95996398]
    ]
    for (const [df, t] of table) expect(Math.abs(studentTQuantile(df) - t)).toBeLessThan(1e-6)
    expect(Math.abs(studentTQuantile(1e6) - 1.96)).toBeLessThan(1e-3)
  })

  it('matches the closed forms for df = 1 (Cauchy) and df = 2', () => {
    for (const c of [0.5, 0.8, 0.9, 0.95, 0.99, 0.999]) {
      const p = (1 + c) / 2
      expect(studentTQuantile(1, c)).toBeCloseTo(Math.tan(Math.PI * (p - 0.5)), 8)
      expect(studentTQuantile(2, c)).toBeCloseTo((2 * p - 1) / Math.sqrt(2 * p * (1 - p)), 10)
    }
  })

  it('inverts the tail and decreases with df', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 500 }), fc.double({ min: 0.5, max: 0.999, noNaN: true }), (df, c) => {
      const t = studentTQuantile(df, c)
      expect(Math.abs(studentTTwoSidedTail(t, df) - (1 - c))).toBeLessThan(1e-9)
      expect(studentTQuantile(df + 1, c)).toBeLessThanOrEqual(t)
    }), { numRuns: 50 })
  })

  it('refuses df ≤ 0 and confidence outside (0, 1)', () => {
    expect(codeOf(() => studentTQuantile(0))).toBe(ERR_STATS_INPUT)
    expect(codeOf(() => studentTQuantile(NaN))).toBe(ERR_STATS_INPUT)
    expect(codeOf(() => studentTQuantile(5, 1))).toBe(ERR_STATS_INPUT)
    expect(codeOf(() => studentTQuantile(5, 0))).toBe(ERR_STATS_INPUT)
  })
})

describe('special functions', () => {
  it('logGamma matches factorials and Γ(1/2) = √π', () => {
    expect(logGamma(1)).toBeCloseTo(0, 13)
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 13)
    expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 13)
    expect(logGamma(0.1)).toBeCloseTo(Math.log(9.513507698668732), 12)
  })

  it('incompleteBeta matches closed forms', () => {
    // I_x(1, 1) = x; I_x(a, 1) = x^a; I_x(2, 2) = 3x² − 2x³.
    for (const x of [0, 0.1, 0.5, 0.93, 1]) {
      expect(incompleteBeta(1, 1, x)).toBeCloseTo(x, 14)
      expect(incompleteBeta(3.5, 1, x)).toBeCloseTo(x ** 3.5, 13)
      expect(incompleteBeta(2, 2, x)).toBeCloseTo(3 * x * x - 2 * x ** 3, 13)
    }
  })
})

describe('meanInterval', () => {
  it('computes mean ± t·s/√n', () => {
    const r = meanInterval([1, 2, 3, 4])
    expect(r.mean).toBe(2.5)
    expect(r.n).toBe(4)
    expect(r.stderr).toBeCloseTo(Math.sqrt(5 / 3 / 4), 14)
    // t(3) = 3.18244631
    expect(r.high - r.mean).toBeCloseTo(3.18244631 * r.stderr, 7)
    expect(r.mean - r.low).toBeCloseTo(r.high - r.mean, 14)
  })

  it('gives a zero-width interval for equal values and an infinite one for a single value', () => {
    expect(meanInterval([0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1])).toEqual({ mean: 0.1, low: 0.1, high: 0.1, n: 10, stderr: 0 })
    expect(meanInterval([1, 1])).toEqual({ mean: 1, low: 1, high: 1, n: 2, stderr: 0 })
    expect(meanInterval([7])).toEqual({ mean: 7, low: -Infinity, high: Infinity, n: 1, stderr: Infinity })
  })

  it('widens with confidence and contains the mean', () => {
    fc.assert(fc.property(fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 2, maxLength: 50 }), (values) => {
      const a = meanInterval(values, 0.9)
      const b = meanInterval(values, 0.99)
      expect(a.low <= a.mean && a.mean <= a.high).toBe(true)
      expect(b.low <= a.low && a.high <= b.high).toBe(true)
    }), { numRuns: 100 })
  })

  it('refuses empty lists and non-finite values', () => {
    expect(codeOf(() => meanInterval([]))).toBe(ERR_STATS_INPUT)
    expect(codeOf(() => meanInterval([1, Infinity]))).toBe(ERR_STATS_INPUT)
    expect(codeOf(() => meanInterval([1, NaN]))).toBe(ERR_STATS_INPUT)
    expect(codeOf(() => meanInterval([1, 2], 1.5))).toBe(ERR_STATS_INPUT)
  })
})

import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ERR_MEDIAN_INPUT, type MedianEntry, weightedMedian } from '../../../protocol/consensus/weighted-median.ts'
import { codeOf } from '../codes.ts'

const e = (value: number, weight: number, key: string): MedianEntry => ({ value, weight, key })

describe('weightedMedian', () => {
  it('returns the first value whose cumulative weight reaches half', () => {
    expect(weightedMedian([e(3, 1, 'c'), e(1, 1, 'a'), e(2, 1, 'b')])).toBe(2)
    // Even split: 2·cum ≥ total is reached at the lower value.
    expect(weightedMedian([e(1, 1, 'a'), e(2, 1, 'b')])).toBe(1)
    expect(weightedMedian([e(1, 1, 'a'), e(2, 2, 'b')])).toBe(2)
    expect(weightedMedian([e(10, 5, 'a'), e(20, 2, 'b'), e(30, 2, 'c')])).toBe(10)
  })

  it('ignores entries with weight ≤ 0 and returns null when no weight remains', () => {
    expect(weightedMedian([e(100, 0, 'a'), e(-5, -3, 'b'), e(7, 1, 'c')])).toBe(7)
    expect(weightedMedian([])).toBeNull()
    expect(weightedMedian([e(1, 0, 'a')])).toBeNull()
  })

  it('sorts Infinity last and returns it when it holds the median', () => {
    expect(weightedMedian([e(Infinity, 1, 'a'), e(40, 1, 'b'), e(Infinity, 1, 'c')])).toBe(Infinity)
    expect(weightedMedian([e(Infinity, 1, 'a'), e(40, 2, 'b')])).toBe(40)
  })

  it('gives the same median, sign of zero included, in any order of entries that share a key', () => {
    // The order property below draws keys from 65536, so one key can come twice, with −0 and 0.
    const pairs = [[e(-0, 1, 'k'), e(0, 1, 'k')], [e(0, 2, 'k'), e(-0, 1, 'k'), e(-0, 1, 'j')]]
    for (const entries of pairs) expect(Object.is(weightedMedian(entries), weightedMedian([...entries].reverse()))).toBe(true)
    expect(Object.is(weightedMedian([e(0, 1, 'k'), e(-0, 1, 'k')]), -0)).toBe(true)
  })

  it('refuses NaN values and non-integer or unsafe weights', () => {
    expect(codeOf(() => weightedMedian([e(NaN, 1, 'a')]))).toBe(ERR_MEDIAN_INPUT)
    expect(codeOf(() => weightedMedian([e(1, 0.5, 'a')]))).toBe(ERR_MEDIAN_INPUT)
    expect(codeOf(() => weightedMedian([e(1, Number.MAX_SAFE_INTEGER, 'a'), e(2, 2, 'b')]))).toBe(ERR_MEDIAN_INPUT)
  })

  const entry = fc.record({
    value: fc.oneof(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.constant(Infinity)),
    weight: fc.integer({ min: 0, max: 1000 }),
    key: fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 4, maxLength: 4 })
  })

  it('is one of the weighted values and independent of input order (property)', () => {
    fc.assert(fc.property(fc.array(entry, { maxLength: 30 }), fc.integer(), (entries, seed) => {
      const m = weightedMedian(entries)
      const weighted = entries.filter((x) => x.weight > 0)
      if (weighted.length === 0) {
        expect(m).toBeNull()
        return
      }
      expect(weighted.map((x) => x.value)).toContain(m)
      // A deterministic shuffle driven by the generated seed.
      const shuffled = entries.map((x, i) => ({ x, k: Math.imul(i + 1, seed | 1) >>> 0 })).sort((a, b) => a.k - b.k).map((p) => p.x)
      expect(weightedMedian(shuffled)).toBe(m)
    }), { numRuns: 300 })
  })

  it('lies within [min, max] of the honest values while Byzantine weight is under half (property)', () => {
    const honestEntry = fc.record({ value: fc.double({ min: 0, max: 100, noNaN: true }), weight: fc.integer({ min: 1, max: 100 }) })
    const byzEntry = fc.record({ value: fc.oneof(fc.double({ noNaN: true }), fc.constant(Infinity)), weight: fc.integer({ min: 1, max: 100 }) })
    fc.assert(fc.property(fc.array(honestEntry, { minLength: 1, maxLength: 20 }), fc.array(byzEntry, { maxLength: 20 }), (honest, byz) => {
      const honestWeight = honest.reduce((s, x) => s + x.weight, 0)
      // Trim Byzantine entries until their weight is strictly below half of the total.
      const kept: typeof byz = []
      let byzWeight = 0
      for (const b of byz) {
        if (2 * (byzWeight + b.weight) < honestWeight + byzWeight + b.weight) { kept.push(b); byzWeight += b.weight }
      }
      const entries = [
        ...honest.map((h, i) => e(h.value, h.weight, `h${i}`)),
        ...kept.map((b, i) => e(b.value, b.weight, `b${i}`))
      ]
      const m = weightedMedian(entries)!
      const values = honest.map((h) => h.value)
      expect(m).toBeGreaterThanOrEqual(Math.min(...values))
      expect(m).toBeLessThanOrEqual(Math.max(...values))
    }), { numRuns: 500 })
  })
})

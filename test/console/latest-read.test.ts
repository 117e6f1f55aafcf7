/**
 * The console's guard of overlapping reads (console/src/latest-read.ts): for
 * any order in which answers arrive, the page ends showing the answer of the
 * last read begun, never an older one that arrived after it.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { LatestRead } from '../../console/src/latest-read.ts'

describe('LatestRead', () => {
  it('applies an answer only while no later read has begun', () => {
    const latest = new LatestRead()
    const first = latest.begin()
    expect(first()).toBe(true)
    const second = latest.begin()
    expect([first(), second()]).toEqual([false, true])
  })

  it('leaves the last read\'s answer shown, whatever order the answers arrive in', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 12 }).chain((n) => fc.tuple(fc.constant(n), fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n }))), ([n, arrival]) => {
      const latest = new LatestRead()
      const checks = Array.from({ length: n }, () => latest.begin())
      let shown: number | null = null
      for (const i of arrival) if (checks[i]!()) shown = i
      expect(shown).toBe(n - 1)
    }))
  })
})

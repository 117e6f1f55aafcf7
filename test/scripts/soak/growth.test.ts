/**
 * The soak's growth check (scripts/soak/growth.ts): the least-squares slope
 * against an independent statement of it, the verdict on series that grow
 * and series that do not, the warm-up, and the soak's own limits and options.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { FIGURES, STORE_BYTES_PER_JOB } from '../../../scripts/soak/figures.ts'
import { MIN_CHECK_SAMPLES, checkGrowth, fitSlope } from '../../../scripts/soak/growth.ts'
import { honestWeight } from '../../../scripts/soak/network.ts'
import { ERR_SOAK_OPTIONS, parseSoakArgs } from '../../../scripts/soak/options.ts'
import { parseExposition } from '../../../scripts/soak/scrape.ts'

const MIB = 1024 * 1024
const rssLimit = FIGURES.find((f) => f.id === 'rss_bytes')!.limit!({ jobsPerMinute: 10, newBlobBytesPerMinute: 0, retention: false })

/** A resident-memory-like series: a level, a slope per minute, and a deterministic ± 20 MiB wobble (garbage collection). */
function series (minutes: number, perMinute: number, slope: number, level = 250 * MIB): Array<{ x: number, y: number }> {
  return Array.from({ length: Math.round(minutes * perMinute) + 1 }, (_, i) => {
    const x = i / perMinute
    return { x, y: level + slope * x + 20 * MIB * Math.sin(i * 2.3) }
  })
}

describe('fitSlope', () => {
  it('finds the line through exact points, with no error', () => {
    const fit = fitSlope([{ x: 0, y: 1 }, { x: 1, y: 3 }, { x: 2, y: 5 }, { x: 3, y: 7 }])!
    expect(fit.slope).toBe(2)
    expect(fit.intercept).toBe(1)
    expect(fit.stderr).toBe(0)
    expect([fit.lower, fit.upper]).toEqual([2, 2])
  })

  it('agrees with the slope as the mean of the pairwise slopes weighted by (Δx)² (an independent statement of least squares)', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: -1e6, max: 1e6 })), { minLength: 3, maxLength: 40 }), (pts) => {
      const samples = pts.map(([x, y]) => ({ x: x / 10, y }))
      const fit = fitSlope(samples)
      let num = 0
      let den = 0
      for (const a of samples) {
        for (const b of samples) {
          num += (b.x - a.x) * (b.y - a.y)
          den += (b.x - a.x) ** 2
        }
      }
      if (den === 0) return fit === null
      return fit !== null && Math.abs(fit.slope - num / den) <= 1e-6 * Math.max(1, Math.abs(num / den)) && fit.lower <= fit.slope && fit.slope <= fit.upper
    }))
  })

  it('gives no fit below the fewest samples or without spread in time', () => {
    expect(fitSlope([{ x: 0, y: 1 }, { x: 1, y: 2 }])).toBeNull()
    expect(MIN_CHECK_SAMPLES).toBe(3)
    expect(fitSlope([{ x: 1, y: 1 }, { x: 1, y: 2 }, { x: 1, y: 3 }])).toBeNull()
  })
})

describe('checkGrowth', () => {
  it('fails a series that grows faster than its limit (a leak of 5 MiB a minute for an hour)', () => {
    const v = checkGrowth(series(60, 1, 5 * MIB), rssLimit, 15)
    expect(v.verdict).toBe('fail')
    expect(v.fit!.lower).toBeGreaterThan(rssLimit)
  })

  it('passes a flat series however it wobbles, and one that grows slower than its limit', () => {
    expect(checkGrowth(series(60, 1, 0), rssLimit, 15).verdict).toBe('pass')
    expect(checkGrowth(series(60, 1, 0.3 * MIB), rssLimit, 15).verdict).toBe('pass')
  })

  it('leaves the warm-up out: a start-up climb followed by a plateau passes, the same climb judged from the start fails', () => {
    const climb = Array.from({ length: 21 }, (_, i) => ({ x: i, y: 200 * MIB + Math.min(i, 10) * 10 * MIB }))
    expect(checkGrowth(climb, rssLimit, 0).verdict).toBe('fail')
    expect(checkGrowth(climb, rssLimit, 10).verdict).toBe('pass')
  })

  it('cannot judge a series with too few samples after the warm-up', () => {
    expect(checkGrowth(series(1, 12, 100 * MIB), rssLimit, 0.9).verdict).toBe('unjudged')
  })
})

describe('the soak figures, network and options', () => {
  it('gives every checked figure a positive limit and a reason, and scales the storage limits with the work done', () => {
    const ctx = { jobsPerMinute: 10, newBlobBytesPerMinute: 100_000, retention: false }
    for (const f of FIGURES) {
      expect(f.reason.length).toBeGreaterThan(20)
      if (f.limit !== null) expect(f.limit(ctx)).toBeGreaterThan(0)
      if (f.scope === 'node') expect(f.metric).toMatch(/^trust_engine_/)
    }
    expect(FIGURES.find((f) => f.id === 'store_bytes')!.limit!(ctx)).toBe(10 * STORE_BYTES_PER_JOB)
    const blob = FIGURES.find((f) => f.id === 'blob_bytes')!.limit!
    expect(blob({ ...ctx, newBlobBytesPerMinute: 0 })).toBeLessThan(blob(ctx))
    // With retention within the run, new blobs must be balanced by pruned ones: the limit no longer grows with them.
    expect(blob({ ...ctx, retention: true })).toBe(blob({ ...ctx, newBlobBytesPerMinute: 0 }))
  })

  it('weighs honest validators so that the liars hold less than a third', () => {
    for (const [honest, liars] of [[2, 1], [3, 1], [4, 1], [15, 1], [3, 0]] as const) {
      const w = honestWeight(honest, liars)
      expect(honest * w / (honest * w + liars)).toBeGreaterThan(2 / 3)
      expect(w === 1 || (honest * (w - 1)) / (honest * (w - 1) + liars) <= 2 / 3).toBe(true)
    }
  })

  it('parses the command line, and refuses what it does not know with ERR_SOAK_OPTIONS', () => {
    const o = parseSoakArgs(['--minutes', '60', '--nodes', '4'], new Date('2026-12-01T10:00:00Z'))
    expect(o).toMatchObject({ minutes: 60, nodes: 4, liars: 1, intervalSeconds: 60, out: 'soak-results/2026-12-01T10-00-00-000Z' })
    expect(parseSoakArgs(['--minutes', '1', '--nodes', '3', '--interval', '5', '--out', 'x']).intervalSeconds).toBe(5)
    expect(o.retentionMinutes).toBeNull()
    expect(parseSoakArgs(['--retention-minutes', '2']).retentionMinutes).toBe(2)
    for (const bad of [['--nodes', '2'], ['--limit-scale', '0.5'], ['--retention-minutes', '0.5'], ['--minutes', '-1'], ['--minutes', 'ten'], ['--liars', '2'], ['--frobnicate', '1'], ['extra']]) {
      expect(() => parseSoakArgs(bad)).toThrow(expect.objectContaining({ code: ERR_SOAK_OPTIONS }))
    }
  })

  it('sums a metric over its label sets from the exposition text', () => {
    const m = parseExposition('# TYPE x gauge\nx{stage="a"} 2\nx{stage="b"} 3\ny 1.5e3\nz NaN\n')
    expect(m.get('x')).toBe(5)
    expect(m.get('y')).toBe(1500)
    expect(m.has('z')).toBe(false)
  })
})

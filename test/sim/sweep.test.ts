/**
 * The sweep's reading of the 1/3 bound (sim/sweep.ts `thresholdCheck`), on
 * points written out here: which promise each point keeps or breaks.
 */
import { describe, expect, it } from 'vitest'
import { DEFAULT_SWEEP, type SweepPoint, sweepNetwork, sweepScenario, thresholdCheck } from '../../sim/sweep.ts'

/** A point of `jobs` jobs, all agreed, correct and final unless `over` says otherwise. */
function point (strategy: string, weight: number, over: Partial<SweepPoint> = {}): SweepPoint {
  return { strategy, weight, runs: 1, jobs: 2, safetyViolations: 0, agreement: 1, correctness: 1, correctnessInterval: [0.3, 1], liveness: 1, livenessInterval: [0.3, 1], disputed: 0, wrongFinals: 0, detectionRecall: null, ...over }
}

describe('sweep threshold check', () => {
  it('keeps both promises: all right below 1/3, colluders disputed and nothing wrongly final above', () => {
    const { summary } = thresholdCheck([
      point('liar', 0), point('liar', 0.3), point('liar', 0.4, { agreement: 0.5, correctness: 0, disputed: 2 }),
      point('inflate', 0.3), point('inflate', 0.34, { correctness: 0.5, disputed: 1 }), point('inflate', 0.45, { correctness: 0, disputed: 2 })
    ])
    expect(summary).toEqual({ belowFailing: [], colludingJobs: 4, colludingDisputed: 3, colludingUndisputed: [], wrongFinalsAbove: 0, violationsAbove: 0 })
  })

  it('names the points that break them', () => {
    const { summary, lines } = thresholdCheck([
      point('silent', 0.3, { agreement: 0.5 }), point('cartel', 0.15, { safetyViolations: 1, correctness: 0.5 }),
      point('cartel', 0.4), point('deflate', 0.45, { wrongFinals: 1, safetyViolations: 1, disputed: 1 }), point('equivocate', 0.45)
    ])
    expect(summary).toEqual({ belowFailing: ['silent 30%', 'cartel 15%'], colludingJobs: 4, colludingDisputed: 1, colludingUndisputed: ['cartel 40%'], wrongFinalsAbove: 1, violationsAbove: 1 })
    expect(lines).toHaveLength(2)
  })
})

describe('sweep networks', () => {
  const share = (s: ReturnType<typeof sweepScenario>): number => {
    const byz = s.nodes.filter((n) => n.strategy.kind !== 'honest').reduce((a, n) => a + n.count * n.weight, 0)
    return byz / s.nodes.reduce((a, n) => a + n.count * n.weight, 0)
  }

  it('keeps the default five validators\' weights', () => {
    const s = sweepScenario(DEFAULT_SWEEP, 'cartel', 0.34, 0)
    expect(s.nodes.map((n) => [n.count, n.weight])).toEqual([[3, 220], [2, 170]])
    expect(s.bootstrapPeers).toBe(0)
  })

  it('runs 100 validators with 4 bootstrap peers, 32 per process, a longer deadline, one run at a time, and the shares still near the points', () => {
    const n = sweepNetwork(100)
    expect(n).toEqual({ honest: 60, byzantine: 40, nodesPerProcess: 32, bootstrapPeers: 4, deadlineMs: 200_000, parallel: 1 })
    for (const w of [0.15, 0.3, 0.34, 0.45]) {
      const s = sweepScenario({ ...DEFAULT_SWEEP, ...n }, 'inflate', w, 0)
      expect(s.nodes.reduce((a, x) => a + x.count, 0)).toBe(100)
      expect(Math.abs(share(s) - w)).toBeLessThan(0.005)
    }
  })
})

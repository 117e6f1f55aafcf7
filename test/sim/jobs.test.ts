/**
 * The simulation's job material has a designed verdict that no sample plan
 * can blur: measured as an honest node does, under many sampling seeds, every
 * passing and failing job of the shipped scenarios lands on its verdict with
 * every metric's confidence interval clear of its threshold (so never in the
 * grey zone). That is what makes a run's outcomes (statuses, verdicts and the
 * deciding round) the same from run to run, although job ids, and with them
 * the sample plans, differ (docs/simulation.md, "Repeatable runs").
 */
import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { METRIC_NAMES, THRESHOLD_OF, passesThresholds } from '../../protocol/metrics.ts'
import { networkSchema } from '../../protocol/network.ts'
import { measureFrames } from '../../node/measure/measure-frames.ts'
import { jobMaterial } from '../../sim/jobs.ts'
import { resolveScenario, scenarioNames } from '../../sim/library.ts'

/** The network's default thresholds, which the simulation's network files keep. */
const THRESHOLDS = networkSchema.shape.thresholds.parse(undefined)
/** Sampling seeds tried per job. */
const PLANS = 12
/** Jobs tried per scenario (the material alternates pass and fail in mixed runs). */
const JOBS = 4

describe('simulation job material', () => {
  const shapes = new Map<string, string>()
  for (const name of scenarioNames()) {
    const s = resolveScenario(name)
    if (s.jobs.kind !== 'frames' || s.jobs.quality === 'patchy') continue
    const key = `${s.jobs.size}px × ${s.jobs.frames} frames, ${s.jobs.quality}`
    if (!shapes.has(key)) shapes.set(key, name)
  }

  it('covers the shipped frames scenarios', () => {
    expect(shapes.size).toBeGreaterThan(0)
  })

  for (const [shape, name] of shapes) {
    it(`${shape} (${name}): every plan gives the designed verdict, every interval clear of its threshold`, async () => {
      const s = resolveScenario(name)
      const seen: string[] = []
      for (let j = 0; j < JOBS; j++) {
        const m = await jobMaterial(s, j)
        for (let k = 0; k < PLANS; k++) {
          const seed = createHash('sha256').update(`${name}/${j}/${k}`).digest('hex')
          const r = await measureFrames(m.reference, m.candidate, { seed })
          const grey = METRIC_NAMES.filter((metric) => {
            const [lo, hi] = r.intervals[metric]
            const t = THRESHOLDS[THRESHOLD_OF[metric]]
            return lo <= t && t <= hi
          })
          seen.push(`job ${j} plan ${k}: ${passesThresholds(r.metrics, THRESHOLDS) ? 'pass' : 'fail'}${grey.length > 0 ? ` grey on ${grey.join(', ')}` : ''}`)
          expect(seen.at(-1)).toBe(`job ${j} plan ${k}: ${m.verdict}`)
        }
      }
    })
  }
})

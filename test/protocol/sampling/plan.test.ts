import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { canonicalString } from '../../../protocol/canonical.ts'
import { isTrustEngineError } from '../../../protocol/errors.ts'
import { cochranSampleSize } from '../../../protocol/sampling/cochran.ts'
import { ERR_IMAGE_TOO_SMALL, ERR_SAMPLING_INPUT, ERR_SEED } from '../../../protocol/sampling/errors.ts'
import {
  analysisSize, FRAME_SAMPLE_PLAN_SCHEMA, planFrameSamples, SAMPLE_KINDS, sampleKey, splitByLargestRemainder
} from '../../../protocol/sampling/plan.ts'
import { deriveSeed } from '../../../protocol/sampling/prng.ts'
import { codeOf } from '../../helpers/codes.ts'

const SEED = deriveSeed('plan-test')
const seedArb = fc.uint8Array({ minLength: 1, maxLength: 32 }).map((b) => Buffer.from(b).toString('hex'))

describe('splitByLargestRemainder', () => {
  it('splits by floors then largest remainders, ties to the first', () => {
    // 97 · (40, 30, 20, 10)% = 38.8, 29.1, 19.4, 9.7 → 38, 29, 19, 9 + the two largest remainders (.8, .7).
    expect(splitByLargestRemainder(97, [40, 30, 20, 10])).toEqual([39, 29, 19, 10])
    expect(splitByLargestRemainder(100, [40, 30, 20, 10])).toEqual([40, 30, 20, 10])
    expect(splitByLargestRemainder(10, [40, 30, 20, 10])).toEqual([4, 3, 2, 1])
    expect(splitByLargestRemainder(1, [25, 25, 25, 25])).toEqual([1, 0, 0, 0])
    expect(splitByLargestRemainder(3, [1, 1])).toEqual([2, 1])
  })

  it('always adds up to the total with each part within 1 of its exact quota', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 100_000 }), fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 1, maxLength: 8 }), (total, weights) => {
      fc.pre(weights.some((w) => w > 0))
      const parts = splitByLargestRemainder(total, weights)
      const sum = weights.reduce((a, b) => a + b, 0)
      expect(parts.reduce((a, b) => a + b, 0)).toBe(total)
      parts.forEach((p, i) => expect(Math.abs(p - (total * weights[i]!) / sum)).toBeLessThan(1))
    }))
  })
})

describe('analysisSize', () => {
  it('halves when both sides are at least 22, else keeps the full size', () => {
    expect(analysisSize(512, 256)).toEqual({ width: 256, height: 128, factor: 2 })
    expect(analysisSize(23, 45)).toEqual({ width: 11, height: 22, factor: 2 })
    expect(analysisSize(22, 22)).toEqual({ width: 11, height: 11, factor: 2 })
    expect(analysisSize(21, 500)).toEqual({ width: 21, height: 500, factor: 1 })
  })
})

describe('planFrameSamples', () => {
  it('draws the seed mix of the Cochran size with documented counts', () => {
    const plan = planFrameSamples({ seed: SEED, frameCount: 100, width: 640, height: 480 })
    expect(plan.samples).toHaveLength(97)
    expect(plan.counts).toEqual({ frame: 39, region: 29, full: 19, temporal: 10 })
    expect(plan.analysis).toEqual({ width: 320, height: 240, factor: 2 })
    for (const s of plan.samples.filter((x) => x.kind === 'region')) {
      expect(s.rect!.width).toBe(160)
      expect(s.rect!.height).toBe(120)
    }
    expect(planFrameSamples({ seed: SEED, frameCount: 100, width: 640, height: 480, complexity: 0.8 }).samples).toHaveLength(100)
  })

  it('draws each kind without replacement; what a small population cannot hold spills to the next kind', () => {
    // 30 frames: 39 frame samples wanted, 30 exist; the other 9 go to full samples (19 + 9 = 28 ≤ 30).
    const plan = planFrameSamples({ seed: SEED, frameCount: 30, width: 640, height: 480 })
    expect(plan.counts).toEqual({ frame: 30, region: 29, full: 28, temporal: 10 })
    expect(new Set(plan.samples.map(sampleKey)).size).toBe(97)
  })

  it('gives one frame one frame sample, one full sample and distinct regions for the rest', () => {
    const plan = planFrameSamples({ seed: SEED, frameCount: 1, width: 64, height: 64 })
    expect(plan.counts).toEqual({ frame: 1, region: 95, full: 1, temporal: 0 })
    expect(plan.samples.every((s) => s.kind !== 'temporal' && s.frame === 0)).toBe(true)
    expect(new Set(plan.samples.map(sampleKey)).size).toBe(97)
  })

  it('fills every kind that still has room before giving up on a sample (12 frames of 11×11 hold 47)', () => {
    const plan = planFrameSamples({ seed: '00', frameCount: 12, width: 11, height: 11, complexity: 0 })
    expect(plan.counts).toEqual({ frame: 12, region: 12, full: 12, temporal: 11 })
  })

  it('keeps an 11×11 frame measurable: regions are the whole frame, no downscale, and no more samples than exist', () => {
    const plan = planFrameSamples({ seed: SEED, frameCount: 2, width: 11, height: 11 })
    expect(plan.analysis.factor).toBe(1)
    for (const s of plan.samples.filter((x) => x.kind === 'region')) expect(s.rect).toEqual({ x: 0, y: 0, width: 11, height: 11 })
    expect(plan.counts).toEqual({ frame: 2, region: 2, full: 2, temporal: 1 })
  })

  it('is deterministic, in bounds, per the mix, and valid for the schema', () => {
    fc.assert(fc.property(
      seedArb, fc.integer({ min: 1, max: 300 }), fc.integer({ min: 11, max: 5000 }), fc.integer({ min: 11, max: 5000 }), fc.double({ min: -1, max: 2, noNaN: true }),
      (seed, frameCount, width, height, complexity) => {
        const input = { seed, frameCount, width, height, complexity }
        const plan = planFrameSamples(input)
        expect(canonicalString(planFrameSamples(input))).toBe(canonicalString(plan))
        expect(FRAME_SAMPLE_PLAN_SCHEMA.safeParse(plan).success).toBe(true)

        const n = cochranSampleSize(complexity)
        const rw = Math.min(width, Math.max(11, Math.floor(width / 4)))
        const rh = Math.min(height, Math.max(11, Math.floor(height / 4)))
        const population = { frame: frameCount, region: frameCount * (width - rw + 1) * (height - rh + 1), full: frameCount, temporal: frameCount - 1 }
        const total = population.frame + population.region + population.full + population.temporal
        expect(plan.samples).toHaveLength(Math.min(n, total))
        const counts = Object.fromEntries(SAMPLE_KINDS.map((k) => [k, plan.samples.filter((s) => s.kind === k).length]))
        expect(counts).toEqual(plan.counts)
        for (const k of SAMPLE_KINDS) expect(plan.counts[k]).toBeLessThanOrEqual(population[k])
        // Without replacement: no sample repeats.
        expect(new Set(plan.samples.map(sampleKey)).size).toBe(plan.samples.length)
        const expected = splitByLargestRemainder(n, [40, 30, 20, 10])
        if (frameCount >= expected[0]! + 1 && population.region >= n) expect(SAMPLE_KINDS.map((k) => plan.counts[k])).toEqual(expected)
        // Grouped by kind in SAMPLE_KINDS order.
        const order = plan.samples.map((s) => SAMPLE_KINDS.indexOf(s.kind))
        expect([...order].sort((a, b) => a - b)).toEqual(order)

        for (const s of plan.samples) {
          expect(s.frame >= 0 && s.frame < (s.kind === 'temporal' ? frameCount - 1 : frameCount)).toBe(true)
          if (s.kind === 'region') {
            const r = s.rect!
            expect(r.x >= 0 && r.y >= 0 && r.x + r.width <= width && r.y + r.height <= height).toBe(true)
            expect(r.width).toBe(Math.min(width, Math.max(11, Math.floor(width / 4))))
            expect(r.height).toBe(Math.min(height, Math.max(11, Math.floor(height / 4))))
          } else {
            expect(s.rect).toBeUndefined()
          }
        }
      }
    ), { numRuns: 200 })
  })

  it('draws different plans from different seeds', () => {
    const a = planFrameSamples({ seed: deriveSeed('a'), frameCount: 100, width: 256, height: 256 })
    const b = planFrameSamples({ seed: deriveSeed('b'), frameCount: 100, width: 256, height: 256 })
    expect(a.samples.map(sampleKey)).not.toEqual(b.samples.map(sampleKey))
  })

  it('refuses bad input with stable codes', () => {
    const ok = { seed: SEED, frameCount: 2, width: 64, height: 64 }
    expect(codeOf(() => planFrameSamples({ ...ok, seed: 'XYZ' }))).toBe(ERR_SEED)
    expect(codeOf(() => planFrameSamples({ ...ok, frameCount: 0 }))).toBe(ERR_SAMPLING_INPUT)
    expect(codeOf(() => planFrameSamples({ ...ok, frameCount: 2.5 }))).toBe(ERR_SAMPLING_INPUT)
    expect(codeOf(() => planFrameSamples({ ...ok, width: 10 }))).toBe(ERR_IMAGE_TOO_SMALL)
    expect(codeOf(() => planFrameSamples({ ...ok, height: 3 }))).toBe(ERR_IMAGE_TOO_SMALL)
    expect(codeOf(() => planFrameSamples({ ...ok, complexity: NaN }))).toBe(ERR_SAMPLING_INPUT)
    expect(codeOf(() => planFrameSamples({ ...ok, options: { mix: { frame: 50, region: 30, full: 20, temporal: 10 } } }))).toBe(ERR_SAMPLING_INPUT)
    expect(codeOf(() => planFrameSamples({ ...ok, options: { regionDivisor: 0 } }))).toBe(ERR_SAMPLING_INPUT)
  })

  it('has keys that tell repeated samples apart from distinct ones', () => {
    expect(sampleKey({ kind: 'full', frame: 3 })).toBe(sampleKey({ kind: 'full', frame: 3 }))
    expect(sampleKey({ kind: 'full', frame: 3 })).not.toBe(sampleKey({ kind: 'frame', frame: 3 }))
    expect(sampleKey({ kind: 'region', frame: 0, rect: { x: 1, y: 2, width: 11, height: 11 } }))
      .not.toBe(sampleKey({ kind: 'region', frame: 0, rect: { x: 2, y: 1, width: 11, height: 11 } }))
  })
})

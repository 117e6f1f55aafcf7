import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  bakingPotential, complexityClass, complexityScore, estimate, featureScores, lodPotential, routePipeline, sceneHints,
  type SceneFeatures
} from '../../../node/optimizer/analysis-rules.ts'

const base: SceneFeatures = { triangles: 0, materials: 0, lights: 0, textures: 0, transparency: false, volumetrics: false, dynamic: false, dynamicRatio: 0, animationFrames: 0 }
const f = (over: Partial<SceneFeatures>): SceneFeatures => ({ ...base, ...over })

describe('complexity score (seed formula)', () => {
  it('weights each term as the seed digest says', () => {
    expect(complexityScore(f({ triangles: 5_000_000 }))).toBeCloseTo(0.3 * 0.5, 12)
    expect(complexityScore(f({ materials: 500 }))).toBeCloseTo(0.2 * 0.5, 12)
    expect(complexityScore(f({ lights: 50 }))).toBeCloseTo(0.15 * 0.5, 12)
    expect(complexityScore(f({ textures: 250 }))).toBeCloseTo(0.15 * 0.5, 12)
    expect(complexityScore(f({ transparency: true }))).toBeCloseTo(0.2 * 0.3, 12)
    expect(complexityScore(f({ volumetrics: true }))).toBeCloseTo(0.2 * 0.4, 12)
    expect(complexityScore(f({ dynamic: true }))).toBeCloseTo(0.2 * 0.3, 12)
  })
  it('saturates every term and reaches exactly 1 with everything at its maximum', () => {
    expect(complexityScore(f({ triangles: 50_000_000, materials: 5000, lights: 1000, textures: 9000, transparency: true, volumetrics: true, dynamic: true }))).toBeCloseTo(1, 12)
    expect(featureScores(f({ triangles: 20_000_000 })).geometry).toBe(1)
  })
  it('stays in [0, 1] and never falls when triangles grow (property)', () => {
    fc.assert(fc.property(
      fc.nat(100_000_000), fc.nat(100_000_000), fc.nat(5000), fc.nat(500), fc.nat(2000), fc.boolean(), fc.boolean(), fc.boolean(),
      (t1, t2, materials, lights, textures, transparency, volumetrics, dynamic) => {
        const a = f({ triangles: Math.min(t1, t2), materials, lights, textures, transparency, volumetrics, dynamic })
        const b = { ...a, triangles: Math.max(t1, t2) }
        const sa = complexityScore(a); const sb = complexityScore(b)
        return sa >= 0 && sb <= 1 && sb >= sa
      }))
  })
})

describe('complexity classes at the boundaries', () => {
  it.each([
    [99_999, 'simple'], [100_000, 'moderate'], [999_999, 'moderate'], [1_000_000, 'complex'],
    [10_000_000, 'complex'], [10_000_001, 'extreme']
  ] as const)('%i triangles -> %s', (triangles, cls) => {
    expect(complexityClass(triangles)).toBe(cls)
  })
})

describe('LOD potential', () => {
  it.each([[99_999, 0.2], [100_000, 0.6], [999_999, 0.6], [1_000_000, 0.85], [9_999_999, 0.85], [10_000_000, 0.95]])('%i -> %f', (t, p) => {
    expect(lodPotential(t)).toBe(p)
  })
})

describe('baking potential', () => {
  it('adds and subtracts the seed terms and clamps to [0, 1]', () => {
    expect(bakingPotential(f({}))).toBeCloseTo(0.85, 12)
    expect(bakingPotential(f({ lights: 5 }))).toBeCloseTo(1, 12)
    expect(bakingPotential(f({ lights: 30 }))).toBeCloseTo(1, 12)
    expect(bakingPotential(f({ lights: 31 }))).toBeCloseTo(0.85, 12)
    expect(bakingPotential(f({ lights: 51 }))).toBeCloseTo(0.65, 12)
    expect(bakingPotential(f({ dynamic: true }))).toBeCloseTo(0.5, 12)
    expect(bakingPotential(f({ dynamic: true, transparency: true, volumetrics: true, lights: 60 }))).toBeCloseTo(0.05, 12)
    expect(bakingPotential(f({ lights: 10, transparency: true }))).toBeCloseTo(0.9, 12)
  })
})

describe('routing matrix and profile overrides', () => {
  it('routes static scenes to baking', () => {
    const r = routePipeline(f({ lights: 10 }), 'balanced')
    expect([r.primary, r.pipeline, r.secondary]).toEqual(['baking', 'baking', null])
  })
  it('routes mostly dynamic scenes to 3dgs, and volumetric ones that miss the baking bar', () => {
    expect(routePipeline(f({ dynamic: true, dynamicRatio: 0.8 }), 'balanced').primary).toBe('3dgs')
    // Volumetric + transparent, static: baking potential 0.5 + 0.35 - 0.1 - 0.15 = 0.6, not above 0.7.
    expect(routePipeline(f({ volumetrics: true, transparency: true }), 'balanced').primary).toBe('3dgs')
    // The baking test comes first: a static volumetric scene with 10 lights has potential 0.85 and bakes.
    expect(routePipeline(f({ volumetrics: true, lights: 10 }), 'balanced').primary).toBe('baking')
  })
  it('routes the rest to hybrid', () => {
    // dynamic but only half the triangles move: baking potential 0.5, dynamic ratio 0.5.
    expect(routePipeline(f({ dynamic: true, dynamicRatio: 0.5 }), 'balanced').primary).toBe('hybrid')
    // static with a small dynamic share but the baking bar missed (transparency + many lights).
    expect(routePipeline(f({ transparency: true, lights: 60 }), 'balanced').primary).toBe('hybrid')
  })
  it('keeps baking at dynamic ratio 0.3 out (strict < 0.3) and 3dgs at 0.7 out (strict > 0.7)', () => {
    expect(routePipeline(f({ dynamicRatio: 0.29 }), 'balanced').primary).toBe('baking')
    expect(routePipeline(f({ dynamicRatio: 0.3 }), 'balanced').primary).toBe('hybrid')
    expect(routePipeline(f({ dynamic: true, dynamicRatio: 0.7 }), 'balanced').primary).toBe('hybrid')
    expect(routePipeline(f({ dynamic: true, dynamicRatio: 0.71 }), 'balanced').primary).toBe('3dgs')
  })
  it('gives a secondary pipeline: 3dgs beside baking above complexity 0.6, baking beside 3dgs above potential 0.5', () => {
    const heavy = f({ triangles: 20_000_000, materials: 2000, lights: 10, textures: 1000, transparency: true })
    expect(complexityScore(heavy)).toBeGreaterThan(0.6)
    expect(routePipeline(heavy, 'balanced')).toMatchObject({ primary: 'baking', secondary: '3dgs' })
    expect(routePipeline(f({ volumetrics: true, transparency: true }), 'balanced')).toMatchObject({ primary: '3dgs', secondary: 'baking' })
  })
  it('quality -> hybrid when a secondary pipeline exists, else the primary', () => {
    expect(routePipeline(f({ volumetrics: true, transparency: true }), 'quality').pipeline).toBe('hybrid')
    expect(routePipeline(f({ lights: 10 }), 'quality').pipeline).toBe('baking')
  })
  it('realtime -> 3dgs when the realtime requirement exceeds 0.5 (dynamic scenes)', () => {
    expect(routePipeline(f({ dynamic: true, dynamicRatio: 0.1 }), 'realtime').pipeline).toBe('3dgs')
    expect(routePipeline(f({ lights: 10 }), 'realtime').pipeline).toBe('baking')
  })
  it('economy -> baking unless the primary\'s cost reduction exceeds 0.6', () => {
    // Baking potential 0.4 gives cost reduction 0.5 + 0.25 x 0.4 = 0.6, not above 0.6: baking.
    const r = routePipeline(f({ dynamic: true, dynamicRatio: 1, transparency: true }), 'economy')
    expect(r.costReduction).toBeCloseTo(0.6, 12)
    expect([r.primary, r.pipeline]).toEqual(['3dgs', 'baking'])
    // Baking potential 0.5: cost reduction 0.625 > 0.6, the primary stays.
    expect(routePipeline(f({ dynamic: true, dynamicRatio: 1 }), 'economy').pipeline).toBe('3dgs')
  })
  it('other profiles keep the primary', () => {
    for (const p of ['balanced', 'archviz', 'gaming', 'ai_training'] as const) {
      expect(routePipeline(f({ dynamic: true, dynamicRatio: 0.9 }), p).pipeline).toBe('3dgs')
    }
  })
})

describe('hints', () => {
  it('fires each hint just above its threshold and not at it', () => {
    expect(sceneHints(f({ triangles: 5_000_000 }))).toEqual([])
    expect(sceneHints(f({ triangles: 5_000_001 }))).toContain('consider mesh decimation for distant objects')
    expect(sceneHints(f({ materials: 101 }))).toContain('a material atlas would reduce draw calls')
    expect(sceneHints(f({ textures: 51 }))).toContain('texture streaming would reduce memory use')
    expect(sceneHints(f({ lights: 21 }))).toContain('static lighting: full light baking applies')
    expect(sceneHints(f({ lights: 21, dynamic: true }))).not.toContain('static lighting: full light baking applies')
  })
})

describe('estimates', () => {
  it('time = 60 s x (1 + 3c) x (1 + 0.5 polys/1M) x feature factors', () => {
    const s = f({ triangles: 2_000_000 })
    const c = complexityScore(s)
    expect(estimate(s, 1920 * 1080).processingSeconds).toBeCloseTo(60 * (1 + 3 * c) * 2, 3)
    const v = f({ triangles: 2_000_000, volumetrics: true, transparency: true, animationFrames: 200, dynamic: true })
    const cv = complexityScore(v)
    expect(estimate(v, 1920 * 1080).processingSeconds).toBeCloseTo(60 * (1 + 3 * cv) * 2 * 1.5 * 1.2 * 1.2, 3)
  })
  it('cost by class 0.5 / 1.5 / 3.0 / 6.0 USD with feature and resolution factors', () => {
    expect(estimate(f({ triangles: 10 }), 1920 * 1080).costUsd).toBe(0.5)
    expect(estimate(f({ triangles: 100_000 }), 1920 * 1080).costUsd).toBe(1.5)
    expect(estimate(f({ triangles: 1_000_000 }), 1920 * 1080).costUsd).toBe(3)
    expect(estimate(f({ triangles: 10_000_001 }), 1920 * 1080).costUsd).toBe(6)
    expect(estimate(f({ triangles: 1_000_000, volumetrics: true, transparency: true }), 1920 * 1080).costUsd).toBe(Math.round(3 * 1.4 * 1.15 * 100) / 100)
    // 4K is 4x the pixels of 1080p: x(1 + 3 x 0.3) = x1.9.
    expect(estimate(f({ triangles: 10 }), 3840 * 2160).costUsd).toBe(0.95)
  })
})

/**
 * The complexity score in node/scene is the optimizer's: the same number for
 * the same bytes (scene measurement's sampling depends on it, so a renderer
 * that computed it otherwise would change every scene job's plan), and scene
 * measurement without a given complexity plans with exactly it.
 */
import { describe, expect, it } from 'vitest'
import { analyzeScene } from '../../../node/optimizer/analyze.ts'
import { measureScenes } from '../../../node/render/measure-scene.ts'
import { sceneComplexity } from '../../../node/scene/complexity.ts'
import { makeGlb, type SceneSpec } from '../../../sim/scenes.ts'

const SPECS: SceneSpec[] = [
  { grids: [8] },
  { grids: [20, 6], lights: 7, texture: [32, 32], materialPerGrid: true },
  { grids: [10], animation: 12, skin: true, morph: true },
  { grids: [12], transmission: true, volume: true, blend: true, copies: 3 }
]

describe('sceneComplexity', () => {
  it('is the optimizer analysis\' complexity, bit for bit, on scenes with every feature term', async () => {
    const scores: number[] = []
    for (const spec of SPECS) {
      const glb = await makeGlb(spec)
      const score = await sceneComplexity(glb)
      expect(score).toBe((await analyzeScene(glb)).complexity)
      expect(await sceneComplexity(glb)).toBe(score) // again, from its recent scores
      scores.push(score)
    }
    // the scenes exercise different terms, so the scores differ
    expect(new Set(scores).size).toBe(SPECS.length)
  })

  it('is what scene measurement plans with when no complexity is given', async () => {
    const glb = await makeGlb(SPECS[1]!)
    const expected = (await analyzeScene(glb)).complexity
    const options = { seed: 'ab'.repeat(32), views: 2, width: 64, height: 64 }
    const measured = await measureScenes(glb, glb, options)
    expect(measured.plan.samplePlan.complexity).toBe(expected)
    expect(measured.plan).toEqual((await measureScenes(glb, glb, { ...options, complexity: expected })).plan)
  }, 120_000)
})

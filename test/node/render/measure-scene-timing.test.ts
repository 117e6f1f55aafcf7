/**
 * The optional phase timing hook of measureScenes: each phase reported once,
 * in order, non-negative and together within the call's wall time; the
 * result is the same with or without the hook; nothing is reported for a
 * refused measurement.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { ERR_RENDER_BUDGET } from '../../../node/render/errors.ts'
import { type MeasurePhase, measureScenes } from '../../../node/render/measure-scene.ts'
import { gltfpack, sphereScene, spinningCubeScene, toGlb } from './scenes.ts'

const SEED = 'c0ffee01'
let sphere: Uint8Array
let simplified: Uint8Array
beforeAll(async () => {
  sphere = await toGlb(sphereScene(60, 60, { bumpy: true }))
  simplified = await gltfpack(sphere, ['-si', '0.2'])
})

/** Measures with the hook and returns the reported phases and the call's own wall time. */
async function timed (original: Uint8Array, candidate: Uint8Array, views: number): Promise<{ phases: Array<[MeasurePhase, number]>, totalMs: number }> {
  const phases: Array<[MeasurePhase, number]> = []
  const t0 = process.hrtime.bigint()
  await measureScenes(original, candidate, { seed: SEED, complexity: 0, views, onTiming: (phase, ms) => { phases.push([phase, ms]) } })
  return { phases, totalMs: Number(process.hrtime.bigint() - t0) / 1e6 }
}

describe('measureScenes onTiming', () => {
  it('reports prepare, render and metrics once each, positive, summing to at most the wall time', async () => {
    const { phases, totalMs } = await timed(sphere, simplified, 8)
    expect(phases.map(([p]) => p)).toEqual(['prepare', 'render', 'metrics'])
    for (const [, ms] of phases) expect(ms).toBeGreaterThan(0)
    expect(phases.reduce((a, [, ms]) => a + ms, 0)).toBeLessThanOrEqual(totalMs)
  })

  it('on an animated scene, whose temporal samples render inside a sample, still sums to at most the wall time', async () => {
    const cube = await toGlb(spinningCubeScene(1))
    const faster = await toGlb(spinningCubeScene(1.5))
    const { phases, totalMs } = await timed(cube, faster, 16)
    expect(phases.map(([p]) => p)).toEqual(['prepare', 'render', 'metrics'])
    for (const [, ms] of phases) expect(ms).toBeGreaterThan(0)
    expect(phases.reduce((a, [, ms]) => a + ms, 0)).toBeLessThanOrEqual(totalMs)
  })

  it('does not change the measurement', async () => {
    const plain = await measureScenes(sphere, simplified, { seed: SEED, complexity: 0, views: 8 })
    const hooked = await measureScenes(sphere, simplified, { seed: SEED, complexity: 0, views: 8, onTiming: () => {} })
    expect(hooked).toEqual(plain)
  })

  it('reports nothing when the measurement is refused', async () => {
    const phases: MeasurePhase[] = []
    await expect(measureScenes(sphere, sphere, { seed: SEED, complexity: 0, budget: { maxTriangleViews: 10_000 }, onTiming: (p) => { phases.push(p) } }))
      .rejects.toMatchObject({ code: ERR_RENDER_BUDGET })
    expect(phases).toEqual([])
  })
})

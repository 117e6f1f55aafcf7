/**
 * Scene measurement end to end: real GLB files (generated, and optimized by
 * gltfpack), real renders, real SSIM/PSNR from node/measure.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { ERR_RENDER_BUDGET, ERR_RENDER_EMPTY_SCENE } from '../../../node/render/errors.ts'
import { measureScenes } from '../../../node/render/measure-scene.ts'
import { Document } from '@gltf-transform/core'
import { cubeScene, gltfpack, sphereScene, spinningCubeScene, toGlb } from './scenes.ts'

const SEED = 'a1b2c3d4'
/**
 * Renders of 128 × 128, a quarter of the default's pixels, for the cases whose point holds at any size (identity,
 * determinism, the complexity rule, motion): a scene measurement's time is mostly its pixels. The thresholds case
 * keeps the default size, as a node measures, with the samples drawn from 16 views instead of 64 (fewer distinct
 * renders): each verdict holds there by a wide margin (PSNR about 28.6 dB simplified, 53 dB packed; the threshold 35).
 */
const SMALL = { width: 128, height: 128 }
/** The sampled views of the thresholds case (see {@link SMALL}). */
const VIEWS = 16
let sphere: Uint8Array
beforeAll(async () => { sphere = await toGlb(sphereScene(100, 100, { bumpy: true })) })

describe('measureScenes', () => {
  it('identical scenes measure SSIM 1 and PSNR Infinity, with degenerate intervals', async () => {
    const m = await measureScenes(sphere, sphere, { seed: SEED, complexity: 0, views: 16, ...SMALL })
    expect(m.metrics).toEqual({ ssim: 1, psnr: Infinity, ssimLocal: 1 })
    expect(m.intervals).toEqual({ ssim: [1, 1], psnr: [Infinity, Infinity], ssimLocal: [1, 1] })
    expect(m.samples).toBe(97) // Cochran at complexity 0
    expect(m.perSample).toHaveLength(97)
    expect(m.plan.animated).toBe(false)
    expect(m.perSample.some((s) => s.kind === 'temporal')).toBe(false) // static: temporal samples become frames
    expect(m.renderStats.triangles).toEqual({ original: 20000, candidate: 20000 })
  })

  it('a heavily simplified sphere (gltfpack -si 0.02) fails the thresholds; gltfpack without simplification passes', async () => {
    const simplified = await measureScenes(sphere, await gltfpack(sphere, ['-si', '0.02']), { seed: SEED, complexity: 0, views: VIEWS })
    expect(simplified.metrics.ssim < 0.98 || simplified.metrics.psnr < 35).toBe(true)
    const packed = await measureScenes(sphere, await gltfpack(sphere, ['-cc']), { seed: SEED, complexity: 0, views: VIEWS })
    expect(packed.metrics.ssim).toBeGreaterThanOrEqual(0.98)
    expect(packed.metrics.psnr).toBeGreaterThanOrEqual(35)
    expect(packed.metrics.ssim).toBeGreaterThan(simplified.metrics.ssim)
    expect(packed.intervals.ssim[0]).toBeLessThanOrEqual(packed.metrics.ssim)
    expect(packed.intervals.ssim[1]).toBeGreaterThanOrEqual(packed.metrics.ssim)
  })

  it('is deterministic for a seed, and another seed draws other views', async () => {
    const cand = await gltfpack(sphere, ['-si', '0.1'])
    const a = await measureScenes(sphere, cand, { seed: SEED, complexity: 0, views: 8, ...SMALL })
    const b = await measureScenes(sphere, cand, { seed: SEED, complexity: 0, views: 8, ...SMALL })
    expect(b).toEqual(a)
    const c = await measureScenes(sphere, cand, { seed: 'ff00', complexity: 0, views: 8, ...SMALL })
    expect(c.plan.views[0]!.camera.eye).not.toEqual(a.plan.views[0]!.camera.eye)
  })

  it('temporal samples compare motion: a candidate spinning faster scores lower on them', async () => {
    const orig = await toGlb(spinningCubeScene(1))
    const same = await measureScenes(orig, orig, { seed: SEED, complexity: 0, views: 16, ...SMALL })
    expect(same.plan.animated).toBe(true)
    expect(same.perSample.filter((s) => s.kind === 'temporal')).toHaveLength(10)
    expect(same.metrics.ssim).toBe(1)
    const faster = await measureScenes(orig, await toGlb(spinningCubeScene(1.5)), { seed: SEED, complexity: 0, views: 16, ...SMALL })
    const temporal = faster.perSample.filter((s) => s.kind === 'temporal')
    expect(Math.min(...temporal.map((s) => s.ssim))).toBeLessThan(1)
  })

  it('uses the optimizer analysis for complexity when none is given, also for a meshopt-compressed original', async () => {
    const m = await measureScenes(sphere, sphere, { seed: SEED, views: 4, ...SMALL })
    expect(m.plan.samplePlan.complexity).toBeGreaterThan(0) // 20k polygons: 0.3 · 20k / 10M
    const packed = await gltfpack(sphere, ['-cc'])
    const p = await measureScenes(packed, packed, { seed: SEED, views: 4, ...SMALL })
    expect(p.metrics).toEqual({ ssim: 1, psnr: Infinity, ssimLocal: 1 })
    expect(p.samples).toBe(p.plan.samplePlan.samples.length)
  })

  it('refuses work over the triangle × view budget before rendering (ERR_RENDER_BUDGET)', async () => {
    await expect(measureScenes(sphere, sphere, { seed: SEED, complexity: 0, budget: { maxTriangleViews: 100_000 } }))
      .rejects.toMatchObject({ code: ERR_RENDER_BUDGET })
    await expect(measureScenes(sphere, sphere, { seed: SEED, complexity: 0, width: 4096, height: 4096, budget: { maxPixelsPerView: 1024 * 1024 } }))
      .rejects.toMatchObject({ code: ERR_RENDER_BUDGET })
  })

  it('refuses an empty original (ERR_RENDER_EMPTY_SCENE); an empty candidate measures badly', async () => {
    const doc = new Document()
    doc.getRoot().setDefaultScene(doc.createScene('empty'))
    const empty = await toGlb(doc)
    const cube = await toGlb(cubeScene())
    await expect(measureScenes(empty, cube, { seed: SEED, complexity: 0 })).rejects.toMatchObject({ code: ERR_RENDER_EMPTY_SCENE })
    const m = await measureScenes(cube, empty, { seed: SEED, complexity: 0, views: 4 })
    expect(m.metrics.ssim).toBeLessThan(0.98)
    expect(m.metrics.psnr).toBeLessThan(35)
  })
})

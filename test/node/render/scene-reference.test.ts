/**
 * A scene reference (node/render/scene-reference.ts): several candidates
 * measured against one original prepared once give, to the bit, what
 * measureScenes gives for each pair (metrics, samples, raster counters,
 * evidence), and the original's kept renders are not rendered again.
 */
import { describe, expect, it } from 'vitest'
import { DEFAULT_EVIDENCE_OPTIONS } from '../../../node/measure/evidence.ts'
import { measureAgainstReference, measureScenes } from '../../../node/render/measure-scene.ts'
import { prepareSceneReference, type ReferenceRender } from '../../../node/render/scene-reference.ts'
import { gltfpack, sphereScene, spinningCubeScene, toGlb } from './scenes.ts'

const SEED = 'a1b2c3d4'
// small renders and few views: the comparison is of two code paths, not of the scenes' quality
const SMALL = { seed: SEED, complexity: 0, width: 96, height: 96 }

describe('measureAgainstReference', () => {
  it('measures candidates against a prepared original exactly as measureScenes measures each pair, evidence included', async () => {
    const sphere = await toGlb(sphereScene(24, 24, { bumpy: true }))
    const candidates = [await gltfpack(sphere, ['-si', '0.1']), await gltfpack(sphere, ['-cc'])]
    const options = { ...SMALL, views: 6 }
    const reference = await prepareSceneReference(sphere, options)
    for (const c of candidates) {
      const alone = await measureScenes(sphere, c, { ...options, evidence: DEFAULT_EVIDENCE_OPTIONS })
      const against = await measureAgainstReference(reference, c, { evidence: DEFAULT_EVIDENCE_OPTIONS })
      expect(against).toEqual(alone)
      expect(against.evidence!.length).toBeGreaterThan(0)
    }
  })

  it('measures an animated original\'s temporal samples as measureScenes does', async () => {
    const orig = await toGlb(spinningCubeScene(1))
    const faster = await toGlb(spinningCubeScene(1.5))
    const options = { ...SMALL, views: 16 }
    const reference = await prepareSceneReference(orig, options)
    for (const c of [faster, orig, faster]) {
      const against = await measureAgainstReference(reference, c)
      expect(against).toEqual(await measureScenes(orig, c, options))
      expect(against.perSample.filter((s) => s.kind === 'temporal')).toHaveLength(10)
    }
  })

  it('renders the original once: its renders are kept by the first measurement and reused by the next', async () => {
    const sphere = await toGlb(sphereScene(24, 24, { bumpy: true }))
    const reference = await prepareSceneReference(sphere, { ...SMALL, views: 4 })
    expect(reference.keptRenders).toBe(0)
    const first = await measureAgainstReference(reference, sphere)
    expect(reference.keptRenders).toBe(first.renderStats.renders)
    const second = await measureAgainstReference(reference, await gltfpack(sphere, ['-si', '0.5']))
    expect(reference.keptRenders).toBe(first.renderStats.renders)
    // the kept renders' raster counters still count in every measurement
    expect(second.renderStats.original).toEqual(first.renderStats.original)
    expect(first.renderStats.original).toEqual(first.renderStats.candidate)
    const view = reference.views[0]!
    let rendered = 0
    const count = (render: () => ReferenceRender): ReferenceRender => { rendered++; return render() }
    reference.render(0, view.time + 1, undefined, count)
    reference.render(0, view.time + 1, undefined, count)
    expect(rendered).toBe(1)
  })
})

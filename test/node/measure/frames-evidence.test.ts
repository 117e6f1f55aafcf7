/**
 * Frames evidence decodes each frame it shows once per set, however many of
 * its samples are chosen, and gives the same images in the choices' order as
 * decoding the frame again for each sample did.
 */
import { describe, expect, it, vi } from 'vitest'
import { DEFAULT_EVIDENCE_OPTIONS, evidenceImages, selectEvidence } from '../../../node/measure/evidence.ts'
import { framesEvidence } from '../../../node/measure/frames-evidence.ts'
import { changeImage, cropImage, downscale2x } from '../../../node/measure/image.ts'
import { measureFrames } from '../../../node/measure/measure-frames.ts'
import type { RgbaImage } from '../../../node/image/rgba-image.ts'
import * as png from '../../../node/measure/png.ts'
import { addNoise, encodePng, scene } from './fixtures.ts'

const decodes = vi.hoisted(() => ({ count: 0 }))
vi.mock('../../../node/measure/png.ts', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../../node/measure/png.ts')>()
  return { ...original, decodePng: (...args: Parameters<typeof original.decodePng>) => { decodes.count++; return original.decodePng(...args) } }
})

const seed = 'cd'.repeat(32)

describe('framesEvidence', () => {
  it('decodes a one-frame job\'s frame once per set for all its chosen samples', async () => {
    const ref = [encodePng(scene(64, 48, 0))]
    const cand = [encodePng(addNoise(scene(64, 48, 0), 9, 'a'))]
    const m = await measureFrames(ref, cand, { seed })
    const chosen = selectEvidence(m.perSample, seed, DEFAULT_EVIDENCE_OPTIONS)
    expect(chosen.length).toBeGreaterThan(2)
    decodes.count = 0
    const evidence = await framesEvidence(ref, cand, m, seed, DEFAULT_EVIDENCE_OPTIONS)
    expect(decodes.count).toBe(2)
    expect(evidence.map((e) => e.choice)).toEqual(chosen)
  })

  it('gives, in the choices\' order, the images of decoding each sample\'s frames afresh', async () => {
    const ref = [0, 1, 2].map((f) => encodePng(scene(64, 48, f)))
    const cand = [0, 1, 2].map((f) => encodePng(addNoise(scene(64, 48, f), 9, String(f))))
    const m = await measureFrames(ref, cand, { seed })
    decodes.count = 0
    const evidence = await framesEvidence(ref, cand, m, seed, DEFAULT_EVIDENCE_OPTIONS)
    const frames = new Set(evidence.flatMap((e) => { const s = m.perSample[e.choice.index]!; return s.kind === 'temporal' ? [s.frame, s.frame + 1] : [s.frame] }))
    expect(decodes.count).toBeLessThanOrEqual(2 * frames.size)
    const factor = m.plan.analysis.factor
    const analysis = (img: RgbaImage): RgbaImage => (factor === 2 ? downscale2x(img) : img)
    for (const e of evidence) {
      const s = m.perSample[e.choice.index]!
      const imgs = [ref, cand].map((set) => {
        const full = (i: number): RgbaImage => png.decodePng(set[i]!)
        if (s.kind === 'frame') return analysis(full(s.frame))
        if (s.kind === 'full') return full(s.frame)
        if (s.kind === 'region') return cropImage(full(s.frame), s.rect!)
        return changeImage(analysis(full(s.frame)), analysis(full(s.frame + 1)))
      })
      expect(e.images).toEqual(evidenceImages(imgs[0]!, imgs[1]!))
    }
  })
})

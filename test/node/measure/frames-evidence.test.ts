/**
 * Frames evidence decodes each frame it shows once per set, however many of
 * its samples are chosen, and gives the same images in the choices' order as
 * decoding the frame again for each sample did.
 */
import { describe, expect, it } from 'vitest'
import { DEFAULT_EVIDENCE_OPTIONS, evidenceImages, selectEvidence } from '../../../node/measure/evidence.ts'
import { framesEvidence } from '../../../node/measure/frames-evidence.ts'
import { changeImage, cropImage, downscale2x } from '../../../node/measure/image.ts'
import { measureFrames } from '../../../node/measure/measure-frames.ts'
import type { RgbaImage } from '../../../node/image/rgba-image.ts'
import * as png from '../../../node/measure/png.ts'
import { addNoise, encodePng, scene } from './fixtures.ts'

/**
 * The frame sets as views that count how often a frame's bytes are read:
 * the evidence reads a frame's PNG bytes only to decode them (no module is
 * mocked: test files share their worker's modules, vitest.config.ts).
 */
function counted (...sets: Array<readonly Uint8Array[]>): { sets: Array<readonly Uint8Array[]>, reads: () => number } {
  let reads = 0
  const views = sets.map((set) => new Proxy(set, {
    get (target, key, receiver) {
      if (typeof key === 'string' && /^\d+$/.test(key)) reads++
      return Reflect.get(target, key, receiver) as unknown
    }
  }))
  return { sets: views, reads: () => reads }
}

const seed = 'cd'.repeat(32)

describe('framesEvidence', () => {
  it('decodes a one-frame job\'s frame once per set for all its chosen samples', async () => {
    const ref = [encodePng(scene(64, 48, 0))]
    const cand = [encodePng(addNoise(scene(64, 48, 0), 9, 'a'))]
    const m = await measureFrames(ref, cand, { seed })
    const chosen = selectEvidence(m.perSample, seed, DEFAULT_EVIDENCE_OPTIONS)
    expect(chosen.length).toBeGreaterThan(2)
    const c = counted(ref, cand)
    const evidence = await framesEvidence(c.sets[0]!, c.sets[1]!, m, seed, DEFAULT_EVIDENCE_OPTIONS)
    expect(c.reads()).toBe(2)
    expect(evidence.map((e) => e.choice)).toEqual(chosen)
  })

  it('gives, in the choices\' order, the images of decoding each sample\'s frames afresh', async () => {
    const ref = [0, 1, 2].map((f) => encodePng(scene(64, 48, f)))
    const cand = [0, 1, 2].map((f) => encodePng(addNoise(scene(64, 48, f), 9, String(f))))
    const m = await measureFrames(ref, cand, { seed })
    const c = counted(ref, cand)
    const evidence = await framesEvidence(c.sets[0]!, c.sets[1]!, m, seed, DEFAULT_EVIDENCE_OPTIONS)
    const frames = new Set(evidence.flatMap((e) => { const s = m.perSample[e.choice.index]!; return s.kind === 'temporal' ? [s.frame, s.frame + 1] : [s.frame] }))
    expect(c.reads()).toBeLessThanOrEqual(2 * frames.size)
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

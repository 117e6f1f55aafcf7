import { describe, expect, it } from 'vitest'
import { changePlanes, colourPlanes, colourSampleSsim } from '../../../node/measure/colour-ssim.ts'
import { changeLuma, lumaPlane, type RgbaImage } from '../../../node/measure/image.ts'
import { sampleSsim } from '../../../node/measure/local-ssim.ts'
import { ssimLuma } from '../../../node/measure/ssim.ts'
import { scene } from './fixtures.ts'

/** Vertical stripes of two colours, 8 px wide, `w` × `h`. */
function stripes (w: number, h: number, a: [number, number, number], b: [number, number, number]): RgbaImage {
  const data = new Uint8Array(w * h * 4)
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const c = ((x >> 3) & 1) === 0 ? a : b
      data.set([c[0], c[1], c[2], 255], (y * w + x) * 4)
    }
  }
  return { width: w, height: h, data }
}

describe('colour-aware local SSIM', () => {
  it('keeps the luma SSIM bit for bit and sees a hue change at equal luma that luma alone does not', () => {
    // red (luma 0.299·200 = 59.8) against a blue-green of nearly the same luma; the candidate is one flat colour of that luma
    const ref = stripes(64, 48, [200, 0, 0], [0, 70, 165])
    const cand = stripes(64, 48, [60, 60, 60], [60, 60, 60])
    const luma = sampleSsim(lumaPlane(ref), lumaPlane(cand))
    const colour = colourSampleSsim(colourPlanes(ref), colourPlanes(cand))
    expect(colour.ssim).toBe(ssimLuma(lumaPlane(ref), lumaPlane(cand)))
    expect(luma.worstTile).toBeGreaterThan(0.95)
    expect(colour.worstTile).toBeLessThan(0.2)
  })

  it('gives 1 for identical images and the luma result when only brightness changes', () => {
    const img = scene(80, 60)
    expect(colourSampleSsim(colourPlanes(img), colourPlanes(img))).toMatchObject({ ssim: 1, worstTile: 1 })
    // a grey image darkened: chroma stays 128 everywhere, so every chroma tile is exactly 1
    const grey = stripes(48, 48, [200, 200, 200], [40, 40, 40]); const darker = stripes(48, 48, [150, 150, 150], [40, 40, 40])
    expect(colourSampleSsim(colourPlanes(grey), colourPlanes(darker))).toEqual(sampleSsim(lumaPlane(grey), lumaPlane(darker)))
  })

  it('chroma planes follow BT.601 full range, and change planes are changeLuma of each plane', () => {
    const img: RgbaImage = { width: 2, height: 1, data: Uint8Array.from([255, 0, 0, 255, 10, 20, 30, 255]) }
    const p = colourPlanes(img)
    expect(p.cb.data[0]).toBeCloseTo(128 - 0.168736 * 255, 12)
    expect(p.cr.data[0]).toBeCloseTo(128 + 0.5 * 255, 12)
    expect(p.cb.data[1]).toBeCloseTo(128 - 0.168736 * 10 - 0.331264 * 20 + 0.5 * 30, 12)
    expect(Array.from(p.y.data)).toEqual(Array.from(lumaPlane(img).data))
    const c = changePlanes(p, colourPlanes({ width: 2, height: 1, data: Uint8Array.from([0, 0, 255, 255, 10, 20, 30, 255]) }))
    expect(Array.from(c.cr.data)).toEqual(Array.from(changeLuma(p.cr, colourPlanes({ width: 2, height: 1, data: Uint8Array.from([0, 0, 255, 255, 10, 20, 30, 255]) }).cr).data))
  })

  it('the evidence map is the smallest of the three maps at each position, and the worst rectangle is the worst plane\'s', () => {
    const ref = stripes(64, 48, [200, 0, 0], [0, 70, 165]); const cand = stripes(64, 48, [60, 60, 60], [60, 60, 60])
    const full = colourSampleSsim(colourPlanes(ref), colourPlanes(cand), undefined, true)
    const planes = [colourPlanes(ref), colourPlanes(cand)] as const
    const maps = (['y', 'cb', 'cr'] as const).map((k) => sampleSsim(planes[0][k], planes[1][k], undefined, true))
    for (let i = 0; i < full.map!.data.length; i++) expect(full.map!.data[i]).toBe(Math.min(...maps.map((m) => m.map!.data[i]!)))
    const worst = maps.reduce((a, b) => (b.worstTile < a.worstTile ? b : a))
    expect(full.worstRect).toEqual(worst.worstRect)
    expect(full.worstTile).toBe(worst.worstTile)
  })
})

import { describe, expect, it } from 'vitest'
import { type RgbaImage, lumaPlane } from '../../../node/measure/image.ts'
import { DEFAULT_LOCAL_SSIM_OPTIONS, localSsimOf, sampleSsim } from '../../../node/measure/local-ssim.ts'
import { ssimCore, ssimLuma, tileGrid } from '../../../node/measure/ssim.ts'
import { addNoise, noise, scene } from './fixtures.ts'

/** A copy of `img` with a `size`×`size` square at (x, y) painted mid-grey: local damage. */
function patch (img: RgbaImage, x: number, y: number, size: number): RgbaImage {
  const data = new Uint8Array(img.data)
  for (let j = y; j < y + size; j++) {
    for (let i = x; i < x + size; i++) {
      const o = (j * img.width + i) * 4
      data[o] = 128; data[o + 1] = 128; data[o + 2] = 128
    }
  }
  return { width: img.width, height: img.height, data }
}

describe('local SSIM', () => {
  it('gives the mean with exactly the bits of ssimLuma, and tile means that average back to it', () => {
    const a = lumaPlane(scene(160, 96)); const b = lumaPlane(addNoise(scene(160, 96), 20, '01'))
    const s = sampleSsim(a, b)
    expect(s.ssim).toBe(ssimLuma(a, b))
    const extras = { tile: 16, wantMap: true } as Parameters<typeof ssimCore>[3] & object
    ssimCore(a, b, {}, extras)
    expect(tileGrid(150, 86, 16)).toEqual({ tilesX: 9, tilesY: 5 })
    expect(extras.tileMeans).toHaveLength(45)
    // the map is the per-window SSIM: its mean is the SSIM
    let sum = 0
    for (const v of extras.map!) sum += v
    expect(Math.abs(sum / extras.map!.length - s.ssim)).toBeLessThan(1e-6)
    expect(s.worstTile).toBe(Math.min(...extras.tileMeans!))
  })

  it('sees a small defect the mean hides', () => {
    const ref = noise(256, 256, '0a')
    const cand = patch(ref, 100, 60, 12)
    const s = sampleSsim(lumaPlane(ref), lumaPlane(cand), DEFAULT_LOCAL_SSIM_OPTIONS, true)
    expect(s.ssim).toBeGreaterThan(0.99)
    expect(s.worstTile).toBeLessThan(0.7)
    // the worst tile holds the defect
    expect(s.worstRect.x).toBeLessThanOrEqual(100)
    expect(s.worstRect.x + s.worstRect.width + 10).toBeGreaterThanOrEqual(100)
    expect(s.worstRect.y).toBeLessThanOrEqual(71)
    expect(s.worstRect.y + s.worstRect.height + 10).toBeGreaterThanOrEqual(60)
    expect(s.map!.width).toBe(246)
  })

  it('is exactly 1 for identical images, and a single tile for tiny ones', () => {
    const a = lumaPlane(noise(11, 11, '03'))
    expect(sampleSsim(a, a)).toMatchObject({ ssim: 1, worstTile: 1, worstRect: { x: 0, y: 0, width: 1, height: 1 } })
  })

  it('takes the nearest-rank percentile of the worst tiles with an order-statistic interval', () => {
    const values = Array.from({ length: 97 }, (_, i) => 1 - i / 100) // 1, 0.99, …, 0.04
    const r = localSsimOf(values, 0.95, 10)
    // ⌈97 · 10 / 100⌉ = 10th smallest
    expect(r.value).toBe([...values].sort((x, y) => x - y)[9])
    expect(r.interval[0]).toBeLessThanOrEqual(r.value)
    expect(r.interval[1]).toBeGreaterThanOrEqual(r.value)
    expect(r.interval[0]).toBeLessThan(r.interval[1])
    expect(localSsimOf([0.5, 0.9, 0.7], 0.95, 10).value).toBe(0.5)
    expect(localSsimOf([0.8], 0.95, 10)).toEqual({ value: 0.8, interval: [-1, 1] })
    expect(localSsimOf(Array(20).fill(1), 0.95, 10)).toEqual({ value: 1, interval: [1, 1] })
  })
})

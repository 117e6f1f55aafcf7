import { describe, expect, it } from 'vitest'
import type { RgbaImage } from '../../../node/image/rgba-image.ts'
import { fitWithin, resizeRgba } from '../../../node/optimizer/texture-resize.ts'

const solid = (w: number, h: number, rgba: number[]): RgbaImage => {
  const data = new Uint8Array(w * h * 4)
  for (let i = 0; i < w * h; i++) data.set(rgba, i * 4)
  return { width: w, height: h, data }
}

describe('area-filter resize', () => {
  it('averages 2 x 2 blocks exactly for a factor of 2', () => {
    const src: RgbaImage = { width: 2, height: 2, data: new Uint8Array([0, 0, 0, 255, 100, 0, 0, 255, 0, 200, 0, 255, 0, 0, 40, 255]) }
    expect(Array.from(resizeRgba(src, 1, 1).data)).toEqual([25, 50, 10, 255])
  })
  it('keeps a solid colour solid at any size', () => {
    const out = resizeRgba(solid(30, 17, [12, 34, 56, 255]), 7, 4)
    for (let i = 0; i < out.data.length; i += 4) expect(Array.from(out.data.subarray(i, i + 4))).toEqual([12, 34, 56, 255])
  })
  it('does not bleed the colour of transparent pixels (premultiplied)', () => {
    const src: RgbaImage = { width: 2, height: 1, data: new Uint8Array([255, 0, 0, 0, 0, 0, 255, 255]) }
    expect(Array.from(resizeRgba(src, 1, 1).data)).toEqual([0, 0, 255, 128])
  })
  it('fits sizes within a limit, keeping the aspect ratio and never upscaling', () => {
    expect(fitWithin(4096, 2048, 1024)).toEqual([1024, 512])
    expect(fitWithin(300, 200, 100)).toEqual([100, 67])
    expect(fitWithin(50, 20, 100)).toEqual([50, 20])
    expect(fitWithin(10000, 1, 100)).toEqual([100, 1])
  })
})

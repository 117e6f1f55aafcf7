import { describe, expect, it } from 'vitest'
import { isTrustEngineError } from '../../../protocol/errors.ts'
import { ERR_RECT_OUT_OF_BOUNDS } from '../../../node/measure/errors.ts'
import { changeLuma, cropImage, downscale2x, lumaPlane } from '../../../node/measure/image.ts'
import { makeImage } from './fixtures.ts'

describe('image operations', () => {
  it('computes BT.601 luma', () => {
    const img = makeImage(4, 1, (x) => [[255, 0, 0], [0, 255, 0], [0, 0, 255], [10, 20, 30]][x]!)
    expect(Array.from(lumaPlane(img).data)).toEqual([0.299 * 255, 0.587 * 255, 0.114 * 255, 0.299 * 10 + 0.587 * 20 + 0.114 * 30])
  })

  it('downscales with a rounded 2×2 box and drops an odd last row and column', () => {
    const img = makeImage(5, 3, (x, y) => [x + 10 * y, 1, (x + y) % 2 === 0 ? 255 : 0])
    const half = downscale2x(img)
    expect([half.width, half.height]).toEqual([2, 1])
    // Block (0..1, 0..1): R = (0 + 1 + 10 + 11 + 2) >> 2 = 6; B = (255 + 0 + 0 + 255 + 2) >> 2 = 128.
    expect(Array.from(half.data.subarray(0, 4))).toEqual([6, 1, 128, 255])
    expect(Array.from(half.data.subarray(4, 8))).toEqual([8, 1, 128, 255])
  })

  it('crops exactly and refuses rects outside the image', () => {
    const img = makeImage(6, 5, (x, y) => [x, y, 0])
    const c = cropImage(img, { x: 2, y: 1, width: 3, height: 4 })
    expect([c.width, c.height]).toEqual([3, 4])
    expect([c.data[0], c.data[1]]).toEqual([2, 1])
    expect([c.data[(3 * 3 + 2) * 4], c.data[(3 * 3 + 2) * 4 + 1]]).toEqual([4, 4])
    for (const rect of [{ x: 4, y: 0, width: 3, height: 1 }, { x: -1, y: 0, width: 1, height: 1 }, { x: 0, y: 0, width: 0, height: 1 }, { x: 0, y: 3, width: 1, height: 3 }]) {
      let code: string | undefined
      try { cropImage(img, rect) } catch (err) { code = isTrustEngineError(err) ? err.code : 'other' }
      expect(code).toBe(ERR_RECT_OUT_OF_BOUNDS)
    }
  })

  it('maps frame changes onto [0, 255] with mid-grey for no change', () => {
    const a = lumaPlane(makeImage(3, 1, (x) => [[0, 0, 0], [255, 255, 255], [100, 100, 100]][x]!))
    const b = lumaPlane(makeImage(3, 1, (x) => [[255, 255, 255], [0, 0, 0], [100, 100, 100]][x]!))
    const d = changeLuma(a, b).data
    expect(d[0]).toBeCloseTo(255, 10)
    expect(d[1]).toBeCloseTo(0, 10)
    expect(d[2]).toBe(127.5)
  })
})

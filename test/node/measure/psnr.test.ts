import { describe, expect, it } from 'vitest'
import { isTrustEngineError } from '../../../protocol/errors.ts'
import { ERR_PNG_SIZE_MISMATCH } from '../../../node/measure/errors.ts'
import { changeMseRgb, mseRgb, psnr, psnrFromMse } from '../../../node/measure/psnr.ts'
import { makeImage, noise, scene } from './fixtures.ts'

describe('psnr', () => {
  it('matches a hand-computed case: +10 in one channel', () => {
    const a = scene(64, 48)
    const b = makeImage(64, 48, (x, y) => {
      const p = (y * 64 + x) * 4
      return [a.data[p]!, a.data[p + 1]!, Math.min(255, a.data[p + 2]! + 10)]
    })
    // The scene's blue channel stays ≤ 240, so every pixel differs by exactly 10 in B: MSE = 100 / 3.
    expect(Array.from({ length: 64 * 48 }, (_, i) => a.data[i * 4 + 2]!).every((v) => v <= 245)).toBe(true)
    expect(mseRgb(a, b)).toBe(100 / 3)
    expect(psnr(a, b)).toBeCloseTo(10 * Math.log10((65025 * 3) / 100), 12)
    expect(psnr(a, b)).toBeCloseTo(32.9020, 4)
  })

  it('is Infinity for identical colour and ignores alpha', () => {
    const a = noise(30, 20, '01')
    expect(psnr(a, a)).toBe(Infinity)
    const b = { ...a, data: new Uint8Array(a.data) }
    for (let p = 3; p < b.data.length; p += 4) b.data[p] = 0
    expect(psnr(a, b)).toBe(Infinity)
  })

  it('is 0 dB at the largest possible error', () => {
    const black = makeImage(12, 12, () => [0, 0, 0])
    const white = makeImage(12, 12, () => [255, 255, 255])
    expect(psnrFromMse(mseRgb(black, white))).toBe(0)
  })

  it('computes the change-image MSE as documented', () => {
    const z = makeImage(4, 4, () => [100, 100, 100])
    const up = makeImage(4, 4, () => [110, 100, 100])
    // Reference static, candidate changes R by +10: error 10/2 = 5 in one channel, MSE = 25 / 3.
    expect(changeMseRgb(z, z, z, up)).toBe(25 / 3)
    expect(changeMseRgb(z, up, z, up)).toBe(0)
    // The same change on a different base is no temporal error.
    expect(changeMseRgb(z, up, up, makeImage(4, 4, () => [120, 100, 100]))).toBe(0)
  })

  it('refuses different sizes', () => {
    let code: string | undefined
    try { mseRgb(noise(5, 5, '01'), noise(5, 6, '01')) } catch (err) { code = isTrustEngineError(err) ? err.code : 'other' }
    expect(code).toBe(ERR_PNG_SIZE_MISMATCH)
  })
})

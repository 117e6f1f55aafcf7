import { ssim as ssimJs } from 'ssim.js'
import { describe, expect, it } from 'vitest'
import { isTrustEngineError } from '../../../protocol/errors.ts'
import { ERR_IMAGE_TOO_SMALL, ERR_PNG_SIZE_MISMATCH } from '../../../node/measure/errors.ts'
import type { RgbaImage } from '../../../node/measure/image.ts'
import { lumaPlane } from '../../../node/measure/image.ts'
import { GAUSSIAN_TAPS, SSIM_SIGMA, SSIM_WEIGHTS, ssim, ssimLuma } from '../../../node/measure/ssim.ts'
import { addNoise, blockQuantize, blur, noise, scene, toGrey } from './fixtures.ts'
import { codeOf } from '../../helpers/codes.ts'

/** ssim.js with its port of the reference MATLAB code: Gaussian 11×11, σ 1.5, 'valid' windows, no downsampling. */
function referenceSsim (a: RgbaImage, b: RgbaImage, grey: 'integer' | 'original' = 'integer'): number {
  const img = (x: RgbaImage): { width: number, height: number, data: Uint8ClampedArray } => ({ width: x.width, height: x.height, data: new Uint8ClampedArray(x.data) })
  return ssimJs(img(a), img(b), { ssim: 'original', downsample: false, rgb2grayVersion: grey }).mssim
}

const PAIRS: Array<[string, RgbaImage, RgbaImage]> = [
  ['scene vs 8×8 block quantized', scene(200, 150), blockQuantize(scene(200, 150))],
  ['scene vs noisy scene', scene(160, 96), addNoise(scene(160, 96), 20, '01')],
  ['noise vs blurred noise (odd sizes)', noise(97, 61, '02'), blur(noise(97, 61, '02'))],
  ['scene vs shifted scene', scene(128, 128), scene(128, 128, 3)],
  ['smallest measurable (11×11)', noise(11, 11, '03'), noise(11, 11, '04')]
]

describe('ssim', () => {
  it('uses the exact Gaussian taps and a normalized window', () => {
    GAUSSIAN_TAPS.forEach((g, k) => expect(g).toBe(Math.exp(-(k * k) / (2 * SSIM_SIGMA * SSIM_SIGMA))))
    expect(SSIM_WEIGHTS).toHaveLength(11)
    expect(Math.abs(SSIM_WEIGHTS.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-15)
    for (let i = 0; i < 11; i++) expect(SSIM_WEIGHTS[i]).toBe(SSIM_WEIGHTS[10 - i])
  })

  it('matches ssim.js (original algorithm, no downsampling) on grey images to 1e-9', () => {
    // On grey images (R = G = B) both sides see the same luma values, and the
    // definitions (window, constants, valid windows, mean of the map) are the
    // same; only the float summation order differs (differences ~1e-13).
    for (const [name, a, b] of PAIRS) {
      const ga = toGrey(a)
      const gb = toGrey(b)
      const ours = ssim(ga, gb)
      expect(Math.abs(ours - referenceSsim(ga, gb)), name).toBeLessThan(1e-9)
    }
  })

  it('stays within 5e-3 of ssim.js on colour images', () => {
    // ssim.js rounds its luma to integers (MATLAB rgb2gray, ±0.5 quantization
    // noise); we keep BT.601 luma in float64. On these images the gap is up to
    // 2.3e-3, so 5e-3 separates that rounding from a real disagreement.
    for (const [name, a, b] of PAIRS) {
      expect(Math.abs(ssim(a, b) - referenceSsim(a, b, 'original')), name).toBeLessThan(5e-3)
    }
  })

  it('is exactly 1 for identical images and exactly symmetric', () => {
    for (const [, a, b] of PAIRS) {
      expect(ssim(a, a)).toBe(1)
      expect(ssim(a, b)).toBe(ssim(b, a))
    }
  })

  it('falls as the degradation grows', () => {
    const ref = scene(128, 96)
    const values = [2, 8, 24, 64].map((amp) => ssim(ref, addNoise(ref, amp, '05')))
    for (let i = 1; i < values.length; i++) expect(values[i]).toBeLessThan(values[i - 1]!)
    expect(values[0]).toBeGreaterThan(0.9)
    expect(values[3]).toBeLessThan(0.6)
  })

  it('refuses images below 11×11 and pairs of different sizes', () => {
    expect(codeOf(() => ssim(noise(10, 40, '06'), noise(10, 40, '07')))).toBe(ERR_IMAGE_TOO_SMALL)
    expect(codeOf(() => ssim(noise(40, 10, '06'), noise(40, 10, '07')))).toBe(ERR_IMAGE_TOO_SMALL)
    expect(codeOf(() => ssim(noise(40, 40, '06'), noise(40, 41, '07')))).toBe(ERR_PNG_SIZE_MISMATCH)
    expect(codeOf(() => ssimLuma(lumaPlane(noise(20, 20, '06')), lumaPlane(noise(21, 20, '07'))))).toBe(ERR_PNG_SIZE_MISMATCH)
  })
})

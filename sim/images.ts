/**
 * Deterministic test images for simulations, tests and benchmarks: real PNG
 * bytes made with pngjs, the same on every run.
 */
import { PNG } from 'pngjs'

/** A deterministic RGB test image (a gradient with structure) as PNG bytes. */
export function testPng (width: number, height: number, variant = 0): Uint8Array {
  const png = new PNG({ width, height })
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4
      const v = (x * 3 + y * 2 + ((x >> 3) ^ (y >> 3)) * 16) & 255
      png.data[i] = v
      png.data[i + 1] = (v * 7 + variant) & 255
      png.data[i + 2] = 255 - v
      png.data[i + 3] = 255
    }
  }
  return PNG.sync.write(png)
}

/**
 * `testPng` (of `variant`) with every `stride`-th column (9th by default)
 * brightened by `delta` (clamped at 255) in red: a small, real degradation.
 * With `channels` 3, in red, green and blue: damage that fails SSIM, local
 * SSIM and PSNR together.
 */
export function degradedPng (width: number, height: number, delta: number, variant = 0, stride = 9, channels: 1 | 3 = 1): Uint8Array {
  const png = PNG.sync.read(Buffer.from(testPng(width, height, variant)))
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x += stride) {
      const i = (y * width + x) * 4
      for (let c = 0; c < channels; c++) png.data[i + c] = Math.min(255, png.data[i + c]! + delta)
    }
  }
  return PNG.sync.write(png)
}


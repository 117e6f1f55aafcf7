/**
 * The PNG encoder's bytes are pinned: every node must write the same PNG for
 * the same pixels (the optimizer's outputs are compared by hash), so a faster
 * filter choice must give exactly the bytes of the one before it. The images
 * exercise all five row filters, RGB and RGBA, and rows narrower than a pixel
 * step; each also decodes back to its pixels.
 */
import { createHash } from 'node:crypto'
import { PNG } from 'pngjs'
import { describe, expect, it } from 'vitest'
import { zlibSync } from 'fflate'
import { encodePng, filterPng, pngSizeSample } from '../../../node/image/png-encode.ts'
import type { RgbaImage } from '../../../node/image/rgba-image.ts'

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex')

/** Deterministic pixels: gradients, a noisy band and repeated blocks, so that rows choose different filters. */
function pattern (width: number, height: number, alpha: boolean): RgbaImage {
  const data = new Uint8Array(width * height * 4)
  let seed = 7
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0
      const noise = y % 5 === 1 ? seed >>> 24 : 0
      data[i] = (x * 3 + noise) & 0xff
      data[i + 1] = (y * 5 + ((x >> 3) & 1) * 90) & 0xff
      data[i + 2] = ((x + y) * 2 + noise) & 0xff
      data[i + 3] = alpha ? (x * 7 + y) & 0xff : 255
    }
  }
  return { width, height, data }
}

describe('encodePng', () => {
  // Hashes of the encoder before its one-pass filter choice (optimizer format 7).
  const cases: Array<[number, number, boolean, string]> = [
    [1, 1, false, '76e145d33eb6417ec636e15a8b9d10c193e0f52c62a4e9c585ef33aff87030c3'],
    [37, 23, false, '85df43828e8ac57013c9f6eb94655b172917612e977a9ff1e650ce60cdd838c7'],
    [64, 48, true, '16cd1cfa0663b8bad53569cdf15843ac7f914132b3d055a43597a622e2386eb9'],
    [5, 90, true, 'cf526b4b849f42bed796a1061305371aeb26ecc58765fbde6647f6ba67e4596c']
  ]
  for (const [w, h, alpha, hash] of cases) {
    it(`writes the pinned bytes for ${w}x${h} ${alpha ? 'RGBA' : 'RGB'}, which decode back to the pixels`, () => {
      const image = pattern(w, h, alpha)
      const bytes = encodePng(image)
      expect(sha(bytes)).toBe(hash)
      const back = PNG.sync.read(Buffer.from(bytes))
      expect(new Uint8Array(back.data)).toEqual(image.data)
    })
  }

  it('samples one row in eight, in bands of eight, filtered exactly as the whole PNG filters them', () => {
    for (const alpha of [false, true]) {
      const image = pattern(70, 200, alpha)
      const sample = pngSizeSample(image)
      // Rows 0-7, 64-71, 128-135 and 192-199.
      expect(sample).toMatchObject({ sampledRows: 32, rows: 200 })
      const full = filterPng(image)
      const stride = full.rows.length / 200
      const bands = [0, 64, 128, 192].map((y) => full.rows.subarray(y * stride, (y + 8) * stride))
      const joined = new Uint8Array(bands.reduce((n, b) => n + b.length, 0))
      bands.reduce((o, b) => { joined.set(b, o); return o + b.length }, 0)
      expect(sample.deflated).toBe(zlibSync(joined, { level: 1, mem: 8 }).byteLength)
    }
  })
})

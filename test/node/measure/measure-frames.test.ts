import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { canonicalString } from '../../../protocol/canonical.ts'
import { isTrustEngineError } from '../../../protocol/errors.ts'
import { deriveSeed } from '../../../protocol/sampling/prng.ts'
import {
  ERR_FRAME_COUNT, ERR_IMAGE_TOO_SMALL, ERR_PNG_DECODE, ERR_PNG_SIGNATURE, ERR_PNG_SIZE_MISMATCH
} from '../../../node/measure/errors.ts'
import { changeLuma, cropImage, downscale2x, lumaPlane } from '../../../node/measure/image.ts'
import { measureFrames } from '../../../node/measure/measure-frames.ts'
import type { FrameMeasurement } from '../../../node/measure/measure-frames.ts'
import { decodePng } from '../../../node/measure/png.ts'
import { changeMseRgb, mseRgb, psnrFromMse } from '../../../node/measure/psnr.ts'
import { ssim, ssimLuma } from '../../../node/measure/ssim.ts'
import { frameMeasurementToWire } from '../../../node/measure/wire.ts'
import { addNoise, blockQuantize, encodePng, noise, scene } from './fixtures.ts'
import { codeOfAsync as codeOf } from '../../helpers/codes.ts'

const SEED = deriveSeed('measure-frames-test')
/** A short camera pan: each frame shifts the scene by 2 pixels. */
const reference = Array.from({ length: 6 }, (_, k) => encodePng(scene(96, 64, 2 * k)))
const lightlyDegraded = Array.from({ length: 6 }, (_, k) => encodePng(addNoise(scene(96, 64, 2 * k), 3, `light-${k}`)))
const heavilyDegraded = Array.from({ length: 6 }, (_, k) => encodePng(blockQuantize(addNoise(scene(96, 64, 2 * k), 25, `heavy-${k}`), 32)))

function checkConsistent (m: FrameMeasurement): void {
  const mean = m.perSample.reduce((a, s) => a + s.ssim, 0) / m.samples
  expect(m.metrics.ssim).toBe(mean)
  expect(m.metrics.psnr).toBe(psnrFromMse(m.perSample.reduce((a, s) => a + s.mse, 0) / m.samples))
  expect(m.intervals.ssim[0] <= m.metrics.ssim && m.metrics.ssim <= m.intervals.ssim[1]).toBe(true)
  expect(m.intervals.psnr[0] <= m.metrics.psnr && m.metrics.psnr <= m.intervals.psnr[1]).toBe(true)
  expect(m.intervals.ssim[0] >= -1 && m.intervals.ssim[1] <= 1 && m.intervals.psnr[0] >= 0).toBe(true)
  expect(m.samples).toBe(m.plan.samples.length)
}

describe('measureFrames', () => {
  it('gives SSIM exactly 1 and PSNR Infinity for identical frame sets', async () => {
    for (const frames of [[reference[0]!], reference]) {
      const m = await measureFrames(frames, frames.map((b) => new Uint8Array(b)), { seed: SEED })
      expect(m.metrics).toEqual({ ssim: 1, psnr: Infinity, ssimLocal: 1 })
      expect(m.intervals).toEqual({ ssim: [1, 1], psnr: [Infinity, Infinity], ssimLocal: [1, 1] })
      expect(m.samples).toBe(97)
      expect(m.perSample.every((s) => s.ssim === 1 && s.psnr === Infinity && s.mse === 0)).toBe(true)
      const wire = frameMeasurementToWire(m)
      expect(wire.metrics).toEqual({ ssim: 1, psnr: 'Infinity', ssimLocal: 1 })
      expect(wire.intervals.psnr).toEqual(['Infinity', 'Infinity'])
      expect(() => canonicalString(wire)).not.toThrow()
    }
  })

  it('measures one pair without temporal samples', async () => {
    const m = await measureFrames([reference[0]!], [lightlyDegraded[0]!], { seed: SEED })
    // One frame: one frame sample, one full sample, distinct regions for the rest (no repeats).
    expect(m.plan.counts).toEqual({ frame: 1, region: 95, full: 1, temporal: 0 })
    const a = decodePng(reference[0]!)
    const b = decodePng(lightlyDegraded[0]!)
    expect(m.perSample.find((s) => s.kind === 'full')!.ssim).toBe(ssim(a, b))
    checkConsistent(m)
  })

  it('computes every sample kind as documented', async () => {
    const m = await measureFrames(reference, heavilyDegraded, { seed: SEED, complexity: 0.3 })
    expect(m.samples).toBe(100)
    // Six frames hold 5 pairs, 6 frames and 6 full frames; the rest of the 100 are distinct regions.
    expect(m.plan.counts).toEqual({ frame: 6, region: 83, full: 6, temporal: 5 })
    const ref = reference.map((b) => decodePng(b))
    const cand = heavilyDegraded.map((b) => decodePng(b))
    for (const s of m.perSample) {
      let expected: { ssim: number, mse: number }
      if (s.kind === 'full') {
        expected = { ssim: ssim(ref[s.frame]!, cand[s.frame]!), mse: mseRgb(ref[s.frame]!, cand[s.frame]!) }
      } else if (s.kind === 'region') {
        const a = cropImage(ref[s.frame]!, s.rect!)
        const b = cropImage(cand[s.frame]!, s.rect!)
        expected = { ssim: ssim(a, b), mse: mseRgb(a, b) }
      } else if (s.kind === 'frame') {
        const a = downscale2x(ref[s.frame]!)
        const b = downscale2x(cand[s.frame]!)
        expected = { ssim: ssim(a, b), mse: mseRgb(a, b) }
      } else {
        const [r0, r1, c0, c1] = [ref[s.frame]!, ref[s.frame + 1]!, cand[s.frame]!, cand[s.frame + 1]!].map(downscale2x) as [never, never, never, never]
        expected = {
          ssim: ssimLuma(changeLuma(lumaPlane(r0), lumaPlane(r1)), changeLuma(lumaPlane(c0), lumaPlane(c1))),
          mse: changeMseRgb(r0, r1, c0, c1)
        }
      }
      expect({ ssim: s.ssim, mse: s.mse, psnr: s.psnr }).toEqual({ ...expected, psnr: psnrFromMse(expected.mse) })
    }
    checkConsistent(m)
  })

  it('scores heavier degradation lower, with intervals that reflect the spread', async () => {
    const light = await measureFrames(reference, lightlyDegraded, { seed: SEED })
    const heavy = await measureFrames(reference, heavilyDegraded, { seed: SEED })
    checkConsistent(light)
    checkConsistent(heavy)
    expect(light.metrics.ssim).toBeGreaterThan(heavy.metrics.ssim)
    expect(light.metrics.psnr).toBeGreaterThan(heavy.metrics.psnr)
    expect(light.metrics.psnr).toBeGreaterThan(35)
    expect(heavy.metrics.ssim).toBeLessThan(0.9)
    expect(heavy.intervals.ssim[1]).toBeGreaterThan(heavy.intervals.ssim[0])
    // The sampling depends on the seed: another seed draws another plan.
    const other = await measureFrames(reference, heavilyDegraded, { seed: deriveSeed('another seed') })
    expect(other.plan.samples).not.toEqual(heavy.plan.samples)
  })

  describe('in two processes', () => {
    let dir: string
    beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'trust-engine-measure-')) })
    afterAll(() => rmSync(dir, { recursive: true, force: true }))

    it('gives bit-identical results', async () => {
      const write = (name: string, frames: Uint8Array[]): string[] => frames.map((b, i) => {
        const path = join(dir, `${name}-${i}.png`)
        writeFileSync(path, b)
        return path
      })
      const job = { reference: write('ref', reference), candidate: write('cand', heavilyDegraded), seed: SEED, complexity: 0.4 }
      const jobPath = join(dir, 'job.json')
      writeFileSync(jobPath, JSON.stringify(job))
      const child = fileURLToPath(new URL('./measure-child.ts', import.meta.url))
      const out = execFileSync(process.execPath, [child, jobPath], { encoding: 'utf8' })
      const here = await measureFrames(reference, heavilyDegraded, { seed: SEED, complexity: 0.4 })
      expect(out.trim()).toBe(canonicalString(frameMeasurementToWire(here)))
    })
  })

  it('decodes and measures a frame named many times once, with the numbers of measuring every occurrence', async () => {
    // One pair named 64 times, then a second pair: repeats spread over the whole set.
    const ref = [...Array<Uint8Array>(64).fill(reference[0]!), reference[1]!]
    const cand = [...Array<Uint8Array>(64).fill(lightlyDegraded[0]!), lightlyDegraded[1]!]
    const names = { reference: [...Array<string>(64).fill('r0'), 'r1'], candidate: [...Array<string>(64).fill('c0'), 'c1'] }
    const each = await measureFrames(ref, cand, { seed: SEED })
    const once = await measureFrames(ref, cand, { seed: SEED, frameIds: names })
    expect(canonicalString(frameMeasurementToWire(once))).toBe(canonicalString(frameMeasurementToWire(each)))
    expect(once.perSample).toEqual(each.perSample)
    // Two distinct frames per side, each decoded once; every touched occurrence is decoded without names.
    expect(once.decodedFrames).toBe(4)
    expect(each.decodedFrames).toBeGreaterThan(20)
    expect(await codeOf(measureFrames(ref, cand, { seed: SEED, frameIds: { reference: names.reference.slice(1), candidate: names.candidate } }))).toBe(ERR_FRAME_COUNT)
  })

  it('refuses bad frame sets with stable codes', async () => {
    const small = encodePng(noise(10, 10, '01'))
    const other = encodePng(scene(97, 64))
    const corrupt = Buffer.from(reference[0]!)
    corrupt[corrupt.length - 30] = corrupt[corrupt.length - 30]! ^ 0xff
    expect(await codeOf(measureFrames([], [], { seed: SEED }))).toBe(ERR_FRAME_COUNT)
    expect(await codeOf(measureFrames(reference, reference.slice(1), { seed: SEED }))).toBe(ERR_FRAME_COUNT)
    expect(await codeOf(measureFrames(reference, reference, { seed: SEED, maxFrames: 5 }))).toBe(ERR_FRAME_COUNT)
    expect(await codeOf(measureFrames([reference[0]!], [other], { seed: SEED }))).toBe(ERR_PNG_SIZE_MISMATCH)
    expect(await codeOf(measureFrames([reference[0]!, other], [reference[0]!, reference[1]!], { seed: SEED }))).toBe(ERR_PNG_SIZE_MISMATCH)
    expect(await codeOf(measureFrames([small], [small], { seed: SEED }))).toBe(ERR_IMAGE_TOO_SMALL)
    expect(await codeOf(measureFrames([reference[0]!], [corrupt], { seed: SEED }))).toBe(ERR_PNG_DECODE)
    expect(await codeOf(measureFrames([reference[0]!], [new Uint8Array(50)], { seed: SEED }))).toBe(ERR_PNG_SIGNATURE)
    expect(await codeOf(measureFrames([reference[0]!], [reference[0]!], { seed: 'not hex' }))).toBe('ERR_SEED')
  })
})

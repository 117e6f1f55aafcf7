import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  ERR_METRIC_RANGE, checkMetrics, clampToRange, metricFromWire, metricInRange, metricToWire, metricsFromWire, metricsToWire, passesThresholds
} from '../../protocol/metrics.ts'
import { codeOf } from './codes.ts'

describe('metric values', () => {
  it('writes Infinity as the string "Infinity" and reads it back', () => {
    expect(metricToWire(Infinity)).toBe('Infinity')
    expect(metricFromWire('Infinity')).toBe(Infinity)
    expect(metricsToWire({ ssim: 1, psnr: Infinity, ssimLocal: 0.5 })).toEqual({ ssim: 1, psnr: 'Infinity', ssimLocal: 0.5 })
    expect(metricsFromWire({ ssim: 1, psnr: 'Infinity', ssimLocal: 0.5 })).toEqual({ ssim: 1, psnr: Infinity, ssimLocal: 0.5 })
  })

  it('round-trips every finite number and Infinity (property)', () => {
    fc.assert(fc.property(fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constant(Infinity)), (x) => {
      expect(metricFromWire(metricToWire(x))).toBe(x)
    }))
  })

  it('refuses NaN and -Infinity on the way to the wire', () => {
    expect(codeOf(() => metricToWire(NaN))).toBe(ERR_METRIC_RANGE)
    expect(codeOf(() => metricToWire(-Infinity))).toBe(ERR_METRIC_RANGE)
  })

  it('checks ranges: SSIM and local SSIM in [-1, 1], PSNR ≥ 0 or Infinity', () => {
    expect(checkMetrics({ ssim: -1, psnr: 0, ssimLocal: -1 })).toEqual({ ssim: -1, psnr: 0, ssimLocal: -1 })
    expect(checkMetrics({ ssim: 1, psnr: 'Infinity', ssimLocal: 1 })).toEqual({ ssim: 1, psnr: Infinity, ssimLocal: 1 })
    for (const bad of [
      { ssim: 1.0000001, psnr: 30 }, { ssim: -1.5, psnr: 30 }, { ssim: 'Infinity' as const, psnr: 30 },
      { ssim: 0.9, psnr: -0.1 }, { ssim: NaN, psnr: 30 }, { ssim: 0.9, psnr: Infinity }, { ssim: 0.9, psnr: NaN }
    ]) {
      expect(codeOf(() => checkMetrics({ ...bad, ssimLocal: 0.5 }))).toBe(ERR_METRIC_RANGE)
    }
    for (const ssimLocal of [1.0000001, -1.5, 'Infinity' as const, NaN, Infinity]) {
      expect(codeOf(() => checkMetrics({ ssim: 0.9, psnr: 30, ssimLocal }))).toBe(ERR_METRIC_RANGE)
    }
    expect(metricInRange('psnr', Infinity)).toBe(true)
    expect(metricInRange('ssim', Infinity)).toBe(false)
    expect(metricInRange('ssimLocal', Infinity)).toBe(false)
  })

  it('clamps interval bounds into range', () => {
    expect(clampToRange('ssim', 1.002)).toBe(1)
    expect(clampToRange('ssim', -3)).toBe(-1)
    expect(clampToRange('psnr', -2)).toBe(0)
    expect(clampToRange('psnr', Infinity)).toBe(Infinity)
    expect(codeOf(() => clampToRange('psnr', NaN))).toBe(ERR_METRIC_RANGE)
  })

  it('passes thresholds inclusively; Infinity passes any PSNR threshold', () => {
    const t = { ssimMin: 0.98, psnrMin: 35, ssimLocalMin: 0.9 }
    expect(passesThresholds({ ssim: 0.98, psnr: 35, ssimLocal: 0.9 }, t)).toBe(true)
    expect(passesThresholds({ ssim: 0.98, psnr: Infinity, ssimLocal: 1 }, t)).toBe(true)
    expect(passesThresholds({ ssim: 0.9799999, psnr: 50, ssimLocal: 1 }, t)).toBe(false)
    expect(passesThresholds({ ssim: 0.99, psnr: 34.99, ssimLocal: 1 }, t)).toBe(false)
    // a bad region fails the job even when the mean and PSNR pass
    expect(passesThresholds({ ssim: 0.999, psnr: 50, ssimLocal: 0.8999999 }, t)).toBe(false)
  })
})

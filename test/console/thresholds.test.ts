/**
 * The console's words for a certificate's thresholds and the network's floor
 * of them (console/src/thresholds.ts), as the certificate panel shows them.
 */
import { describe, expect, it } from 'vitest'
import { belowFloorOf, floorProblems, floorText, thresholdsText } from '../../console/src/thresholds.ts'

const FLOOR = { ssimMin: 0.98, psnrMin: 35, ssimLocalMin: 0.9 }

describe('certificate thresholds in the console', () => {
  it('names the job\'s thresholds and the floor, or that the network has none', () => {
    expect(thresholdsText({ ssimMin: -1, psnrMin: 0, ssimLocalMin: -1 })).toBe('SSIM ≥ -1, PSNR ≥ 0 dB, worst-tile SSIM ≥ -1')
    expect(floorText(FLOOR)).toBe('Network minimum (minThresholds): SSIM ≥ 0.98, PSNR ≥ 35 dB, worst-tile SSIM ≥ 0.9; no job below it is valid in this network.')
    expect(floorText(undefined)).toMatch(/^The network file sets no minimum/)
  })

  it('lists the thresholds below the floor; equal is not below', () => {
    expect(belowFloorOf({ ssimMin: -1, psnrMin: 35, ssimLocalMin: 0.5 }, FLOOR)).toEqual(['ssimMin', 'ssimLocalMin'])
    expect(belowFloorOf(FLOOR, FLOOR)).toEqual([])
    expect(belowFloorOf({ ssimMin: -1, psnrMin: 0, ssimLocalMin: -1 }, undefined)).toEqual([])
  })

  it('the Submit page\'s problems: given thresholds completed with the defaults, each below the floor', () => {
    const defaults = { ssimMin: 0.99, psnrMin: 40, ssimLocalMin: 0.95 }
    expect(floorProblems({ ssimMin: 0.5 }, defaults, FLOOR)).toEqual(['ERR_JOB_THRESHOLDS: the SSIM threshold 0.5 is below the network\'s minimum 0.98 (nothing was uploaded)'])
    expect(floorProblems({ ssimMin: 0.98, psnrMin: 20 }, defaults, FLOOR)).toEqual(['ERR_JOB_THRESHOLDS: the PSNR threshold 20 is below the network\'s minimum 35 dB (nothing was uploaded)'])
    expect(floorProblems({ ssimMin: 0.98 }, defaults, FLOOR)).toEqual([])
    expect(floorProblems({ ssimMin: -1, psnrMin: 0 }, defaults, undefined)).toEqual([])
  })
})

/**
 * `--thresholds` (submit, measure) and `--target` (optimize) refuse values
 * outside what the protocol accepts while parsing the flags. `submit` used
 * to pass `ssim=5` or `psnr=1e999` (Infinity, sent as null) through: it
 * uploaded every file first, then met the API's 400, leaving the uploads
 * behind on the node for an hour.
 */
import { describe, expect, it } from 'vitest'
import { parseThresholds } from '../../../node/cli/args.ts'
import { submitOptionsFromFlags } from '../../../node/cli/commands/submit.ts'

describe('parseThresholds', () => {
  it.each([['ssim=5'], ['ssim=-1.5'], ['local=2'], ['psnr=-1'], ['psnr=1e999'], ['ssim=0.9,psnr=1e400']])('refuses %s with ERR_BAD_ARGS', (value) => {
    expect(() => parseThresholds(value)).toThrow(expect.objectContaining({ code: 'ERR_BAD_ARGS' }))
  })
  it('accepts the protocol range and names the flag it was given', () => {
    expect(parseThresholds('ssim=-1,psnr=0,local=1')).toEqual({ ssimMin: -1, psnrMin: 0, ssimLocalMin: 1 })
    expect(parseThresholds('psnr=1e3')).toEqual({ psnrMin: 1000 })
    expect(() => parseThresholds('ssim=2', '--target')).toThrow(/^--target: ssim must be in \[-1, 1\]$/)
  })
  it('submit refuses them before anything is uploaded (no API is reachable here)', () => {
    const flags = { reference: ['a.png'], candidate: ['b.png'], api: 'http://127.0.0.1:9' }
    expect(() => submitOptionsFromFlags(undefined, { ...flags, thresholds: 'ssim=5' }, {})).toThrow(expect.objectContaining({ code: 'ERR_BAD_ARGS' }))
    expect(() => submitOptionsFromFlags(undefined, { ...flags, thresholds: 'psnr=1e999' }, {})).toThrow(expect.objectContaining({ code: 'ERR_BAD_ARGS' }))
  })
})

import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { deflateSync, inflateSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { isAllocationFailure } from '../../../node/image/errors.ts'
import { INPUT_FAILURE_CODES } from '../../../node/wiring/measurability.ts'

describe('a decode this machine had no memory for', () => {
  it('is the node\'s failure (ERR_IMAGE_MEMORY), never a bad image that would close the job as unmeasurable; memory given again, the same images decode', () => {
    const child = fileURLToPath(new URL('./memory-refused-child.ts', import.meta.url))
    const out = JSON.parse(execFileSync(process.execPath, [child], { encoding: 'utf8' })) as Record<'refused' | 'given', Record<string, { code: string, unmeasurable: boolean }>>
    // Before: libjpeg's abort and libwebp's missing image were ERR_IMAGE_DECODE, so a node short of memory closed the job alone.
    for (const name of ['jpeg', 'webp', 'scene']) {
      expect(out.refused[name]).toEqual({ code: 'ERR_IMAGE_MEMORY', unmeasurable: false })
      expect(out.given[name]).toEqual({ code: 'ok', unmeasurable: false })
    }
    expect(INPUT_FAILURE_CODES.has('ERR_IMAGE_MEMORY')).toBe(false)
  })

  it('tells a failed allocation from an input\'s own range error (zlib\'s output bound)', () => {
    expect(isAllocationFailure(new RangeError('Array buffer allocation failed'))).toBe(true)
    let bound: unknown = null
    try {
      inflateSync(deflateSync(new Uint8Array(4096)), { maxOutputLength: 100 })
    } catch (err) {
      bound = err
    }
    expect(bound).toBeInstanceOf(RangeError)
    expect(isAllocationFailure(bound)).toBe(false)
    expect(isAllocationFailure(new Error('Array buffer allocation failed'))).toBe(false)
  })
})

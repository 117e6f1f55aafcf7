import { createHash } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { isTrustEngineError } from '../../../protocol/errors.ts'
import { ERR_SEED, ERR_SEED_PART } from '../../../protocol/sampling/errors.ts'
import { deriveSeed, isSeed, SeededPrng } from '../../../protocol/sampling/prng.ts'
import { codeOf } from '../../helpers/codes.ts'

const seedArb = fc.uint8Array({ minLength: 1, maxLength: 64 }).map((b) => Buffer.from(b).toString('hex'))

describe('SeededPrng', () => {
  it('follows the documented sha256 counter-mode construction', () => {
    const seed = 'a1b2c3'
    const prng = new SeededPrng(seed)
    const words = Array.from({ length: 16 }, () => prng.nextUint32())
    const block = (i: number): Buffer => {
      const counter = Buffer.alloc(8)
      counter.writeBigUInt64BE(BigInt(i))
      return createHash('sha256').update('trust-engine/prng/v1\0').update(Buffer.from(seed, 'hex')).update(counter).digest()
    }
    const expected = [block(0), block(1)].flatMap((b) => Array.from({ length: 8 }, (_, k) => b.readUInt32BE(4 * k)))
    expect(words).toEqual(expected)
  })

  it('keeps its golden values (any change here changes every plan)', () => {
    const p = new SeededPrng('00')
    expect([p.nextUint32(), p.nextUint32(), p.nextUint32(), p.nextUint32()]).toEqual([1194605383, 2125095121, 1530717708, 1522648177])
    const seed = deriveSeed('golden')
    expect(seed).toBe('dd56de4137951d9c92681b03416ec15f886b4482a27e3a517d32f085244cbe5d')
    const q = new SeededPrng(seed)
    expect([0, 1, 2, 3, 4].map(() => q.nextInt(1000))).toEqual([828, 900, 210, 46, 194])
  })

  it('gives the same sequence for the same seed and a different one for another seed', () => {
    fc.assert(fc.property(seedArb, seedArb, (s1, s2) => {
      const a = new SeededPrng(s1)
      const b = new SeededPrng(s1)
      const c = new SeededPrng(s2)
      const xa = Array.from({ length: 20 }, () => a.nextUint32())
      const xb = Array.from({ length: 20 }, () => b.nextUint32())
      const xc = Array.from({ length: 20 }, () => c.nextUint32())
      expect(xa).toEqual(xb)
      if (s1 !== s2) expect(xa).not.toEqual(xc)
    }))
  })

  it('draws integers in [0, n) and floats in [0, 1)', () => {
    fc.assert(fc.property(seedArb, fc.integer({ min: 1, max: 2 ** 32 }), (seed, n) => {
      const p = new SeededPrng(seed)
      for (let i = 0; i < 20; i++) {
        const v = p.nextInt(n)
        expect(Number.isInteger(v) && v >= 0 && v < n).toBe(true)
        const f = p.nextFloat()
        expect(f >= 0 && f < 1).toBe(true)
      }
    }))
    expect(new SeededPrng('01').nextInt(1)).toBe(0)
  })

  it('spreads nextInt evenly over its range', () => {
    const p = new SeededPrng(deriveSeed('uniformity'))
    const buckets = new Array<number>(10).fill(0)
    for (let i = 0; i < 20000; i++) buckets[p.nextInt(10)]! += 1
    // Expected 2000 each; a binomial sd is 42, so ±200 is about 5 sd.
    for (const b of buckets) expect(Math.abs(b - 2000)).toBeLessThan(200)
  })

  it('refuses bad seeds and bounds with ERR_SEED', () => {
    for (const bad of ['', 'abc', 'AB', 'zz', '0x00', 'ab'.repeat(65)]) {
      expect(isSeed(bad)).toBe(false)
      expect(codeOf(() => new SeededPrng(bad))).toBe(ERR_SEED)
    }
    const p = new SeededPrng('ff')
    for (const n of [0, -1, 1.5, 2 ** 32 + 1, NaN]) expect(codeOf(() => p.nextInt(n))).toBe(ERR_SEED)
  })
})

describe('deriveSeed', () => {
  it('is sha256 of the parts joined with NUL', () => {
    expect(deriveSeed('job', 'frames')).toBe(createHash('sha256').update('job\0frames').digest('hex'))
    expect(isSeed(deriveSeed())).toBe(true)
  })

  it('separates part lists that would concatenate alike', () => {
    expect(deriveSeed('ab', 'c')).not.toBe(deriveSeed('a', 'bc'))
    expect(deriveSeed('abc')).not.toBe(deriveSeed('ab', 'c'))
  })

  it('refuses a part containing the separator', () => {
    expect(codeOf(() => deriveSeed('a\0b'))).toBe(ERR_SEED_PART)
  })
})

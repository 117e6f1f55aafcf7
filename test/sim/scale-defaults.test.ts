/**
 * `sim scale`'s defaults: the vote deadline grows with the network (2 s per
 * node, at least 30 s), since on one machine every node's CPU comes from the
 * same cores and finality grows with the size; 32 nodes per process.
 */
import { describe, expect, it } from 'vitest'
import { DEFAULT_SCALE, scaleDeadlineMs } from '../../sim/scale.ts'

describe('sim scale defaults', () => {
  it('gives each size its own deadline unless one is given', () => {
    expect(DEFAULT_SCALE.deadlineMs).toBeNull()
    expect(DEFAULT_SCALE.sizes.map(scaleDeadlineMs)).toEqual([30_000, 32_000, 64_000, 128_000, 256_000])
    expect(DEFAULT_SCALE.perProcess).toBe(32)
  })
})

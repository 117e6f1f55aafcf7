/**
 * The grey-zone rule: a threshold inside the consensus interval sends the job
 * to a second, larger round, and the decision is the same on every honest
 * node whatever interval bounds Byzantine voters (below 1/3) report.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { greyZoneOf } from '../../../protocol/consensus/grey-zone.ts'
import { tally } from '../../../protocol/consensus/tally.ts'
import { cochranForRound, roundSeedParts } from '../../../protocol/sampling/rounds.ts'
import { cochranSampleSize } from '../../../protocol/sampling/cochran.ts'
import { GOOD, T0, makeJob, makeNetwork, makeVote } from '../fixtures.ts'

describe('grey zone', () => {
  const { network, keys } = makeNetwork([1, 1, 1, 1, 1, 1, 1])
  const job = makeJob(network, keys[0]!)
  const honestInterval = { ssim: [0.985, 0.995] as [number, number], psnr: [40, 42] as [number, number], ssimLocal: [0.94, 0.96] as [number, number] }
  const vote = (i: number, intervals: typeof honestInterval) => makeVote(network, job, keys[i]!, GOOD, { intervals, samples: 97 })

  it('is grey when a threshold lies inside the interval, and not otherwise', () => {
    const votes = keys.map((_, i) => vote(i, honestInterval))
    const t = tally({ network, job, votes, reputations: new Map(), now: T0 })
    expect(t.final).toBe(true)
    expect(greyZoneOf(t, votes, network, { ssimMin: 0.99, psnrMin: 35, ssimLocalMin: 0.9 })).toMatchObject({ grey: true, metrics: ['ssim'] })
    expect(greyZoneOf(t, votes, network, { ssimMin: 0.98, psnrMin: 41, ssimLocalMin: 0.9 })).toMatchObject({ grey: true, metrics: ['psnr'] })
    expect(greyZoneOf(t, votes, network, { ssimMin: 0.98, psnrMin: 35, ssimLocalMin: 0.95 })).toMatchObject({ grey: true, metrics: ['ssimLocal'] })
    expect(greyZoneOf(t, votes, network, { ssimMin: 0.98, psnrMin: 35, ssimLocalMin: 0.9 }).grey).toBe(false)
  })

  it('property: Byzantine interval bounds (below 1/3) never change the decision or the interval', () => {
    fc.assert(fc.property(
      fc.array(fc.tuple(fc.double({ min: -1, max: 1, noNaN: true }), fc.double({ min: -1, max: 1, noNaN: true })), { minLength: 2, maxLength: 2 }),
      fc.subarray([0, 1, 2, 3, 4], { minLength: 3 }),
      (byzantine, honestSeen) => {
        const votes = [
          ...honestSeen.map((i) => vote(i, honestInterval)),
          ...byzantine.map(([a, b], j) => vote(5 + j, { ssim: [Math.min(a, b), Math.max(a, b)], psnr: [0, 100], ssimLocal: [Math.min(a, b), Math.max(a, b)] }))
        ]
        const t = tally({ network, job, votes, reputations: new Map(), now: T0 })
        if (!t.final) return
        const g = greyZoneOf(t, votes, network, { ssimMin: 0.98, psnrMin: 35, ssimLocalMin: 0.9 })
        expect(g.intervals.ssim).toEqual(honestInterval.ssim)
        expect(g.intervals.ssimLocal).toEqual(honestInterval.ssimLocal)
        expect(g.intervals.psnr).toEqual(honestInterval.psnr)
        expect(g.grey).toBe(false)
      }
    ), { numRuns: 100, seed: 7 })
  })

  it('a grey-zone round samples about four times as much, from other seeds', () => {
    expect(cochranSampleSize(0, cochranForRound(0))).toBe(97)
    expect(cochranSampleSize(0, cochranForRound(1))).toBe(385)
    expect(cochranSampleSize(1, cochranForRound(1))).toBe(400)
    expect(roundSeedParts(0)).toEqual([])
    expect(roundSeedParts(1)).toEqual(['round', '1'])
  })
})

/** Peer scoring parameters: valid for gossipsub, and the reputation mapping. */
import { validatePeerScoreParams, validatePeerScoreThresholds } from '@chainsafe/libp2p-gossipsub/score'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { DEFAULT_GOSSIP_SCORE_OPTIONS, DEFAULT_REDIAL_OPTIONS, appScoreFromReputation, buildScoreConfig, nextDelay, networkTopics } from '../../../node/p2p/index.ts'

describe('gossip score configuration', () => {
  it('passes gossipsub\'s own validation and scores exactly our topics', () => {
    const topics = Object.values(networkTopics('testnet'))
    const { scoreParams, scoreThresholds } = buildScoreConfig(topics, DEFAULT_GOSSIP_SCORE_OPTIONS, () => 0)
    expect(() => { validatePeerScoreParams(scoreParams) }).not.toThrow()
    expect(() => { validatePeerScoreThresholds(scoreThresholds) }).not.toThrow()
    expect(Object.keys(scoreParams.topics).sort()).toEqual([...topics].sort())
    // One rejected message reaches the gossip threshold; two reach the graylist threshold.
    const p4 = (n: number): number => n * n * DEFAULT_GOSSIP_SCORE_OPTIONS.invalidMessageWeight * DEFAULT_GOSSIP_SCORE_OPTIONS.topicWeight
    expect(p4(1)).toBeLessThanOrEqual(scoreThresholds.gossipThreshold)
    expect(p4(2)).toBeLessThanOrEqual(scoreThresholds.graylistThreshold)
    expect(p4(1) + scoreParams.topicScoreCap).toBeLessThan(0)
  })

  it('never lets a throwing or non-finite app score break scoring', () => {
    const { scoreParams } = buildScoreConfig([], DEFAULT_GOSSIP_SCORE_OPTIONS, (p) => { if (p === 'x') throw new Error('bug'); return NaN })
    expect(scoreParams.appSpecificScore('x')).toBe(0)
    expect(scoreParams.appSpecificScore('y')).toBe(0)
  })

  it('maps reputation to an app score: 0 when trusted, graylisted when untrusted', () => {
    const graylist = DEFAULT_GOSSIP_SCORE_OPTIONS.graylistThreshold
    expect(appScoreFromReputation(1)).toBe(0)
    expect(appScoreFromReputation(0.75)).toBe(0)
    expect(appScoreFromReputation(0.5)).toBeCloseTo(graylist, 9)
    expect(appScoreFromReputation(0.49)).toBeLessThan(graylist)
    expect(appScoreFromReputation(0.6)).toBeLessThan(0)
    expect(appScoreFromReputation(Number.NaN)).toBe(graylist)
    fc.assert(fc.property(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (r1, r2) => {
      const [lo, hi] = r1 <= r2 ? [r1, r2] : [r2, r1]
      expect(appScoreFromReputation(lo)).toBeLessThanOrEqual(appScoreFromReputation(hi))
    }))
  })
})

describe('redial backoff', () => {
  it('doubles from 1 s up to 60 s and stays there', () => {
    const delays: number[] = []
    let d = DEFAULT_REDIAL_OPTIONS.initialDelayMs
    for (let i = 0; i < 9; i++) { delays.push(d); d = nextDelay(d, DEFAULT_REDIAL_OPTIONS) }
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000])
  })
})

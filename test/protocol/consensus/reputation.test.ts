import { describe, expect, it } from 'vitest'
import { applyOutcome, initialReputation, markEquivocated, trustMicrosOf, trustOf } from '../../../protocol/consensus/reputation.ts'
import { makeNetwork } from '../fixtures.ts'

const { network } = makeNetwork([1])

describe('reputation rule (seed defaults)', () => {
  it('starts at the initial reputation with full trust', () => {
    const r = initialReputation(network)
    expect(r).toEqual({ reputation: 1, verifications: 0, successes: 0, equivocated: false })
    expect(trustOf(r, network)).toBe(1)
    expect(trustMicrosOf(r, network)).toBe(1_000_000)
  })

  it('adds successDelta capped at 1 and subtracts failureDelta floored at 0', () => {
    const r = initialReputation(network)
    expect(applyOutcome(r, true, network)).toEqual({ reputation: 1, verifications: 1, successes: 1, equivocated: false })
    const down = applyOutcome(r, false, network)
    expect(down).toEqual({ reputation: 0.95, verifications: 1, successes: 0, equivocated: false })
    expect(applyOutcome(down, true, network).reputation).toBe(0.96)
    expect(applyOutcome({ ...r, reputation: 0.02 }, false, network).reputation).toBe(0)
    expect(r.verifications).toBe(0) // pure: the input record is unchanged
  })

  it('is untrusted below untrustedBelow, trusted at it', () => {
    expect(trustOf({ ...initialReputation(network), reputation: 0.5 }, network)).toBe(0.5)
    expect(trustOf({ ...initialReputation(network), reputation: 0.4999 }, network)).toBe(0)
  })

  it('counts the success rate only after more than minVerificationsForRate verifications', () => {
    const base = { reputation: 0.9, equivocated: false }
    expect(trustOf({ ...base, verifications: 10, successes: 0 }, network)).toBe(0.9)
    expect(trustOf({ ...base, verifications: 11, successes: 5 }, network)).toBe(0)
    expect(trustOf({ ...base, verifications: 12, successes: 6 }, network)).toBe(0.9)
  })

  it('an equivocator is untrusted for good', () => {
    const r = markEquivocated(initialReputation(network))
    expect(trustOf(r, network)).toBe(0)
    expect(trustOf(applyOutcome(r, true, network), network)).toBe(0)
  })

  it('a deviating validator loses trust after 11 deviations and can recover by agreeing', () => {
    let r = initialReputation(network)
    for (let i = 0; i < 10; i++) r = applyOutcome(r, false, network)
    expect(trustOf(r, network)).toBe(0.5) // 1 − 10 × 0.05, exactly at the bound
    r = applyOutcome(r, false, network)
    expect(trustOf(r, network)).toBe(0)
    // Agreeing votes are still judged (weight 0) and bring it back.
    for (let i = 0; i < 12; i++) r = applyOutcome(r, true, network)
    expect(trustOf(r, network)).toBeGreaterThan(0)
  })

  it('works in millionths: ten +0.01 steps from 0.5 give exactly 0.6', () => {
    let r = { reputation: 0.5, verifications: 0, successes: 0, equivocated: false }
    for (let i = 0; i < 10; i++) r = applyOutcome(r, true, network)
    expect(r.reputation).toBe(0.6)
  })

  it('trust in millionths is an integer', () => {
    expect(trustMicrosOf({ reputation: 0.123456789, verifications: 0, successes: 0, equivocated: false }, { ...network, reputation: { ...network.reputation, untrustedBelow: 0.1 } })).toBe(123457)
  })
})

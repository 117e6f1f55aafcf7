/**
 * The strategies whose effect shows only in timing or in the network: a slow
 * voter, a launderer of public values, sybil identities outside the
 * validator set, and delaying relays. Each runs a small real network (node
 * processes on 127.0.0.1, LevelDB, real measurement) and checks an outcome
 * that would not hold if the strategy did nothing.
 */
import { describe, expect, it } from 'vitest'
import { resolveScenario } from '../../sim/library.ts'
import type { NodeDecision } from '../../sim/evaluate.ts'
import { type RunResult, runScenario } from '../../sim/runner.ts'
import { type Scenario, parseScenario } from '../../sim/scenario.ts'

const keyOf = (r: RunResult, strategy: string): string => r.nodes.find((n) => n.strategy === strategy)!.publicKey

/** A named scenario with `jobs` jobs, all nodes in one process. */
function small (name: string, jobs: number): Scenario {
  const s = resolveScenario(name)
  return { ...s, jobs: { ...s.jobs, count: jobs }, nodesPerProcess: 8 }
}

function expectAllRight (r: RunResult): void {
  expect(r.score.safetyViolations).toBe(0)
  expect(r.score.agreement).toBe(1)
  expect(r.score.correctness).toBe(1)
}

/**
 * The one vote of `voter` in the deciding round that honest node decision `d`
 * holds: late, with the values `metricsOf(d.round)`. A job whose sample fell
 * in the grey zone (the run's seeds are random, so some do) is decided in
 * round 1, and the voter's round-1 vote carries that round's values.
 */
function expectOneLateVote (d: NodeDecision, voter: string, metricsOf: (round: number) => unknown): void {
  const votes = d.votes.filter((v) => v.voter === voter && v.round === d.round)
  expect(votes.map((v) => [v.late, v.metrics])).toEqual([[true, metricsOf(d.round)]])
}

/**
 * On every honest node: `voter` was never judged (no verification, no success),
 * while every honest voter was judged, and agreed, on every job.
 */
function expectNoCredit (r: RunResult, voter: string): void {
  const records = (key: string): number[][] => Object.values(r.finalReputations).map((reps) => reps.find((v) => v.publicKey === key)!).map((v) => [v.verifications, v.successes])
  for (const rec of records(voter)) expect(rec).toEqual([0, 0])
  const jobs = r.outcomes.length
  for (const n of r.nodes.filter((x) => x.strategy === 'honest')) for (const rec of records(n.publicKey)) expect(rec).toEqual([jobs, jobs])
}

describe('simulation strategies in time and network', () => {
  it('slow: its true votes arrive after the deadline, are held as late and earn no reputation', async () => {
    const r = await runScenario(small('slow-1-of-4', 2))
    expectAllRight(r)
    const slow = keyOf(r, 'slow')
    // Its vote came (it is not silent), only after the decision, and it is the truth: not flagged, not credited.
    for (const o of r.outcomes) {
      for (const d of o.decisions) {
        expectOneLateVote(d, slow, (round) => o.truth.values[round])
        expect(d.flagged).not.toContain(slow)
      }
    }
    expectNoCredit(r, slow)
  })

  it('launderer: its late copies of the consensus values regain nothing', async () => {
    const r = await runScenario(small('launderer', 2))
    expectAllRight(r)
    const launderer = keyOf(r, 'launderer')
    // One copy per decided job, late, equal to the values the honest nodes finalized; it earns nothing.
    for (const o of r.outcomes) for (const d of o.decisions) expectOneLateVote(d, launderer, () => d.values)
    expectNoCredit(r, launderer)
  })

  it('sybil: identities outside the validator set weigh nothing; failing candidates stay rejected', async () => {
    // Three identities, not the scenario's eight: each is a libp2p host in the process of four nodes.
    const identities = 3
    const base = small('sybil', 2)
    const r = await runScenario({ ...base, nodes: base.nodes.map((g) => g.strategy.kind === 'sybil' ? { ...g, strategy: { kind: 'sybil', identities } } : g) })
    expectAllRight(r)
    const validators = new Set(r.nodes.map((n) => n.publicKey))
    for (const o of r.outcomes) {
      expect(o.truth.verdict).toBe('fail')
      for (const d of o.decisions) {
        // The sybils claim a perfect candidate on every job: had one counted, these would not all be rejections.
        expect(d.status).toBe('rejected')
        for (const v of d.votes) expect(validators.has(v.voter)).toBe(true)
      }
    }
    // Their votes did reach the honest nodes, which refused them: at least one per identity and job.
    expect(r.gossipRejected).toBeGreaterThanOrEqual(identities * r.outcomes.length)
  })

  it('delay and jitter: every finality waits for four delayed hops, and the run stays safe', async () => {
    const delayMs = 150
    const jitterMs = 50
    const s = parseScenario({ name: 'delay-test', seed: '0d', nodes: [{ count: 4 }], network: { delayMs, jitterMs }, jobs: { count: 2, deadlineMs: 30_000 }, nodesPerProcess: 8 })
    const r = await runScenario(s)
    expectAllRight(r)
    // From a job's creation to any node's finality: the announcement reaches a verifier, its seed share
    // the submitter, the seed certificate a verifier, and that verifier's vote the deciding node — at
    // least four one-way trips, each held for the link's delay minus at most the jitter.
    for (const o of r.outcomes) for (const d of o.decisions) expect(d.latencyMs!).toBeGreaterThanOrEqual(4 * (delayMs - jitterMs))
  })
})

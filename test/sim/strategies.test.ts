/**
 * The strategies whose effect shows only in timing or in the network: a slow
 * voter, a launderer of public values, sybil identities outside the
 * validator set, and delaying relays. Each runs a small real network (node
 * processes on 127.0.0.1, LevelDB, real measurement) and checks an outcome
 * that would not hold if the strategy did nothing.
 */
import { describe, expect, it } from 'vitest'
import { resolveScenario } from '../../sim/library.ts'
import { type RunResult, runScenario } from '../../sim/runner.ts'
import { type Scenario, parseScenario } from '../../sim/scenario.ts'

const keyOf = (r: RunResult, strategy: string): string => r.nodes.find((n) => n.strategy === strategy)!.publicKey

/** A named scenario with `jobs` jobs of deadline `deadlineMs`, all nodes in one process. */
function small (name: string, jobs: number, deadlineMs: number): Scenario {
  const s = resolveScenario(name)
  return { ...s, jobs: { ...s.jobs, count: jobs, deadlineMs }, nodesPerProcess: 8 }
}

function expectAllRight (r: RunResult): void {
  expect(r.score.safetyViolations).toBe(0)
  expect(r.score.agreement).toBe(1)
  expect(r.score.correctness).toBe(1)
}

/** On every honest node: the reputation record of `publicKey`. */
function recordsOf (r: RunResult, publicKey: string): Array<{ reputation: number, verifications: number, successes: number }> {
  return Object.values(r.finalReputations).map((reps) => reps.find((v) => v.publicKey === publicKey)!)
}

describe('simulation strategies in time and network', () => {
  it('slow: its true votes arrive after the deadline, are held as late and earn no reputation', async () => {
    const s = parseScenario({ name: 'slow-test', seed: '09', nodes: [{ count: 3 }, { strategy: { kind: 'slow', lateMs: 500 } }], jobs: { count: 2, deadlineMs: 10_000 }, nodesPerProcess: 8 })
    const r = await runScenario(s)
    expectAllRight(r)
    const slow = keyOf(r, 'slow')
    for (const o of r.outcomes) {
      for (const d of o.decisions) {
        const votes = d.votes.filter((v) => v.voter === slow)
        // Its vote came (it is not silent), only after the decision, and it is the truth.
        expect(votes.length).toBe(1)
        expect(votes[0]!.late).toBe(true)
        expect(votes[0]!.metrics).toEqual(o.truth.values[0])
        expect(d.flagged).not.toContain(slow)
      }
    }
    // Never judged, so never credited; the three honest voters were judged on every job.
    for (const rec of recordsOf(r, slow)) expect([rec.verifications, rec.successes]).toEqual([0, 0])
    for (const n of r.nodes.filter((x) => x.strategy === 'honest')) {
      for (const rec of recordsOf(r, n.publicKey)) expect([rec.verifications, rec.successes]).toEqual([2, 2])
    }
  })

  it('launderer: its late copies of the consensus values regain nothing', async () => {
    const r = await runScenario(small('launderer', 2, 10_000))
    expectAllRight(r)
    const launderer = keyOf(r, 'launderer')
    for (const o of r.outcomes) {
      for (const d of o.decisions) {
        // One copy per decided job, late, equal to the values the honest nodes finalized.
        const votes = d.votes.filter((v) => v.voter === launderer)
        expect(votes.length).toBe(1)
        expect(votes[0]!.late).toBe(true)
        expect(votes[0]!.metrics).toEqual(d.values)
      }
    }
    for (const rec of recordsOf(r, launderer)) expect([rec.verifications, rec.successes]).toEqual([0, 0])
    for (const n of r.nodes.filter((x) => x.strategy === 'honest')) {
      for (const rec of recordsOf(r, n.publicKey)) expect([rec.verifications, rec.successes]).toEqual([2, 2])
    }
  })

  it('sybil: identities outside the validator set weigh nothing; failing candidates stay rejected', async () => {
    const s = small('sybil', 2, 10_000)
    const r = await runScenario(s)
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
    const sybil = s.nodes.find((g) => g.strategy.kind === 'sybil')!.strategy
    if (sybil.kind !== 'sybil') throw new Error('the scenario has no sybil')
    expect(r.gossipRejected).toBeGreaterThanOrEqual(sybil.identities * r.outcomes.length)
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

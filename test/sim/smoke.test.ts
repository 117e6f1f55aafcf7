/**
 * The simulation's smoke set: small real networks (node processes on
 * 127.0.0.1, LevelDB, real measurement) running the named scenarios of
 * sim/scenarios/ with fewer jobs, each checked against the ground truth.
 */
import { describe, expect, it } from 'vitest'
import { resolveScenario } from '../../sim/library.ts'
import { type RunResult, runScenario } from '../../sim/runner.ts'
import type { Scenario } from '../../sim/scenario.ts'

/** A named scenario with fewer jobs and its nodes in one process (crash nodes keep their own). */
function small (name: string, jobs: number): Scenario {
  const s = resolveScenario(name)
  return { ...s, jobs: { ...s.jobs, count: jobs }, nodesPerProcess: 8 }
}

const keyOf = (r: RunResult, strategy: string): string => r.nodes.find((n) => n.strategy === strategy)!.publicKey
const nameOf = (r: RunResult, strategy: string): string => r.nodes.find((n) => n.strategy === strategy)!.name

function expectAllRight (r: RunResult): void {
  expect(r.score.safetyViolations).toBe(0)
  expect(r.score.agreement).toBe(1)
  expect(r.score.correctness).toBe(1)
}

describe('simulation smoke set', () => {
  it('honest only: every job final and right on every node, in time', async () => {
    const r = await runScenario(small('honest', 2))
    expectAllRight(r)
    expect(r.score.liveness).toBe(1)
    expect(r.outcomes.map((o) => o.truth.verdict)).toEqual(['pass', 'fail'])
    expect(r.score.flaggedPairs).toBe(0)
  })

  it('one liar of four: tolerated, flagged on every job, its reputation falls', async () => {
    const r = await runScenario(small('liar-1-of-4', 2))
    expectAllRight(r)
    const liar = keyOf(r, 'liar')
    for (const o of r.outcomes) for (const d of o.decisions) expect(d.flagged).toContain(liar)
    expect(r.score.detectionPrecision).toBe(1)
    expect(r.score.detectionRecall).toBe(1)
    for (const reps of Object.values(r.finalReputations)) expect(reps.find((v) => v.publicKey === liar)!.reputation).toBeLessThan(1)
  })

  it('an inflating cartel at 25% of the weight cannot whitewash failing candidates: final and rejected', async () => {
    const r = await runScenario(small('inflate-cartel-25', 2))
    expectAllRight(r)
    for (const o of r.outcomes) for (const d of o.decisions) expect(d.status).toBe('rejected')
  })

  it('an inflating cartel at 34% of the weight: disputed, never wrongly final', async () => {
    const r = await runScenario(small('inflate-cartel-34', 1))
    expect(r.byzantineWeightShare).toBeCloseTo(0.34, 5)
    expect(r.score.safetyViolations).toBe(0)
    for (const o of r.outcomes) for (const d of o.decisions) {
      expect(d.status).toBe('disputed')
      expect(d.final).toBe(false)
    }
  })

  it('an equivocator sends different votes to different peers: caught by every honest node, the jobs stay right', async () => {
    const r = await runScenario(small('equivocate-1-of-4', 1))
    expectAllRight(r)
    const offender = keyOf(r, 'equivocate')
    for (const d of r.outcomes[0]!.decisions) expect(d.equivocators).toContain(offender)
    // Each honest node keeps the offender's vote it received first: sent per peer, both votes are someone's first
    // (sent one after the other to every peer, every node would hold the same one).
    const held = r.outcomes[0]!.decisions.map((d) => JSON.stringify(d.votes.find((v) => v.voter === offender && v.round === 0)?.metrics))
    expect(new Set(held).size).toBe(2)
    for (const reps of Object.values(r.finalReputations)) expect(reps.find((v) => v.publicKey === offender)!.equivocated).toBe(true)
  })

  // The job waits for the crashed node, so its restart (a new node process) lies inside the job's voting time: on a
  // loaded machine that took 20 to 30 s, and with the scenario's 30 s deadline the job was disputed at the deadline
  // everywhere, or, when the deadline passed before the restarted node asked for open jobs, disputed on the others
  // and never known to it (agreement 0). Here the deadline is three minutes, a hang guard: the job decides by quorum
  // as soon as the crashed node has voted, so the deadline never adds to the run. The runner waits (a hang guard
  // too) up to 4 minutes to connect, then up to the deadline plus its grace, so this case's own hang guard is
  // longer than the suite's: the runner ends first and stops its node processes.
  it('a node killed with SIGKILL mid-job and restarted decides like the others', async () => {
    const s = small('crash-restart', 1)
    const r = await runScenario({ ...s, jobs: { ...s.jobs, deadlineMs: 180_000 } }, { graceMs: 30_000 })
    expectAllRight(r)
    const crashed = nameOf(r, 'crash')
    expect(r.outcomes[0]!.decisions.find((d) => d.node === crashed)!.final).toBe(true)
    // Two of three hold exactly 2/3, not more: no node could finalize before the crashed one was back.
    for (const d of r.outcomes[0]!.decisions) expect(d.finalizedAt!).toBeGreaterThan(r.firstSubmitAt + 1300)
  }, 600_000)

  it('a spamming validator: its floods are refused and the jobs stay right', async () => {
    const r = await runScenario(small('spam', 1))
    expectAllRight(r)
    expect(r.gossipRejected).toBeGreaterThan(0)
  })

  // Seed shares held by the relays reach the submitter after the heal; shares lost on gossip it would pull from its peers.
  it('a partition of two against two that heals: nothing final before the heal, then every job right', async () => {
    const s = small('partition-heals', 1)
    const r = await runScenario(s)
    expectAllRight(r)
    const healMs = s.network.partitions[0]!.healMs!
    // Neither half holds more than 2/3 of the weight, so no node can be final before the heal.
    for (const d of r.outcomes[0]!.decisions) expect(d.finalizedAt!).toBeGreaterThanOrEqual(r.firstSubmitAt + healMs)
  })
})

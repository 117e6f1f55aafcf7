/**
 * The run's measurements (sim/evaluate.ts): safety violations, agreement,
 * correctness, liveness and detection, on hand-made decisions.
 */
import { describe, expect, it } from 'vitest'
import { type JobOutcome, type NodeDecision, percentiles, scoreJob, scoreRun } from '../../sim/evaluate.ts'

const TRUE = { ssim: 0.95, psnr: 20, ssimLocal: 0.9 }
const truth = { verdict: 'fail' as const, values: [TRUE] }
const d = (node: string, over: Partial<NodeDecision> = {}): NodeDecision => ({
  node, status: 'rejected', final: true, values: TRUE, round: 0, latencyMs: 1000, deadline: 10_000, finalizedAt: 1_000, flagged: [], equivocators: [], votes: [], ...over
})
const job = (decisions: NodeDecision[]): JobOutcome => ({ index: 0, jobId: 'j', submitter: 'node1', truth, decisions })

describe('scoring a job', () => {
  it('all honest nodes final and right: agreement, correctness, full liveness, no violation', () => {
    expect(scoreJob(job([d('a'), d('b')]))).toMatchObject({ agreement: true, correctness: true, safetyViolation: null, liveness: 1 })
  })

  it('a final result with the wrong verdict is a safety violation', () => {
    const s = scoreJob(job([d('a', { status: 'validated' }), d('b', { status: 'validated' })]))
    expect(s.safetyViolation).not.toBeNull()
    expect(s.correctness).toBe(false)
  })

  it('a final result with values other than the honest measurement is a safety violation', () => {
    expect(scoreJob(job([d('a', { values: { ssim: 0.9, psnr: 20, ssimLocal: 0.9 } })])).safetyViolation).not.toBeNull()
  })

  it('one node final while another disputes is a disagreement, not a safety violation', () => {
    const s = scoreJob(job([d('a'), d('b', { status: 'disputed', final: false })]))
    expect(s).toMatchObject({ agreement: false, correctness: false, safetyViolation: null, liveness: 0.5 })
  })

  it('all disputed agree, are not correct, and are not live', () => {
    const s = scoreJob(job([d('a', { status: 'disputed', final: false }), d('b', { status: 'disputed', final: false })]))
    expect(s).toMatchObject({ agreement: true, correctness: false, safetyViolation: null, liveness: 0 })
  })

  it('a node still pending breaks agreement; final after the deadline counts against liveness', () => {
    expect(scoreJob(job([d('a'), d('b', { status: 'pending', final: false, values: null })])).agreement).toBe(false)
    expect(scoreJob(job([d('a', { finalizedAt: 10_001 })])).liveness).toBe(0)
  })
})

describe('scoring a run', () => {
  it('detection: a flagged liar is precise; a deviating voter nobody flagged lowers recall', () => {
    const lie = { voter: 'L', round: 0, metrics: { ssim: 0.99, psnr: 40, ssimLocal: 0.99 }, late: false }
    const lie2 = { voter: 'M', round: 0, metrics: { ssim: 0.99, psnr: 40, ssimLocal: 0.99 }, late: false }
    const r = scoreRun([job([d('a', { flagged: ['L'], votes: [lie, lie2] })])], new Set(['L', 'M']))
    expect(r.detectionPrecision).toBe(1)
    expect(r.detectionRecall).toBe(0.5)
  })

  it('flagging an honest voter lowers precision', () => {
    const r = scoreRun([job([d('a', { flagged: ['H'] })])], new Set(['L']))
    expect(r.detectionPrecision).toBe(0)
    expect(r.detectionRecall).toBeNull()
  })

  it('latency percentiles are nearest-rank over final results', () => {
    expect(percentiles([5, 1, 4, 2, 3])).toEqual({ count: 5, p50: 3, p90: 5, p99: 5, max: 5 })
    expect(percentiles([]).p50).toBeNull()
  })
})

/**
 * The measurements of a run, computed from what every honest node decided
 * and from the truth (pure: no I/O). Definitions (also in docs/simulation.md):
 *
 * - An honest node is one with strategy `honest` or `crash`.
 * - The truth of a job: its designed verdict (pass or fail) and the values an
 *   honest measurement gives for the deciding round (bit-identical on every
 *   honest node).
 * - A node's result is right when it is final, its status is the verdict's
 *   (`validated` for pass, `rejected` for fail) and its values equal the
 *   truth's; wrong when it is final and not right.
 * - **Safety violation** (per job): an honest node finalized a wrong result,
 *   or two honest nodes finalized different results (status or values).
 * - **Agreement** (per job): every honest node decided, and all decided the
 *   same: all final with the same status and values, or all disputed. One
 *   final while another disputes or is still pending is a disagreement (not a
 *   safety violation: nothing false was certified).
 * - **Correctness** (per job): every honest node's result is right.
 * - **Liveness** (per job): the share of honest nodes that were final by the
 *   deadline of the deciding round.
 * - **Detection**: over (job, voter) pairs, a voter is flagged when some
 *   honest node listed it as deviating or equivocating for that job; it
 *   deviated when a vote of it that an honest node received (in time or
 *   late) differs from the truth's values, or it equivocated. Precision is
 *   the share of flagged pairs whose voter is Byzantine; recall the share of
 *   deviating pairs that were flagged. Null when the denominator is 0.
 * - Latency: finalizedAt − createdAt on each honest node, for final results.
 */
import type { MetricNumbers } from '../protocol/metrics.ts'

/** What one honest node reported for a job (null: never decided while the run waited). */
export interface NodeDecision {
  node: string
  status: string
  final: boolean
  values: MetricNumbers | null
  round: number
  latencyMs: number | null
  deadline: number
  finalizedAt: number | null
  /** Voters this node flagged as deviating or equivocating. */
  flagged: string[]
  /** Voters this node holds equivocation evidence against. */
  equivocators: string[]
  votes: Array<{ voter: string, round: number, metrics: MetricNumbers, late: boolean }>
}

/** A job's truth. */
export interface JobTruth {
  verdict: 'pass' | 'fail'
  /** Honest values per round (index = round). */
  values: Array<MetricNumbers>
}

/** One job's inputs to the evaluation. */
export interface JobOutcome {
  index: number
  jobId: string
  submitter: string
  truth: JobTruth
  decisions: NodeDecision[]
}

/** Measurements of one job. */
export interface JobScore {
  index: number
  agreement: boolean
  correctness: boolean
  safetyViolation: string | null
  liveness: number
  statuses: Record<string, number>
}

/** Percentiles of a sample, ms. */
export interface Percentiles { count: number, p50: number | null, p90: number | null, p99: number | null, max: number | null }

/** Measurements of a run. */
export interface RunScore {
  jobs: JobScore[]
  safetyViolations: number
  agreement: number
  correctness: number
  liveness: number
  detectionPrecision: number | null
  detectionRecall: number | null
  latencyMs: Percentiles
  flaggedPairs: number
  deviatingPairs: number
}

const sameValue = (a: number, b: number): boolean => a === b || Math.abs(a - b) <= 1e-9
const sameValues = (a: MetricNumbers, b: MetricNumbers): boolean => sameValue(a.ssim, b.ssim) && sameValue(a.psnr, b.psnr) && sameValue(a.ssimLocal, b.ssimLocal)

/** Nearest-rank percentiles of `xs`. */
export function percentiles (xs: number[]): Percentiles {
  if (xs.length === 0) return { count: 0, p50: null, p90: null, p99: null, max: null }
  const s = [...xs].sort((a, b) => a - b)
  const at = (p: number): number => s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))]!
  return { count: s.length, p50: at(0.5), p90: at(0.9), p99: at(0.99), max: s[s.length - 1]! }
}

/** Whether a decision is right given the truth. */
export function isRight (d: NodeDecision, truth: JobTruth): boolean {
  if (!d.final || d.values === null) return false
  const want = truth.verdict === 'pass' ? 'validated' : 'rejected'
  const values = truth.values[d.round]
  return d.status === want && values !== undefined && sameValues(d.values, values)
}

/** Scores one job. */
export function scoreJob (o: JobOutcome): JobScore {
  const finals = o.decisions.filter((d) => d.final)
  let violation: string | null = null
  const wrong = finals.find((d) => !isRight(d, o.truth))
  if (wrong !== undefined) violation = `${wrong.node} finalized ${wrong.status} with values ${JSON.stringify(wrong.values)}; truth ${o.truth.verdict}`
  const distinct = new Set(finals.map((d) => JSON.stringify([d.status, d.values])))
  if (distinct.size > 1) violation = `honest nodes finalized ${distinct.size} different results`
  const decided = o.decisions.every((d) => d.status !== 'pending')
  const allSame = new Set(o.decisions.map((d) => JSON.stringify(d.final ? [d.status, d.values] : [d.status]))).size === 1
  const statuses: Record<string, number> = {}
  for (const d of o.decisions) statuses[d.status] = (statuses[d.status] ?? 0) + 1
  const onTime = o.decisions.filter((d) => d.final && d.finalizedAt !== null && d.finalizedAt <= d.deadline).length
  return {
    index: o.index,
    agreement: decided && allSame,
    correctness: o.decisions.length > 0 && o.decisions.every((d) => isRight(d, o.truth)),
    safetyViolation: violation,
    liveness: o.decisions.length === 0 ? 0 : onTime / o.decisions.length,
    statuses
  }
}

/** Scores a run given its outcomes and the set of Byzantine voters (public keys). */
export function scoreRun (outcomes: JobOutcome[], byzantine: ReadonlySet<string>): RunScore {
  const jobs = outcomes.map(scoreJob)
  let flagged = 0
  let flaggedByzantine = 0
  let deviating = 0
  let deviatingFlagged = 0
  for (const o of outcomes) {
    const flaggedSet = new Set(o.decisions.flatMap((d) => d.flagged))
    const deviated = new Set<string>()
    for (const d of o.decisions) {
      for (const v of d.votes) {
        const truth = o.truth.values[v.round]
        if (truth !== undefined && !sameValues(v.metrics, truth)) deviated.add(v.voter)
      }
    }
    flagged += flaggedSet.size
    for (const f of flaggedSet) if (byzantine.has(f)) flaggedByzantine++
    // An equivocator's two votes cannot both be the truth.
    for (const d of o.decisions) for (const e of d.equivocators) deviated.add(e)
    deviating += deviated.size
    for (const d of deviated) if (flaggedSet.has(d)) deviatingFlagged++
  }
  const latencies = outcomes.flatMap((o) => o.decisions.filter((d) => d.final && d.latencyMs !== null).map((d) => d.latencyMs!))
  const n = jobs.length
  return {
    jobs,
    safetyViolations: jobs.filter((j) => j.safetyViolation !== null).length,
    agreement: n === 0 ? 1 : jobs.filter((j) => j.agreement).length / n,
    correctness: n === 0 ? 1 : jobs.filter((j) => j.correctness).length / n,
    liveness: n === 0 ? 1 : jobs.reduce((a, j) => a + j.liveness, 0) / n,
    detectionPrecision: flagged === 0 ? null : flaggedByzantine / flagged,
    detectionRecall: deviating === 0 ? null : deviatingFlagged / deviating,
    latencyMs: percentiles(latencies),
    flaggedPairs: flagged,
    deviatingPairs: deviating
  }
}

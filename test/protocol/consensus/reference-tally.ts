/**
 * An independent reference of the consensus rule, written from the text of
 * docs/protocol.md ("The consensus rule", "Reputation") and sharing no code
 * with protocol/consensus/: plain arrays, sorting and loops, no incremental
 * state. Tests compare JobTally with it; `rule` lets a test swap in a
 * deliberately wrong rule to show that the comparison would catch it.
 */
import type { Tally } from '../../../protocol/consensus/tally-types.ts'

/** One validator as the reference sees it. */
export interface RefValidator {
  key: string
  base: number
  /** The node's reputation record of this validator (absent: the initial reputation). */
  record?: { reputation: number, verifications: number, successes: number, equivocated: boolean }
}

/** One vote: metric values (Infinity allowed), the optional candidate check and its caveats (sorted; absent for none). */
export interface RefVote {
  voter: string
  round: number
  ssim: number
  psnr: number
  ssimLocal: number
  check?: boolean
  caveats?: string[]
}

/** The network parameters the rule reads. */
export interface RefNetwork {
  validators: RefValidator[]
  thresholds: { ssimMin: number, psnrMin: number, ssimLocalMin: number }
  tolerances: { ssim: number, psnr: number, ssimLocal: number }
  reputation: { initial: number, untrustedBelow: number, minVerificationsForRate: number, minSuccessRate: number }
}

/** The parts of the rule a test may replace with a wrong one. */
export interface RefRule {
  /** Step 5: a quorum of `part` out of `whole`. Documented: strictly more than two thirds. */
  quorum: (part: number, whole: number) => boolean
  /** Step 2: the median's stopping point. Documented: cumulative weight reaches half (2·cum ≥ total). */
  reachesHalf: (cumulative: number, total: number) => boolean
}

/** The documented rule. */
export const DOCUMENTED_RULE: RefRule = {
  quorum: (part, whole) => 3 * part > 2 * whole,
  reachesHalf: (cumulative, total) => 2 * cumulative >= total
}

/** The reference's outcome: the protocol's Tally without the job id (the output contract only; no rule code is shared). */
export type RefTally = Omit<Tally, 'jobId'>

const METRICS = ['ssim', 'psnr', 'ssimLocal'] as const
type Values = Record<typeof METRICS[number], number>

const micros = (x: number): number => Math.round(x * 1e6)

/** Step 1: base weight × trust in millionths; trust from "Reputation". */
function effectiveWeight (v: RefValidator, net: RefNetwork): number {
  const r = v.record ?? { reputation: net.reputation.initial, verifications: 0, successes: 0, equivocated: false }
  let trust = micros(r.reputation)
  if (r.equivocated) trust = 0
  if (micros(r.reputation) < micros(net.reputation.untrustedBelow)) trust = 0
  if (r.verifications > net.reputation.minVerificationsForRate && r.successes * 1e6 < micros(net.reputation.minSuccessRate) * r.verifications) trust = 0
  return v.base * trust
}

/** Step 3: pass when every metric meets its threshold and no check failed. */
function verdict (values: Values, check: boolean | undefined, net: RefNetwork): boolean {
  return values.ssim >= net.thresholds.ssimMin && values.psnr >= net.thresholds.psnrMin && values.ssimLocal >= net.thresholds.ssimLocalMin && check !== false
}

/** Step 4: the same caveats, within the tolerance of every value (infinity only with infinity), and the same verdict. */
function agrees (vote: RefVote, values: Values, check: boolean | undefined, caveats: string, net: RefNetwork): boolean {
  if ((vote.caveats ?? []).join(' ') !== caveats) return false
  for (const m of METRICS) {
    const a = vote[m]
    const b = values[m]
    const close = Number.isFinite(a) && Number.isFinite(b) ? Math.abs(a - b) <= net.tolerances[m] : a === b
    if (!close) return false
  }
  return verdict(vote, vote.check, net) === verdict(values, check, net)
}

const wire = (x: number): number | 'Infinity' => (x === Infinity ? 'Infinity' : x)

/** The tally of `votes` (one per voter, one round) at time `now` under `rule`. */
export function referenceTally (net: RefNetwork, votes: RefVote[], deadline: number, now: number, rule: RefRule = DOCUMENTED_RULE): RefTally {
  const weight = new Map(net.validators.map((v) => [v.key, effectiveWeight(v, net)]))
  const base = new Map(net.validators.map((v) => [v.key, v.base]))
  const totalWeight = net.validators.reduce((s, v) => s + weight.get(v.key)!, 0)
  const totalBaseWeight = net.validators.reduce((s, v) => s + v.base, 0)
  const votingWeight = votes.reduce((s, v) => s + weight.get(v.voter)!, 0)

  // Step 2: weighted medians; nothing while no vote carries weight.
  let values: Values | null = null
  let check: boolean | undefined
  // Caveat lists as space-joined strings; the consensus list is the one with the most effective weight, ties to the smallest.
  let caveats = ''
  if (votingWeight > 0) {
    const byList = new Map<string, number>()
    for (const v of votes) byList.set((v.caveats ?? []).join(' '), (byList.get((v.caveats ?? []).join(' ')) ?? 0) + weight.get(v.voter)!)
    const lists = [...byList].filter(([, w]) => w > 0).sort(([a, wa], [b, wb]) => (wa !== wb ? wb - wa : a < b ? -1 : a > b ? 1 : 0))
    caveats = lists[0]![0]
    values = { ssim: 0, psnr: 0, ssimLocal: 0 }
    for (const m of METRICS) {
      const order = [...votes].sort((a, b) => (a[m] !== b[m] ? (a[m] < b[m] ? -1 : 1) : a.voter < b.voter ? -1 : a.voter > b.voter ? 1 : 0))
      let cumulative = 0
      for (const v of order) {
        const w = weight.get(v.voter)!
        if (w === 0) continue
        cumulative += w
        if (rule.reachesHalf(cumulative, votingWeight)) { values[m] = v[m]; break }
      }
    }
    // A vote without the check counts as passing; false first, so a tie fails. Reported only when a weighted vote reported it.
    if (votes.some((v) => v.check !== undefined && weight.get(v.voter)! > 0)) {
      const falseWeight = votes.filter((v) => v.check === false).reduce((s, v) => s + weight.get(v.voter)!, 0)
      check = !(2 * falseWeight >= votingWeight)
    }
  }

  const agreeing: string[] = []
  const deviating: string[] = []
  let agreeWeight = 0
  let deviateWeight = 0
  let agreeBaseWeight = 0
  if (values !== null) {
    for (const v of votes) {
      if (agrees(v, values, check, caveats, net)) {
        agreeing.push(v.voter); agreeWeight += weight.get(v.voter)!; agreeBaseWeight += base.get(v.voter)!
      } else {
        deviating.push(v.voter); deviateWeight += weight.get(v.voter)!
      }
    }
  }
  agreeing.sort()
  deviating.sort()

  // Step 6's "no result can reach a quorum any more".
  const votedBase = votes.reduce((s, v) => s + base.get(v.voter)!, 0)
  const quorumPossible = votes.some((c) => {
    let w = totalWeight - votingWeight
    let b = totalBaseWeight - votedBase
    for (const v of votes) {
      if (agrees(v, c, c.check, (c.caveats ?? []).join(' '), net)) { w += weight.get(v.voter)!; b += base.get(v.voter)! }
    }
    return rule.quorum(w, totalWeight) && rule.quorum(b, totalBaseWeight)
  })

  // Steps 5 and 6.
  const final = rule.quorum(agreeWeight, totalWeight) && rule.quorum(agreeBaseWeight, totalBaseWeight)
  let status: RefTally['status']
  let reason: string
  if (final) {
    status = verdict(values!, check, net) ? 'validated' : 'rejected'
    reason = 'quorum'
  } else if (totalWeight === 0) {
    status = 'disputed'; reason = 'no-trusted-weight'
  } else if (3 * deviateWeight >= totalWeight && !quorumPossible) {
    status = 'disputed'; reason = 'deviation'
  } else if (now >= deadline) {
    status = 'disputed'; reason = 'deadline'
  } else {
    status = 'pending'; reason = 'awaiting-votes'
  }
  return {
    round: votes.length === 0 ? null : votes[0]!.round,
    status,
    final,
    values: values === null ? null : { ssim: wire(values.ssim), psnr: wire(values.psnr), ssimLocal: wire(values.ssimLocal) },
    checks: values === null ? null : check === undefined ? {} : { candidateHashMatches: check },
    caveats: values === null ? null : caveats === '' ? [] : caveats.split(' ') as Tally['caveats'],
    agreeing,
    deviating,
    agreeWeight,
    deviateWeight,
    totalWeight,
    agreeBaseWeight,
    totalBaseWeight,
    reason
  }
}

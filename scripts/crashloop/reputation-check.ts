/**
 * Whether a node's reputations are what the jobs it decided imply
 * (docs/protocol.md, "Reputation"): starting from the initial record, each
 * job the node finalized itself (not taken from a certificate) judges every
 * vote of its deciding round that was in time, +successDelta for an
 * agreeing one and −failureDelta for a deviating one, once; a late vote
 * costs −failureDelta when it deviates, once, and never raises reputation
 * (a node's own vote cast after the job was decided there is not judged by
 * itself: it did not arrive, it was cast).
 * Agreement is judged here again from the job's final values, the vote's
 * metrics, the job's thresholds and the network's tolerances, not read from
 * the node. The node's reputation history (`GET /v1/reputation/history`)
 * must hold exactly those steps, each the rule applied to the one before,
 * and its current record (`GET /v1/reputation`) must be the last step's.
 */
import type { JobView, ReputationView } from '../../node/types.ts'
import type { ReputationPoint } from '../../node/job/reputation-history.ts'
import type { Caveat } from '../../protocol/caveats.ts'
import { agreesWithConsensus } from '../../protocol/consensus/agreement.ts'
import { type ReputationRecord, applyOutcome, initialReputation } from '../../protocol/consensus/reputation.ts'
import { type Metrics, metricsFromWire } from '../../protocol/metrics.ts'
import type { NetworkConfig } from '../../protocol/network.ts'

/** One node's reputation state as served by its API. */
export interface ServedReputation {
  node: string
  /** The node's own key: its own late vote is cast, not received, and judged by the others only. */
  publicKey: string
  views: readonly JobView[]
  reputation: readonly ReputationView[]
  /** Each validator's points, newest first, as the API serves them. */
  history: ReadonlyArray<{ publicKey: string, points: readonly ReputationPoint[] }>
}

/**
 * One line per rule broken on `served.node`; empty when its reputations are
 * what its decided jobs imply.
 */
export function checkReputations (served: ServedReputation, network: NetworkConfig): string[] {
  const out: string[] = []
  const views = new Map(served.views.map((v) => [v.jobId, v]))
  for (const validator of network.validators) {
    const who = `${served.node}, of ${validator.name}`
    const points = [...(served.history.find((h) => h.publicKey === validator.publicKey)?.points ?? [])].reverse()
    // The steps the jobs imply, by job and cause.
    const expected = new Map<string, boolean>()
    for (const v of served.views) {
      if (!v.final || v.reason === 'certificate' || v.values === null) continue
      for (const vote of v.votes) {
        if (vote.voter !== validator.publicKey || vote.round !== v.round) continue
        const agreed = agrees(vote.metrics, v, network)
        if (!vote.late) expected.set(`decided:${v.jobId}`, agreed)
        else if (!agreed && vote.voter !== served.publicKey) expected.set(`late-vote:${v.jobId}`, false)
      }
    }
    let record: ReputationRecord = initialReputation(network)
    const seen = new Set<string>()
    for (const p of points) {
      const step = `${p.cause}:${p.jobId}`
      if (seen.has(step)) { out.push(`${who}: job ${p.jobId.slice(0, 12)} changed its reputation twice (${p.cause})`); continue }
      seen.add(step)
      const agreed = expected.get(step)
      if (agreed === undefined) {
        const v = views.get(p.jobId)
        out.push(`${who}: a ${p.cause} step for job ${p.jobId.slice(0, 12)} that its decided jobs do not imply (job ${v === undefined ? 'unknown' : `${v.status} by ${v.reason}`})`)
        continue
      }
      record = applyOutcome(record, agreed, network)
      if (p.reputation !== record.reputation || p.verifications !== record.verifications || p.successes !== record.successes) {
        out.push(`${who}: step ${p.seq} (job ${p.jobId.slice(0, 12)}) holds ${p.reputation} after ${p.verifications} verifications, the rule gives ${record.reputation} after ${record.verifications}`)
        record = { reputation: p.reputation, verifications: p.verifications, successes: p.successes, equivocated: p.equivocated }
      }
    }
    for (const step of expected.keys()) {
      if (!seen.has(step)) out.push(`${who}: job ${step.split(':')[1]!.slice(0, 12)} was decided here but never changed its reputation (${step.split(':')[0]!})`)
    }
    const current = served.reputation.find((r) => r.publicKey === validator.publicKey)
    if (current === undefined) out.push(`${who}: no reputation served`)
    else if (current.reputation !== record.reputation || current.verifications !== record.verifications || current.successes !== record.successes || current.equivocated) {
      out.push(`${who}: serves reputation ${current.reputation} (${current.verifications} verifications, equivocated ${String(current.equivocated)}), its jobs imply ${record.reputation} (${record.verifications})`)
    }
  }
  return out
}

/**
 * Reputations the nodes must share: an honest validator's votes always
 * agree, so on every node its reputation is the initial one raised by
 * agreements, capped at 1, whichever jobs each node decided itself. One
 * line per honest validator whose reputation differs between nodes.
 */
export function compareHonestReputations (all: readonly ServedReputation[], honest: readonly string[]): string[] {
  const out: string[] = []
  for (const key of honest) {
    const values = all.map((s) => ({ node: s.node, r: s.reputation.find((x) => x.publicKey === key) }))
    const first = values[0]?.r
    if (values.some((v) => v.r?.reputation !== first?.reputation || v.r?.trust !== first?.trust)) {
      out.push(`validator ${first?.name ?? key.slice(0, 12)}: reputations differ between nodes (${values.map((v) => `${v.node}=${v.r?.reputation ?? 'none'}`).join(' ')})`)
    }
  }
  return out
}

/**
 * Whether a vote with `metrics` agrees with `v`'s consensus. A vote's
 * caveats are not in the job's view: they are taken as the consensus's
 * (the load's scenes use no extension the renderer leaves out, so every
 * vote's caveats are empty), which leaves the metrics and the verdict.
 */
function agrees (metrics: Metrics, v: JobView, network: NetworkConfig): boolean {
  const caveats = (v.caveats ?? []) as Caveat[]
  return agreesWithConsensus({ values: metricsFromWire(metrics), checks: undefined, caveats }, { values: metricsFromWire(v.values!), checks: undefined, caveats }, v.thresholds, network.tolerances)
}

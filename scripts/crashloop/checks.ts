/**
 * The crash loop's checks, after each restart and at the end:
 *
 * | check | after a restart | at the end |
 * |---|---|---|
 * | `audit chain` | the victim's trail by the command line while it is down; every running node's trail through its API, from the last entry verified before, unchanged | every node's through its API, then by the command line once stopped |
 * | `verdict lost` | every job the victim had reported final is still final with the same status | every node, every job it reported final |
 * | `double signature` | every signed vote of the victim's store (received and own) against all votes seen before | every node's store once stopped; no node names an equivocator |
 * | `convergence` | no two nodes report different final verdicts | every job any node knows is final on every honest node with one status, the designed one for the load's jobs; the liar's final verdicts are the same (convergence.ts) |
 * | `reputation` | | each node's reputations are what the jobs it decided imply; honest validators' agree across nodes |
 * | `rejoin` | the victim is back with all its peers within the guard | |
 */
import { setTimeout as sleep } from 'node:timers/promises'
import type { JobView } from '../../node/types.ts'
import { allJobs, historyOf, reputationsOf } from './api-reads.ts'
import { checkConvergence } from './convergence.ts'
import type { AuditFollower } from './audit-follower.ts'
import { REJOIN_GUARD_MS, type KillRecord } from './kill.ts'
import type { CrashJob } from './load.ts'
import { type CrashNetwork, type CrashNode, stopCrashNetwork } from './nodes.ts'
import { type ServedReputation, checkReputations, compareHonestReputations } from './reputation-check.ts'
import { readStoppedStore, verifyAuditWithCli } from './stopped-store.ts'
import type { VerdictLedger } from './verdict-ledger.ts'
import type { VoteLedger } from './vote-ledger.ts'

/** The checks, by the name a failure line starts with. */
export type Check = 'audit chain' | 'verdict lost' | 'double signature' | 'convergence' | 'reputation' | 'rejoin'

/** What the checks keep across a run. */
export interface CheckState {
  verdicts: VerdictLedger
  votes: VoteLedger
  followers: Map<string, AuditFollower>
  chains: { cli: number, api: number }
  failures: Array<{ check: Check, line: string }>
  /** At the end: jobs decided alike everywhere, and those the liar does not hold final (banned by its peers, see convergence.ts). */
  converged: { decided: number, liarNotFinal: number }
}

/** Failures already turned into lines, per ledger, so each is reported once. */
const reportedOf = new WeakMap<CheckState, { verdicts: number, doubles: Set<string>, invalid: number }>()

/** The checks after kill `r` of `victim` and its restart; returns how many failed. */
export async function afterRestart (r: KillRecord, victim: CrashNode, nodes: readonly CrashNode[], state: CheckState): Promise<number> {
  const before = state.failures.length
  const where = `after kill ${r.n} (${r.victim})`
  if (!r.audit.ok) state.failures.push({ check: 'audit chain', line: `${victim.name}'s trail ${where}, by audit verify: ${r.audit.code} at entry ${r.audit.seq ?? '?'}: ${r.audit.reason}` })
  else state.chains.cli++
  if (r.headBefore !== null && (r.stored.headSeq ?? -1) < r.headBefore) {
    state.failures.push({ check: 'audit chain', line: `${victim.name}'s head ${where} is entry ${r.stored.headSeq ?? 'none'}, its API served ${r.headBefore} before the kill` })
  }
  if (r.rejoinMs === null) state.failures.push({ check: 'rejoin', line: `${victim.name} ${where} was not connected to all its peers within ${REJOIN_GUARD_MS / 1000} s of its ready line` })
  state.votes.add(r.stored.votes, `${victim.name}'s store ${where}`)
  state.votes.add(r.stored.ownVotes, `${victim.name}'s own votes ${where}`)
  state.verdicts.observe(victim.name, r.viewsBefore, r.lookAt)
  // Everything the victim reported final must be there after its restart.
  try {
    await readAllVerdicts(victim, state)
  } catch (err) {
    state.failures.push({ check: 'verdict lost', line: `${victim.name} ${where} did not list its jobs: ${describe(err)}` })
  }
  await checkChains(nodes, state, where)
  collect(state, where)
  return state.failures.length - before
}

/**
 * The checks at the end: waits (bounded by the jobs' deadlines) until every
 * node decided every job any node knows, then checks convergence, verdicts,
 * chains and reputations through the API, stops the nodes, and checks every
 * stopped node's trail by the command line and its store's votes. Returns
 * each job's status on each node.
 */
export async function atEnd (net: CrashNetwork, jobs: readonly CrashJob[], state: CheckState, onProgress: (line: string) => void, signal?: AbortSignal): Promise<Map<string, Record<string, string>>> {
  const nodes = net.nodes
  const where = 'at the end'
  // Bounded by the last deadline of a job and a minute of grace: a decision at the deadline reaches every node within it.
  const guard = Math.max(Date.now(), ...jobs.map((j) => j.announcedAt + j.deadlineMs)) + 60_000
  let views = new Map<string, JobView[]>()
  let sentAt = Date.now()
  for (;;) {
    sentAt = Date.now()
    views = new Map(await Promise.all(nodes.map(async (n) => [n.name, await allJobs(n.apiUrl).catch(() => [] as JobView[])] as const)))
    const ids = new Set([...views.values()].flatMap((vs) => vs.map((v) => v.jobId)))
    // Honest nodes only: the liar, banned by its peers for its lies, misses jobs by design (convergence.ts).
    const undecided = [...ids].filter((id) => nodes.some((n) => { if (n.liar) return false; const v = views.get(n.name)!.find((x) => x.jobId === id); return v === undefined || v.status === 'pending' }))
    if (undecided.length === 0 || Date.now() > guard || signal?.aborted === true) break
    onProgress(`${undecided.length} jobs not yet decided on every honest node`)
    await sleep(5000)
  }
  for (const n of nodes) {
    state.verdicts.observe(n.name, views.get(n.name)!, sentAt)
    const listed = new Set(views.get(n.name)!.map((v) => v.jobId))
    for (const id of [...state.verdicts.finalsOf(n.name).keys()]) if (!listed.has(id)) state.verdicts.missing(n.name, id, sentAt)
  }
  // Convergence: every job any node knows, final on every node with one status; the load's with the designed one.
  const statuses = new Map<string, Record<string, string>>()
  for (const [node, vs] of views) {
    for (const v of vs) {
      let s = statuses.get(v.jobId)
      if (s === undefined) statuses.set(v.jobId, s = {})
      s[node] = v.final ? v.status : `${v.status} (not final, ${v.reason})`
      if (v.equivocators.length > 0) state.failures.push({ check: 'double signature', line: `${node} names ${v.equivocators.length} equivocator(s) in job ${v.jobId.slice(0, 12)}` })
    }
  }
  const converged = checkConvergence(statuses, nodes, new Map(jobs.map((j) => [j.jobId, j.expected])))
  for (const line of converged.failures) state.failures.push({ check: 'convergence', line })
  state.converged = { decided: converged.decided, liarNotFinal: converged.liarNotFinal }
  for (const j of jobs) if (!statuses.has(j.jobId)) state.failures.push({ check: 'convergence', line: `job ${j.jobId.slice(0, 12)} was announced but no node knows it` })
  await checkChains(nodes, state, where)
  // Reputations: what each node's decided jobs imply; honest validators' equal everywhere.
  const served: ServedReputation[] = []
  for (const n of nodes) {
    try {
      served.push({ node: n.name, publicKey: n.publicKey, views: views.get(n.name)!, reputation: await reputationsOf(n.apiUrl), history: await historyOf(n.apiUrl, net.network.validators.map((v) => v.publicKey)) })
    } catch (err) {
      state.failures.push({ check: 'reputation', line: `${n.name} did not serve its reputations: ${describe(err)}` })
    }
  }
  for (const s of served) for (const line of checkReputations(s, net.network)) state.failures.push({ check: 'reputation', line })
  for (const line of compareHonestReputations(served, nodes.filter((n) => !n.liar).map((n) => n.publicKey))) state.failures.push({ check: 'reputation', line })
  // Stopped, every store: the trail by the command line and every vote it holds.
  await stopCrashNetwork(net)
  for (const n of nodes) {
    const audit = await verifyAuditWithCli(n.dataDir, n.publicKey, net.network.networkId)
    if (!audit.ok) state.failures.push({ check: 'audit chain', line: `${n.name}'s trail ${where}, by audit verify: ${audit.code} at entry ${audit.seq ?? '?'}: ${audit.reason}` })
    else state.chains.cli++
    const stored = await readStoppedStore(n.dataDir, Number.MAX_SAFE_INTEGER)
    state.votes.add(stored.votes, `${n.name}'s store ${where}`)
    state.votes.add(stored.ownVotes, `${n.name}'s own votes ${where}`)
  }
  collect(state, where)
  return statuses
}

/** Reads every job `node` lists, records its verdicts, and reports those it had reported final and no longer knows. */
async function readAllVerdicts (node: CrashNode, state: CheckState): Promise<void> {
  const sentAt = Date.now()
  const views = await allJobs(node.apiUrl)
  state.verdicts.observe(node.name, views, sentAt)
  const listed = new Set(views.map((v) => v.jobId))
  for (const id of [...state.verdicts.finalsOf(node.name).keys()]) if (!listed.has(id)) state.verdicts.missing(node.name, id, sentAt)
}

/** Verifies what every running node appended to its trail since the last check. */
async function checkChains (nodes: readonly CrashNode[], state: CheckState, where: string): Promise<void> {
  for (const n of nodes) {
    if (n.host === null) continue
    const generation = n.generation
    try {
      const r = await state.followers.get(n.name)!.check(n.apiUrl)
      if (r.ok) state.chains.api++
      else state.failures.push({ check: 'audit chain', line: `${n.name}'s trail ${where}, through its API: entry ${r.seq}: ${r.reason}` })
    } catch (err) {
      // Killed meanwhile by an overlapping kill: its trail is verified while it is down and after its restart.
      if (n.generation !== generation || n.host === null) continue
      state.failures.push({ check: 'audit chain', line: `${n.name}'s trail ${where} could not be read: ${describe(err)}` })
    }
  }
}

/** Turns the ledgers' new findings into failure lines. */
function collect (state: CheckState, where: string): void {
  let seen = reportedOf.get(state)
  if (seen === undefined) reportedOf.set(state, seen = { verdicts: 0, doubles: new Set(), invalid: 0 })
  for (const v of state.verdicts.violations.slice(seen.verdicts)) {
    state.failures.push({ check: v.rule === 'disagree' ? 'convergence' : 'verdict lost', line: `${v.node}, job ${v.jobId.slice(0, 12)} (${v.rule}, seen ${where}): ${v.detail}` })
  }
  seen.verdicts = state.verdicts.violations.length
  for (const d of state.votes.doubleSignatures()) {
    const key = `${d.voter}:${d.jobId}:${d.round}`
    if (seen.doubles.has(key)) continue
    seen.doubles.add(key)
    state.failures.push({ check: 'double signature', line: `validator ${d.voter.slice(0, 12)} signed ${d.seenIn.length} different votes for job ${d.jobId.slice(0, 12)} round ${d.round} (seen in: ${d.seenIn.join('; ')})` })
  }
  for (const v of state.votes.invalid.slice(seen.invalid)) {
    state.failures.push({ check: 'double signature', line: `a vote of ${v.voter.slice(0, 12)} for job ${v.jobId.slice(0, 12)} in ${v.seenIn} does not verify (${v.code})` })
  }
  seen.invalid = state.votes.invalid.length
}

function describe (err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code
  return typeof code === 'string' ? code : String(err)
}

/**
 * One kill of the crash loop: a uniform random delay after a job's
 * announcement, a last look at the victim's view of that job and its audit
 * head through its API, SIGKILL, then, while it is down, its audit trail
 * verified (stopped-store.ts) and its store read (its votes, and the audit
 * entries written up to the kill: the phase and whether batches were being
 * written), then a restart on the same data folder, key and ports, timed to
 * its ready line and to its rejoining the network (connected and subscribed
 * to every other validator, `GET /healthz`).
 */
import { setTimeout as sleep } from 'node:timers/promises'
import type { JobView } from '../../node/types.ts'
import { jobOf, healthOf, newestJobs, clientOf } from './api-reads.ts'
import type { CrashJob } from './load.ts'
import { firstOwnVote } from './first-vote.ts'
import { type CrashNode, killNode, restartNode } from './nodes.ts'
import { type Phase, type WritesAtKill, phaseOf, writesAtKill } from './phase.ts'
import { type AuditCliResult, type StoredState, readStoppedStore, verifyStoppedAudit } from './stopped-store.ts'

/** What one kill found, before the checks after its restart. */
export interface KillRecord {
  /** 1-based number of the kill. */
  n: number
  victim: string
  job: { jobId: string, kind: 'frames' | 'scene', submitter: string }
  /** The drawn delay from the job's announcement to the kill, ms. */
  delayMs: number
  /** When the SIGKILL was sent (ms since the epoch). */
  killAt: number
  /** When the last look's requests were sent (ms since the epoch). */
  lookAt: number
  phase: Phase
  writes: WritesAtKill
  /** The victim's final verdicts it listed just before the kill. */
  viewsBefore: JobView[]
  /** The audit head it served just before the kill (seq), null when none or not answered. */
  headBefore: number | null
  audit: AuditCliResult
  stored: StoredState
  /** Restart to its ready line, ms. */
  readyMs: number
  /** Restart to connected and subscribed to every other validator that is up, ms; null when that did not happen within the guard after its ready line. */
  rejoinMs: number | null
  /** Where the kill's cycle spent its time (see {@link CycleTimes}). */
  cycle: CycleTimes
  /** Restart to its first own vote, ms; null when it cast none before the next kill or the run's end. */
  firstVoteMs: number | null
  /** True once every check after its restart passed (set by the run). */
  survived: boolean
}

/**
 * Where one kill's cycle spent its time, ms, segment by segment in order
 * (the first own vote after the restart is timed beside the cycle, which
 * does not wait for it).
 */
export interface CycleTimes {
  /** From the cycle's turn to the announcement it kills after (0 when the newest announcement was young enough, see run.ts). */
  announcementMs: number
  /** From then to the kill's moment: what was left of the drawn delay. */
  delayMs: number
  /** The last look at the victim (its view of the job, its audit head, its newest jobs). */
  lookMs: number
  /** SIGKILL to the process gone. */
  killMs: number
  /** While down: its trail verified and its store read. */
  inspectMs: number
  /** Restart to its ready line (the node's own start). */
  readyMs: number
  /** Ready line to rejoined (null when not rejoined within the guard). */
  rejoinMs: number | null
  /** The checks after the restart (run.ts sets it). */
  checksMs: number
  /** The whole cycle, from its turn to the end of its checks (run.ts sets it). */
  totalMs: number
}

/**
 * Hang guard of a restarted node's rejoining, counted from its ready line
 * (its start alone took minutes on an overloaded machine, and is the
 * node's, not its rejoining): a node not back with its peers five minutes
 * after it is up is broken.
 */
export const REJOIN_GUARD_MS = 300_000

/** Timeout of the last look before a kill, ms: a kill must not wait long for a busy node's answer. */
const LOOK_TIMEOUT_MS = 2000

/**
 * Kills `victim` `delayMs` after `job`'s announcement, inspects it while
 * down and restarts it. Its first own vote after the restart is timed until
 * `voteSignal` aborts: `firstVote` resolves then, and `record.firstVoteMs`
 * is set when it came.
 */
export async function killAndRestart (n: number, dir: string, victim: CrashNode, job: CrashJob, delayMs: number, networkId: string, nodes: readonly CrashNode[], voteSignal: AbortSignal, announcementMs = 0): Promise<{ record: KillRecord, firstVote: Promise<void> }> {
  const delayFrom = Date.now()
  await sleep(Math.max(0, job.announcedAt + delayMs - Date.now()))
  // The last look: the job's view and the audit head, together, then the kill at once.
  const lookAt = Date.now()
  const [view, head, views] = await Promise.all([
    jobOf(victim.apiUrl, job.jobId, LOOK_TIMEOUT_MS).catch((): 'unreachable' => 'unreachable'),
    clientOf(victim.apiUrl, LOOK_TIMEOUT_MS).request('GET', '/v1/audit?from=0&limit=1').then((r) => (r as { head: { seq: number } | null }).head?.seq ?? null, () => null),
    newestJobs(victim.apiUrl, 50, LOOK_TIMEOUT_MS).catch(() => [] as JobView[])
  ])
  const viewAt = Date.now()
  const killAt = Date.now()
  await killNode(victim)
  const goneAt = Date.now()
  const audit = await verifyStoppedAudit(victim.dataDir, victim.publicKey, networkId)
  const stored = await readStoppedStore(victim.dataDir, head ?? 0)
  const writes = writesAtKill(stored.auditTail, viewAt, killAt)
  const restartAt = Date.now()
  await restartNode(dir, victim)
  const readyAt = Date.now()
  const readyMs = readyAt - restartAt
  const voted = firstOwnVote(victim.apiUrl, victim.publicKey, restartAt, voteSignal)
  let rejoinMs: number | null = null
  while (Date.now() - readyAt < REJOIN_GUARD_MS) {
    // Every other honest node that is up (another may be down in an overlapping kill). Not the liar: its lies make
    // honest peers hang up on it and ban it for a while (docs/networking.md); a liar's own rejoin is its health.
    const peers = victim.liar ? 0 : nodes.filter((x) => x !== victim && x.host !== null && !x.liar).length
    const h = await healthOf(victim.apiUrl)
    if (h !== null && h.ok && h.peers >= peers && h.gossipPeers >= peers) { rejoinMs = Date.now() - restartAt; break }
    await sleep(100)
  }
  const record: KillRecord = {
    n,
    victim: victim.name,
    job: { jobId: job.jobId, kind: job.kind, submitter: job.submitter },
    delayMs,
    killAt,
    lookAt,
    phase: phaseOf(view),
    writes,
    viewsBefore: views.filter((v) => v.final),
    headBefore: head,
    audit,
    stored,
    readyMs,
    rejoinMs,
    cycle: {
      announcementMs,
      delayMs: lookAt - delayFrom,
      lookMs: killAt - lookAt,
      killMs: goneAt - killAt,
      inspectMs: restartAt - goneAt,
      readyMs,
      rejoinMs: rejoinMs === null ? null : rejoinMs - readyMs,
      checksMs: 0,
      totalMs: 0
    },
    firstVoteMs: null,
    survived: false
  }
  return { record, firstVote: voted.then((ms) => { record.firstVoteMs = ms }) }
}

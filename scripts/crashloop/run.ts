/**
 * One crash-loop run: starts the network, waits until every validator is
 * connected to all others, drives the load, and `kills` times SIGKILLs a
 * seeded random node a seeded random delay after a job's announcement,
 * inspects it while down, restarts it and checks (checks.ts) after each
 * restart and once more after the load stopped and the nodes settled.
 * Every broken rule is a failure line naming its check; the run goes on to
 * the end, so one run reports all it finds.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { rngFor, uniform } from '../../sim/seed.ts'
import { healthOf, newestJobs } from './api-reads.ts'
import { AuditFollower } from './audit-follower.ts'
import { type Check, afterRestart, atEnd } from './checks.ts'
import { type KillRecord, killAndRestart } from './kill.ts'
import { CrashLoad, type CrashJob } from './load.ts'
import { type CrashNetwork, startCrashNetwork, stopCrashNetwork } from './nodes.ts'
import type { CrashLoopOptions } from './options.ts'
import { VerdictLedger } from './verdict-ledger.ts'
import { VoteLedger } from './vote-ledger.ts'

/** A broken rule: the check that caught it and one line saying what. */
export interface Failure {
  check: Check
  line: string
}

/** What a run found. */
export interface CrashLoopResult {
  kills: KillRecord[]
  jobs: CrashJob[]
  /** Per job id, the status each node reports at the end. */
  statuses: Map<string, Record<string, string>>
  failures: Failure[]
  /** Submissions cut by a kill and tried again on another node. */
  submissionsInterrupted: number
  /** Audit trails verified: by the command line (a node down) and through the API (a node up). */
  chainsVerified: { cli: number, api: number }
  /** Distinct signed votes read from stores. */
  votesSeen: number
  /** At the end: jobs decided alike on every node, and those the liar did not hold final (banned by its peers, it misses jobs by design). */
  converged: { decided: number, liarNotFinal: number }
  /** Final verdicts seen through the API, over all nodes. */
  verdictsSeen: number
  /** True when the run was stopped before its end. */
  interrupted: boolean
  /** Minutes from the network's start to the end of the checks. */
  minutes: number
}

/** Hang guard of the wait for the network to connect, ms (not a performance limit). */
const CONNECT_GUARD_MS = 600_000
/** Pause between two polls of every node's newest jobs, ms: what a node reports final is recorded this often. */
const WATCH_MS = 2000
/** How long a restarted node's first own vote is waited for, ms (it is timed only if it comes within this). */
const FIRST_VOTE_GUARD_MS = 300_000
/** Jobs read at each poll: at most `maxInFlight` are open, so the newest ten hold every verdict just reached. */
const WATCH_JOBS = 10

/** Runs the crash loop; `onProgress` gets a line per kill and per step worth telling. */
export async function runCrashLoop (options: CrashLoopOptions, onProgress: (line: string) => void = () => {}, signal?: AbortSignal): Promise<CrashLoopResult> {
  const dir = mkdtempSync(join(tmpdir(), 'te-crashloop-'))
  let net: CrashNetwork | null = null
  const stopWatch = new AbortController()
  const stopLoad = new AbortController()
  const stopped = (): boolean => signal?.aborted === true
  let failed = true
  try {
    const t0 = Date.now()
    onProgress(`starting ${options.nodes} validators (${options.liars} liar)`)
    net = await startCrashNetwork(dir, options.nodes, options.liars, options.seed)
    const nodes = net.nodes
    await waitConnected(net)
    onProgress('connected; load starts')
    const verdicts = new VerdictLedger()
    const votes = new VoteLedger(net.network)
    const followers = new Map(nodes.map((n) => [n.name, new AuditFollower(n.publicKey, net!.network.networkId)]))
    const state = { verdicts, votes, followers, chains: { cli: 0, api: 0 }, failures: [] as Failure[], converged: { decided: 0, liarNotFinal: 0 } }
    const reported = { failures: 0 }
    const report = (): void => {
      for (const f of state.failures.slice(reported.failures)) onProgress(`FAIL ${f.check}: ${f.line}`)
      reported.failures = state.failures.length
    }

    // What every node reports final, recorded as it goes, so a verdict lost later is caught.
    const watcher = (async () => {
      while (!stopWatch.signal.aborted) {
        await Promise.all(nodes.map(async (n) => {
          if (n.host === null) return
          const sentAt = Date.now()
          const views = await newestJobs(n.apiUrl, WATCH_JOBS, 5000).catch(() => null)
          if (views !== null && n.host !== null) verdicts.observe(n.name, views, sentAt)
        }))
        await sleep(WATCH_MS, undefined, { signal: stopWatch.signal }).catch(() => {})
      }
    })()

    const load = new CrashLoad(nodes, options, (jobId) => verdicts.decided(jobId))
    // The newest announcement, and the cycle waiting for the next one.
    const latest: { job: CrashJob | null, waiting: ((job: CrashJob) => void) | null } = { job: null, waiting: null }
    const loadRun = load.run(AbortSignal.any([stopLoad.signal, ...(signal === undefined ? [] : [signal])]), (job) => {
      latest.job = job
      const waiting = latest.waiting
      latest.waiting = null
      waiting?.(job)
    })
    const victims = rngFor(options.seed, 'crashloop', 'victim')
    const delays = rngFor(options.seed, 'crashloop', 'delay')
    const kills: KillRecord[] = []
    const firstVotes: Array<Promise<void>> = []
    // Up to `overlap` kill cycles at once, each on a node of its own: a victim drawn while its last cycle runs waits for it.
    const cycles = new Set<Promise<void>>()
    const busy = new Set<string>()
    const runEnd = new AbortController()
    const killUntil = options.minutes === null ? Infinity : t0 + options.minutes * 60_000
    for (let n = 1; n <= options.kills && !stopped() && Date.now() < killUntil; n++) {
      while (cycles.size >= options.overlap) await Promise.race(cycles)
      const victim = nodes[Math.floor(uniform(victims) * nodes.length)]!
      const delayMs = Math.floor(uniform(delays) * (options.killWindowMs + 1))
      while (busy.has(victim.name)) await Promise.race(cycles)
      // The kill comes the drawn delay after an announcement: the newest one when that moment is still ahead (the
      // delay after it is as drawn, and the cycle does not wait for another), else the next one from now on.
      const turnAt = Date.now()
      const recent = latest.job
      const job = recent !== null && recent.announcedAt + delayMs >= turnAt
        ? recent
        : await new Promise<CrashJob | null>((resolve) => {
          latest.waiting = resolve
          signal?.addEventListener('abort', () => resolve(null), { once: true })
        })
      if (job === null) break
      const announcementMs = Date.now() - turnAt
      busy.add(victim.name)
      const cycle: Promise<void> = (async () => {
        const voteWatch = AbortSignal.any([runEnd.signal, AbortSignal.timeout(FIRST_VOTE_GUARD_MS)])
        const { record, firstVote } = await killAndRestart(n, dir, victim, job, delayMs, net!.network.networkId, nodes, voteWatch, announcementMs)
        firstVotes.push(firstVote)
        kills.push(record)
        const checksFrom = Date.now()
        const failed = await afterRestart(record, victim, nodes, state)
        record.cycle.checksMs = Date.now() - checksFrom
        record.cycle.totalMs = Date.now() - turnAt
        record.survived = failed === 0
        onProgress(progressLine(record, options.kills, failed, votes.size))
        report()
      })().finally(() => { busy.delete(victim.name); cycles.delete(cycle) })
      cycles.add(cycle)
    }
    await Promise.all(cycles)
    kills.sort((a, b) => a.n - b.n)
    runEnd.abort()
    stopLoad.abort()
    await loadRun
    await Promise.all(firstVotes)
    onProgress(`load stopped after ${load.jobs.length} jobs; waiting for every node to decide every job`)
    const statuses = await atEnd(net, load.jobs, state, onProgress, signal)
    stopWatch.abort()
    await watcher
    report()
    failed = state.failures.length > 0
    return {
      kills,
      jobs: load.jobs,
      statuses,
      failures: state.failures,
      submissionsInterrupted: load.interrupted,
      chainsVerified: state.chains,
      votesSeen: votes.size,
      converged: state.converged,
      verdictsSeen: verdicts.count,
      interrupted: stopped(),
      minutes: (Date.now() - t0) / 60_000
    }
  } finally {
    stopLoad.abort()
    stopWatch.abort()
    if (net !== null) await stopCrashNetwork(net)
    if (options.keepData && failed) onProgress(`data folders kept in ${dir}`)
    else rmSync(dir, { recursive: true, force: true })
  }
}

function progressLine (r: KillRecord, kills: number, failed: number, votes: number): string {
  const writes = r.writes.duringWrites ? `during writes (last ${r.writes.lastKind ?? 'none'} ${r.writes.msSinceLastEntry ?? '?'} ms before)` : `last write ${r.writes.lastKind ?? 'none'} ${r.writes.msSinceLastEntry ?? '?'} ms before`
  const audit = r.audit.ok ? `chain ok (${r.audit.length} entries)` : `chain BROKEN at ${r.audit.seq ?? '?'} (${r.audit.code})`
  const rejoin = r.rejoinMs === null ? 'NOT rejoined' : `rejoined ${(r.rejoinMs / 1000).toFixed(1)} s`
  return `kill ${r.n}/${kills}: ${r.victim} ${r.delayMs} ms after ${r.job.kind} job ${r.job.jobId.slice(0, 8)}, phase ${r.phase}, ${writes}; ${audit}; ready ${(r.readyMs / 1000).toFixed(1)} s, ${rejoin}; ${votes} signed votes seen; ${failed === 0 ? 'checks pass' : `${failed} checks FAILED`}`
}

/** Waits until every node reports all the others as peers (GET /healthz), bounded by a hang guard. */
async function waitConnected (net: CrashNetwork): Promise<void> {
  const until = Date.now() + CONNECT_GUARD_MS
  while (Date.now() < until) {
    const health = await Promise.all(net.nodes.map(async (n) => await healthOf(n.apiUrl)))
    if (health.every((h) => h !== null && h.peers >= net.nodes.length - 1)) return
    await sleep(250)
  }
  throw new Error('the validators did not connect to each other')
}

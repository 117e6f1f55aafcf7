/**
 * What a crash loop writes into its folder and prints at its end: `kills.csv`
 * (one row per kill: victim, job, delay, phase, writes at the kill, the
 * audit trail's length, restart, rejoin and first vote times, whether its
 * checks passed), `jobs.csv` (every job any node knows, its designed verdict
 * and its status on each node) and `summary.json` (the options, the figures
 * and the failures), and the figures: kills survived, jobs decided, verdicts
 * lost, double signatures, chains verified, restart percentiles and the
 * spread of the kills over the phases.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { csv } from '../soak/output.ts'
import type { CrashLoopOptions } from './options.ts'
import { PHASES } from './phase.ts'
import type { CrashLoopResult } from './run.ts'

/** Nearest-rank percentiles of a sample, ms (null for an empty one). */
export interface Percentiles {
  n: number
  p50: number | null
  p95: number | null
  max: number | null
}

/** The figures of a run. */
export interface CrashLoopFigures {
  kills: number
  killsSurvived: number
  jobsAnnounced: number
  /** Jobs final with one status on every honest node (and the liar's, where it holds them final). */
  jobsDecided: number
  /** Jobs the liar did not hold final at the end. */
  liarJobsNotFinal: number
  verdictsLost: number
  doubleSignatures: number
  chainsVerified: { cli: number, api: number }
  signedVotesSeen: number
  finalVerdictsSeen: number
  submissionsInterrupted: number
  /** Kills per phase, and how many of them fell among a batch's writes. */
  phases: Record<string, { kills: number, duringWrites: number }>
  readyMs: Percentiles
  rejoinMs: Percentiles
  firstVoteMs: Percentiles
  /** Per segment of a kill's cycle (kill.ts, CycleTimes): its percentiles and its share of all cycles' time. */
  cycle: Record<CycleSegment, Percentiles & { share: number }>
  minutes: number
}

/** The segments of a kill's cycle, in order, and the whole. */
export const CYCLE_SEGMENTS = ['announcementMs', 'delayMs', 'lookMs', 'killMs', 'inspectMs', 'readyMs', 'rejoinMs', 'checksMs', 'totalMs'] as const

/** A segment of {@link CYCLE_SEGMENTS}. */
export type CycleSegment = (typeof CYCLE_SEGMENTS)[number]

/** Nearest-rank percentiles of `values`. */
export function percentiles (values: readonly number[]): Percentiles {
  const s = [...values].sort((a, b) => a - b)
  const at = (q: number): number | null => (s.length === 0 ? null : s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!)
  return { n: s.length, p50: at(0.5), p95: at(0.95), max: s.at(-1) ?? null }
}

/** The figures of `r`. */
export function figuresOf (r: CrashLoopResult): CrashLoopFigures {
  const phases: CrashLoopFigures['phases'] = {}
  for (const p of PHASES) phases[p] = { kills: 0, duringWrites: 0 }
  for (const k of r.kills) {
    phases[k.phase]!.kills++
    if (k.writes.duringWrites) phases[k.phase]!.duringWrites++
  }
  return {
    kills: r.kills.length,
    killsSurvived: r.kills.filter((k) => k.survived).length,
    jobsAnnounced: r.jobs.length,
    jobsDecided: r.converged.decided,
    liarJobsNotFinal: r.converged.liarNotFinal,
    verdictsLost: r.failures.filter((f) => f.check === 'verdict lost').length,
    doubleSignatures: r.failures.filter((f) => f.check === 'double signature').length,
    chainsVerified: r.chainsVerified,
    signedVotesSeen: r.votesSeen,
    finalVerdictsSeen: r.verdictsSeen,
    submissionsInterrupted: r.submissionsInterrupted,
    phases,
    readyMs: percentiles(r.kills.map((k) => k.readyMs)),
    rejoinMs: percentiles(r.kills.flatMap((k) => (k.rejoinMs === null ? [] : [k.rejoinMs]))),
    firstVoteMs: percentiles(r.kills.flatMap((k) => (k.firstVoteMs === null ? [] : [k.firstVoteMs]))),
    cycle: cycleFigures(r),
    minutes: r.minutes
  }
}

function cycleFigures (r: CrashLoopResult): CrashLoopFigures['cycle'] {
  const total = r.kills.reduce((sum, k) => sum + k.cycle.totalMs, 0)
  const out = {} as CrashLoopFigures['cycle']
  for (const segment of CYCLE_SEGMENTS) {
    const values = r.kills.flatMap((k) => { const v = k.cycle[segment]; return v === null ? [] : [v] })
    out[segment] = { ...percentiles(values), share: total === 0 ? 0 : values.reduce((a, b) => a + b, 0) / total }
  }
  return out
}

/** Writes `kills.csv`, `jobs.csv` and `summary.json` into `dir`. */
export function writeResults (dir: string, options: CrashLoopOptions, r: CrashLoopResult, figures: CrashLoopFigures, nodes: readonly string[]): void {
  mkdirSync(dir, { recursive: true })
  const kills = r.kills.map((k) => [k.n, k.victim, k.job.kind, k.job.jobId, k.job.submitter, k.delayMs, new Date(k.killAt).toISOString(), k.phase, k.writes.duringWrites, k.writes.lastKind, k.writes.msSinceLastEntry, k.writes.entriesAfterView, k.audit.ok ? k.audit.length : null, k.audit.ok ? null : k.audit.code, k.readyMs, k.rejoinMs, k.firstVoteMs, ...CYCLE_SEGMENTS.map((c) => k.cycle[c]), k.survived])
  writeFileSync(join(dir, 'kills.csv'), csv([['kill', 'victim', 'job_kind', 'job_id', 'submitter', 'delay_ms', 'killed_at', 'phase', 'during_writes', 'last_audit_kind', 'ms_since_last_audit', 'audit_entries_after_view', 'audit_entries', 'audit_error', 'ready_ms', 'rejoin_ms', 'first_vote_ms', ...CYCLE_SEGMENTS.map((c) => `cycle_${c.replace(/Ms$/, '')}_ms`), 'checks_passed'], ...kills]))
  const expected = new Map(r.jobs.map((j) => [j.jobId, j]))
  const jobs = [...r.statuses].map(([id, s]) => [id, expected.get(id)?.kind ?? null, expected.get(id)?.expected ?? null, expected.get(id)?.submitter ?? null, ...nodes.map((n) => s[n] ?? 'unknown')])
  writeFileSync(join(dir, 'jobs.csv'), csv([['job_id', 'kind', 'expected', 'submitter', ...nodes.map((n) => `status_${n}`)], ...jobs]))
  writeFileSync(join(dir, 'summary.json'), JSON.stringify({ options, figures, failures: r.failures, interrupted: r.interrupted }, null, 2) + '\n')
}

/** The summary table printed at the end, one figure a line. */
export function summaryTable (f: CrashLoopFigures): string[] {
  const ms = (p: Percentiles): string => (p.n === 0 ? 'none' : `p50 ${fmt(p.p50!)}  p95 ${fmt(p.p95!)}  max ${fmt(p.max!)}  (${p.n})`)
  const rows: Array<[string, string]> = [
    ['kills survived', `${f.killsSurvived} of ${f.kills}`],
    ['jobs decided', `${f.jobsDecided} (${f.jobsAnnounced} announced by the load, ${f.submissionsInterrupted} submissions cut by a kill)`],
    ['liar\'s jobs not final', `${f.liarJobsNotFinal} (banned by its peers, it misses jobs by design)`],
    ['verdicts lost', String(f.verdictsLost)],
    ['double signatures', String(f.doubleSignatures)],
    ['chains verified', `${f.chainsVerified.cli} by audit verify, ${f.chainsVerified.api} through the API`],
    ['signed votes seen', String(f.signedVotesSeen)],
    ['final verdicts seen', String(f.finalVerdictsSeen)],
    ['restart to ready', ms(f.readyMs)],
    ['restart to rejoined', ms(f.rejoinMs)],
    ['restart to first vote', ms(f.firstVoteMs)],
    ...Object.entries(f.phases).map(([p, c]): [string, string] => [`kills in ${p}`, `${c.kills} (${c.duringWrites} among writes)`]),
    ...CYCLE_SEGMENTS.map((c): [string, string] => [`cycle: ${c.replace(/Ms$/, '')}`, `${ms(f.cycle[c])}${c === 'totalMs' ? '' : `  ${(100 * f.cycle[c].share).toFixed(0)} % of the cycles' time`}`]),
    ['minutes', f.minutes.toFixed(1)]
  ]
  return rows.map(([k, v]) => `${k.padEnd(28)} ${v}`)
}

function fmt (ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`
}

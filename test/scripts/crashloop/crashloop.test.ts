/**
 * `npm run crashloop`, short: three kills on three real node processes
 * under a load of frames jobs. Every check must pass (audit trails verified
 * by the command line and through the API, no final verdict lost, no
 * double signature, every job final with its designed verdict on every
 * node, reputations as the decided jobs imply), and the figures and files
 * must say what happened. test/scripts/crashloop/checks-fail.test.ts shows
 * each check failing on a real violation; the long form is the documented
 * command (docs/crashloop.md).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseCrashLoopArgs } from '../../../scripts/crashloop/options.ts'
import { type CrashLoopFigures, figuresOf, writeResults } from '../../../scripts/crashloop/output.ts'
import { PHASES } from '../../../scripts/crashloop/phase.ts'
import { type CrashLoopResult, runCrashLoop } from '../../../scripts/crashloop/run.ts'

const out = mkdtempSync(join(tmpdir(), 'te-crashloop-test-'))
afterAll(() => { rmSync(out, { recursive: true, force: true }) })

/**
 * Hang guard of the whole run: start-up, three kills and restarts, and the
 * last jobs (about 45 s on an idle machine of two cores); on a machine
 * loaded fifty times over its cores a restart alone took minutes (not a
 * speed limit).
 */
const RUN_GUARD_MS = 2_400_000

const KILLS = 3
let result: CrashLoopResult
let figures: CrashLoopFigures
const lines: string[] = []

describe('npm run crashloop, three kills on three node processes', () => {
  beforeAll(async () => {
    const options = parseCrashLoopArgs(['--kills', String(KILLS), '--nodes', '3', '--liars', '0', '--scene-every', '0', '--job-interval', '1', '--kill-window-ms', '3000', '--out', out])
    result = await runCrashLoop(options, (line) => { lines.push(line) })
    figures = figuresOf(result)
    writeResults(out, options, result, figures, ['node1', 'node2', 'node3'])
  }, RUN_GUARD_MS)

  it('passes every check after every kill and at the end', () => {
    expect(result.failures, lines.join('\n')).toEqual([])
    expect(result.interrupted).toBe(false)
    expect(figures.kills).toBe(KILLS)
    expect(figures.killsSurvived).toBe(KILLS)
    expect(figures.verdictsLost).toBe(0)
    expect(figures.doubleSignatures).toBe(0)
  })

  it('checked something: trails, votes, verdicts and decided jobs', () => {
    // Each killed node's trail while down and every node's at the end, by the audit verification.
    expect(figures.chainsVerified.cli).toBe(KILLS + 3)
    // Every running node's trail after each restart and at the end, through the API.
    expect(figures.chainsVerified.api).toBeGreaterThanOrEqual(3 * KILLS)
    expect(figures.signedVotesSeen).toBeGreaterThan(0)
    expect(figures.finalVerdictsSeen).toBeGreaterThan(0)
    expect(figures.jobsDecided).toBeGreaterThanOrEqual(figures.jobsAnnounced)
    expect(figures.jobsAnnounced).toBeGreaterThanOrEqual(KILLS)
    for (const k of result.kills) {
      expect(PHASES).toContain(k.phase)
      expect(k.audit.ok).toBe(true)
      expect(k.rejoinMs).not.toBeNull()
      expect(k.rejoinMs!).toBeGreaterThanOrEqual(k.readyMs)
    }
    expect(figures.rejoinMs.n).toBe(KILLS)
    // Every cycle timed, segment by segment: the segments add up to the whole cycle.
    expect(figures.cycle.totalMs.n).toBe(KILLS)
    for (const k of result.kills) {
      const c = k.cycle
      expect(c.readyMs).toBe(k.readyMs)
      expect(c.rejoinMs).toBe(k.rejoinMs! - k.readyMs)
      const parts = c.announcementMs + c.delayMs + c.lookMs + c.killMs + c.inspectMs + c.readyMs + c.rejoinMs! + c.checksMs
      expect(parts).toBeLessThanOrEqual(c.totalMs)
    }
  })

  it('prints a line per kill and writes the kills, the jobs and the summary', () => {
    expect(lines.filter((l) => /^kill \d+\/3: node\d /.test(l))).toHaveLength(KILLS)
    const kills = readFileSync(join(out, 'kills.csv'), 'utf8').trimEnd().split('\n')
    expect(kills[0]!.split(',')).toContain('phase')
    expect(kills[0]!.split(',')).toContain('cycle_ready_ms')
    expect(kills).toHaveLength(KILLS + 1)
    const jobs = readFileSync(join(out, 'jobs.csv'), 'utf8').trimEnd().split('\n')
    expect(jobs[0]!.split(',')).toEqual(['job_id', 'kind', 'expected', 'submitter', 'status_node1', 'status_node2', 'status_node3'])
    expect(jobs.length - 1).toBe(figures.jobsDecided)
    expect(existsSync(join(out, 'summary.json'))).toBe(true)
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { figures: CrashLoopFigures, failures: unknown[] }
    expect(summary.failures).toEqual([])
    expect(summary.figures.kills).toBe(KILLS)
  })
})

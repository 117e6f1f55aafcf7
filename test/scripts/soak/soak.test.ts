/**
 * `npm run soak`, short: one minute of load on three real node processes
 * (one of them a liar) with a row of figures every three seconds. The run
 * must pass (every job right on every honest validator, no figure growing
 * beyond its limit after the warm-up) and leave a CSV and an SVG per figure
 * with the expected columns and rows, a job list and a summary. The long
 * form is the documented command (docs/soak.md), with the limits as they are.
 */
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { NODE, ROOT } from '../../../sim/cluster.ts'
import { FIGURES } from '../../../scripts/soak/figures.ts'

const out = mkdtempSync(join(tmpdir(), 'te-soak-test-'))
let code: number | null = null
let output = ''

/**
 * The growth limits are made for runs of an hour; a minute is still warm-up
 * (the first scene renders in the measurement workers, a heap between two
 * major collections grows by megabytes, and on a loaded machine jobs back up
 * and hold their blobs), so this run loosens them 150 times: resident memory
 * may grow up to 150 MiB a minute, the heap 75 MiB. A fitted slope is
 * step-sensitive: one measurement worker starting again (about 65 MiB of
 * resident memory) in the middle of the 45 s judged here fits as about
 * 1.5 × 65 / 0.75 = 130 MiB a minute, and a clean-clone CI run measured
 * 55 MiB a minute on one node at 30 times (a failure there, not growth), so
 * the scale leaves room for one such step and still fails on gross growth.
 * test/scripts/soak/growth.test.ts shows the check failing a growing series
 * at the real limits.
 */
const LIMIT_SCALE = 150

/** Hang guard of the whole run: a minute of load, start-up and the last jobs on a loaded machine (not a speed limit). */
const RUN_GUARD_MS = 540_000

function readCsv (name: string): string[][] {
  return readFileSync(join(out, name), 'utf8').trimEnd().split('\n').map((l) => l.split(','))
}

describe('npm run soak, one minute on three node processes', () => {
  beforeAll(async () => {
    const proc = spawn(NODE, [join(ROOT, 'scripts/soak.ts'), '--minutes', '1', '--nodes', '3', '--interval', '3', '--scene-every', '2', '--limit-scale', String(LIMIT_SCALE), '--out', out], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    proc.stdout.on('data', (d: Buffer) => { output += d.toString() })
    proc.stderr.on('data', (d: Buffer) => { output += d.toString() })
    code = await new Promise<number | null>((resolve) => proc.on('exit', resolve))
  }, RUN_GUARD_MS)
  afterAll(() => { rmSync(out, { recursive: true, force: true }) })

  it('passes: every job right on every honest validator, no figure above its limit', () => {
    expect({ code, failures: output.split('\n').filter((l) => l.startsWith('FAIL ') || l.startsWith('error ')) }).toEqual({ code: 0, failures: [] })
    expect(output).toContain('PASS')
  })

  it('writes a CSV and an SVG per figure, one column per node or one value, a row every interval', () => {
    for (const f of FIGURES) {
      const rows = readCsv(`${f.id}.csv`)
      expect(rows[0]).toEqual(['elapsed_minutes', ...(f.scope === 'node' ? ['node1', 'node2', 'node3'] : ['value'])])
      // One minute of load at a row every 3 s is 20 rows, plus the first, the settling of the last jobs and the last row.
      expect(rows.length - 1).toBeGreaterThanOrEqual(20)
      const minutes = rows.slice(1).map((r) => Number(r[0]))
      for (let i = 1; i < minutes.length; i++) expect(minutes[i]!).toBeGreaterThan(minutes[i - 1]!)
      const svg = readFileSync(join(out, `${f.id}.svg`), 'utf8')
      expect(svg.startsWith('<svg ')).toBe(true)
      expect(svg).toContain(f.title)
    }
  })

  it('reads the new gauges from real nodes: the LevelDB and blob folders grew with the jobs', () => {
    for (const id of ['store_bytes', 'blob_bytes', 'rss_bytes', 'heap_used_bytes', 'active_handles']) {
      const rows = readCsv(`${id}.csv`).slice(1)
      for (const k of [1, 2, 3]) {
        expect(Number(rows.at(-1)![k])).toBeGreaterThan(0)
        if (id === 'store_bytes' || id === 'blob_bytes') expect(Number(rows.at(-1)![k])).toBeGreaterThan(Number(rows[0]![k]))
      }
    }
  })

  it('lists every job, frames and scenes, passing and failing, each right on both honest validators', () => {
    const [header, ...jobs] = readCsv('jobs.csv')
    expect(header).toEqual(['index', 'kind', 'expected', 'submitter', 'job_id', 'submitted_at', 'latency_seconds', 'status_node1', 'status_node2', 'liar_vote', 'right', 'error'])
    expect(new Set(jobs.map((j) => `${j[1]}/${j[2]}`))).toEqual(new Set(['frames/validated', 'frames/rejected', 'scene/validated', 'scene/rejected']))
    for (const j of jobs) {
      expect(j[10]).toBe('true')
      expect([j[7], j[8]]).toEqual([j[2], j[2]])
      expect(['deviates', 'agrees', 'late', 'none']).toContain(j[9])
    }
    // The liar voted, and was flagged, on at least one job before gossip scoring pushed it out.
    expect(jobs.some((j) => j[9] === 'deviates')).toBe(true)
  })

  it('judges every checked figure of every node, and every one passed (a network figure may lack samples after the warm-up of so short a run)', () => {
    const [header, ...lines] = readCsv('summary.csv')
    expect(header!.slice(0, 11)).toEqual(['figure', 'series', 'unit', 'first', 'last', 'samples_checked', 'slope_per_minute', 'slope_low', 'slope_high', 'limit_per_minute', 'verdict'])
    for (const f of FIGURES) {
      const mine = lines.filter((l) => l[0] === f.id)
      expect(mine.length).toBe(f.scope === 'node' ? 3 : 1)
      for (const l of mine) {
        if (f.limit === null) expect(l[10]).toBe('recorded')
        else if (f.scope === 'node') expect(l[10]).toBe('pass')
        else expect(['pass', 'unjudged']).toContain(l[10])
      }
    }
    expect(existsSync(join(out, 'summary.json'))).toBe(true)
  })
})

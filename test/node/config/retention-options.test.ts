/**
 * The retention options of a node process: the config file's `retention`
 * object (optimizer reports and reputation history kept in LevelDB),
 * checked at the edge, merged field by field, and in force in a real
 * `trust-engine node` process (a history bound of two points keeps the two
 * newest).
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { ERR_CONFIG_INVALID, configFileToOptions, parseConfigFile } from '../../../node/config/config-file.ts'
import { DEFAULT_NODE_OPTIONS, ERR_OPTIONS_INVALID, resolveNodeOptions } from '../../../node/config/node-options.ts'
import { resolveNodeInit } from '../../../node/cli/commands/node.ts'
import { CLI, NODE, ROOT, readyLine, runCli, stopProcess, tempDir } from '../../../sim/cluster.ts'
import { degradedPng, testPng } from '../../../sim/images.ts'

const bytes = (o: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(o))
const codeOf = (fn: () => unknown): string | undefined => {
  try { fn(); return undefined } catch (err) { return (err as { code?: string }).code }
}

describe('retention options', () => {
  it('come from the config file, later sources winning field by field, absent fields left to their defaults', () => {
    const file = parseConfigFile(bytes({ retention: { maxOptimizerReports: 10, maxReputationPointsPerValidator: 50 } }))
    expect(resolveNodeOptions([configFileToOptions(file)], '/x').retention).toEqual({ maxOptimizerReports: 10, maxReputationPointsPerValidator: 50 })
    expect(resolveNodeOptions([configFileToOptions(file), { retention: { maxOptimizerReportBytes: 4096, maxOptimizerReports: 3 } }], '/x').retention)
      .toEqual({ maxOptimizerReports: 3, maxOptimizerReportBytes: 4096, maxReputationPointsPerValidator: 50 })
    expect(DEFAULT_NODE_OPTIONS.retention).toEqual({})
  })

  it('refuses unknown fields and values out of range', () => {
    expect(codeOf(() => parseConfigFile(bytes({ retention: { maxReports: 5 } })))).toBe(ERR_CONFIG_INVALID)
    expect(codeOf(() => parseConfigFile(bytes({ retention: { maxReputationPointsPerValidator: 0 } })))).toBe(ERR_CONFIG_INVALID)
    expect(codeOf(() => parseConfigFile(bytes({ retention: { maxOptimizerReportBytes: 10 } })))).toBe(ERR_CONFIG_INVALID)
    expect(codeOf(() => resolveNodeOptions([{ retention: { maxOptimizerReports: 1.5 } }], '/x'))).toBe(ERR_OPTIONS_INVALID)
  })

  it('set the pruning of decided jobs, checked with retention\'s own bounds', () => {
    const file = parseConfigFile(bytes({ retention: { decidedJobsMs: 2 * 86_400_000, pruneIntervalMs: 60_000, maxJobsPerPrune: 50, pruneDecidedJobs: true } }))
    expect(resolveNodeOptions([configFileToOptions(file), { retention: { pruneDecidedJobs: false } }], '/x').retention)
      .toEqual({ decidedJobsMs: 2 * 86_400_000, pruneIntervalMs: 60_000, maxJobsPerPrune: 50, pruneDecidedJobs: false })
    for (const bad of [
      { decidedJobsMs: 59_999 }, // shorter than a minute
      { decidedJobsMs: -1 },
      { decidedJobsMs: 86_400_000.5 },
      { decidedJobsMs: 11 * 365 * 86_400_000 }, // over ten years
      { pruneIntervalMs: 0 },
      { pruneIntervalMs: 2 * 86_400_000 },
      { maxJobsPerPrune: 0 },
      { pruneDecidedJobs: 'no' },
      { decidedJobs: 86_400_000 } // misspelt
    ]) {
      expect(codeOf(() => parseConfigFile(bytes({ retention: bad })))).toBe(ERR_CONFIG_INVALID)
      expect(codeOf(() => resolveNodeOptions([{ retention: bad as never }], '/x'))).toBe(ERR_OPTIONS_INVALID)
    }
  })
})

describe('the node command\'s start options', () => {
  const dir = tempDir('retention-init')
  afterAll(() => { rmSync(dir, { recursive: true, force: true }) })

  it('hand the config file\'s pruning fields to the node as retention options', async () => {
    const config = join(dir, 'config.json')
    writeFileSync(config, JSON.stringify({ dataDir: 'data', api: 'off', retention: { pruneDecidedJobs: false, decidedJobsMs: 3 * 86_400_000, pruneIntervalMs: 120_000, maxJobsPerPrune: 10, maxReputationPointsPerValidator: 5 } }))
    const init = await resolveNodeInit({ config })
    expect(init.retention).toEqual({ enabled: false, decidedJobsMs: 3 * 86_400_000, intervalMs: 120_000, maxJobsPerPass: 10 })
    expect(init.reputationHistory).toEqual({ maxPointsPerValidator: 5 })
    writeFileSync(config, JSON.stringify({ dataDir: 'data', api: 'off' }))
    expect((await resolveNodeInit({ config })).retention).toEqual({})
  })
})

describe('a trust-engine node process with retention options', () => {
  const dir = tempDir('retention-options')
  let proc: ChildProcess | null = null
  afterAll(async () => {
    if (proc !== null) await stopProcess(proc)
    rmSync(dir, { recursive: true, force: true })
  })

  it('keeps the two newest reputation points of its validator when bounded to two', async () => {
    const config = join(dir, 'config.json')
    writeFileSync(config, JSON.stringify({ dataDir: 'data', api: '127.0.0.1:0', logLevel: 'warn', retention: { maxReputationPointsPerValidator: 2 } }))
    proc = spawn(NODE, [CLI, 'node', '--config', config], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    const apiUrl = (await readyLine(proc)).apiUrl!
    writeFileSync(join(dir, 'a.png'), testPng(48, 48))
    const jobs: string[] = []
    for (const noise of [4, 8, 12]) {
      writeFileSync(join(dir, 'b.png'), degradedPng(48, 48, noise))
      const out = runCli(['submit', '--api', apiUrl, '--reference', join(dir, 'a.png'), '--candidate', join(dir, 'b.png'), '--wait', '--json'])
      expect(out.code).toBe(0)
      jobs.push((JSON.parse(out.stdout) as { jobId: string }).jobId)
    }
    const answer = (await (await fetch(`${apiUrl}/v1/reputation/history`)).json()) as { validators: Array<{ points: Array<{ seq: number, jobId: string }> }> }
    expect(answer.validators[0]!.points.map((p) => [p.seq, p.jobId])).toEqual([[2, jobs[2]], [1, jobs[1]]])
  })
})

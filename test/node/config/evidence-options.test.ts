/**
 * The evidence options of a node process: the config file's `evidence`
 * object, checked at the edge, merged field by field, and in force in a real
 * `trust-engine node` process (a bound of one job keeps only the newest).
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { ERR_CONFIG_INVALID, configFileToOptions, parseConfigFile } from '../../../node/config/config-file.ts'
import { DEFAULT_NODE_OPTIONS, ERR_OPTIONS_INVALID, resolveNodeOptions } from '../../../node/config/node-options.ts'
import { CLI, NODE, ROOT, readyLine, runCli, stopProcess, tempDir } from '../../../sim/cluster.ts'
import { degradedPng, testPng } from '../../../sim/images.ts'

const bytes = (o: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(o))
const codeOf = (fn: () => unknown): string | undefined => {
  try { fn(); return undefined } catch (err) { return (err as { code?: string }).code }
}

describe('evidence options', () => {
  it('come from the config file, later sources winning field by field, absent fields left to their defaults', () => {
    const file = parseConfigFile(bytes({ evidence: { maxJobs: 10, maxBytes: 1e6 } }))
    expect(resolveNodeOptions([configFileToOptions(file)], '/x').evidence).toEqual({ maxJobs: 10, maxBytes: 1e6 })
    expect(resolveNodeOptions([configFileToOptions(file), { evidence: { enabled: false, maxJobs: 3 } }], '/x').evidence).toEqual({ enabled: false, maxJobs: 3, maxBytes: 1e6 })
    expect(DEFAULT_NODE_OPTIONS.evidence).toEqual({})
  })

  it('refuses unknown fields and values that are not non-negative integers', () => {
    expect(codeOf(() => parseConfigFile(bytes({ evidence: { maxFiles: 5 } })))).toBe(ERR_CONFIG_INVALID)
    expect(codeOf(() => parseConfigFile(bytes({ evidence: { maxJobs: -1 } })))).toBe(ERR_CONFIG_INVALID)
    expect(codeOf(() => parseConfigFile(bytes({ evidence: { enabled: 'no' } })))).toBe(ERR_CONFIG_INVALID)
    expect(codeOf(() => resolveNodeOptions([{ evidence: { maxBytes: 1.5 } }], '/x'))).toBe(ERR_OPTIONS_INVALID)
  })
})

describe('a trust-engine node process with evidence options', () => {
  const dir = tempDir('evidence-options')
  let proc: ChildProcess | null = null
  afterAll(async () => {
    if (proc !== null) await stopProcess(proc)
    rmSync(dir, { recursive: true, force: true })
  })

  it('keeps the evidence of the newest job only when bounded to one', async () => {
    const config = join(dir, 'config.json')
    writeFileSync(config, JSON.stringify({ dataDir: 'data', api: '127.0.0.1:0', logLevel: 'warn', evidence: { maxJobs: 1 } }))
    proc = spawn(NODE, [CLI, 'node', '--config', config], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    const apiUrl = (await readyLine(proc)).apiUrl!
    writeFileSync(join(dir, 'a.png'), testPng(48, 48))
    writeFileSync(join(dir, 'b.png'), degradedPng(48, 48, 20))
    const jobs: string[] = []
    for (const candidate of ['a.png', 'b.png']) {
      const out = runCli(['submit', '--api', apiUrl, '--reference', join(dir, 'a.png'), '--candidate', join(dir, candidate), '--wait', '--json'])
      expect(out.code).toBe(0)
      jobs.push((JSON.parse(out.stdout) as { jobId: string }).jobId)
    }
    const first = await fetch(`${apiUrl}/v1/jobs/${jobs[0]}/evidence`)
    expect([first.status, ((await first.json()) as { error: { code: string } }).error.code]).toEqual([404, 'ERR_EVIDENCE_NOT_FOUND'])
    const second = await fetch(`${apiUrl}/v1/jobs/${jobs[1]}/evidence`)
    expect(second.status).toBe(200)
    expect(((await second.json()) as { jobId: string }).jobId).toBe(jobs[1])
  })
})

/**
 * The economy options of a node process: the config file's `economy` object
 * and `TRUST_ENGINE_ECONOMY_TZ` / `TRUST_ENGINE_ECONOMY_RESOURCE`, merged
 * field by field, checked at the edge, and in force in a real
 * `trust-engine node` process (its schedules are priced in that zone and on
 * that resource).
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { ERR_CONFIG_INVALID, configFileToOptions, parseConfigFile } from '../../../node/config/config-file.ts'
import { ERR_OPTIONS_INVALID, optionsFromEnv, resolveNodeOptions } from '../../../node/config/node-options.ts'
import type { ScheduleView } from '../../../node/types.ts'
import { CLI, NODE, ROOT, readyLine, stopProcess, tempDir } from '../../../sim/cluster.ts'
import { makeGlb } from '../../../sim/scenes.ts'

const bytes = (o: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(o))
const codeOf = (fn: () => unknown): string | undefined => {
  try { fn(); return undefined } catch (err) { return (err as { code?: string }).code }
}

describe('economy options of a node process', () => {
  it('come from the config file and the environment, the environment winning field by field', () => {
    const file = parseConfigFile(bytes({ economy: { calendar: { timeZone: 'Europe/Paris', weekendTier: null }, resource: { kind: 'datacenter', gridKgPerKwh: 0.3 } } }))
    expect(resolveNodeOptions([configFileToOptions(file)], '/x').economy).toEqual({
      calendar: { timeZone: 'Europe/Paris', weekendTier: null },
      resource: { kind: 'datacenter', gridKgPerKwh: 0.3 }
    })
    const env = optionsFromEnv({ TRUST_ENGINE_ECONOMY_TZ: 'Asia/Tokyo', TRUST_ENGINE_ECONOMY_RESOURCE: 'cloud' })
    expect(resolveNodeOptions([configFileToOptions(file), env], '/x').economy).toEqual({
      calendar: { timeZone: 'Asia/Tokyo', weekendTier: null },
      resource: { kind: 'cloud', gridKgPerKwh: 0.3 }
    })
    expect(resolveNodeOptions([], '/x').economy).toEqual({ calendar: {}, resource: {} })
  })

  it('are refused when malformed', () => {
    expect(codeOf(() => parseConfigFile(bytes({ economy: { calendar: { zone: 'UTC' } } })))).toBe(ERR_CONFIG_INVALID)
    expect(codeOf(() => parseConfigFile(bytes({ economy: { resource: { costPerHour: -1 } } })))).toBe(ERR_CONFIG_INVALID)
    expect(codeOf(() => parseConfigFile(bytes({ economy: { calendar: { hourTiers: ['peak'] } } })))).toBe(ERR_CONFIG_INVALID)
    expect(codeOf(() => resolveNodeOptions([optionsFromEnv({ TRUST_ENGINE_ECONOMY_RESOURCE: 'spaceship' })], '/x'))).toBe(ERR_OPTIONS_INVALID)
  })
})

describe('a trust-engine node process with economy options', () => {
  const dir = tempDir('economy-options')
  let proc: ChildProcess | null = null
  afterAll(async () => {
    if (proc !== null) await stopProcess(proc)
    rmSync(dir, { recursive: true, force: true })
  })

  it('prices its schedules in the configured zone and on the configured resource; an unknown zone stops it with ERR_SCHEDULE_INVALID', async () => {
    const config = join(dir, 'config.json')
    writeFileSync(config, JSON.stringify({ dataDir: 'data', api: '127.0.0.1:0', logLevel: 'warn', economy: { resource: { kind: 'edge', costPerHour: 0.07 } } }))
    proc = spawn(NODE, [CLI, 'node', '--config', config], { cwd: ROOT, env: { ...process.env, TRUST_ENGINE_ECONOMY_TZ: 'America/New_York' }, stdio: ['ignore', 'pipe', 'pipe'] })
    const apiUrl = (await readyLine(proc)).apiUrl!
    const up = await fetch(`${apiUrl}/v1/blobs`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: await makeGlb({ grids: [8] }) })
    const { sha256 } = await up.json() as { sha256: string }
    const r = await fetch(`${apiUrl}/v1/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'scene', reference: [sha256], candidate: [], profile: 'economy' }) })
    expect(r.status).toBe(202)
    const schedule = await r.json() as ScheduleView
    expect(schedule.report.timeZone).toBe('America/New_York')
    expect(schedule.report.resource).toEqual({ kind: 'edge', costPerHour: 0.07, powerKw: 0.03, gridKgPerKwh: 0.5 })
    expect(await stopProcess(proc)).toBe(0)

    proc = spawn(NODE, [CLI, 'node', '--config', config], { cwd: ROOT, env: { ...process.env, TRUST_ENGINE_ECONOMY_TZ: 'Mars/Olympus' }, stdio: ['ignore', 'pipe', 'pipe'] })
    let stderr = ''
    proc.stderr!.on('data', (d: Buffer) => { stderr += d.toString() })
    expect(await new Promise((r) => proc!.on('exit', r))).toBe(2)
    expect(stderr).toContain('error ERR_SCHEDULE_INVALID')
  })
})

/**
 * The single-node development network: `trust-engine node` with no network
 * file validates a job end to end, submitted with `trust-engine submit --wait`.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { CLI, NODE, ROOT, readyLine, runCli, stopProcess, tempDir } from '../../sim/cluster.ts'
import { degradedPng, testPng } from '../../sim/images.ts'

describe('single-node development network', () => {
  const dir = tempDir('dev')
  let proc: ChildProcess | null = null
  afterAll(async () => {
    if (proc !== null) await stopProcess(proc)
    rmSync(dir, { recursive: true, force: true })
  })

  it('validates an identical frame and rejects a degraded one, end to end through the CLI', async () => {
    proc = spawn(NODE, [CLI, 'node', '--data-dir', join(dir, 'data'), '--api', '127.0.0.1:0', '--log-level', 'warn'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    const ready = await readyLine(proc)
    const apiUrl = ready.apiUrl!
    expect(ready.networkId).toMatch(/^dev-[0-9a-f]{8}$/)
    writeFileSync(join(dir, 'a.png'), testPng(40, 40))
    writeFileSync(join(dir, 'b.png'), degradedPng(40, 40, 60))

    const same = runCli(['submit', '--api', apiUrl, '--reference', join(dir, 'a.png'), '--candidate', join(dir, 'a.png'), '--wait', '--json'])
    expect(same.code).toBe(0)
    const validated = JSON.parse(same.stdout) as { status: string, values: unknown, votes: unknown[] }
    expect(validated.status).toBe('validated')
    expect(validated.values).toEqual({ ssim: 1, psnr: 'Infinity', ssimLocal: 1 })
    expect(validated.votes).toHaveLength(1)

    const worse = runCli(['submit', '--api', apiUrl, '--reference', join(dir, 'a.png'), '--candidate', join(dir, 'b.png'), '--wait', '--json'])
    expect(worse.code).toBe(0)
    const rejected = JSON.parse(worse.stdout) as { status: string, values: { ssim: number, psnr: number } }
    expect(rejected.status).toBe('rejected')
    expect(rejected.values.psnr).toBeLessThan(35)

    expect(await stopProcess(proc)).toBe(0)
    const audit = runCli(['audit', 'verify', '--data-dir', join(dir, 'data')])
    expect(audit.code).toBe(0)
  })
})

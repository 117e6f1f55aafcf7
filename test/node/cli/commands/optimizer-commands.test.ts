import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { makeGlb } from '../../../../sim/scenes.ts'

const main = fileURLToPath(new URL('../../../../bin/trust-engine.js', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'trust-engine-cli-optimizer-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const cli = (...args: string[]): { status: number | null, stdout: string, stderr: string } => {
  const r = spawnSync(process.execPath, [main, ...args], { encoding: 'utf8' })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

const scene = join(dir, 'scene.glb')
writeFileSync(scene, await makeGlb({ grids: [40], texture: [64, 64], lights: 3 }))

describe('trust-engine analyze', () => {
  it('prints the analysis as JSON with exit code 0', () => {
    const r = cli('analyze', scene, '--json')
    expect(r.status).toBe(0)
    const a = JSON.parse(r.stdout)
    expect(a.stats.triangles).toBe(3200)
    expect(a.complexityClass).toBe('simple')
    expect(a.complexity).toBeGreaterThan(0)
    expect(a.routing.pipeline).toBe('baking')
  })
  it('exits 2 with the error code for a file that is not glTF', () => {
    const notScene = join(dir, 'not-a-scene.glb')
    writeFileSync(notScene, 'definitely not glTF')
    const a = cli('analyze', notScene)
    expect([a.status, a.stderr]).toEqual([2, expect.stringContaining('ERR_SCENE_NOT_GLTF')])
  })
})

describe('trust-engine optimize', () => {
  it('writes the optimized GLB and prints the report', () => {
    const out = join(dir, 'out.glb')
    const r = cli('optimize', scene, '-o', out, '--profile', 'economy', '--ratio', '0.5', '--json')
    expect(r.status).toBe(0)
    const report = JSON.parse(r.stdout)
    expect(report.after.triangles).toBeLessThan(report.before.triangles)
    expect(report.after.fileBytes).toBe(readFileSync(out).length)
    expect(report.profile).toBe('economy')
  })
  it('passes --lock-border and --sloppy to the simplifier, and refuses a sloppy error outside (0, 1]', () => {
    const out = join(dir, 'flags.glb')
    const locked = JSON.parse(cli('optimize', scene, '-o', out, '--profile', 'gaming', '--ratio', '0.05', '--error', '0.05', '--lock-border', '--json').stdout)
    const free = JSON.parse(cli('optimize', scene, '-o', out, '--profile', 'gaming', '--ratio', '0.05', '--error', '0.05', '--no-lock-border', '--json').stdout)
    expect(locked.after.triangles).toBeGreaterThan(free.after.triangles)
    const bad = cli('optimize', scene, '-o', join(dir, 'never-sloppy.glb'), '--sloppy', '2')
    expect([bad.status, bad.stderr]).toEqual([2, expect.stringContaining('ERR_BAD_ARGS')])
    expect(existsSync(join(dir, 'never-sloppy.glb'))).toBe(false)
  })
  it('--texture-format webp writes WebP textures with EXT_texture_webp required; another value exits 2', () => {
    const out = join(dir, 'webp.glb')
    const r = cli('optimize', scene, '-o', out, '--profile', 'balanced', '--texture-format', 'webp', '--json')
    expect(r.status).toBe(0)
    const glb = readFileSync(out)
    const json = JSON.parse(glb.subarray(20, 20 + glb.readUInt32LE(12)).toString('utf8'))
    expect(json.extensionsRequired).toContain('EXT_texture_webp')
    expect(json.images.map((i: { mimeType: string }) => i.mimeType)).toEqual(['image/webp'])
    const bad = cli('optimize', scene, '-o', join(dir, 'never-webp.glb'), '--texture-format', 'avif')
    expect([bad.status, bad.stderr]).toEqual([2, expect.stringContaining('ERR_BAD_ARGS')])
  })
  it('leaves no output and no temporary file behind on error', () => {
    const out = join(dir, 'never.glb')
    const bad = join(dir, 'truncated.glb')
    writeFileSync(bad, readFileSync(scene).subarray(0, 500))
    const r = cli('optimize', bad, '-o', out)
    expect([r.status, r.stderr]).toEqual([2, expect.stringContaining('ERR_SCENE_GLB_MALFORMED')])
    expect(existsSync(out)).toBe(false)
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([])
  })
})

describe('trust-engine schedule', () => {
  it('prints the cheapest slot and the cost report', () => {
    const r = cli('schedule', '--hours', '2', '--deadline', '+48h', '--now', '2026-01-07T10:00:00Z', '--json')
    expect(r.status).toBe(0)
    expect(JSON.parse(r.stdout)).toMatchObject({ startIso: '2026-01-08T00:00:00.000Z', baselineCostUsd: 2, scheduledCostUsd: 0.4, savingsPercent: 80 })
  })
  it('exits 2 with the code when the budget is too small', () => {
    const b = cli('schedule', '--hours', '2', '--deadline', '+48h', '--now', '2026-01-07T10:00:00Z', '--budget', '0.1')
    expect([b.status, b.stderr]).toEqual([2, expect.stringContaining('ERR_SCHEDULE_OVER_BUDGET')])
  })
})

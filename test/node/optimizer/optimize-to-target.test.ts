/**
 * Optimization to a quality target, measured by the network's renderer and
 * sampling: the chosen output really measures at or above the target, is the
 * smallest passing one the search measured, is reproducible from its rung's
 * settings, and an unreachable target fails with its code and no output.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { ERR_OPTIMIZER_OPTIONS_INVALID, ERR_OPTIMIZER_TARGET_UNREACHABLE } from '../../../node/optimizer/errors.ts'
import { optimizeScene } from '../../../node/optimizer/optimize.ts'
import { optimizeToTarget, TARGET_LADDER } from '../../../node/optimizer/optimize-to-target.ts'
import { measureScenes } from '../../../node/render/measure-scene.ts'
import { makeGlb } from '../../../sim/scenes.ts'
import { codeOfAsync } from '../../helpers/codes.ts'

const dir = mkdtempSync(join(tmpdir(), 'trust-engine-target-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const scene = await makeGlb({ grids: [24, 8], texture: [128, 128], copies: 2 })
// Few views keep the test quick; the search measures exactly as the CLI does otherwise.
const VIEWS = 6

describe('optimizeToTarget', () => {
  it('chooses the smallest measured output that passes, and it re-measures as passing', async () => {
    const target = { ssimMin: 0.98, psnrMin: 35 }
    const r = await optimizeToTarget(scene, target, { profile: 'balanced', views: VIEWS })
    const passing = r.search.steps.filter((s) => s.passed)
    expect(passing.length).toBeGreaterThan(0)
    expect(r.bytes.byteLength).toBe(Math.min(...passing.map((s) => s.bytes)))
    expect(r.search.steps[0]!.rung).toBe(TARGET_LADDER.length - 1)
    const m = await measureScenes(scene, r.bytes, { seed: r.search.seed, views: VIEWS })
    expect(m.metrics.ssim).toBeGreaterThanOrEqual(target.ssimMin)
    expect(m.metrics.psnr).toBeGreaterThanOrEqual(target.psnrMin)
    // The output is the chosen rung's optimization, byte for byte.
    const again = await optimizeScene(scene, { profile: 'balanced', ...TARGET_LADDER[r.search.chosen]! })
    expect(Buffer.compare(Buffer.from(again.bytes), Buffer.from(r.bytes))).toBe(0)
    expect(r.bytes.byteLength).toBeLessThan(scene.byteLength)
  })

  it('fails with ERR_OPTIMIZER_TARGET_UNREACHABLE when no setting meets the target, and refuses bad targets', async () => {
    expect(await codeOfAsync(() => optimizeToTarget(scene, { ssimMin: 1, psnrMin: 500 }, { views: VIEWS }))).toBe(ERR_OPTIMIZER_TARGET_UNREACHABLE)
    expect(await codeOfAsync(() => optimizeToTarget(scene, { ssimMin: 2, psnrMin: 35 }))).toBe(ERR_OPTIMIZER_OPTIONS_INVALID)
  })

  it('the CLI writes no output for an unreachable target and exits 2 with the code', () => {
    const input = join(dir, 'scene.glb')
    const out = join(dir, 'out.glb')
    writeFileSync(input, scene)
    const main = fileURLToPath(new URL('../../../bin/trust-engine.js', import.meta.url))
    const r = spawnSync(process.execPath, [main, 'optimize', input, '-o', out, '--target', 'ssim=1,psnr=500'], { encoding: 'utf8' })
    expect([r.status, r.stderr]).toEqual([2, expect.stringContaining(ERR_OPTIMIZER_TARGET_UNREACHABLE)])
    expect(existsSync(out)).toBe(false)
  })
})

import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { sha256Hex } from '../../../../protocol/hash.ts'
import { deriveSeed } from '../../../../protocol/sampling/prng.ts'
import { measureFrames } from '../../../../node/measure/measure-frames.ts'
import { addNoise, encodePng, scene } from '../../measure/fixtures.ts'
import { makeGlb } from '../../../../sim/scenes.ts'

const main = fileURLToPath(new URL('../../../../bin/trust-engine.js', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'trust-engine-cli-measure-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function cli (...args: string[]): { status: number | null, stdout: string, stderr: string } {
  const r = spawnSync(process.execPath, [main, 'measure', ...args], { encoding: 'utf8' })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

/** {@link cli} without blocking, so independent runs overlap. */
function cliAsync (...args: string[]): Promise<{ status: number | null, stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [main, 'measure', ...args], { stdio: ['ignore', 'ignore', 'pipe'] })
    let stderr = ''
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d })
    child.on('error', reject)
    child.on('close', (status) => resolve({ status, stderr }))
  })
}

function file (name: string, bytes: Uint8Array | string): string {
  const path = join(dir, name)
  writeFileSync(path, bytes)
  return path
}

const refFrames = [0, 1, 2].map((k) => encodePng(scene(96, 64, 2 * k)))
const candFrames = [0, 1, 2].map((k) => encodePng(addNoise(scene(96, 64, 2 * k), 6, `cli-${k}`)))
const ref = refFrames.map((b, k) => file(`ref-${k}.png`, b))
const cand = candFrames.map((b, k) => file(`cand-${k}.png`, b))

describe('trust-engine measure', () => {
  it('prints SSIM 1 and PSNR "Infinity" for identical PNGs', () => {
    const r = cli(ref[0]!, ref[0]!, '--json')
    expect(r.status).toBe(0)
    const out = JSON.parse(r.stdout)
    expect(out.input).toBe('frames')
    expect(out.metrics).toEqual({ ssim: 1, psnr: 'Infinity', ssimLocal: 1 })
    expect(out.intervals).toEqual({ ssim: [1, 1], psnr: ['Infinity', 'Infinity'], ssimLocal: [1, 1] })
    expect(out.samples).toBe(97)
    expect(out.plan.counts).toEqual({ frame: 1, region: 95, full: 1, temporal: 0 })
  })

  it('prints the same numbers as measureFrames for frame sets', async () => {
    const seed = deriveSeed('cli-test')
    const r = cli('--reference', ...ref, '--candidate', ...cand, '--seed', seed, '--complexity', '0.5', '--json', '--samples')
    expect(r.status).toBe(0)
    const out = JSON.parse(r.stdout)
    const m = await measureFrames(refFrames, candFrames, { seed, complexity: 0.5 })
    expect(out.metrics).toEqual(m.metrics)
    expect(out.intervals).toEqual(m.intervals)
    expect(out.samples).toBe(100)
    expect(out.plan.counts).toEqual({ frame: 3, region: 92, full: 3, temporal: 2 })
    expect(out.perSample.map((s: { ssim: number }) => s.ssim)).toEqual(m.perSample.map((s) => s.ssim))
    // Without --seed the seed comes from the inputs, so a rerun draws the same plan.
    const a = JSON.parse(cli(ref[1]!, cand[1]!, '--json').stdout)
    expect(a.seed).toBe(deriveSeed('trust-engine/measure-cli', 'frames', sha256Hex(refFrames[1]!), sha256Hex(candFrames[1]!)))
    expect(a.metrics).toEqual((await measureFrames([refFrames[1]!], [candFrames[1]!], { seed: a.seed })).metrics)
  })

  it('exits 1 below the thresholds and 0 above them', () => {
    const below = cli(ref[0]!, cand[0]!, '--thresholds', 'ssim=0.999')
    expect(below.status).toBe(1)
    expect(below.stdout).toContain('below')
    const above = cli(ref[0]!, cand[0]!, '--thresholds', 'ssim=0.5,psnr=20', '--json')
    expect(above.status).toBe(0)
    expect(JSON.parse(above.stdout).passes).toBe(true)
    // local SSIM has its own threshold: the same pair fails a local threshold above its value
    const local = JSON.parse(above.stdout).metrics.ssimLocal as number
    const belowLocal = cli(ref[0]!, cand[0]!, '--thresholds', `ssim=0.5,psnr=20,local=${Math.min(1, local + 1e-6)}`, '--json')
    expect(belowLocal.status).toBe(1)
    expect(JSON.parse(belowLocal.stdout).thresholds).toEqual({ ssimMin: 0.5, psnrMin: 20, ssimLocalMin: Math.min(1, local + 1e-6) })
  })

  it('exits 2 with the code for bad inputs', async () => {
    const other = file('other.png', encodePng(scene(97, 64)))
    const text = file('text.png', 'not a png at all')
    const cases: Array<[string[], string]> = [
      [[ref[0]!, other], 'ERR_PNG_SIZE_MISMATCH'],
      [[ref[0]!, text], 'ERR_PNG_SIGNATURE'],
      [[ref[0]!, join(dir, 'missing.png')], 'ERR_FILE_NOT_FOUND'],
      [[ref[0]!], 'ERR_BAD_ARGS'],
      [['--reference', ref[0]!, ref[1]!, '--candidate', cand[0]!], 'ERR_BAD_ARGS'],
      [[ref[0]!, cand[0]!, '--seed', 'Not-Hex'], 'ERR_BAD_ARGS'],
      [[ref[0]!, join(dir, 'scene.glb')], 'ERR_BAD_ARGS']
    ]
    const results = await Promise.all([...cases.map(([args]) => cliAsync(...args)), cliAsync('--no-such-flag')])
    cases.forEach(([args, code], i) => {
      expect([results[i]!.status, results[i]!.stderr], args.join(' ')).toEqual([2, expect.stringContaining(code)])
    })
    expect(results[cases.length]!.status).toBe(2)
  })

  it('dispatches a .glb pair to the scene measurement', async () => {
    const glb = file('scene.glb', await makeGlb({ grids: [4] }))
    const r = cli(glb, glb, '--json')
    expect(r.status).toBe(0)
    const out = JSON.parse(r.stdout)
    expect(out.input).toBe('scenes')
    expect(out.metrics).toEqual({ ssim: 1, psnr: 'Infinity', ssimLocal: 1 })
    expect(out.renderStats.renders).toBeGreaterThan(0)
  })
})

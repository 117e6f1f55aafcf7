/**
 * `trust-engine measure ORIGINAL.glb CANDIDATE.glb` end to end: a real CLI
 * process on real files, JSON output and exit codes.
 */
import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { gltfpack, sphereScene, toGlb } from './scenes.ts'

let dir = ''
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'trust-engine-measure-scene-'))
  const glb = await toGlb(sphereScene(40, 60, { bumpy: true }))
  await writeFile(join(dir, 'original.glb'), glb)
  await writeFile(join(dir, 'simplified.glb'), await gltfpack(glb, ['-si', '0.05', '-sa']))
  await writeFile(join(dir, 'broken.glb'), new TextEncoder().encode('glTF not really'))
})
afterAll(async () => { await rm(dir, { recursive: true, force: true }) })

function cli (args: string[]): Promise<{ code: number, stdout: string, stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['node/cli/main.ts', 'measure', ...args], { cwd: process.cwd(), maxBuffer: 1 << 24 }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : (typeof err.code === 'number' ? err.code : -1), stdout, stderr })
    })
  })
}

describe('trust-engine measure with scenes', () => {
  it('identical scenes: exit 0, SSIM 1, PSNR "Infinity" in JSON', async () => {
    const r = await cli([join(dir, 'original.glb'), join(dir, 'original.glb'), '--json', '--complexity', '0', '--thresholds', 'ssim=0.98,psnr=35'])
    expect(r.code).toBe(0)
    const out = JSON.parse(r.stdout)
    expect(out.input).toBe('scenes')
    expect(out.metrics).toEqual({ ssim: 1, psnr: 'Infinity', ssimLocal: 1 })
    expect(out.samples).toBe(97)
    expect(out.passes).toBe(true)
  })

  it('a heavily simplified candidate is below the thresholds: exit 1', async () => {
    const r = await cli([join(dir, 'original.glb'), join(dir, 'simplified.glb'), '--json', '--complexity', '0', '--thresholds', 'ssim=0.98,psnr=35'])
    expect(r.code).toBe(1)
    expect(JSON.parse(r.stdout).passes).toBe(false)
  })

  it('an invalid scene file: exit 2 with a typed error code', async () => {
    const r = await cli([join(dir, 'original.glb'), join(dir, 'broken.glb')])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/ERR_SCENE_[A-Z_]+/)
  })
})

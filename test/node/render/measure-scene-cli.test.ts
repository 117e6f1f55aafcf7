/**
 * `trust-engine measure ORIGINAL.glb CANDIDATE.glb` end to end: a real CLI
 * process on real files, JSON output and exit codes.
 */
import { execFile } from 'node:child_process'
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { PNG } from 'pngjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEFAULT_EVIDENCE_OPTIONS } from '../../../node/measure/evidence.ts'
import { encodeEvidence } from '../../../node/measure/evidence-files.ts'
import { framesEvidence } from '../../../node/measure/frames-evidence.ts'
import { measureFrames } from '../../../node/measure/measure-frames.ts'
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
    execFile(process.execPath, ['bin/trust-engine.js', 'measure', ...args], { cwd: process.cwd(), maxBuffer: 1 << 24 }, (err, stdout, stderr) => {
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

  it('--evidence writes the worst and seeded random samples as PNG with a manifest and an index page, the same on every run', async () => {
    const ev = join(dir, 'evidence')
    const r = await cli([join(dir, 'original.glb'), join(dir, 'simplified.glb'), '--json', '--samples', '--complexity', '0', '--evidence', ev])
    expect(r.code).toBe(0)
    const out = JSON.parse(r.stdout)
    const manifest = JSON.parse(await readFile(join(ev, 'manifest.json'), 'utf8'))
    expect(manifest).toMatchObject({ version: 1, input: 'scenes', seed: out.seed, metrics: out.metrics })
    expect(manifest.samples.map((s: { reason: string }) => s.reason)).toEqual(['worst', 'worst', 'worst', 'worst', 'random', 'random'])
    // the worst samples come first, in order, and are the lowest worst tiles of the measurement
    const worst = manifest.samples.slice(0, 4).map((s: { worstTile: number }) => s.worstTile)
    expect(worst).toEqual([...worst].sort((a, b) => a - b))
    expect(worst[0]).toBe(Math.min(...out.perSample.map((s: { worstTile: number }) => s.worstTile)))
    for (const s of manifest.samples) {
      const png = (name: string): PNG => PNG.sync.read(Buffer.from(readFileSync(join(ev, name))))
      const ref = png(s.files.reference); const cand = png(s.files.candidate); const map = png(s.files.ssimMap); const diff = png(s.files.difference)
      expect([cand.width, cand.height, diff.width, diff.height]).toEqual([ref.width, ref.height, ref.width, ref.height])
      expect([map.width, map.height]).toEqual([ref.width - 10, ref.height - 10])
    }
    const files = (await readdir(ev)).sort()
    expect(files).toHaveLength(2 + 4 * 6)
    const html = await readFile(join(ev, 'index.html'), 'utf8')
    for (const s of manifest.samples) expect(html).toContain(`src="${s.files.ssimMap as string}"`)
    // deterministic: a second run writes the same manifest
    const again = join(dir, 'evidence-again')
    await cli([join(dir, 'original.glb'), join(dir, 'simplified.glb'), '--complexity', '0', '--evidence', again])
    expect(await readFile(join(again, 'manifest.json'), 'utf8')).toBe(await readFile(join(ev, 'manifest.json'), 'utf8'))
    expect(await readFile(join(again, 'sample-0-difference.png'))).toEqual(await readFile(join(ev, 'sample-0-difference.png')))
  })

  it('--evidence with PNG frames writes the files a node keeps for the same frames job: the same manifest and images', async () => {
    // A 96 × 64 gradient, and the same with a dark square: the worst samples are where the square is.
    const frame = (square: boolean): Buffer => {
      const png = new PNG({ width: 96, height: 64 })
      for (let y = 0; y < 64; y++) {
        for (let x = 0; x < 96; x++) {
          const i = (y * 96 + x) * 4
          const dark = square && x >= 40 && x < 56 && y >= 20 && y < 36
          png.data[i] = dark ? 20 : x * 2; png.data[i + 1] = dark ? 20 : y * 3; png.data[i + 2] = 128; png.data[i + 3] = 255
        }
      }
      return PNG.sync.write(png)
    }
    await writeFile(join(dir, 'a.png'), frame(false))
    await writeFile(join(dir, 'b.png'), frame(true))
    const ev = join(dir, 'frames-evidence')
    const r = await cli([join(dir, 'a.png'), join(dir, 'b.png'), '--json', '--evidence', ev])
    expect(r.code).toBe(0)
    const out = JSON.parse(r.stdout)
    const manifest = JSON.parse(await readFile(join(ev, 'manifest.json'), 'utf8'))
    expect(manifest).toMatchObject({ version: 1, input: 'frames', seed: out.seed, metrics: out.metrics })
    expect(manifest.samples[0].reason).toBe('worst')
    // What a node writes for this measurement (node/wiring/measure-port.ts): the same files, byte for byte.
    const bytes = [new Uint8Array(frame(false))]
    const cand = [new Uint8Array(frame(true))]
    const m = await measureFrames(bytes, cand, { seed: out.seed })
    const node = encodeEvidence({ input: 'frames', seed: out.seed, metrics: m.metrics, perSample: m.perSample, evidence: await framesEvidence(bytes, cand, m, out.seed, DEFAULT_EVIDENCE_OPTIONS) })
    expect((await readdir(ev)).sort()).toEqual(node.files.map((f) => f.name).sort())
    for (const f of node.files) expect(Buffer.from(await readFile(join(ev, f.name))).equals(Buffer.from(f.bytes))).toBe(true)
  })

  it('an invalid scene file: exit 2 with a typed error code', async () => {
    const r = await cli([join(dir, 'original.glb'), join(dir, 'broken.glb')])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/ERR_SCENE_[A-Z_]+/)
  })
})

/**
 * Golden renders: the sha256 of the RGBA pixels of each generated scene,
 * pinned after checking the images by eye. Any change to the renderer's
 * arithmetic changes these hashes — which is the point: honest verifiers must
 * agree to the last bit, so a change here is a protocol change.
 */
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { beforeAll, describe, expect, it } from 'vitest'
import { type GoldenCase, goldenCases, pixelHash, renderCase } from './golden-cases.ts'

const GOLDEN: Record<string, string> = {
  cube: '20d1dab2d272a4fe97d8ff740d92e669b97b8fc1bf6c6f3fcfa9f7e6e5834b95',
  'textured-quad': 'ffeaf18097b171d2ce00ef62c7bb752cf7dd96729647291806cb0d15c03fff94',
  'mask-quad': 'ffadd3c3c08791b3d25099dd8f49ae6f6e3a8c8d3884facde922a98642301406',
  hierarchy: 'd7335ff8805d3a8a4d3b84dfdf8977a3baa91a19c2df47165751032b21100a60',
  // quantize() keeps ±0.5 exactly, so the quantized cube renders the same pixels as the float one
  quantized: '20d1dab2d272a4fe97d8ff740d92e669b97b8fc1bf6c6f3fcfa9f7e6e5834b95',
  meshopt: '731969bed6e28d13b025a23bfeded94e6935a7e35d41bed16866c9b5d8a2df4b',
  instanced: '5b91a1fec20dfa82c6f32644d4705840ace376b5133f435e993b6f852c1bf77b'
}

let cases: GoldenCase[] = []
beforeAll(async () => { cases = await goldenCases() })

describe('golden renders', () => {
  it('every case renders to its pinned pixel hash', () => {
    const got = Object.fromEntries(cases.map((c) => [c.name, pixelHash(renderCase(c).image.data)]))
    expect(got).toEqual(GOLDEN)
  })

  it('rendering twice in one process gives the same pixels', () => {
    for (const c of cases) expect(pixelHash(renderCase(c).image.data)).toBe(pixelHash(renderCase(c).image.data))
  })

  it('the files exercise the extensions they are meant to', () => {
    const byName = Object.fromEntries(cases.map((c) => [c.name, c.scene]))
    expect(byName.quantized!.extensionsUsed).toContain('KHR_mesh_quantization')
    expect(byName.meshopt!.extensionsUsed).toContain('KHR_mesh_quantization') // meshopt itself is unpacked before loading
    expect(byName.instanced!.extensionsUsed).toContain('EXT_mesh_gpu_instancing')
    expect(byName.instanced!.triangleCount).toBe(12 * 12)
    expect(byName.meshopt!.triangleCount).toBeGreaterThan(1000)
  })

  it('a separate process renders bit-identical pixels', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['test/node/render/render-child.ts'], { cwd: process.cwd(), maxBuffer: 1 << 20 })
    expect(JSON.parse(stdout)).toEqual(GOLDEN)
  })
})

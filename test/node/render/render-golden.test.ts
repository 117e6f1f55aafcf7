/**
 * Golden renders: the sha256 of the RGBA pixels of each generated scene,
 * pinned after checking the images by eye. Any change to the renderer's
 * arithmetic changes these hashes — which is the point: honest verifiers must
 * agree to the last bit, so a change here is a protocol change.
 */
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { Worker } from 'node:worker_threads'
import { beforeAll, describe, expect, it } from 'vitest'
import { loadRenderScene } from '../../../node/render/load.ts'
import { type GoldenCase, goldenCases, pixelHash, renderCase } from './golden-cases.ts'
import { pbrScene } from './pbr-scenes.ts'
import { toGlb } from './scenes.ts'

const GOLDEN: Record<string, string> = {
  cube: '5e51728f97916786042c6b42f1c6ae9fae5c1b6df3aef03b0d508df9036ee9d0',
  'textured-quad': '1a2e8f5967949319a94cee5738cbe84414dd4556ea305f7feee3c6fd6221180e',
  'mask-quad': '4a25c68aae8accd5d502944321e4f3474c9c18689d490b09586bb6eb9e9327ea',
  hierarchy: '596dcf1c0b8a7348429399f457dd9c1a4492ab3b0a9bdeedb5315df416407795',
  // quantize() keeps ±0.5 exactly, so the quantized cube renders the same pixels as the float one
  quantized: '5e51728f97916786042c6b42f1c6ae9fae5c1b6df3aef03b0d508df9036ee9d0',
  meshopt: 'ec575066043ed2bfa5771a52dd68b161c0997a3a184c484b5767c416954f149a',
  instanced: '7159b5cda9a1966ffb1687aecd2b6205912e057f4542aa4ac0668e5d9c58daec',
  'pbr-showcase': '7bf9cd2d4c5d2f9ac999342b2ff5ffdcd9ccbf23ac98d4251c569c25ebf04ff4',
  'pbr-mikktspace': 'd1f784c3de029db69d10989631017a8cb4b46845a6d33461b235bbee4c7e756a',
  'pbr-lights': '20718ff49414b15dbdd5529a8e60da2972eccb8a290771c1637816e9b635d930',
  'pbr-layered': 'db2b0fef87fc0d552db93dcf674829b5bd52877ab4835c191d82d4dacd15c2e2'
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
    for (const ext of ['KHR_materials_clearcoat', 'KHR_materials_specular', 'KHR_materials_ior', 'KHR_materials_transmission']) expect(byName['pbr-layered']!.extensionsUsed).toContain(ext)
  })

  it('the layered case\'s extensions change its pixels', async () => {
    const layered = cases.find((c) => c.name === 'pbr-layered')!
    const plain = { ...layered, scene: await loadRenderScene(await toGlb(pbrScene({ rings: 16 })), { maxTexturePixels: 1 << 24 }) }
    expect(pixelHash(renderCase(plain).image.data)).not.toBe(GOLDEN['pbr-layered'])
  })

  it('a worker thread renders bit-identical pixels', async () => {
    const got = await new Promise<unknown>((resolve, reject) => {
      const w = new Worker(new URL('./render-worker.ts', import.meta.url))
      w.once('message', resolve)
      w.once('error', reject)
    })
    expect(got).toEqual(GOLDEN)
  })

  it('a separate process renders bit-identical pixels', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['test/node/render/render-child.ts'], { cwd: process.cwd(), maxBuffer: 1 << 20 })
    expect(JSON.parse(stdout)).toEqual(GOLDEN)
  })
})

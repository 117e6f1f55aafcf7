/**
 * The committed scene fixtures (test/fixtures/scenes, see its README): a JSON
 * glTF written by glTF-Transform and its gltfpack-compressed GLB. Analysis,
 * the Khronos validator, the optimizer and scene measurement on files from
 * real tools.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import validator from 'gltf-validator'
import { analyzeScene, optimizeScene } from '../../node/optimizer/index.ts'
import { measureScenes } from '../../node/render/measure-scene.ts'

const dir = join(import.meta.dirname, '../fixtures/scenes')
const gltf = new Uint8Array(readFileSync(join(dir, 'still-life.gltf')))
const packed = new Uint8Array(readFileSync(join(dir, 'still-life.packed.glb')))

async function validatorErrors (bytes: Uint8Array): Promise<number> {
  const report = await validator.validateBytes(bytes, { maxIssues: 100 })
  return report.issues.numErrors
}

describe('committed scene fixtures', () => {
  it('both files pass the Khronos validator, and the packed one uses meshopt compression and quantization', async () => {
    expect(await validatorErrors(gltf)).toBe(0)
    expect(await validatorErrors(packed)).toBe(0)
    const jsonLength = new DataView(packed.buffer, packed.byteOffset).getUint32(12, true)
    const json = JSON.parse(new TextDecoder().decode(packed.subarray(20, 20 + jsonLength))) as { extensionsUsed: string[] }
    expect(json.extensionsUsed).toEqual(expect.arrayContaining(['EXT_meshopt_compression', 'KHR_mesh_quantization', 'KHR_lights_punctual']))
  })

  it('analysis reads what the file holds', async () => {
    const a = await analyzeScene(gltf)
    expect(a.stats.triangles).toBe(2 * 12 * 12 + 2 * 20 * 20)
    expect(a.stats.materials).toBe(2)
    expect(a.stats.textures).toBe(1)
    expect(a.stats.lights).toBe(1)
    expect(a.stats.animations).toBe(1)
    expect(a.complexityClass).toBe('simple')
  })

  it('the optimizer makes a smaller, validator-clean scene, byte-identical on a second run', async () => {
    const one = await optimizeScene(gltf, { profile: 'balanced', ratio: 0.5 })
    const two = await optimizeScene(gltf, { profile: 'balanced', ratio: 0.5 })
    expect(Buffer.compare(one.bytes, two.bytes)).toBe(0)
    expect(one.report.after.triangles).toBeLessThan(one.report.before.triangles)
    expect(await validatorErrors(one.bytes)).toBe(0)
  })

  it('gltfpack\'s packing (quantized, meshopt-compressed) measures above the thresholds, with temporal samples of the animation', async () => {
    const m = await measureScenes(gltf, packed, { seed: 'ab'.repeat(32) })
    expect(m.metrics.ssim).toBeGreaterThan(0.98)
    expect(m.metrics.psnr).toBeGreaterThan(35)
    expect(m.plan.animated).toBe(true)
    expect(m.perSample.some((s) => s.kind === 'temporal')).toBe(true)
  })
})

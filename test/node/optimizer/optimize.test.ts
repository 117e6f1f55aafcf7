import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import validator from 'gltf-validator'
import { afterAll, describe, expect, it } from 'vitest'
import { analyzeScene } from '../../../node/optimizer/analyze.ts'
import { ERR_OPTIMIZER_OPTIONS_INVALID, ERR_SCENE_NOT_GLTF } from '../../../node/optimizer/errors.ts'
import { loadSceneSafely } from '../../../node/scene/load-scene.ts'
import { OPTIMIZER_GENERATOR, optimizeScene } from '../../../node/optimizer/optimize.ts'
import { makeGlb, makeGltfJson } from '../../../sim/scenes.ts'

const dir = mkdtempSync(join(tmpdir(), 'trust-engine-optimize-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex')

/** Errors reported by the Khronos glTF validator. */
async function validatorErrors (bytes: Uint8Array): Promise<string[]> {
  const report = await validator.validateBytes(bytes)
  return report.issues.messages.filter((m) => m.severity === 0).map((m) => `${m.code} ${m.pointer ?? ''}`)
}

const staticScene = await makeGlb({ grids: [60, 30], copies: 5, texture: [300, 200], lights: 6 })
const dynamicScene = await makeGlb({ grids: [40, 20], animation: 30, skin: true, morph: true, transmission: true, volume: true, texture: [32, 32] })

describe('optimizeScene', () => {
  it('gives byte-identical output in two runs and in a child process', async () => {
    const options = { profile: 'balanced' as const, ratio: 0.4 }
    const a = await optimizeScene(staticScene, options)
    const b = await optimizeScene(Uint8Array.from(staticScene), options)
    expect(sha(b.bytes)).toBe(sha(a.bytes))
    expect(b.report).toEqual(a.report)
    const input = join(dir, 'static.glb')
    writeFileSync(input, staticScene)
    const child = fileURLToPath(new URL('./optimize-child.ts', import.meta.url))
    const out = execFileSync(process.execPath, [child, input, JSON.stringify(options)], { encoding: 'utf8' }).trim()
    expect(out).toBe(sha(a.bytes))
    expect(a.report.outputHash).toBe(sha(a.bytes))
  })

  it('writes output that the Khronos validator accepts with zero errors, for every profile', async () => {
    for (const profile of ['quality', 'balanced', 'economy', 'realtime', 'archviz', 'gaming', 'ai_training'] as const) {
      for (const scene of [staticScene, dynamicScene]) {
        const { bytes } = await optimizeScene(scene, { profile })
        expect(await validatorErrors(bytes), profile).toEqual([])
      }
    }
  })

  it('makes the scene strictly smaller (triangles and bytes) for a ratio below 1, near the target ratio', async () => {
    const { bytes, report } = await optimizeScene(staticScene, { profile: 'gaming', ratio: 0.5, error: 0.05 })
    expect(report.after.triangles).toBeLessThan(report.before.triangles)
    expect(report.after.fileBytes).toBeLessThan(report.before.fileBytes)
    expect(bytes.byteLength).toBe(report.after.fileBytes)
    expect(report.ratios.triangles).toBeGreaterThan(0.4)
    expect(report.ratios.triangles).toBeLessThanOrEqual(0.5)
    // The report's "after" is what the output really contains.
    const reread = await analyzeScene(bytes)
    expect(reread.stats.triangles).toBe(report.after.triangles)
    expect(reread.stats.drawCalls).toBe(report.after.drawCalls)
  })

  it('reports the route, its reasons, the operations and the estimates', async () => {
    const { report } = await optimizeScene(staticScene, { profile: 'balanced' })
    expect(report.routing.pipeline).toBe('baking')
    expect(report.routing.reasons.length).toBeGreaterThan(0)
    expect(report.operations.map((o) => o.name)).toEqual(['dedup', 'instance', 'flatten', 'join', 'weld', 'simplify', 'prune', 'textures', 'quantize', 'reorder', 'prune'])
    // Six nodes share one mesh and one material: instancing + joining leaves 2 draws (instanced grid + joined rest).
    expect(report.before.drawCalls).toBe(7)
    expect(report.after.drawCalls).toBeLessThan(report.before.drawCalls)
    expect(report.estimates.costUsd).toBe(0.5)
    expect(report.options).toMatchObject({ ratio: 0.5, maxTextureSize: 2048 })
  })

  it('keeps the hierarchy of a dynamic scene (3dgs route) and its animation, skin and morph target', async () => {
    const { bytes, report } = await optimizeScene(dynamicScene, { profile: 'gaming' })
    expect(report.routing.pipeline).toBe('3dgs')
    expect(report.operations.map((o) => o.name)).not.toContain('join')
    const after = await analyzeScene(bytes)
    expect(after.stats).toMatchObject({ animations: 1, skins: 1, morphTargets: 1, volumeMaterials: 1, transmissionMaterials: 1 })
  })

  it('resizes textures above the profile limit with the area filter and re-encodes them as PNG when lossless', async () => {
    const { bytes, report } = await optimizeScene(staticScene, { profile: 'economy', maxTextureSize: 100, textureQuality: false, textureFormat: 'core' })
    const loaded = await loadSceneSafely(bytes)
    expect(loaded.images).toEqual([{ mimeType: 'image/png', width: 100, height: 67 }])
    // With the profile's WebP output, the smaller lossless format is lossless WebP.
    const webp = await optimizeScene(staticScene, { profile: 'economy', maxTextureSize: 100, textureQuality: false })
    expect((await loadSceneSafely(webp.bytes)).images).toEqual([{ mimeType: 'image/webp', width: 100, height: 67 }])
    expect(report.after.textureMemoryBytes).toBe(Math.ceil(100 * 67 * 4 * 4 / 3))
    expect(report.operations.find((o) => o.name === 'textures')?.detail).toContain('1 resized')
  })

  it('never copies a mesh that several nodes share when joining (ai_training: no instancing, baking route)', async () => {
    const shared = await makeGlb({ grids: [30, 10], copies: 6 })
    const { report } = await optimizeScene(shared, { profile: 'ai_training' })
    expect(report.routing.pipeline).toBe('baking')
    expect(report.after.geometryBytes).toBeLessThanOrEqual(report.before.geometryBytes)
    expect(report.after.fileBytes).toBeLessThanOrEqual(report.before.fileBytes)
  })

  it('reports the requested and the achieved simplification ratio', async () => {
    const { report } = await optimizeScene(staticScene, { profile: 'balanced', ratio: 0.3 })
    expect(report.simplification?.requested).toBe(0.3)
    expect(report.simplification?.achieved).toBeCloseTo(report.ratios.triangles, 1)
  })

  it('quality keeps every triangle; ai_training keeps float geometry', async () => {
    const q = await optimizeScene(staticScene, { profile: 'quality' })
    expect(q.report.after.triangles).toBe(q.report.before.triangles)
    const t = await optimizeScene(staticScene, { profile: 'ai_training' })
    expect(t.report.operations.map((o) => o.name)).not.toContain('quantize')
    expect((await loadSceneSafely(t.bytes)).document.getRoot().listExtensionsUsed().map((e) => e.extensionName)).not.toContain('KHR_mesh_quantization')
  })

  it('writes a fixed generator string (no library version, no time)', async () => {
    const { bytes } = await optimizeScene(await makeGltfJson({ grids: [8] }), { profile: 'balanced' })
    const jsonLength = new DataView(bytes.buffer, bytes.byteOffset).getUint32(12, true)
    const json = JSON.parse(new TextDecoder().decode(bytes.subarray(20, 20 + jsonLength)))
    expect(json.asset).toEqual({ generator: OPTIMIZER_GENERATOR, version: '2.0' })
  })

  it('rejects bad options and bad scenes with typed errors', async () => {
    await expect(optimizeScene(staticScene, { profile: 'balanced', ratio: 0 })).rejects.toMatchObject({ code: ERR_OPTIMIZER_OPTIONS_INVALID })
    await expect(optimizeScene(staticScene, { profile: 'balanced', ratio: 1.5 })).rejects.toMatchObject({ code: ERR_OPTIMIZER_OPTIONS_INVALID })
    await expect(optimizeScene(staticScene, { profile: 'nope' as never })).rejects.toMatchObject({ code: ERR_OPTIMIZER_OPTIONS_INVALID })
    await expect(optimizeScene(new TextEncoder().encode('not a scene'), { profile: 'balanced' })).rejects.toMatchObject({ code: ERR_SCENE_NOT_GLTF })
  })
})

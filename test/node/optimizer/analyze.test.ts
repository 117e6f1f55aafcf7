import { describe, expect, it } from 'vitest'
import { SceneAnalyzer, analyzeScene } from '../../../node/optimizer/analyze.ts'
import { ERR_OPTIMIZER_OPTIONS_INVALID } from '../../../node/optimizer/errors.ts'
import { makeGlb, makeGltfJson } from '../../../sim/scenes.ts'

describe('analyzeScene on generated scenes', () => {
  it('counts triangles, vertices, draw calls, materials, textures and lights of a static scene', async () => {
    // Grids of 10 and 20 segments: 200 + 800 triangles; the first mesh reused by 3 more nodes.
    const a = await analyzeScene(await makeGlb({ grids: [10, 20], copies: 3, texture: [64, 32], lights: 7, materialPerGrid: true }))
    expect(a.stats).toMatchObject({
      triangles: 200 * 4 + 800,
      vertices: 121 * 4 + 441,
      drawCalls: 5,
      meshes: 2,
      materials: 2,
      textures: 1,
      textureSizes: [[64, 32]],
      textureMemoryBytes: Math.ceil(64 * 32 * 4 * 4 / 3),
      lights: 7,
      dynamic: false,
      dynamicRatio: 0,
      transparency: false,
      volumetrics: false
    })
    expect(a.complexityClass).toBe('simple')
    expect(a.bakingPotential).toBeCloseTo(1, 12)
    expect(a.routing.pipeline).toBe('baking')
    expect(a.complexity).toBeCloseTo(0.3 * 1600 / 10_000_000 + 0.2 * 2 / 1000 + 0.15 * 7 / 100 + 0.15 * 1 / 500, 12)
    expect(a.stats.fileBytes).toBeGreaterThan(0)
    expect(a.stats.gpuMemoryBytes).toBe(a.stats.geometryBytes + a.stats.textureMemoryBytes)
  })

  it('finds animations, skins and morph targets (dynamic) and the share of moving triangles', async () => {
    const a = await analyzeScene(await makeGlb({ grids: [10, 30], animation: 24, skin: true, morph: true }))
    expect(a.stats).toMatchObject({ animations: 1, animationChannels: 1, keyframes: 24, animationFrames: 24, skins: 1, morphTargets: 1, dynamic: true })
    // Only the first grid (200 of 2000 triangles) is skinned and morphed.
    expect(a.stats.dynamicTriangles).toBe(200)
    expect(a.dynamicRatio).toBeCloseTo(0.1, 12)
    expect(a.realtimeRequirement).toBe(0.8)
    expect(a.routing.primary).toBe('hybrid')
  })

  it('finds transparency (BLEND, transmission) and volumetrics', async () => {
    const t = await analyzeScene(await makeGlb({ grids: [4], transmission: true }))
    expect(t.stats).toMatchObject({ transmissionMaterials: 1, transparency: true, volumetrics: false })
    const b = await analyzeScene(await makeGlb({ grids: [4], blend: true }))
    expect(b.stats.alphaModes).toEqual({ OPAQUE: 0, MASK: 0, BLEND: 1 })
    expect(b.stats.transparency).toBe(true)
    const v = await analyzeScene(await makeGlb({ grids: [4], volume: true, transmission: true }))
    expect(v.stats).toMatchObject({ volumeMaterials: 1, volumetrics: true })
    expect(v.routing.primary).toBe('3dgs')
    expect(v.hints).toContain('transparency combined with volumetrics is expensive to render')
  })

  it('classifies a real 100K+ triangle scene as moderate', async () => {
    // 224 segments: 2 x 224^2 = 100,352 triangles.
    const a = await analyzeScene(await makeGlb({ grids: [224] }))
    expect(a.stats.triangles).toBe(100_352)
    expect(a.complexityClass).toBe('moderate')
    expect(a.lodPotential).toBe(0.6)
    expect(a.estimates.costUsd).toBe(1.5)
  })

  it('analyzes .gltf JSON the same as the GLB of the same scene', async () => {
    const spec = { grids: [6], texture: [16, 16] as [number, number], lights: 2 }
    const a = await analyzeScene(await makeGlb(spec))
    const b = await analyzeScene(await makeGltfJson(spec))
    expect(b.format).toBe('gltf')
    expect({ ...b.stats, fileBytes: 0 }).toEqual({ ...a.stats, fileBytes: 0 })
  })

  it('applies the profile override', async () => {
    const bytes = await makeGlb({ grids: [10], animation: 10 })
    expect((await analyzeScene(bytes, { profile: 'realtime' })).routing.pipeline).toBe('3dgs')
  })

  it('caches by content hash and options, bounded', async () => {
    const analyzer = new SceneAnalyzer({ cacheSize: 2 })
    const one = await makeGlb({ grids: [3] })
    const two = await makeGlb({ grids: [5] })
    const first = await analyzer.analyze(one)
    const again = await analyzer.analyze(Uint8Array.from(one))
    expect(again).toEqual(first)
    expect([analyzer.hits, analyzer.misses]).toEqual([1, 1])
    await analyzer.analyze(one, { profile: 'economy' })
    await analyzer.analyze(two)
    expect(analyzer.cacheSize).toBe(2)
    await analyzer.analyze(one) // evicted (least recently used) -> computed again
    expect([analyzer.hits, analyzer.misses]).toEqual([1, 4])
    // Returned analyses are copies: changing one does not change the cache.
    again.stats.triangles = -1
    expect((await analyzer.analyze(one)).stats.triangles).toBe(first.stats.triangles)
  })

  it('rejects bad options with a typed error', async () => {
    const bytes = await makeGlb({ grids: [2] })
    await expect(analyzeScene(bytes, { profile: 'fastest' as never })).rejects.toMatchObject({ code: ERR_OPTIMIZER_OPTIONS_INVALID })
    await expect(analyzeScene(bytes, { resolution: [0, 10] })).rejects.toMatchObject({ code: ERR_OPTIMIZER_OPTIONS_INVALID })
  })
})

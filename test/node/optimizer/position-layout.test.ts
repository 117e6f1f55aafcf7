import { describe, expect, it } from 'vitest'
import type { Document } from '@gltf-transform/core'
import { optimizeScene } from '../../../node/optimizer/optimize.ts'
import { loadSceneSafely } from '../../../node/scene/load-scene.ts'
import { makeGlb } from '../../../sim/scenes.ts'

/** World-space bounds of every position drawn by a mesh node, and the drawn positions' accessor layouts. */
function worldBounds (doc: Document): { min: number[], max: number[], layouts: string[] } {
  const min = [Infinity, Infinity, Infinity]; const max = [-Infinity, -Infinity, -Infinity]; const layouts: string[] = []
  for (const node of doc.getRoot().listNodes()) {
    const mesh = node.getMesh()
    if (mesh === null) continue
    const m = node.getWorldMatrix()
    for (const prim of mesh.listPrimitives()) {
      const a = prim.getAttribute('POSITION')!
      layouts.push(`${a.getArray()!.constructor.name}${a.getNormalized() ? ' normalized' : ''}`)
      const p: number[] = []
      for (let i = 0; i < a.getCount(); i++) {
        a.getElement(i, p)
        for (let k = 0; k < 3; k++) {
          const w = m[k]! * p[0]! + m[4 + k]! * p[1]! + m[8 + k]! * p[2]! + m[12 + k]!
          min[k] = Math.min(min[k]!, w); max[k] = Math.max(max[k]!, w)
        }
      }
    }
  }
  return { min, max, layouts }
}

describe('integer positions', () => {
  it('stores quantized positions as plain SHORT integers with the scale in the node, drawing the same place', async () => {
    const input = await makeGlb({ grids: [40, 20] })
    const before = worldBounds((await loadSceneSafely(input)).document)
    const { bytes, report } = await optimizeScene(input, { profile: 'gaming', ratio: 1 })
    const after = worldBounds((await loadSceneSafely(bytes)).document)
    expect(report.operations.map((o) => o.name)).toContain('positions')
    expect(after.layouts.every((l) => l === 'Int16Array')).toBe(true)
    // 14-bit grid over a unit grid: one step is 1/8191 of the half extent; the corners land within a step.
    for (let k = 0; k < 3; k++) {
      expect(Math.abs(after.min[k]! - before.min[k]!)).toBeLessThan(1 / 8191)
      expect(Math.abs(after.max[k]! - before.max[k]!)).toBeLessThan(1 / 8191)
    }
  })

  it('keeps positions normalized in plain output (no meshopt codec to gain from it)', async () => {
    const { bytes, report } = await optimizeScene(await makeGlb({ grids: [40] }), { profile: 'gaming', ratio: 1, meshopt: false })
    expect(report.operations.map((o) => o.name)).not.toContain('positions')
    expect(worldBounds((await loadSceneSafely(bytes)).document).layouts).toEqual(['Int16Array normalized'])
  })

  it('leaves meshes with few vertices per node normalized (each node\'s scale costs JSON bytes)', async () => {
    // Six nodes share a 2 × 2 grid (9 vertices): 9 < 80 x 6.
    const { bytes } = await optimizeScene(await makeGlb({ grids: [2], copies: 5 }), { profile: 'gaming', ratio: 1, instancing: false })
    expect(worldBounds((await loadSceneSafely(bytes)).document).layouts.every((l) => l === 'Int16Array normalized')).toBe(true)
  })

  it('leaves skinned and morphed meshes normalized (their nodes cannot take the scale exactly)', async () => {
    const input = await makeGlb({ grids: [20], skin: true, morph: true })
    const { bytes } = await optimizeScene(input, { profile: 'gaming', ratio: 1 })
    const after = worldBounds((await loadSceneSafely(bytes)).document)
    expect(after.layouts).toEqual(['Int16Array normalized'])
  })
})

/** Size figures of an original and its candidate, also for meshopt-compressed candidates from gltfpack. */
import { describe, expect, it } from 'vitest'
import { sizeReductions } from '../../../node/render/size-reductions.ts'
import { gltfpack, sphereScene, toGlb } from './scenes.ts'

describe('sizeReductions', () => {
  it('reports the triangles and bytes a simplified, compressed candidate saves', async () => {
    const original = await toGlb(sphereScene(32, 48))
    const candidate = await gltfpack(original, ['-si', '0.5', '-cc'])
    const r = await sizeReductions(original, candidate)
    expect(r.original.triangles).toBe(32 * 48 * 2)
    expect(r.candidate.triangles).toBeLessThan(r.original.triangles * 0.6)
    expect(r.original.fileBytes).toBe(original.byteLength)
    expect(r.candidate.fileBytes).toBe(candidate.byteLength)
    expect(r.ratios.fileBytes).toBeCloseTo(candidate.byteLength / original.byteLength, 12)
  })

  it('gives ratios of 1 for a scene against itself', async () => {
    const original = await toGlb(sphereScene(16, 24))
    const r = await sizeReductions(original, original)
    expect(Object.values(r.ratios).every((x) => x === 1)).toBe(true)
  })
})

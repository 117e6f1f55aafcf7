/**
 * Seeded views: deterministic per seed, around the bounding sphere at the
 * fitting distance, with times inside the animation.
 */
import { describe, expect, it } from 'vitest'
import { ERR_RENDER_OPTIONS } from '../../../node/render/errors.ts'
import { DEFAULT_VIEW_OPTIONS, drawViews } from '../../../node/render/views.ts'

const SPHERE = { center: [1, 2, 3] as [number, number, number], radius: 2 }

describe('drawViews', () => {
  it('is deterministic per seed and differs between seeds', () => {
    expect(drawViews('abcd', 10, SPHERE, 0)).toEqual(drawViews('abcd', 10, SPHERE, 0))
    expect(drawViews('abcd', 10, SPHERE, 0)).not.toEqual(drawViews('abce', 10, SPHERE, 0))
  })

  it('places every camera at the fitting distance, looking at the centre, outside the sphere', () => {
    const f = DEFAULT_VIEW_OPTIONS.focal
    const expected = SPHERE.radius * Math.sqrt(1 + f * f) * DEFAULT_VIEW_OPTIONS.margin
    for (const v of drawViews('01', 200, SPHERE, 0)) {
      const d = Math.hypot(v.camera.eye[0] - 1, v.camera.eye[1] - 2, v.camera.eye[2] - 3)
      expect(d).toBeCloseTo(expected, 12)
      expect(v.camera.target).toEqual(SPHERE.center)
      expect(v.camera.near).toBeLessThan(d - SPHERE.radius)
      expect(v.time).toBe(0)
    }
  })

  it('spreads directions over the whole sphere (every octant used in 200 views)', () => {
    const octants = new Set(drawViews('02', 200, SPHERE, 0).map((v) => v.camera.eye.map((c, i) => (c > SPHERE.center[i]! ? 1 : 0)).join('')))
    expect(octants.size).toBe(8)
  })

  it('draws times in [0, duration − step] for an animated scene', () => {
    const views = drawViews('03', 100, SPHERE, 2)
    for (const v of views) {
      expect(v.time).toBeGreaterThanOrEqual(0)
      expect(v.time).toBeLessThanOrEqual(2 - DEFAULT_VIEW_OPTIONS.temporalStep)
    }
    expect(new Set(views.map((v) => v.time)).size).toBe(100)
  })

  it('refuses bad counts and options with ERR_RENDER_OPTIONS', () => {
    expect(() => drawViews('04', 0, SPHERE, 0)).toThrow(expect.objectContaining({ code: ERR_RENDER_OPTIONS }))
    expect(() => drawViews('04', 3, SPHERE, 0, { ...DEFAULT_VIEW_OPTIONS, margin: 0.5 })).toThrow(expect.objectContaining({ code: ERR_RENDER_OPTIONS }))
  })
})

/**
 * Sanity properties of the rasterizer: coverage, culling, depth order, texture
 * wrap modes, fill rule, alpha modes, and the treatment of bad geometry.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import jpeg from 'jpeg-js'
import { sceneBounds } from '../../../node/render/bounds.ts'
import { ERR_RENDER_BAD_BOUNDS, ERR_RENDER_EMPTY_SCENE, ERR_RENDER_OPTIONS, ERR_RENDER_TEXTURE } from '../../../node/render/errors.ts'
import { BACKGROUND_SRGB8 } from '../../../node/render/framebuffer.ts'
import { renderScene, type RenderResult } from '../../../node/render/render.ts'
import { prepareScene } from '../../../node/render/scene-reader.ts'
import { cameraAt } from './golden-cases.ts'
import { addPrimitive, makePng, newDocument } from './fixtures.ts'
import { cubeScene, maskQuadScene, texturedQuadScene } from './scenes.ts'

const LIMITS = { maxTexturePixels: 1 << 24 }
/** Rasterization properties (coverage, fill rule, depth, wrap modes) are checked on the unshaded-by-light Lambert model at one sample per pixel, where a pixel is covered or not. */
const RASTER = { shading: 'lambert', supersample: 1 } as const

function covered (r: RenderResult): number {
  const d = r.image.data
  let n = 0
  for (let i = 0; i < d.length; i += 4) if (d[i] !== BACKGROUND_SRGB8[0] || d[i + 1] !== BACKGROUND_SRGB8[1] || d[i + 2] !== BACKGROUND_SRGB8[2]) n++
  return n
}

function pixel (r: RenderResult, x: number, y: number): number[] {
  const o = (y * r.image.width + x) * 4
  return [...r.image.data.subarray(o, o + 4)]
}

/** An unlit single-colour quad document from explicit triangles. */
function flatTriangles (tris: number[][], opts: { alpha?: number, doubleSided?: boolean } = {}): ReturnType<typeof newDocument>['doc'] {
  const { doc, add } = newDocument()
  const mat = doc.createMaterial('flat').setBaseColorFactor([0.9, 0.5, 0.1, opts.alpha ?? 1]).setDoubleSided(opts.doubleSided ?? true)
  if (opts.alpha !== undefined) mat.setAlphaMode('BLEND')
  const positions = tris.flat()
  add(doc.createNode('t').setMesh(doc.createMesh('t').addPrimitive(addPrimitive(doc, { positions, material: mat }))))
  return doc
}

describe('coverage and culling', () => {
  it('a unit cube seen face-on covers its projected area within one pixel row per side', () => {
    // front face at distance 2.5, focal 2, 128 px: half-size 128 · 0.5 / 2.5 = 25.6 px → 51.2² ≈ 2621 px
    const r = renderScene(prepareScene(cubeScene({ rotate: false }), LIMITS), cameraAt([0, 0, 3]), { ...RASTER, width: 128, height: 128 })
    const n = covered(r)
    expect(n).toBeGreaterThanOrEqual(50 * 50)
    expect(n).toBeLessThanOrEqual(53 * 53)
    expect(r.stats.culled).toBe(10) // only the two front triangles face the camera
  })

  it('back faces of single-sided materials are culled; double-sided ones are drawn', () => {
    // a camera inside the cube sees only back faces
    const inside = { eye: [0, 0, 0.1] as [number, number, number], target: [0, 0, -1] as [number, number, number], up: [0, 1, 0] as [number, number, number], focal: 2, near: 0.01 }
    const single = renderScene(prepareScene(cubeScene({ rotate: false }), LIMITS), inside, { ...RASTER, width: 64, height: 64 })
    expect(covered(single)).toBe(0)
    expect(single.stats.culled).toBe(12)
    const double = renderScene(prepareScene(cubeScene({ rotate: false, doubleSided: true }), LIMITS), inside, { ...RASTER, width: 64, height: 64 })
    expect(covered(double)).toBe(64 * 64)
  })

  it('a camera inside geometry clips at the near plane deterministically instead of failing', () => {
    const scene = prepareScene(cubeScene({ rotate: false, doubleSided: true }), LIMITS)
    const cam = { eye: [0.49, 0.2, 0.3] as [number, number, number], target: [-1, 0, 0] as [number, number, number], up: [0, 1, 0] as [number, number, number], focal: 2, near: 0.05 }
    const a = renderScene(scene, cam, { ...RASTER, width: 48, height: 48 })
    const b = renderScene(scene, cam, { ...RASTER, width: 48, height: 48 })
    expect(a.image.data).toEqual(b.image.data)
    expect(covered(a)).toBe(48 * 48)
  })
})

describe('depth', () => {
  it('the nearer surface wins whatever the draw order', () => {
    const quad = (z: number, rgb: [number, number, number]): number[][] => {
      void rgb
      return [[-1, -1, z, 1, -1, z, 1, 1, z], [-1, -1, z, 1, 1, z, -1, 1, z]].map((t) => t)
    }
    const build = (order: number[]): RenderResult => {
      const { doc, add } = newDocument()
      for (const z of order) {
        const mat = doc.createMaterial(`m${z}`).setBaseColorFactor(z > 0 ? [0.9, 0.1, 0.1, 1] : [0.1, 0.1, 0.9, 1])
        add(doc.createNode(`n${z}`).setMesh(doc.createMesh().addPrimitive(addPrimitive(doc, { positions: quad(z, [0, 0, 0]).flat(), material: mat }))))
      }
      return renderScene(prepareScene(doc, LIMITS), cameraAt([0, 0, 4]), { ...RASTER, width: 32, height: 32 })
    }
    const nearFirst = build([0.5, -0.5])
    const farFirst = build([-0.5, 0.5])
    expect(nearFirst.image.data).toEqual(farFirst.image.data)
    const [r, , b] = pixel(nearFirst, 16, 16)
    expect(r!).toBeGreaterThan(b!) // the red quad at z = +0.5 is in front
  })
})

describe('textures', () => {
  const render = (wrap: 10497 | 33071 | 33648): RenderResult => renderScene(prepareScene(texturedQuadScene(wrap), LIMITS), cameraAt([0, 0, 3]), { ...RASTER, width: 96, height: 96 })
  const colours = (r: RenderResult, x0: number, y0: number, size: number): Set<string> => {
    const s = new Set<string>()
    for (let y = y0; y < y0 + size; y++) for (let x = x0; x < x0 + size; x++) s.add(pixel(r, x, y).join(','))
    return s
  }

  it('CLAMP_TO_EDGE repeats the edge texel outside [0, 1]; REPEAT and MIRRORED_REPEAT tile', () => {
    // the quad spans pixels ≈ 16..80; its top-left corner region has u, v < 0
    expect(colours(render(33071), 20, 20, 8).size).toBe(1)
    expect(colours(render(10497), 20, 20, 8).size).toBeGreaterThan(1)
    expect(colours(render(33648), 20, 20, 8).size).toBeGreaterThan(1)
  })

  it('MIRRORED_REPEAT differs from REPEAT and both differ from CLAMP', () => {
    const [a, b, c] = [render(10497), render(33648), render(33071)]
    expect(a.image.data).not.toEqual(b.image.data)
    expect(a.image.data).not.toEqual(c.image.data)
  })

  it('JPEG textures decode; other image formats are refused with ERR_RENDER_TEXTURE', () => {
    const { doc, add } = newDocument()
    const raw = new Uint8Array(16 * 16 * 4).map((_, i) => (i % 4 === 3 ? 255 : (i * 13) & 255))
    const jpg = new Uint8Array(jpeg.encode({ ...RASTER, width: 16, height: 16, data: raw }, 90).data)
    const mat = doc.createMaterial('j').setBaseColorTexture(doc.createTexture('j').setImage(jpg).setMimeType('image/jpeg'))
    add(doc.createNode('q').setMesh(doc.createMesh().addPrimitive(addPrimitive(doc, { positions: [-1, -1, 0, 1, -1, 0, 1, 1, 0], uvs: [0, 1, 1, 1, 1, 0], material: mat }))))
    expect(covered(renderScene(prepareScene(doc, LIMITS), cameraAt([0, 0, 3]), { ...RASTER, width: 32, height: 32 }))).toBeGreaterThan(0)

    const bad = newDocument()
    const m2 = bad.doc.createMaterial('w').setBaseColorTexture(bad.doc.createTexture('w').setImage(new TextEncoder().encode('RIFF....WEBPVP8 ')).setMimeType('image/webp'))
    bad.add(bad.doc.createNode('q').setMesh(bad.doc.createMesh().addPrimitive(addPrimitive(bad.doc, { positions: [-1, -1, 0, 1, -1, 0, 1, 1, 0], material: m2 }))))
    expect(() => prepareScene(bad.doc, LIMITS)).toThrow(expect.objectContaining({ code: ERR_RENDER_TEXTURE }))
  })

  it('a texture above the pixel limit is refused before decoding', () => {
    const { doc, add } = newDocument()
    const mat = doc.createMaterial('big').setBaseColorTexture(doc.createTexture('big').setImage(makePng(64, 64, () => [1, 2, 3, 255])).setMimeType('image/png'))
    add(doc.createNode('q').setMesh(doc.createMesh().addPrimitive(addPrimitive(doc, { positions: [-1, -1, 0, 1, -1, 0, 1, 1, 0], material: mat }))))
    expect(() => prepareScene(doc, { maxTexturePixels: 64 * 63 })).toThrow(expect.objectContaining({ code: ERR_RENDER_TEXTURE }))
  })
})

describe('alpha modes', () => {
  it('MASK discards fragments below the cutoff (the back quad shows through the left half)', () => {
    const r = renderScene(prepareScene(maskQuadScene(), LIMITS), cameraAt([0, 0, 3]), { ...RASTER, width: 64, height: 64 })
    const [lr, lg, lb] = pixel(r, 24, 32)
    const [rr, rg, rb] = pixel(r, 40, 32)
    expect(lb!).toBeGreaterThan(lg!) // left: blue back quad
    expect(rg!).toBeGreaterThan(rb!) // right: green front quad
    expect(lr! + rr!).toBeLessThan(255)
  })

  it('BLEND composites over what is behind (a half-transparent quad lies between its colour and the background)', () => {
    const r = renderScene(prepareScene(flatTriangles([[-1, -1, 0, 1, -1, 0, 1, 1, 0]], { alpha: 0.5 }), LIMITS), cameraAt([0, 0, 3]), { ...RASTER, width: 32, height: 32 })
    const opaque = renderScene(prepareScene(flatTriangles([[-1, -1, 0, 1, -1, 0, 1, 1, 0]]), LIMITS), cameraAt([0, 0, 3]), { ...RASTER, width: 32, height: 32 })
    const [br] = pixel(r, 22, 20); const [or] = pixel(opaque, 22, 20)
    expect(br!).toBeGreaterThan(BACKGROUND_SRGB8[0])
    expect(br!).toBeLessThan(or!)
  })
})

describe('fill rule', () => {
  it('a convex quad covers the same pixels, once each, whichever diagonal splits it (top-left rule)', () => {
    fc.assert(fc.property(
      fc.array(fc.integer({ min: -1000, max: 1000 }), { minLength: 8, maxLength: 8 }),
      (c) => {
        // a convex quad: corners pushed out along four fixed directions
        const k = (v: number): number => 0.4 + (v + 1000) / 4000
        const p = [[-k(c[0]!), -k(c[1]!)], [k(c[2]!), -k(c[3]!)], [k(c[4]!), k(c[5]!)], [-k(c[6]!), k(c[7]!)]]
        const v = (i: number): number[] => [p[i]![0]!, p[i]![1]!, 0]
        const splitA = [[...v(0), ...v(1), ...v(2)], [...v(0), ...v(2), ...v(3)]]
        const splitB = [[...v(0), ...v(1), ...v(3)], [...v(1), ...v(2), ...v(3)]]
        // half-transparent blending: a pixel covered twice would come out darker/brighter than once
        const a = renderScene(prepareScene(flatTriangles(splitA, { alpha: 0.5 }), LIMITS), cameraAt([0, 0, 3]), { ...RASTER, width: 40, height: 40 })
        const b = renderScene(prepareScene(flatTriangles(splitB, { alpha: 0.5 }), LIMITS), cameraAt([0, 0, 3]), { ...RASTER, width: 40, height: 40 })
        expect(a.image.data).toEqual(b.image.data)
        const colours = new Set<string>()
        for (let i = 0; i < a.image.data.length; i += 4) colours.add(a.image.data.subarray(i, i + 3).join(','))
        expect(colours.size).toBeLessThanOrEqual(2) // background and one blended colour: no pixel drawn twice
      }
    ), { numRuns: 40 })
  })
})

describe('bad geometry', () => {
  it('triangles with NaN positions and zero-area triangles are skipped and counted; the rest renders', () => {
    const doc = flatTriangles([
      [-1, -1, 0, 1, -1, 0, 1, 1, 0],
      [NaN, 0, 0, 1, 0, 0, 0, 1, 0],
      [0, 0, 0, 0.5, 0.5, 0, 1, 1, 0] // collinear
    ])
    const r = renderScene(prepareScene(doc, LIMITS), cameraAt([0, 0, 3]), { ...RASTER, width: 32, height: 32 })
    expect(r.stats.degenerate).toBe(2)
    expect(covered(r)).toBeGreaterThan(0)
    expect(sceneBounds(prepareScene(doc, LIMITS)).radius).toBeGreaterThan(1)
  })

  it('overflowing and enormous coordinates are skipped or clipped to the guard band, never hang', () => {
    const overflow = renderScene(prepareScene(flatTriangles([[1e300, 0, 0, -1e300, 1e300, 0, 0, -1e300, 1e300]]), LIMITS), cameraAt([0, 0, 3]), { ...RASTER, width: 32, height: 32 })
    expect(overflow.stats.degenerate + overflow.stats.clippedAway).toBe(1)
    // a triangle a billion units wide, far beyond the guard band, still covers the whole view exactly
    const huge = renderScene(prepareScene(flatTriangles([[-1e9, -1e9, 0, 1e9, -1e9, 0, 0, 1e9, 0]]), LIMITS), cameraAt([0, 0, 3]), { ...RASTER, width: 32, height: 32 })
    expect(covered(huge)).toBe(32 * 32)
    // and one crossing the near plane with a vertex far behind the camera
    const crossing = renderScene(prepareScene(flatTriangles([[-1e6, -1, -1, 1e6, -1, -1, 0, -1, 1e9]]), LIMITS), cameraAt([0, 0, 3]), { ...RASTER, width: 32, height: 32 })
    expect(covered(crossing)).toBeGreaterThan(0)
    expect(covered(crossing)).toBeLessThan(32 * 32)
  })

  it('an empty scene renders background, and has no bounds (ERR_RENDER_EMPTY_SCENE)', () => {
    const { doc } = newDocument()
    const scene = prepareScene(doc, LIMITS)
    expect(covered(renderScene(scene, cameraAt([0, 0, 3]), { ...RASTER, width: 16, height: 16 }))).toBe(0)
    expect(() => sceneBounds(scene)).toThrow(expect.objectContaining({ code: ERR_RENDER_EMPTY_SCENE }))
  })

  it('a scene whose every position is NaN has no usable bounds (ERR_RENDER_BAD_BOUNDS)', () => {
    const scene = prepareScene(flatTriangles([[NaN, NaN, NaN, NaN, 0, 0, 0, NaN, 0]]), LIMITS)
    expect(() => sceneBounds(scene)).toThrow(expect.objectContaining({ code: ERR_RENDER_BAD_BOUNDS }))
  })

  it('points and lines are skipped and counted, not drawn', () => {
    const { doc, add } = newDocument()
    const prim = addPrimitive(doc, { positions: [0, 0, 0, 1, 0, 0] }).setMode(1)
    add(doc.createNode('l').setMesh(doc.createMesh().addPrimitive(prim)))
    expect(prepareScene(doc, LIMITS).skippedPrimitives).toBe(1)
  })

  it('invalid render options and cameras are refused with ERR_RENDER_OPTIONS', () => {
    const scene = prepareScene(cubeScene(), LIMITS)
    expect(() => renderScene(scene, cameraAt([0, 0, 3]), { ...RASTER, width: 0, height: 16 })).toThrow(expect.objectContaining({ code: ERR_RENDER_OPTIONS }))
    expect(() => renderScene(scene, cameraAt([0, 0, 3]), { ...RASTER, width: 16, height: 16, window: { x: 8, y: 0, width: 16, height: 16 } })).toThrow(expect.objectContaining({ code: ERR_RENDER_OPTIONS }))
    expect(() => renderScene(scene, cameraAt([0, 0, 0]), { ...RASTER, width: 16, height: 16 })).toThrow(expect.objectContaining({ code: ERR_RENDER_OPTIONS }))
    expect(() => renderScene(scene, { ...cameraAt([0, 0, 3]), near: 0 }, { ...RASTER, width: 16, height: 16 })).toThrow(expect.objectContaining({ code: ERR_RENDER_OPTIONS }))
  })

  it('a window renders exactly the same pixels as the matching crop of the full image', () => {
    const scene = prepareScene(cubeScene(), LIMITS)
    const full = renderScene(scene, cameraAt([0, 0, 3]), { ...RASTER, width: 64, height: 64 })
    const win = renderScene(scene, cameraAt([0, 0, 3]), { ...RASTER, width: 64, height: 64, window: { x: 20, y: 24, width: 16, height: 12 } })
    for (let y = 0; y < 12; y++) for (let x = 0; x < 16; x++) expect(pixel(win, x, y)).toEqual(pixel(full, 20 + x, 24 + y))
  })
})


describe('strips, fans and early budget refusal', () => {
  it('a triangle strip and a fan of the same quad render like the triangle list', () => {
    const list = renderScene(prepareScene(flatTriangles([[-1, -1, 0, 1, -1, 0, 1, 1, 0], [-1, -1, 0, 1, 1, 0, -1, 1, 0]]), LIMITS), cameraAt([0, 0, 3]), { ...RASTER, width: 32, height: 32 })
    const asMode = (mode: 5 | 6, positions: number[]): RenderResult => {
      const { doc, add } = newDocument()
      const mat = doc.createMaterial('flat').setBaseColorFactor([0.9, 0.5, 0.1, 1]).setDoubleSided(true)
      add(doc.createNode('t').setMesh(doc.createMesh().addPrimitive(addPrimitive(doc, { positions, material: mat }).setMode(mode))))
      return renderScene(prepareScene(doc, LIMITS), cameraAt([0, 0, 3]), { ...RASTER, width: 32, height: 32 })
    }
    expect(covered(asMode(5, [-1, -1, 0, 1, -1, 0, -1, 1, 0, 1, 1, 0]))).toBe(covered(list))
    expect(covered(asMode(6, [-1, -1, 0, 1, -1, 0, 1, 1, 0, -1, 1, 0]))).toBe(covered(list))
  })

  it('a scene with more triangles than the budget allows is refused while preparing (ERR_RENDER_BUDGET)', () => {
    expect(() => prepareScene(cubeScene(), { ...LIMITS, maxTriangles: 11 })).toThrow(expect.objectContaining({ code: 'ERR_RENDER_BUDGET' }))
    expect(prepareScene(cubeScene(), { ...LIMITS, maxTriangles: 12 }).triangleCount).toBe(12)
  })
})

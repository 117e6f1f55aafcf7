/**
 * Bad input to the physically based path: each case gets a typed code or
 * the documented fallback (docs/renderer.md), renders without NaN reaching a
 * pixel, and renders the same bytes twice.
 */
import { KHRLightsPunctual, KHRMaterialsSheen } from '@gltf-transform/extensions'
import { describe, expect, it } from 'vitest'
import { ERR_RENDER_BUDGET, ERR_RENDER_TEXTURE } from '../../../node/render/errors.ts'
import { MAX_SCENE_LIGHTS } from '../../../node/render/lights.ts'
import { renderScene } from '../../../node/render/render.ts'
import { prepareScene, type PreparedScene } from '../../../node/render/scene-reader.ts'
import { codeOf } from '../../helpers/codes.ts'
import { addPrimitive, makePng, newDocument } from './fixtures.ts'
import { cameraAt } from './golden-cases.ts'
import { pixelHash } from './golden-cases.ts'
import { pbrScene } from './pbr-scenes.ts'

const LIMITS = { maxTexturePixels: 1 << 24 }

/** Renders twice; returns the hash after checking both agree and some pixel left the background. */
function renderTwice (scene: PreparedScene): string {
  const a = renderScene(scene, cameraAt([0.3, 0.2, 3]), { width: 48, height: 48 })
  const b = renderScene(scene, cameraAt([0.3, 0.2, 3]), { width: 48, height: 48 })
  expect(pixelHash(a.image.data)).toBe(pixelHash(b.image.data))
  expect(a.stats.fragments).toBeGreaterThan(0)
  return pixelHash(a.image.data)
}

/** A normal-mapped quad with the given attribute arrays. */
function normalMappedQuad (data: { normals?: number[], uvs?: number[] }): PreparedScene {
  const { doc, add } = newDocument()
  const tex = doc.createTexture('n').setImage(makePng(16, 16, (x, y) => [128 + ((x * 9) % 60), 128 + ((y * 5) % 60), 230, 255])).setMimeType('image/png')
  const mat = doc.createMaterial('m').setNormalTexture(tex).setMetallicFactor(0.5).setRoughnessFactor(0.3)
  add(doc.createNode('q').setMesh(doc.createMesh('q').addPrimitive(addPrimitive(doc, {
    positions: [-1, -1, 0, 1, -1, 0, 1, 1, 0, -1, 1, 0], indices: [0, 1, 2, 0, 2, 3], material: mat, ...data
  }))))
  return prepareScene(doc, LIMITS)
}

describe('bad input to physically based shading', () => {
  it('a normal map without normals uses flat normals and a per-triangle tangent frame', () => {
    const scene = normalMappedQuad({ uvs: [0, 1, 1, 1, 1, 0, 0, 0] })
    expect(scene.nodes[0]!.primitives[0]!.tangents).toBeNull()
    renderTwice(scene)
  })

  it('missing tangents are generated (MikkTSpace) and the primitive is unwelded', () => {
    const scene = normalMappedQuad({ normals: [0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1], uvs: [0, 1, 1, 1, 1, 0, 0, 0] })
    const p = scene.nodes[0]!.primitives[0]!
    expect(p.vertexCount).toBe(6)
    expect(Array.from(p.tangents!.subarray(0, 4))).toEqual([1, 0, 0, 1])
    renderTwice(scene)
  })

  it('degenerate UVs (all equal) sample mip level 0 with any tangent frame', () => {
    renderTwice(normalMappedQuad({ normals: [0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1], uvs: [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5] }))
  })

  it('NaN and Infinity in normals and UVs fall back (face normal, texel 0) without reaching a pixel as NaN', () => {
    const scene = normalMappedQuad({ normals: [NaN, 0, 1, 0, Infinity, 1, 0, 0, 1, 0, 0, 1], uvs: [NaN, 1, 1, Infinity, 1, 0, 0, 0] })
    renderTwice(scene)
  })

  it('a texture the decoder refuses, and a 16k texture, are ERR_RENDER_TEXTURE', () => {
    for (const image of [Uint8Array.from([0x52, 0x49, 0x46, 0x46, 1, 2, 3, 4, 0x57, 0x45, 0x42, 0x50]), png16k()]) {
      const { doc, add } = newDocument()
      const mat = doc.createMaterial('m').setBaseColorTexture(doc.createTexture('t').setImage(image).setMimeType('image/png'))
      add(doc.createNode('q').setMesh(doc.createMesh('q').addPrimitive(addPrimitive(doc, { positions: [0, 0, 0, 1, 0, 0, 0, 1, 0], uvs: [0, 0, 1, 0, 0, 1], material: mat }))))
      expect(codeOf(() => prepareScene(doc, { maxTexturePixels: 8192 * 8192 }))).toBe(ERR_RENDER_TEXTURE)
    }
  })

  it('thousands of lights: the first MAX_SCENE_LIGHTS are used and the cap is reported', () => {
    const doc = pbrScene({ rings: 8 })
    const ext = doc.createExtension(KHRLightsPunctual)
    const scene = doc.getRoot().getDefaultScene()!
    for (let i = 0; i < 3000; i++) {
      scene.addChild(doc.createNode(`l${i}`).setTranslation([(i % 50) / 10 - 2.5, Math.floor(i / 50) / 20 - 1.5, 2]).setExtension('KHR_lights_punctual', ext.createLight().setType('point').setIntensity(0.01)))
    }
    const prepared = prepareScene(doc, LIMITS)
    expect(prepared.lightCount).toBe(MAX_SCENE_LIGHTS)
    expect(prepared.appearanceIgnored).toContain('KHR_lights_punctual:over-cap')
    renderTwice(prepared)
  })

  it('a render of more samples than MAX_RENDER_SAMPLES is refused before any buffer is allocated (ERR_RENDER_BUDGET)', () => {
    const scene = normalMappedQuad({ uvs: [0, 1, 1, 1, 1, 0, 0, 0] })
    expect(codeOf(() => renderScene(scene, cameraAt([0, 0, 3]), { width: 4096, height: 4096, supersample: 2 }))).toBe(ERR_RENDER_BUDGET)
    expect(codeOf(() => renderScene(scene, cameraAt([0, 0, 3]), { width: 4096, height: 4096, supersample: 2, window: { x: 2016, y: 2016, width: 64, height: 64 } }))).toBeUndefined()
  })

  it('a material extension that is not rendered is reported in appearanceIgnored', () => {
    const doc = pbrScene({ rings: 8 })
    const sheen = doc.createExtension(KHRMaterialsSheen).createSheen().setSheenColorFactor([1, 1, 1])
    doc.getRoot().listMaterials()[0]!.setExtension('KHR_materials_sheen', sheen)
    const prepared = prepareScene(doc, LIMITS)
    expect(prepared.appearanceIgnored).toEqual(['KHR_materials_sheen'])
    expect(prepareScene(pbrScene({ rings: 8 }), LIMITS).appearanceIgnored).toEqual([])
  })
})

/** The first bytes of a PNG declaring 16384 × 16384 (the header is all the size check reads). */
function png16k (): Uint8Array {
  const b = new Uint8Array(33)
  b.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52])
  const dv = new DataView(b.buffer)
  dv.setUint32(16, 16384); dv.setUint32(20, 16384)
  b.set([8, 6, 0, 0, 0], 24)
  return b
}

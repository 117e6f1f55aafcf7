/**
 * Posing: animation sampling, morph targets, skinning and texture transforms,
 * each checked against an equivalent scene written without the feature.
 */
import { KHRTextureTransform } from '@gltf-transform/extensions'
import { describe, expect, it } from 'vitest'
import { sampleChannel } from '../../../node/render/pose.ts'
import { renderScene, type RenderResult } from '../../../node/render/render.ts'
import { prepareScene, type PreparedChannel } from '../../../node/render/scene-reader.ts'
import { addPrimitive, makePng, newDocument } from './fixtures.ts'
import { cameraAt } from './golden-cases.ts'
import { spinningCubeScene } from './scenes.ts'

const LIMITS = { maxTexturePixels: 1 << 24 }
const QUAD = [-1, -1, 0, 1, -1, 0, 1, 1, 0, -1, -1, 0, 1, 1, 0, -1, 1, 0]
const render = (doc: ReturnType<typeof newDocument>['doc'], time = 0): RenderResult =>
  renderScene(prepareScene(doc, LIMITS), cameraAt([0, 0, 4]), { width: 48, height: 48, time })

function channel (interpolation: PreparedChannel['interpolation'], input: number[], output: number[], path: PreparedChannel['path'] = 'translation'): PreparedChannel {
  const components = path === 'rotation' ? 4 : 1
  return { node: 0, path, interpolation, input: Float64Array.from(input), output: Float64Array.from(output), components }
}

describe('animation sampling', () => {
  it('STEP holds, LINEAR interpolates, times outside the keys clamp', () => {
    const out = [0]
    sampleChannel(channel('STEP', [0, 1, 2], [10, 20, 30]), 1.5, out); expect(out[0]).toBe(20)
    sampleChannel(channel('LINEAR', [0, 1, 2], [10, 20, 30]), 1.5, out); expect(out[0]).toBe(25)
    sampleChannel(channel('LINEAR', [0, 1, 2], [10, 20, 30]), -5, out); expect(out[0]).toBe(10)
    sampleChannel(channel('LINEAR', [0, 1, 2], [10, 20, 30]), 99, out); expect(out[0]).toBe(30)
  })

  it('CUBICSPLINE with zero tangents eases (Hermite): halfway gives the midpoint, a quarter less than linear', () => {
    // keys: [inTangent, value, outTangent] per keyframe
    const ch = channel('CUBICSPLINE', [0, 1], [0, 0, 0, 0, 8, 0])
    const out = [0]
    sampleChannel(ch, 0.5, out); expect(out[0]).toBe(4)
    sampleChannel(ch, 0.25, out); expect(out[0]).toBeLessThan(2)
  })

  it('LINEAR rotation takes the shortest arc and stays a unit quaternion', () => {
    const s = Math.SQRT1_2
    const out = [0, 0, 0, 0]
    sampleChannel(channel('LINEAR', [0, 1], [0, 0, 0, 1, 0, -s, 0, -s], 'rotation'), 0.5, out) // second key is −(0, s, 0, s): same rotation
    expect(Math.hypot(...out)).toBeCloseTo(1, 15)
    expect(out[1]! * out[3]!).toBeGreaterThan(0) // halfway to +90° about y, not the long way round
  })

  it('an animated scene renders differently at different times and identically at the same time', () => {
    const doc = spinningCubeScene()
    expect(render(doc, 0.3).image.data).not.toEqual(render(doc, 0.9).image.data)
    expect(render(doc, 0.3).image.data).toEqual(render(doc, 0.3).image.data)
  })
})

describe('morph targets and skins', () => {
  it('a morph target at weight 1 renders like the displaced mesh', () => {
    const morphed = newDocument()
    const prim = addPrimitive(morphed.doc, { positions: QUAD })
    const buffer = morphed.doc.getRoot().listBuffers()[0]!
    const delta = QUAD.map((_, i) => (i % 3 === 0 ? 0.5 : 0))
    prim.addTarget(morphed.doc.createPrimitiveTarget().setAttribute('POSITION', morphed.doc.createAccessor().setType('VEC3').setArray(new Float32Array(delta)).setBuffer(buffer)))
    morphed.add(morphed.doc.createNode('m').setMesh(morphed.doc.createMesh().addPrimitive(prim).setWeights([1])))

    const shifted = newDocument()
    shifted.add(shifted.doc.createNode('s').setMesh(shifted.doc.createMesh().addPrimitive(addPrimitive(shifted.doc, { positions: QUAD.map((v, i) => (i % 3 === 0 ? v + 0.5 : v)) }))))
    expect(render(morphed.doc).image.data).toEqual(render(shifted.doc).image.data)
  })

  it('a mesh skinned to one translated joint renders like the mesh translated by its node', () => {
    const skinned = newDocument()
    const { doc } = skinned
    const buffer = doc.getRoot().listBuffers()[0]!
    const prim = addPrimitive(doc, { positions: QUAD })
    prim.setAttribute('JOINTS_0', doc.createAccessor().setType('VEC4').setArray(new Uint8Array(6 * 4)).setBuffer(buffer))
    prim.setAttribute('WEIGHTS_0', doc.createAccessor().setType('VEC4').setArray(new Float32Array(6 * 4).map((_, i) => (i % 4 === 0 ? 1 : 0))).setBuffer(buffer))
    const joint = doc.createNode('joint').setTranslation([0.5, 0.25, 0])
    const skin = doc.createSkin('skin').addJoint(joint)
    const meshNode = doc.createNode('mesh').setMesh(doc.createMesh().addPrimitive(prim)).setSkin(skin).setTranslation([9, 9, 9]) // ignored for skinned meshes
    skinned.add(joint); skinned.add(meshNode)

    const moved = newDocument()
    moved.add(moved.doc.createNode('n').setTranslation([0.5, 0.25, 0]).setMesh(moved.doc.createMesh().addPrimitive(addPrimitive(moved.doc, { positions: QUAD }))))
    expect(render(skinned.doc).image.data).toEqual(render(moved.doc).image.data)
  })
})

describe('KHR_texture_transform', () => {
  const build = (uvScale: number, transform: { scale?: [number, number], rotation?: number, offset?: [number, number] } | null): RenderResult => {
    const { doc, add } = newDocument()
    const tex = doc.createTexture('c').setImage(makePng(4, 4, (x, y) => ((x + y) % 2 === 0 ? [250, 250, 250, 255] : [10, 10, 10, 255]))).setMimeType('image/png')
    const mat = doc.createMaterial('m').setBaseColorTexture(tex)
    const info = mat.getBaseColorTextureInfo()!.setMagFilter(9728).setMinFilter(9728)
    if (transform !== null) {
      const t = doc.createExtension(KHRTextureTransform).createTransform()
      if (transform.scale !== undefined) t.setScale(transform.scale)
      if (transform.rotation !== undefined) t.setRotation(transform.rotation)
      if (transform.offset !== undefined) t.setOffset(transform.offset)
      info.setExtension('KHR_texture_transform', t)
    }
    const uv = [0, 1, 1, 1, 1, 0, 0, 1, 1, 0, 0, 0].map((v) => v * uvScale)
    add(doc.createNode('q').setMesh(doc.createMesh().addPrimitive(addPrimitive(doc, { positions: QUAD, uvs: uv, material: mat }))))
    return render(doc)
  }
  const differing = (a: RenderResult, b: RenderResult): number => {
    let n = 0
    for (let i = 0; i < a.image.data.length; i += 4) if (a.image.data[i] !== b.image.data[i]) n++
    return n
  }

  it('a scale of 2 renders like doubled texture coordinates (up to pixels exactly on texel boundaries)', () => {
    const plain = build(1, null)
    const doubled = build(2, null)
    expect(differing(plain, doubled)).toBeGreaterThan(100) // the transform matters
    expect(differing(build(1, { scale: [2, 2] }), doubled)).toBeLessThanOrEqual(48)
  })

  it('an offset of one texel shifts the checker (inverts it); a full turn of rotation changes nothing visible', () => {
    const plain = build(1, null)
    expect(differing(build(1, { offset: [0.25, 0] }), plain)).toBeGreaterThan(500)
    expect(differing(build(1, { rotation: 2 * Math.PI }), plain)).toBeLessThanOrEqual(48)
  })
})

/**
 * The caveats of a scene measurement (node/render/caveats.ts): every name the
 * renderer reports in `appearanceIgnored` has a caveat of the protocol's
 * vocabulary, and a real scene with an unrendered extension gets its caveat.
 */
import { KHRMaterialsSheen, KHRMaterialsVolume } from '@gltf-transform/extensions'
import { describe, expect, it } from 'vitest'
import { CAVEATS } from '../../../protocol/caveats.ts'
import { CAVEAT_OF_IGNORED, sceneCaveats } from '../../../node/render/caveats.ts'
import { ERR_RENDER_UNSUPPORTED } from '../../../node/render/errors.ts'
import { APPEARANCE_NOT_RENDERED } from '../../../node/render/material-reader.ts'
import { prepareScene } from '../../../node/render/scene-reader.ts'
import { codeOf } from '../../helpers/codes.ts'
import { pbrScene } from './pbr-scenes.ts'

const LIMITS = { maxTexturePixels: 1 << 22 }

describe('scene caveats', () => {
  it('every extension the renderer lists as not rendered, the clearcoat normal map and the light cap have a caveat, and every caveat has a source', () => {
    for (const name of [...APPEARANCE_NOT_RENDERED, 'KHR_materials_clearcoat:clearcoatNormalTexture', 'KHR_lights_punctual:over-cap']) {
      expect([name, CAVEAT_OF_IGNORED[name] !== undefined]).toEqual([name, true])
    }
    expect(new Set(Object.values(CAVEAT_OF_IGNORED))).toEqual(new Set(CAVEATS))
  })

  it('are the original\'s and the candidate\'s together, sorted and distinct', () => {
    expect(sceneCaveats({ original: ['KHR_materials_volume', 'KHR_materials_sheen'], candidate: ['KHR_materials_sheen', 'KHR_lights_punctual:over-cap'] }))
      .toEqual(['lights-over-cap', 'sheen', 'volume'])
    expect(sceneCaveats({ original: [], candidate: [] })).toEqual([])
  })

  it('a name without a caveat is refused, never dropped', () => {
    expect(codeOf(() => sceneCaveats({ original: ['KHR_materials_future'], candidate: [] }))).toBe(ERR_RENDER_UNSUPPORTED)
  })

  it('a real scene with sheen and volume gets both caveats; the same scene without them none', () => {
    const doc = pbrScene({ rings: 8 })
    const material = doc.getRoot().listMaterials()[0]!
    material.setExtension('KHR_materials_sheen', doc.createExtension(KHRMaterialsSheen).createSheen().setSheenColorFactor([1, 1, 1]))
    material.setExtension('KHR_materials_volume', doc.createExtension(KHRMaterialsVolume).createVolume().setThicknessFactor(0.2))
    const withThem = prepareScene(doc, LIMITS)
    expect(sceneCaveats({ original: withThem.appearanceIgnored, candidate: [] })).toEqual(['sheen', 'volume'])
    const plain = prepareScene(pbrScene({ rings: 8 }), LIMITS)
    expect(sceneCaveats({ original: plain.appearanceIgnored, candidate: plain.appearanceIgnored })).toEqual([])
  })
})

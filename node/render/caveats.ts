/**
 * The caveats of a scene measurement (protocol/caveats.ts): what the
 * renderer reports in `appearanceIgnored` (material extensions that change
 * the look but are not rendered, lights over the cap), named by the
 * protocol's closed vocabulary so that votes can carry it.
 */
import type { Caveat } from '../../protocol/caveats.ts'
import { normalizeCaveats } from '../../protocol/caveats.ts'
import { ERR_RENDER_UNSUPPORTED, renderError } from './errors.ts'

/**
 * The caveat of each name the renderer puts in `appearanceIgnored`
 * (material-reader.ts APPEARANCE_NOT_RENDERED, the clearcoat normal texture,
 * scene-reader.ts's light cap). test/node/render/caveats.test.ts checks that
 * every APPEARANCE_NOT_RENDERED name is here.
 */
export const CAVEAT_OF_IGNORED: Readonly<Record<string, Caveat>> = {
  KHR_materials_anisotropy: 'anisotropy',
  'KHR_materials_clearcoat:clearcoatNormalTexture': 'clearcoat-normal',
  KHR_materials_diffuse_transmission: 'diffuse-transmission',
  KHR_materials_dispersion: 'dispersion',
  KHR_materials_iridescence: 'iridescence',
  'KHR_lights_punctual:over-cap': 'lights-over-cap',
  KHR_materials_sheen: 'sheen',
  KHR_materials_pbrSpecularGlossiness: 'specular-glossiness',
  KHR_materials_volume: 'volume'
}

/**
 * The caveats of a measurement of `candidate` against `original`: what
 * either scene relies on and the renderer does not show (an unrendered
 * difference can hide in the original's look as well as in the candidate's),
 * sorted and distinct. Throws `ERR_RENDER_UNSUPPORTED` for a name without a
 * caveat (a renderer change that forgot the vocabulary), never drops one.
 */
export function sceneCaveats (appearanceIgnored: { original: readonly string[], candidate: readonly string[] }): Caveat[] {
  const out: Caveat[] = []
  for (const name of [...appearanceIgnored.original, ...appearanceIgnored.candidate]) {
    const caveat = CAVEAT_OF_IGNORED[name]
    if (caveat === undefined) throw renderError(ERR_RENDER_UNSUPPORTED, `no caveat names ${name}`, { name })
    out.push(caveat)
  }
  return normalizeCaveats(out)
}

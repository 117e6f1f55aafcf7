/**
 * Materials of a glTF document in the form the shaders use: factors in
 * linear light, texture bindings (decoded once per texture and colour space
 * into linear mip chains, KHR_texture_transform folded into an affine UV
 * matrix), and the material extensions this renderer implements:
 * KHR_materials_unlit, _emissive_strength (folded into the emissive factor),
 * _ior, _specular, _clearcoat (without its own normal map) and _transmission
 * (approximated, see docs/renderer.md).
 *
 * Extensions that change a material's look but are not rendered are listed
 * in `appearanceIgnored` (see {@link APPEARANCE_NOT_RENDERED}); the
 * measurement carries that list so a certificate can say what it did not see.
 */
import type { Material, Texture, TextureInfo } from '@gltf-transform/core'
import type { Clearcoat, EmissiveStrength, IOR, Specular, Transform, Transmission } from '@gltf-transform/extensions'
import { detCos, detSin } from './det-math.ts'
import { decodeImage } from '../image/decode-image.ts'
import { TEXTURE_IMAGE_FORMATS } from '../image/image-header.ts'
import { withImageCodes } from '../image/errors.ts'
import { ERR_RENDER_UNSUPPORTED, RENDER_IMAGE_CODES, renderError } from './errors.ts'
import { buildTexture, type LinearTexture, WRAP_REPEAT } from './texture.ts'

/** Alpha modes as small integers for the inner loop. */
export const ALPHA_OPAQUE = 0
/** Alpha mode MASK: fragments with alpha below the cutoff are discarded. */
export const ALPHA_MASK = 1
/** Alpha mode BLEND: drawn after opaque geometry, blended over it (see docs/renderer.md). */
export const ALPHA_BLEND = 2

/** Material extensions that change the look and are NOT rendered: a scene using them gets a caveat. */
export const APPEARANCE_NOT_RENDERED: readonly string[] = [
  'KHR_materials_anisotropy', 'KHR_materials_diffuse_transmission', 'KHR_materials_dispersion', 'KHR_materials_iridescence',
  'KHR_materials_pbrSpecularGlossiness', 'KHR_materials_sheen', 'KHR_materials_volume'
]

/** Material extensions whose effect is rendered (transmission approximated). */
export const MATERIAL_EXTENSIONS_RENDERED: readonly string[] = [
  'KHR_materials_unlit', 'KHR_materials_emissive_strength', 'KHR_materials_ior', 'KHR_materials_specular',
  'KHR_materials_clearcoat', 'KHR_materials_transmission'
]

/** A texture binding of a material. */
export interface TextureBinding {
  texture: LinearTexture
  /** Which TEXCOORD_n set (0 or 1; other sets are read as 0). */
  texCoord: number
  /** Affine UV transform [a, b, c, d, e, f]: u' = a·u + b·v + c, v' = d·u + e·v + f; null for identity. */
  transform: Float64Array | null
  wrapS: number
  wrapT: number
  /** Magnification uses nearest texel (sampler magFilter NEAREST). */
  nearest: boolean
  /** Whether minification uses the mip chain (false when minFilter is NEAREST or LINEAR without mipmaps). */
  mipmaps: boolean
}

/** Material properties the shaders use. */
export interface PreparedMaterial {
  /** Linear RGBA. */
  baseColorFactor: Float64Array
  baseColorTexture: TextureBinding | null
  metallicFactor: number
  roughnessFactor: number
  /** Metal in B, roughness in G (linear). */
  metallicRoughnessTexture: TextureBinding | null
  normalTexture: TextureBinding | null
  normalScale: number
  occlusionTexture: TextureBinding | null
  occlusionStrength: number
  /** Linear RGB, KHR_materials_emissive_strength folded in. */
  emissiveFactor: Float64Array
  emissiveTexture: TextureBinding | null
  alphaMode: number
  alphaCutoff: number
  doubleSided: boolean
  /** KHR_materials_unlit: base colour without lighting. */
  unlit: boolean
  /** KHR_materials_ior (1.5 by default). */
  ior: number
  /** KHR_materials_specular: strength (texture A) and colour (texture RGB, sRGB). */
  specularFactor: number
  specularTexture: TextureBinding | null
  specularColorFactor: Float64Array
  specularColorTexture: TextureBinding | null
  /** KHR_materials_clearcoat: layer strength (texture R) and roughness (texture G); 0 = no layer. */
  clearcoatFactor: number
  clearcoatTexture: TextureBinding | null
  clearcoatRoughnessFactor: number
  clearcoatRoughnessTexture: TextureBinding | null
  /** KHR_materials_transmission (texture R); 0 = opaque. */
  transmissionFactor: number
  transmissionTexture: TextureBinding | null
  /** Drawn in the blended pass (BLEND, or transmission > 0). */
  blended: boolean
  /** Every texture binding, for mip level set-up. */
  bindings: TextureBinding[]
}

/** Limits of material preparation. */
export interface MaterialReaderOptions {
  /** Largest texture (width × height) decoded. */
  maxTexturePixels: number
}

/** Reads materials once each; `ignored` and `appearanceIgnored` collect extension names. */
export function createMaterialReader (options: MaterialReaderOptions, ignored: Set<string>, appearanceIgnored: Set<string>): (m: Material | null) => PreparedMaterial {
  const textureCache = new Map<Texture, Map<boolean, LinearTexture>>()
  const materialCache = new Map<Material | null, PreparedMaterial>()

  const decodeTex = (texture: Texture, srgb: boolean): LinearTexture => {
    let bySpace = textureCache.get(texture)
    if (bySpace === undefined) { bySpace = new Map(); textureCache.set(texture, bySpace) }
    let t = bySpace.get(srgb)
    if (t === undefined) {
      const bytes = texture.getImage()
      if (bytes === null) throw renderError(ERR_RENDER_UNSUPPORTED, `texture "${texture.getName()}" has no image data`)
      // PNG, JPEG or WebP (EXT_texture_webp) with straight alpha, the size read from the header and checked before any pixel is decoded.
      const limits = { maxPixels: options.maxTexturePixels, maxDimension: Infinity, maxFileBytes: Infinity }
      const image = withImageCodes(() => decodeImage(bytes, { formats: TEXTURE_IMAGE_FORMATS, limits }), RENDER_IMAGE_CODES, `texture "${texture.getName()}"`)
      t = buildTexture(image, srgb)
      bySpace.set(srgb, t)
    }
    return t
  }

  const binding = (texture: Texture | null, info: TextureInfo | null, srgb: boolean): TextureBinding | null => {
    if (texture === null || info === null) return null
    let texCoord = info.getTexCoord()
    let transform: Float64Array | null = null
    const tt = info.getExtension<Transform>('KHR_texture_transform')
    if (tt !== null) {
      const [ox, oy] = tt.getOffset(); const [sx, sy] = tt.getScale(); const r = tt.getRotation()
      const c = detCos(r); const s = detSin(r)
      // KHR_texture_transform: uv' = T · R · S · uv with R = [[cos, sin], [−sin, cos]]
      transform = Float64Array.of(c * sx, s * sy, ox, -s * sx, c * sy, oy)
      const tc = tt.getTexCoord()
      if (tc !== null && tc !== undefined) texCoord = tc
    }
    for (const ext of info.listExtensions()) if (ext.extensionName !== 'KHR_texture_transform') ignored.add(ext.extensionName)
    const min = info.getMinFilter()
    return {
      texture: decodeTex(texture, srgb),
      texCoord,
      transform,
      wrapS: info.getWrapS() ?? WRAP_REPEAT,
      wrapT: info.getWrapT() ?? WRAP_REPEAT,
      nearest: info.getMagFilter() === 9728,
      mipmaps: !(min === 9728 || min === 9729)
    }
  }

  const finish = (pm: Omit<PreparedMaterial, 'bindings' | 'blended'>): PreparedMaterial => {
    const bindings = [pm.baseColorTexture, pm.metallicRoughnessTexture, pm.normalTexture, pm.occlusionTexture, pm.emissiveTexture,
      pm.specularTexture, pm.specularColorTexture, pm.clearcoatTexture, pm.clearcoatRoughnessTexture, pm.transmissionTexture]
      .filter((b): b is TextureBinding => b !== null)
    return { ...pm, bindings, blended: pm.alphaMode === ALPHA_BLEND || (!pm.unlit && pm.transmissionFactor > 0) }
  }

  return (m: Material | null): PreparedMaterial => {
    const cached = materialCache.get(m)
    if (cached !== undefined) return cached
    let pm: PreparedMaterial
    if (m === null) {
      // glTF default material: white, metallic 1, roughness 1, opaque, single-sided, lit
      pm = finish({
        baseColorFactor: Float64Array.of(1, 1, 1, 1), baseColorTexture: null, metallicFactor: 1, roughnessFactor: 1, metallicRoughnessTexture: null,
        normalTexture: null, normalScale: 1, occlusionTexture: null, occlusionStrength: 1,
        emissiveFactor: Float64Array.of(0, 0, 0), emissiveTexture: null, alphaMode: ALPHA_OPAQUE, alphaCutoff: 0.5, doubleSided: false, unlit: false,
        ior: 1.5, specularFactor: 1, specularTexture: null, specularColorFactor: Float64Array.of(1, 1, 1), specularColorTexture: null,
        clearcoatFactor: 0, clearcoatTexture: null, clearcoatRoughnessFactor: 0, clearcoatRoughnessTexture: null, transmissionFactor: 0, transmissionTexture: null
      })
    } else {
      let unlit = false
      for (const ext of m.listExtensions()) {
        const name = ext.extensionName
        if (name === 'KHR_materials_unlit') unlit = true
        else if (APPEARANCE_NOT_RENDERED.includes(name)) { ignored.add(name); appearanceIgnored.add(name) } else if (!MATERIAL_EXTENSIONS_RENDERED.includes(name)) ignored.add(name)
      }
      const strength = m.getExtension<EmissiveStrength>('KHR_materials_emissive_strength')?.getEmissiveStrength() ?? 1
      const ior = m.getExtension<IOR>('KHR_materials_ior')?.getIOR() ?? 1.5
      const sp = m.getExtension<Specular>('KHR_materials_specular')
      const cc = m.getExtension<Clearcoat>('KHR_materials_clearcoat')
      const tr = m.getExtension<Transmission>('KHR_materials_transmission')
      if (cc !== null && cc.getClearcoatNormalTexture() !== null && cc.getClearcoatFactor() > 0) appearanceIgnored.add('KHR_materials_clearcoat:clearcoatNormalTexture')
      const mode = m.getAlphaMode()
      const ef = m.getEmissiveFactor()
      pm = finish({
        baseColorFactor: Float64Array.from(m.getBaseColorFactor()),
        baseColorTexture: binding(m.getBaseColorTexture(), m.getBaseColorTextureInfo(), true),
        metallicFactor: m.getMetallicFactor(),
        roughnessFactor: m.getRoughnessFactor(),
        metallicRoughnessTexture: binding(m.getMetallicRoughnessTexture(), m.getMetallicRoughnessTextureInfo(), false),
        normalTexture: binding(m.getNormalTexture(), m.getNormalTextureInfo(), false),
        normalScale: m.getNormalScale(),
        occlusionTexture: binding(m.getOcclusionTexture(), m.getOcclusionTextureInfo(), false),
        occlusionStrength: m.getOcclusionStrength(),
        emissiveFactor: Float64Array.of(ef[0] * strength, ef[1] * strength, ef[2] * strength),
        emissiveTexture: binding(m.getEmissiveTexture(), m.getEmissiveTextureInfo(), true),
        alphaMode: mode === 'MASK' ? ALPHA_MASK : mode === 'BLEND' ? ALPHA_BLEND : ALPHA_OPAQUE,
        alphaCutoff: m.getAlphaCutoff(),
        doubleSided: m.getDoubleSided(),
        unlit,
        ior,
        specularFactor: sp?.getSpecularFactor() ?? 1,
        specularTexture: sp === null ? null : binding(sp.getSpecularTexture(), sp.getSpecularTextureInfo(), false),
        specularColorFactor: Float64Array.from(sp?.getSpecularColorFactor() ?? [1, 1, 1]),
        specularColorTexture: sp === null ? null : binding(sp.getSpecularColorTexture(), sp.getSpecularColorTextureInfo(), true),
        clearcoatFactor: cc?.getClearcoatFactor() ?? 0,
        clearcoatTexture: cc === null ? null : binding(cc.getClearcoatTexture(), cc.getClearcoatTextureInfo(), false),
        clearcoatRoughnessFactor: cc?.getClearcoatRoughnessFactor() ?? 0,
        clearcoatRoughnessTexture: cc === null ? null : binding(cc.getClearcoatRoughnessTexture(), cc.getClearcoatRoughnessTextureInfo(), false),
        transmissionFactor: tr?.getTransmissionFactor() ?? 0,
        transmissionTexture: tr === null ? null : binding(tr.getTransmissionTexture(), tr.getTransmissionTextureInfo(), false)
      })
    }
    materialCache.set(m, pm)
    return pm
  }
}

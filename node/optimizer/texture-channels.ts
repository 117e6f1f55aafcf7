/**
 * Channel packing and unused channels, before the texture pass encodes:
 *
 * - occlusion into metallic-roughness (the glTF "ORM" convention): occlusion
 *   reads only R and metallic-roughness only G (roughness) and B (metalness),
 *   so an occlusion texture O is written into the R channel of the
 *   metallic-roughness texture M of the same materials, and those materials
 *   then read occlusion from M; one texture is stored instead of two. Packed
 *   only when it changes nothing any material reads: O is used as occlusion
 *   only and M as metallic-roughness only; every material that reads O reads M
 *   as its metallic-roughness, with texture infos that are equal (texCoord,
 *   KHR_texture_transform, wrap and filter modes); every material that reads M
 *   and has an occlusion texture reads O; O and M decode to the same size.
 *   Otherwise both are kept as they are.
 * - unused channels: a texture read only as metallic-roughness has its R
 *   channel cleared to 0 and one read only as occlusion has G and B set to R
 *   (grey), which JPEG and WebP store as luma only. The clearing is noted here
 *   and done by the texture pass on the pixels it encodes
 *   ({@link clearUnreadChannels}), so a texture the pass keeps as it is is not
 *   decoded for it. Alpha no material reads is dropped by the texture pass
 *   itself.
 *
 * All of it is integer copying in document order: deterministic.
 */
import type { Document, Material, Texture, TextureInfo } from '@gltf-transform/core'
import type { RgbaImage } from '../image/rgba-image.ts'
import { decodeSceneImage } from '../scene/scene-image.ts'

/** Decoded pixels handed from here to the texture pass, so nothing is decoded twice; `changed`: the original bytes no longer hold what materials read (a packed texture), so it must be re-encoded. */
export type DecodedTextures = Map<Texture, { image: RgbaImage, mimeType: string, changed: boolean }>

/** The single role of a texture whose unread channels are cleared before it is encoded. */
export type UnreadChannels = 'metallicRoughness' | 'occlusion'

/** Textures whose unread channels the texture pass clears on the pixels it encodes. */
export type ChannelClears = Map<Texture, UnreadChannels>

/** What {@link packChannels} did. */
export interface ChannelResult {
  /** Occlusion textures packed into the R channel of a metallic-roughness texture (and removed). */
  packed: number
  /** Textures whose unread channels are cleared before encoding (noted in the clears map). */
  cleared: number
}

/** Clears in place the channels no material reads of a texture read only as `role` (see the module comment). */
export function clearUnreadChannels (image: RgbaImage, role: UnreadChannels): void {
  const px = image.data
  if (role === 'metallicRoughness') for (let i = 0; i < px.length; i += 4) px[i] = 0
  else for (let i = 0; i < px.length; i += 4) { px[i + 1] = px[i]!; px[i + 2] = px[i]! }
}

/** The roles a texture is read in, by core material slot, and whether an extension or unknown edge reads it. */
function slots (document: Document): Map<Texture, Set<string>> {
  const out = new Map<Texture, Set<string>>()
  const add = (t: Texture | null, slot: string): void => { if (t !== null) { let s = out.get(t); if (s === undefined) { s = new Set(); out.set(t, s) } s.add(slot) } }
  for (const m of document.getRoot().listMaterials()) {
    add(m.getBaseColorTexture(), 'baseColor'); add(m.getEmissiveTexture(), 'emissive'); add(m.getNormalTexture(), 'normal')
    add(m.getOcclusionTexture(), 'occlusion'); add(m.getMetallicRoughnessTexture(), 'metallicRoughness')
  }
  // Any other parent (a material extension, or anything else) makes the texture's channels unknown.
  for (const t of document.getRoot().listTextures()) {
    for (const parent of t.listParents()) {
      if (parent.propertyType === 'Root') continue
      if (parent.propertyType !== 'Material') add(t, 'other')
    }
  }
  return out
}

// Texture infos are compared by everything but their names (glTF-Transform names them after their slot).
const SKIP_NAME = new Set(['name'])

const only = (s: Set<string> | undefined, slot: string): boolean => s !== undefined && s.size === 1 && s.has(slot)

/** The occlusion → metallic-roughness pairs that may be packed, each occlusion texture once. */
function packablePairs (document: Document, used: Map<Texture, Set<string>>): Array<{ o: Texture, m: Texture, materials: Material[] }> {
  const pairs = new Map<Texture, { m: Texture, materials: Material[] } | null>()
  const materials = document.getRoot().listMaterials()
  for (const mat of materials) {
    const o = mat.getOcclusionTexture()
    if (o === null || pairs.get(o) === null) continue
    const m = mat.getMetallicRoughnessTexture()
    const oi: TextureInfo | null = mat.getOcclusionTextureInfo()
    const mi: TextureInfo | null = mat.getMetallicRoughnessTextureInfo()
    const ok = m !== null && m !== o && oi !== null && mi !== null && oi.equals(mi, SKIP_NAME) &&
      only(used.get(o), 'occlusion') && only(used.get(m), 'metallicRoughness')
    const prev = pairs.get(o)
    if (!ok || (prev !== undefined && prev!.m !== m)) { pairs.set(o, null); continue }
    if (prev === undefined) pairs.set(o, { m: m!, materials: [mat] })
    else prev!.materials.push(mat)
  }
  const out: Array<{ o: Texture, m: Texture, materials: Material[] }> = []
  const claimed = new Set<Texture>()
  for (const [o, pair] of pairs) {
    if (pair === null || claimed.has(pair.m)) continue
    // Every material reading M with an occlusion texture must read O, or M's R would be wrong for it.
    if (materials.some((mat) => mat.getMetallicRoughnessTexture() === pair.m && mat.getOcclusionTexture() !== null && mat.getOcclusionTexture() !== o)) continue
    claimed.add(pair.m)
    out.push({ o, m: pair.m, materials: pair.materials })
  }
  return out
}

/**
 * Packs occlusion into metallic-roughness where safe and notes in `clears`
 * the textures whose unread channels are to be cleared (see the module
 * comment); `decoded` receives the decoded pixels of every texture it
 * decoded, for the texture pass to encode.
 */
export function packChannels (document: Document, decoded: DecodedTextures, clears: ChannelClears): ChannelResult {
  const result: ChannelResult = { packed: 0, cleared: 0 }
  const decode = (t: Texture): { image: RgbaImage, mimeType: string, changed: boolean } => {
    let d = decoded.get(t)
    if (d === undefined) { d = { ...decodeSceneImage(t.getImage()!), changed: false }; decoded.set(t, d) }
    return d
  }
  const used = slots(document)
  for (const { o, m, materials } of packablePairs(document, used)) {
    if (o.getImage() === null || m.getImage() === null) continue
    const od = decode(o); const md = decode(m)
    if (od.image.width !== md.image.width || od.image.height !== md.image.height) continue
    const src = od.image.data; const dst = md.image.data
    for (let i = 0; i < dst.length; i += 4) dst[i] = src[i]!
    md.changed = true
    // The occlusion texture info (texCoord, transform, sampler, strength) stays: it equals M's already.
    for (const mat of materials) mat.setOcclusionTexture(m)
    if (o.listParents().every((p) => p.propertyType === 'Root')) { decoded.delete(o); o.dispose() }
    used.delete(o)
    used.set(m, new Set(['metallicRoughness', 'occlusion']))
    result.packed++
  }
  for (const t of document.getRoot().listTextures()) {
    if (t.getImage() === null) continue
    const s = used.get(t)
    const mr = only(s, 'metallicRoughness'); const occ = only(s, 'occlusion')
    if (!mr && !occ) continue
    clears.set(t, mr ? 'metallicRoughness' : 'occlusion')
    result.cleared++ // the original bytes stay valid (only unread channels differ): kept unless the re-encoding is smaller
  }
  return result
}

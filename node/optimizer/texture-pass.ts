/**
 * The texture pass: every PNG and JPEG texture is decoded, downscaled with the
 * deterministic area filter when larger than the profile's limit, and
 * re-encoded in the format its role allows: for colour, normal and data maps
 * whose alpha no material reads, the smaller of JPEG at the role's quality and
 * PNG; PNG otherwise (alpha dropped when unused). A texture that is not resized keeps its
 * original bytes unless the re-encoding is smaller. Every codec here is pure
 * JavaScript with fixed arithmetic, so the output bytes are the same on every
 * node.
 */
import type { Document, Material, Texture } from '@gltf-transform/core'
import { encodeJpeg } from '../image/jpeg-encode.ts'
import { encodePng } from '../image/png-encode.ts'
import { decodeSceneImage } from '../scene/scene-image.ts'
import { fitWithin, resizeRgba } from './texture-resize.ts'

/** What a texture is used for, which decides how it may be encoded. */
export type TextureRole = 'color' | 'normal' | 'data' | 'other'

/** JPEG quality (1-100) per role, or null to keep that role lossless (PNG, or the JPEG as it is). */
export type TextureQualities = Readonly<Record<TextureRole, number | null>>

/** Options of {@link optimizeTextures}. */
export interface TexturePassOptions {
  /** Largest width or height after resizing. */
  maxSize: number
  /** JPEG quality per role. */
  quality: TextureQualities
}

/** What the texture pass did. */
export interface TexturePassResult {
  resized: number
  /** Textures whose bytes changed without resizing (re-encoded smaller, or PNG → JPEG). */
  reencoded: number
  /** Textures left unchanged because re-encoding did not make them smaller. */
  unchanged: number
  /** Textures written as JPEG. */
  jpeg: number
  bytesBefore: number
  bytesAfter: number
}

// A JPEG of a lossless role that must be resized is re-encoded at this quality (it was lossy already).
const LOSSLESS_JPEG_QUALITY = 95

// Strictest role first: a texture used in several roles is encoded for the strictest.
const ROLE_ORDER: readonly TextureRole[] = ['other', 'normal', 'data', 'color']

interface Usage { role: TextureRole, alpha: boolean }

/** The role of every texture and whether any material reads its alpha channel. */
function textureUsage (document: Document): Map<Texture, Usage> {
  const usage = new Map<Texture, Usage>()
  const note = (texture: Texture | null, role: TextureRole, alpha: boolean): void => {
    if (texture === null) return
    const prev = usage.get(texture)
    const stricter = prev === undefined || ROLE_ORDER.indexOf(role) < ROLE_ORDER.indexOf(prev.role) ? role : prev.role
    usage.set(texture, { role: stricter, alpha: alpha || (prev?.alpha ?? false) })
  }
  const known = (m: Material): Set<Texture | null> => new Set([m.getBaseColorTexture(), m.getEmissiveTexture(), m.getNormalTexture(), m.getOcclusionTexture(), m.getMetallicRoughnessTexture()])
  for (const m of document.getRoot().listMaterials()) {
    note(m.getBaseColorTexture(), 'color', m.getAlphaMode() !== 'OPAQUE')
    note(m.getEmissiveTexture(), 'color', false)
    note(m.getNormalTexture(), 'normal', false)
    note(m.getOcclusionTexture(), 'data', false)
    note(m.getMetallicRoughnessTexture(), 'data', false)
    // Textures of material extensions (clearcoat, transmission, ...): channel use varies, keep them lossless with alpha.
    const builtIn = known(m)
    for (const edge of document.getGraph().listChildEdges(m)) {
      const child = edge.getChild()
      if (child.propertyType === 'Texture' && !builtIn.has(child as Texture)) note(child as Texture, 'other', true)
    }
    for (const ext of m.listExtensions()) {
      for (const edge of document.getGraph().listChildEdges(ext)) {
        const child = edge.getChild()
        if (child.propertyType === 'Texture') note(child as Texture, 'other', true)
      }
    }
  }
  return usage
}

/** Resizes and re-encodes the textures of `document` in place, in document order. */
export function optimizeTextures (document: Document, options: TexturePassOptions): TexturePassResult {
  const result: TexturePassResult = { resized: 0, reencoded: 0, unchanged: 0, jpeg: 0, bytesBefore: 0, bytesAfter: 0 }
  const usage = textureUsage(document)
  for (const texture of document.getRoot().listTextures()) {
    const original = texture.getImage()
    if (original === null) continue
    result.bytesBefore += original.byteLength
    const { role, alpha } = usage.get(texture) ?? { role: 'other' as const, alpha: true }
    const { image, mimeType } = decodeSceneImage(original)
    const [w, h] = fitWithin(image.width, image.height, options.maxSize)
    const resize = w !== image.width || h !== image.height
    const pixels = resize ? resizeRgba(image, w, h) : image
    if (!alpha) for (let i = 3; i < pixels.data.length; i += 4) pixels.data[i] = 255 // unused alpha dropped
    const quality = alpha ? null : options.quality[role]
    // Candidates: JPEG where the role allows it, else the original format; PNG too when it is lossless
    // anyway or may beat JPEG (flat, synthetic content). The smallest wins, the original on ties.
    const candidates: Array<{ bytes: Uint8Array, mimeType: 'image/png' | 'image/jpeg' }> = []
    if (quality !== null) candidates.push({ bytes: encodeJpeg(pixels, quality), mimeType: 'image/jpeg' })
    else if (mimeType === 'image/jpeg' && resize) candidates.push({ bytes: encodeJpeg(pixels, LOSSLESS_JPEG_QUALITY), mimeType: 'image/jpeg' })
    if (mimeType === 'image/png' || quality !== null) candidates.push({ bytes: encodePng(pixels), mimeType: 'image/png' })
    // None when a lossless role meets a JPEG that needs no resizing: it is kept as it is.
    let best = candidates[0]
    for (const c of candidates) if (c.bytes.byteLength < best!.bytes.byteLength) best = c
    if (best !== undefined && (resize || best.bytes.byteLength < original.byteLength)) {
      texture.setImage(best.bytes).setMimeType(best.mimeType)
      if (resize) result.resized++
      else result.reencoded++
      if (best.mimeType === 'image/jpeg') result.jpeg++
      result.bytesAfter += best.bytes.byteLength
    } else {
      result.unchanged++
      if (mimeType === 'image/jpeg') result.jpeg++
      result.bytesAfter += original.byteLength
    }
  }
  return result
}

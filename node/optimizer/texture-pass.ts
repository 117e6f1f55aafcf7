/**
 * The texture pass: occlusion is packed into metallic-roughness where safe and
 * unread channels cleared (texture-channels.ts); then every PNG, JPEG and
 * WebP texture is decoded, downscaled with the deterministic area filter when
 * larger than the profile's limit, and re-encoded in the formats its role
 * allows, the smallest winning:
 * - JPEG at the role's quality for colour, normal and data maps whose alpha
 *   no material reads; PNG unless a sampled estimate shows it cannot beat
 *   the best lossy candidate (pngCanWin);
 * - with WebP output on (`formats: 'webp'`, EXT_texture_webp, required):
 *   lossless WebP where PNG is within 1.5 x of the best lossy candidate, and
 *   lossy WebP at the role's quality for colour maps
 *   (base colour, emissive; alpha kept lossless). Normal and data maps get no
 *   lossy WebP: its 4:2:0 chroma subsampling mixes their independent channels.
 * Alpha no material reads is dropped. A texture that is not resized keeps its
 * original bytes unless the re-encoding is smaller (a WebP input is always
 * re-encoded when WebP output is off). A JPEG for which no candidate can be
 * encoded (lossless for its role, no lossy WebP, within the size limit, not
 * packed) is kept as it is without being decoded: only its header is read
 * (format, size, limits), as a tool that copies textures does; the renderer
 * decodes it when the scene is measured. PNG and JPEG codecs are pure
 * JavaScript with fixed arithmetic and WebP is one WebAssembly build of
 * libwebp, so the output bytes are the same on every node.
 */
import type { Document, Material, Texture } from '@gltf-transform/core'
import { EXTTextureWebP } from '@gltf-transform/extensions'
import { encodeJpeg } from '../image/jpeg-encode.ts'
import { encodePng, pngSizeSample } from '../image/png-encode.ts'
import { encodeWebp } from '../image/webp-encode.ts'
import { decodeSceneImage, readSceneImageHeader } from '../scene/scene-image.ts'
import { type ChannelClears, type DecodedTextures, clearUnreadChannels, packChannels } from './texture-channels.ts'
import { fitWithin, resizeRgba } from './texture-resize.ts'

/** What a texture is used for, which decides how it may be encoded. */
export type TextureRole = 'color' | 'normal' | 'data' | 'other'

/** JPEG quality (1-100) per role, or null to keep that role lossless (PNG, or the JPEG as it is). */
export type TextureQualities = Readonly<Record<TextureRole, number | null>>

/** Output formats: `core` PNG and JPEG only (every glTF viewer); `webp` also WebP (EXT_texture_webp, required). */
export type TextureFormats = 'core' | 'webp'

/** Options of {@link optimizeTextures}. */
export interface TexturePassOptions {
  /** Largest width or height after resizing. */
  maxSize: number
  /** JPEG (and lossy WebP) quality per role. */
  quality: TextureQualities
  /** Output formats allowed. */
  formats: TextureFormats
  /** Pack occlusion into metallic-roughness and clear unread channels (texture-channels.ts). */
  packChannels: boolean
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
  /** Textures written as WebP. */
  webp: number
  /** Occlusion textures packed into a metallic-roughness texture. */
  packed: number
  /** Textures whose PNG candidate was not encoded: its sampled size estimate showed it could not win (pngCanWin). */
  pngSkipped: number
  bytesBefore: number
  bytesAfter: number
}

// Lossless WebP is encoded only when PNG is smaller than this many times the best lossy candidate (a fixed rule on sizes: deterministic).
const LOSSLESS_WEBP_REACH = 1.5

// PNG is skipped when its sampled size estimate is at least this many times the best lossy candidate (pngCanWin).
const PNG_SKIP_FACTOR = 2

// Textures of fewer pixels than this always get their PNG candidate (the estimate is for large textures, where the time goes).
const PNG_SAMPLE_MIN_PIXELS = 512 * 512

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

/**
 * Whether a PNG of `pixels` can beat the best lossy candidate of `lossyBytes`: always for small textures and
 * when there is no lossy candidate; otherwise unless the level-1 deflate of a one-eighth row sample
 * (pngSizeSample), scaled to the whole image, is at least PNG_SKIP_FACTOR times `lossyBytes`. Level 9 saves a
 * few percent over level 1 on such content, so a PNG skipped this way would have lost; the level-9 encoding
 * (seconds for a 2048² photo) is saved. Integer arithmetic on sizes: the same decision on every node.
 */
function pngCanWin (pixels: { width: number, height: number, data: Uint8Array }, lossyBytes: number): boolean {
  if (!Number.isFinite(lossyBytes) || pixels.width * pixels.height < PNG_SAMPLE_MIN_PIXELS) return true
  const sample = pngSizeSample(pixels)
  return sample.deflated * sample.rows < PNG_SKIP_FACTOR * lossyBytes * sample.sampledRows
}

type Mime = 'image/png' | 'image/jpeg' | 'image/webp'

/** Counts a texture whose original bytes are kept. */
function keep (result: TexturePassResult, original: Uint8Array): void {
  result.unchanged++
  result.bytesAfter += original.byteLength
}

/** Resizes and re-encodes the textures of `document` in place, in document order. */
export function optimizeTextures (document: Document, options: TexturePassOptions): TexturePassResult {
  const result: TexturePassResult = { resized: 0, reencoded: 0, unchanged: 0, jpeg: 0, webp: 0, packed: 0, pngSkipped: 0, bytesBefore: 0, bytesAfter: 0 }
  for (const t of document.getRoot().listTextures()) result.bytesBefore += t.getImage()?.byteLength ?? 0
  const decoded: DecodedTextures = new Map()
  const clears: ChannelClears = new Map()
  if (options.packChannels) result.packed = packChannels(document, decoded, clears).packed
  const usage = textureUsage(document)
  const webpOut = options.formats === 'webp'
  for (const texture of document.getRoot().listTextures()) {
    const original = texture.getImage()
    if (original === null) continue
    const { role, alpha } = usage.get(texture) ?? { role: 'other' as const, alpha: true }
    const pre = decoded.get(texture)
    const { mimeType, width, height } = pre === undefined ? readSceneImageHeader(original) : { mimeType: pre.mimeType, width: pre.image.width, height: pre.image.height }
    const changed = pre?.changed ?? false
    const [w, h] = fitWithin(width, height, options.maxSize)
    const resize = w !== width || h !== height
    // Re-encoding is required when the pixels changed or the original's format is not allowed.
    const mustEncode = resize || changed || (mimeType === 'image/webp' && !webpOut)
    const lossyQ = options.quality[role]
    const quality = alpha ? null : lossyQ
    const lossyWebp = webpOut && role === 'color' && lossyQ !== null
    // PNG (and lossless WebP) is a candidate unless the texture is a JPEG that need not be re-encoded and is lossless
    // for its role; with no lossy WebP either, no candidate is encoded and the JPEG is kept without being decoded.
    const losslessCandidates = mimeType !== 'image/jpeg' || quality !== null || mustEncode
    if (losslessCandidates || lossyWebp) {
      const image = pre?.image ?? decodeSceneImage(original).image
      const clear = clears.get(texture)
      if (clear !== undefined) clearUnreadChannels(image, clear)
      const pixels = resize ? resizeRgba(image, w, h) : image
      if (!alpha) for (let i = 3; i < pixels.data.length; i += 4) pixels.data[i] = 255 // unused alpha dropped
      // Candidates; the smallest wins, the first listed on ties.
      const candidates: Array<{ bytes: Uint8Array, mimeType: Mime }> = []
      if (quality !== null) candidates.push({ bytes: encodeJpeg(pixels, quality), mimeType: 'image/jpeg' })
      else if (mimeType === 'image/jpeg' && resize) candidates.push({ bytes: encodeJpeg(pixels, LOSSLESS_JPEG_QUALITY), mimeType: 'image/jpeg' })
      if (lossyWebp) candidates.push({ bytes: encodeWebp(pixels, { lossless: false, quality: lossyQ }), mimeType: 'image/webp' })
      const lossyBytes = candidates.length === 0 ? Infinity : Math.min(...candidates.map((c) => c.bytes.byteLength))
      if (losslessCandidates) {
        if (pngCanWin(pixels, lossyBytes)) candidates.push({ bytes: encodePng(pixels), mimeType: 'image/png' })
        else result.pngSkipped++
      }
      const png = candidates.at(-1)
      // Lossless WebP is tried where PNG is a candidate within LOSSLESS_WEBP_REACH of the best lossy one: it is typically
      // a quarter smaller than PNG, so beyond that it does not win and its encoding time (seconds for a 2048² photo) is saved.
      if (webpOut && png?.mimeType === 'image/png' && png.bytes.byteLength < lossyBytes * LOSSLESS_WEBP_REACH) candidates.push({ bytes: encodeWebp(pixels, { lossless: true }), mimeType: 'image/webp' })
      let best = candidates[0]
      for (const c of candidates) if (c.bytes.byteLength < best!.bytes.byteLength) best = c
      if (best !== undefined && (mustEncode || best.bytes.byteLength < original.byteLength)) {
        texture.setImage(best.bytes).setMimeType(best.mimeType)
        if (resize) result.resized++
        else result.reencoded++
        result.bytesAfter += best.bytes.byteLength
      } else keep(result, original)
    } else keep(result, original)
    const mime = texture.getMimeType()
    if (mime === 'image/jpeg') result.jpeg++
    if (mime === 'image/webp') result.webp++
  }
  // EXT_texture_webp is declared (required: no PNG or JPEG fallback is written) exactly when a WebP texture remains.
  const ext = document.getRoot().listExtensionsUsed().find((e) => e.extensionName === EXTTextureWebP.EXTENSION_NAME)
  if (result.webp > 0) (ext ?? document.createExtension(EXTTextureWebP)).setRequired(true)
  else ext?.dispose()
  return result
}

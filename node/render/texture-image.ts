/**
 * Decoding of texture images embedded in a glTF scene into RGBA8 pixels.
 *
 * PNG (pngjs) and JPEG (jpeg-js, integer IDCT) are decoded by pure
 * JavaScript with integer arithmetic, so every machine gets the same texels.
 * Dimensions are read from the header and checked against the limit before
 * any pixel is decoded. Other formats (KTX2/Basis, WebP, AVIF) are refused
 * with `ERR_RENDER_TEXTURE`: a verifier that cannot decode a texture
 * identically to its peers must not vote on it.
 */
import { PNG } from 'pngjs'
import jpeg from 'jpeg-js'
import { ERR_RENDER_TEXTURE, renderError } from './errors.ts'

/** Decoded texture pixels: 8-bit RGBA, row-major, top row first. */
export interface TextureImage {
  width: number
  height: number
  data: Uint8Array
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]

/** Reads width and height from a PNG or JPEG header without decoding; null when neither. */
export function readImageSize (bytes: Uint8Array): { format: 'png' | 'jpeg', width: number, height: number } | null {
  if (bytes.length >= 24 && PNG_SIGNATURE.every((b, i) => bytes[i] === b)) {
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    return { format: 'png', width: dv.getUint32(16), height: dv.getUint32(20) }
  }
  if (bytes.length >= 4 && bytes[0] === 0xff && bytes[1] === 0xd8) {
    // walk the JPEG markers up to the first start-of-frame
    let p = 2
    while (p + 9 < bytes.length) {
      if (bytes[p] !== 0xff) return null
      const marker = bytes[p + 1]!
      if (marker === 0xff) { p++; continue }
      const len = (bytes[p + 2]! << 8) | bytes[p + 3]!
      const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc
      if (isSof) return { format: 'jpeg', height: (bytes[p + 5]! << 8) | bytes[p + 6]!, width: (bytes[p + 7]! << 8) | bytes[p + 8]! }
      if (len < 2) return null
      p += 2 + len
    }
  }
  return null
}

/**
 * Decodes a PNG or JPEG texture to RGBA8. Throws `ERR_RENDER_TEXTURE` for an
 * unknown format, a corrupt image, or one with more than `maxPixels` pixels.
 */
export function decodeTextureImage (bytes: Uint8Array, maxPixels: number, label = 'texture'): TextureImage {
  const size = readImageSize(bytes)
  if (size === null) throw renderError(ERR_RENDER_TEXTURE, `${label}: not a PNG or JPEG image (KTX2, WebP and other formats are not decoded)`)
  if (size.width < 1 || size.height < 1 || size.width * size.height > maxPixels) {
    throw renderError(ERR_RENDER_TEXTURE, `${label}: ${size.width}×${size.height} exceeds the texture limit of ${maxPixels} pixels`, { width: size.width, height: size.height, maxPixels })
  }
  try {
    if (size.format === 'png') {
      const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength))
      return { width: png.width, height: png.height, data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength) }
    }
    const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: Math.ceil(maxPixels / 1e6) + 1, maxMemoryUsageInMB: Math.ceil(maxPixels * 8 / 1048576) + 64 })
    return { width: img.width, height: img.height, data: img.data }
  } catch (err) {
    throw renderError(ERR_RENDER_TEXTURE, `${label}: corrupt ${size.format} image (${(err as Error).message})`)
  }
}
